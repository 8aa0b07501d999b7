import { createCipheriv, createDecipheriv, hash } from "node:crypto";
import { b64Decode, b64Encode } from "./base64.ts";
import { fkoError, SpaError } from "./errors.ts";
import type { EncryptionMode } from "./types.ts";

/** The base64 of `Salted__`'s constant bits, stripped from every Rijndael wire string. */
export const SALTED_PREFIX_B64 = "U2FsdGVkX1";
const SALTED = Buffer.from("Salted__", "latin1");

/** Largest AES passphrase fwknop accepts (RIJNDAEL_MAX_KEYSIZE). */
export const RIJNDAEL_MAX_KEYSIZE = 32;

const NODE_CIPHER: Record<EncryptionMode, string> = {
  CBC: "aes-256-cbc",
  ECB: "aes-256-ecb",
  CFB: "aes-256-cfb",
  OFB: "aes-256-ofb",
  CTR: "aes-256-ctr",
  legacy: "aes-256-cbc",
};

/** Every supported Rijndael mode. */
export const ENCRYPTION_MODES: readonly EncryptionMode[] = ["CBC", "ECB", "CFB", "OFB", "CTR", "legacy"];

/** libfko numeric enum of each mode. */
export const ENCRYPTION_MODE_NUMBER: Readonly<Record<EncryptionMode, number>> = {
  ECB: 1,
  CBC: 2,
  CFB: 3,
  OFB: 5,
  CTR: 6,
  legacy: 8,
};

/**
 * Parse an encryption mode as fwknop spells it (`CBC`, `ctr`, `legacy`; case-insensitive).
 * @param name - option / config value
 * @returns the mode, or undefined for unknown or unsupported ones (PCBC, Asymmetric)
 */
export function parseEncryptionMode(name: string): EncryptionMode | undefined {
  const n = name.trim().toUpperCase();
  if (n === "LEGACY") return "legacy";
  return (["CBC", "ECB", "CFB", "OFB", "CTR"] as const).find((m) => m === n);
}

/**
 * The passphrase bytes actually fed to the KDF: unchanged, or for legacy mode right-padded with ASCII `0`
 * to 16 bytes / truncated to 16 (pre-2.5 behaviour).
 */
export function effectivePassphrase(key: Uint8Array, mode: EncryptionMode): Buffer {
  const k = Buffer.isBuffer(key) ? key : Buffer.from(key);
  if (mode !== "legacy") return k;
  if (k.length >= 16) return k.subarray(0, 16);
  return Buffer.concat([k, Buffer.alloc(16 - k.length, 0x30)]);
}

/** Work area of {@link deriveKeyIv}: `[D_i (16) | pass (≤ 32) | salt (8)]`, then key (32) and IV (16). */
const KDF = Buffer.alloc(16 + RIJNDAEL_MAX_KEYSIZE + 8 + 48);
const KDF_KEY = KDF.subarray(56, 88);
const KDF_IV = KDF.subarray(88, 104);
/** Views of KDF per passphrase length (created on first use): the whole input and the input without D_i. */
const KDF_VIEWS: Array<{ all: Buffer; tail: Buffer } | undefined> = [];

/** Copy a 16-char "binary" digest string into KDF at `at` (a JS loop beats a native write call for 16 bytes). */
function putBinary(d: string, at: number): void {
  for (let i = 0; i < 16; i++) KDF[at + i] = d.charCodeAt(i);
}

/**
 * EVP_BytesToKey(MD5, 1 iteration) into the shared work area, without allocating: returns views that are only
 * valid until the next call (createCipheriv copies them). Salt is taken from `saltSrc[saltAt…saltAt+8]`.
 */
function deriveKeyIv(pass: Uint8Array, saltSrc: Uint8Array, saltAt: number): { key: Buffer; iv: Buffer } {
  const n = pass.length;
  let v = KDF_VIEWS[n];
  if (!v) {
    v = { all: KDF.subarray(0, 16 + n + 8), tail: KDF.subarray(16, 16 + n + 8) };
    KDF_VIEWS[n] = v;
  }
  KDF.set(pass, 16);
  for (let i = 0; i < 8; i++) KDF[16 + n + i] = saltSrc[saltAt + i] as number;
  const d1 = hash("md5", v.tail, "binary");
  putBinary(d1, 0);
  const d2 = hash("md5", v.all, "binary");
  putBinary(d2, 0);
  const d3 = hash("md5", v.all, "binary");
  putBinary(d1, 56);
  putBinary(d2, 72);
  putBinary(d3, 88);
  return { key: KDF_KEY, iv: KDF_IV };
}

/**
 * OpenSSL `EVP_BytesToKey(MD5, salt, pass, 1)` producing a 32-byte AES key and a 16-byte IV.
 * (One work buffer and one-shot `hash()` calls with latin1 output: several times cheaper than `Buffer` output or
 * `createHash` objects.)
 * @param pass - passphrase bytes (1…32; legacy passphrases are 16)
 * @param salt - 8-byte salt
 */
