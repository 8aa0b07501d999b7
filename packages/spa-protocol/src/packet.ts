import { isB64Charset } from "./base64.ts";
import { DIGEST_B64_LENGTH } from "./digest.ts";
import { fkoError, SpaError } from "./errors.ts";
import { computeHmac, verifyHmac } from "./hmac.ts";
import { buildPlaintext, parsePlaintext, SPA_LIMITS, type SpaMessage, type SpaMessageInput } from "./plaintext.ts";
import { randomDigits } from "./random.ts";
import { checkKey, decryptSalted, rijndaelEncrypt, SALTED_PREFIX_B64 } from "./rijndael.ts";
import type { DigestType, EncryptionMode, KeyMaterial, RandomBytes } from "./types.ts";

/** Keys and algorithms for one SPA exchange (both sides must agree: nothing is signalled on the wire). */
export interface SpaKeys {
  /** Rijndael passphrase / key bytes (1…32 bytes; legacy mode pads/truncates to 16). */
  key: KeyMaterial;
  /** Default `CBC`. */
  mode?: EncryptionMode;
  /** HMAC key; when set the HMAC is appended (encode) and mandatory (decode). */
  hmacKey?: KeyMaterial;
  /** Default `sha256`. */
  hmacType?: DigestType;
}

/** Input to {@link encodeSpa}: the plaintext fields, with `rand` optional (drawn from `random`). */
export type SpaEncodeInput = Omit<SpaMessageInput, "rand"> & { rand?: string };

/** Result of {@link encodeSpa}. `plaintext` is secret material: do not log it. */
export interface EncodedSpa {
  /** What is sent: ciphertext base64 without `U2FsdGVkX1`, then the HMAC. */
  wire: string;
  plaintext: string;
  /** The 8-byte salt used (hex). */
  saltHex: string;
  /** The HMAC part of the wire ("" when none). */
  hmac: string;
}

/** Result of {@link decodeSpa}. */
export interface DecodedSpa extends SpaMessage {
  /** HMAC algorithm verified, or undefined when no HMAC key was configured. */
  hmacType?: DigestType;
  mode: EncryptionMode;
}

/** Turn key material into bytes (strings as UTF-8). */
export function keyBytes(k: KeyMaterial): Buffer {
  if (typeof k === "string") return Buffer.from(k, "utf8");
  return Buffer.isBuffer(k) ? k : Buffer.from(k.buffer, k.byteOffset, k.byteLength);
}

/** Options of {@link encodeSpa}. */
export interface EncodeOptions {
  /** Injected randomness (salt and, when not given, the 16-digit random value). */
  random: RandomBytes;
  /** Allow a wire string outside fwknopd's accepted window (140…399 chars). Default false. */
  allowOversize?: boolean;
}

/**
 * Encode an SPA packet exactly like fwknop 2.6.10's libfko (Rijndael, optional HMAC).
 * Pure: randomness comes from `opts.random`.
 * @throws {SpaError} SPA_KEY_INVALID, SPA_DECODE_* (invalid field), SPA_PACKET_TOO_LARGE / SPA_PACKET_TOO_SMALL
 * @example
 * const { wire } = encodeSpa(
 *   { username: "alice", timestamp: 1700000000, messageType: 1, message: "10.99.0.2,tcp/22" },
 *   { key: "fwknop-interop-pass" },
 *   { random: (n) => new Uint8Array(n) },
 * );
 */
export function encodeSpa(input: SpaEncodeInput, keys: SpaKeys, opts: EncodeOptions): EncodedSpa {
  const mode = keys.mode ?? "CBC";
  if (mode === "legacy" && keys.hmacKey !== undefined) {
    throw new SpaError("SPA_INVALID_ARGUMENT", "legacy encryption mode cannot be combined with an HMAC");
  }
  const key = keyBytes(keys.key);
  const hkey = keys.hmacKey === undefined ? undefined : keyBytes(keys.hmacKey);
  if (hkey?.equals(key)) {
    throw new SpaError("SPA_KEY_INVALID", "encryption and HMAC keys must differ", { fko: "FKO_ERROR_KEYS_IDENTICAL" });
  }
  const rand = input.rand ?? randomDigits(opts.random, SPA_LIMITS.RAND_DIGITS);
  const plaintext = buildPlaintext({ ...input, rand });
  const salt = opts.random(8);
  const full = rijndaelEncrypt(Buffer.from(plaintext, "latin1"), key, mode, salt);
  const hmac = hkey ? computeHmac(keys.hmacType ?? "sha256", hkey, full) : "";
  const wire = full.slice(SALTED_PREFIX_B64.length) + hmac;
  if (!opts.allowOversize) {
    if (wire.length >= SPA_LIMITS.MIN_GNUPG_MSG) {
      throw new SpaError("SPA_PACKET_TOO_LARGE", "packet would be classified as GnuPG by fwknopd (>= 400 chars)", {
        length: wire.length,
      });
    }
    if (wire.length < SPA_LIMITS.MIN_SERVER_PAYLOAD) {
      throw new SpaError("SPA_PACKET_TOO_SMALL", "packet shorter than 140 chars is ignored by fwknopd", {
        length: wire.length,
      });
    }
  }
  return { wire, plaintext, saltHex: Buffer.from(salt).toString("hex"), hmac };
}