export function evpBytesToKey(pass: Uint8Array, salt: Uint8Array): { key: Buffer; iv: Buffer } {
  if (pass.length > RIJNDAEL_MAX_KEYSIZE || salt.length !== 8) {
    const ps = Buffer.concat([pass, salt]);
    const d1 = hash("md5", ps, "buffer");
    const d2 = hash("md5", Buffer.concat([d1, ps]), "buffer");
    const d3 = hash("md5", Buffer.concat([d2, ps]), "buffer");
    return { key: Buffer.concat([d1, d2]), iv: d3 };
  }
  const { key, iv } = deriveKeyIv(pass, salt, 0);
  const out = { key: Buffer.from(key), iv: Buffer.from(iv) };
  KDF.fill(0);
  return out;
}

/** Key length check shared by encrypt / decrypt. @throws {SpaError} SPA_KEY_INVALID */
export function checkKey(key: Uint8Array, mode: EncryptionMode): void {
  if (key.length < 1 || (mode !== "legacy" && key.length > RIJNDAEL_MAX_KEYSIZE)) {
    throw new SpaError("SPA_KEY_INVALID", `Rijndael key must be 1…${RIJNDAEL_MAX_KEYSIZE} bytes`, {
      fko: "FKO_ERROR_INVALID_KEY_LEN",
      length: key.length,
    });
  }
}

/**
 * Encrypt an SPA plaintext the way libfko does: PKCS#7 pad, AES-256-<mode> with EVP_BytesToKey, `Salted__`
 * header, base64 without padding. Returns `full_b64` (still starting with `U2FsdGVkX1`).
 * @throws {SpaError} SPA_KEY_INVALID when the key length is out of range; SPA_INVALID_ARGUMENT for a bad salt
 */
export function rijndaelEncrypt(
  plaintext: Uint8Array,
  key: Uint8Array,
  mode: EncryptionMode,
  salt: Uint8Array,
): string {
  checkKey(key, mode);
  if (salt.length !== 8) throw new SpaError("SPA_INVALID_ARGUMENT", "salt must be 8 bytes", { length: salt.length });
  const { key: k, iv } = evpBytesToKey(effectivePassphrase(key, mode), salt);
  const padLen = 16 - (plaintext.length % 16);
  const padded = Buffer.concat([Buffer.from(plaintext), Buffer.alloc(padLen, padLen)]);
  const cipher = createCipheriv(NODE_CIPHER[mode], k, mode === "ECB" ? null : iv);
  cipher.setAutoPadding(false);
  const ct = Buffer.concat([cipher.update(padded), cipher.final()]);
  return b64Encode(Buffer.concat([SALTED, salt, ct]));
}

/**
 * Decrypt `full_b64` (with the `U2FsdGVkX1` prefix) and return the plaintext bytes after lenient PKCS#7
 * unpadding (as libfko: invalid padding is kept and left to the digest check).
 * @throws {SpaError} SPA_BAD_CHARSET, SPA_DECRYPT_FAILED, SPA_KEY_INVALID
 */
export function rijndaelDecrypt(fullB64: string, key: Uint8Array, mode: EncryptionMode): Buffer {
  checkKey(key, mode);
  const raw = b64Decode(fullB64);
  if (raw === undefined) throw fkoError("SPA_BAD_CHARSET", "FKO_ERROR_INVALID_DATA_DECRYPT_NOT_BASE64", "not base64");
  return decryptSalted(raw, key, mode);
}

/**
 * Decrypt the raw `Salted__ | salt | ciphertext` bytes (the key length must already be checked).
 * Internal fast path of {@link rijndaelDecrypt} for callers that validated the base64 charset themselves.
 * @throws {SpaError} SPA_DECRYPT_FAILED for a bad ciphertext length
 */
export function decryptSalted(raw: Buffer, key: Uint8Array, mode: EncryptionMode): Buffer {
  if (key.length > RIJNDAEL_MAX_KEYSIZE && mode !== "legacy") checkKey(key, mode);
  if (raw.length < 32 || raw.length % 16 !== 0) {
    throw fkoError(
      "SPA_DECRYPT_FAILED",
      "FKO_ERROR_INVALID_DATA_DECRYPT_CIPHERLEN_VALIDFAIL",
      "bad ciphertext length",
      {
        length: raw.length,
      },
    );
  }
  const { key: k, iv } = deriveKeyIv(effectivePassphrase(key, mode), raw, 8);
  const decipher = createDecipheriv(NODE_CIPHER[mode], k, mode === "ECB" ? null : iv);
  KDF.fill(0); // the passphrase and derived key do not outlive the call in the shared work area
  decipher.setAutoPadding(false);
  // No final(): without auto-padding it only re-checks the block multiple (done above) and returns nothing.
  const pt = decipher.update(raw.subarray(16));
  const p = pt[pt.length - 1] ?? 0;
  if (p >= 1 && p <= 16 && p <= pt.length) {
    let ok = true;
    for (let i = pt.length - p; i < pt.length; i++) if (pt[i] !== p) ok = false;
    if (ok) return pt.subarray(0, pt.length - p);
  }
  return pt;
}