/**
 * Decode an SPA wire string: charset and length checks, prefix-replay defence, HMAC (constant time, before
 * decryption), Rijndael decryption, rand/colon sanity check, then the §1.8 field decoder.
 * Never throws anything but {@link SpaError}.
 * @throws {SpaError} SPA_BAD_LENGTH, SPA_BAD_CHARSET, SPA_PREFIX_REJECTED, SPA_BAD_MAC, SPA_ENCRYPTION_TYPE_UNKNOWN,
 *   SPA_DECRYPT_FAILED, SPA_KEY_INVALID or an SPA_DECODE_* code
 */
export function decodeSpa(wire: string, keys: SpaKeys): DecodedSpa {
  const mode = keys.mode ?? "CBC";
  if (wire.length < SPA_LIMITS.MIN_ENCODED_MSG || wire.length > SPA_LIMITS.MAX_SERVER_PAYLOAD) {
    throw fkoError("SPA_BAD_LENGTH", "FKO_ERROR_INVALID_DATA_FUNCS_NEW_ENCMSG_MISSING", "wire length out of range", {
      length: wire.length,
    });
  }
  if (!isB64Charset(wire)) throw fkoError("SPA_BAD_CHARSET", "NOT_SPA_DATA", "data is not base64");
  if (wire.startsWith(SALTED_PREFIX_B64)) {
    throw fkoError("SPA_PREFIX_REJECTED", "NOT_SPA_DATA", "data starts with the Salted__ prefix (replay trick)");
  }
  let data = wire;
  let hmacType: DigestType | undefined;
  if (keys.hmacKey !== undefined) {
    hmacType = keys.hmacType ?? "sha256";
    data = verifyHmac(hmacType, keyBytes(keys.hmacKey), wire, SALTED_PREFIX_B64);
  }
  const full = SALTED_PREFIX_B64 + data;
  if ((hmacType ? full.length : wire.length) >= SPA_LIMITS.MIN_GNUPG_MSG) {
    throw fkoError(
      "SPA_ENCRYPTION_TYPE_UNKNOWN",
      "FKO_ERROR_INVALID_DATA_ENCRYPT_TYPE_UNKNOWN",
      "data length implies GnuPG",
      {
        length: wire.length,
      },
    );
  }
  const key = keyBytes(keys.key);
  checkKey(key, mode);
  // The wire passed the charset check (base64 alphabet and `=`): fwknop's decoder stops at the first `=`.
  const eq = full.indexOf("=");
  const body = eq >= 0 ? full.slice(0, eq) : full;
  if (body.length % 4 === 1) {
    throw fkoError("SPA_BAD_CHARSET", "FKO_ERROR_INVALID_DATA_DECRYPT_NOT_BASE64", "not base64");
  }
  const pt = decryptSalted(Buffer.from(body, "base64"), key, mode);
  if (pt.length < SPA_LIMITS.MIN_ENCODED_MSG || pt.length >= SPA_LIMITS.MAX_ENCODED_MSG) {
    throw fkoError(
      "SPA_DECRYPT_FAILED",
      "FKO_ERROR_INVALID_DATA_DECRYPT_PTLEN_VALIDFAIL",
      "decrypted length implausible",
    );
  }
  for (let i = 0; i < 16; i++) {
    const c = pt[i] as number;
    if (c < 0x30 || c > 0x39) throw fkoError("SPA_DECRYPT_FAILED", "FKO_ERROR_DECRYPTION_FAILURE", "decryption failed");
  }
  if (pt[16] !== 0x3a) throw fkoError("SPA_DECRYPT_FAILED", "FKO_ERROR_DECRYPTION_FAILURE", "decryption failed");
  const out = parsePlaintext(pt.toString("latin1")) as DecodedSpa;
  out.mode = mode;
  if (hmacType) out.hmacType = hmacType;
  return out;
}

/** Length in chars of the HMAC appended for a given type (0 for none). */
export function hmacLength(t: DigestType | undefined): number {
  return t ? DIGEST_B64_LENGTH[t] : 0;
}
