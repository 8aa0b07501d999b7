/** GnuPG mode of fwknop (spec §2.7) with the `openpgp` library: binary OpenPGP, `hQ` prefix stripped on the wire. */
import * as openpgp from "openpgp";
import { b64Decode, b64Encode, isB64Charset } from "./base64.ts";
import { fkoError, SpaError } from "./errors.ts";
import { computeHmac, verifyHmac } from "./hmac.ts";
import { keyBytes, type SpaEncodeInput } from "./packet.ts";
import { buildPlaintext, parsePlaintext, SPA_LIMITS, type SpaMessage } from "./plaintext.ts";
import { randomDigits } from "./random.ts";
import type { DigestType, KeyMaterial, RandomBytes } from "./types.ts";

/** Prefix fwknop strips from GnuPG packets (old-format PKESK header `0x85 LL LL`). */
export const GPG_PREFIX_B64 = "hQ";

/**
 * Rewrite the first OpenPGP packet header to the old format with a 2-byte length (`0x85 LL LL` for a PKESK),
 * which is what `gpg` emits and what fwknop assumes when it strips/re-adds `hQ`. openpgp.js writes new-format
 * headers (`0xC1 …`).
 * @throws {SpaError} SPA_INVALID_ARGUMENT when the first packet cannot be expressed that way
 */
export function toOldFormatFirstPacket(bin: Uint8Array): Uint8Array {
  const b0 = bin[0] ?? 0;
  if ((b0 & 0xc0) === 0x80) return bin; // already old format
  if ((b0 & 0xc0) !== 0xc0) throw new SpaError("SPA_INVALID_ARGUMENT", "not an OpenPGP packet");
  const tag = b0 & 0x3f;
  let len: number;
  let hdr: number;
  const l1 = bin[1] ?? 0;
  if (l1 < 192) {
    len = l1;
    hdr = 2;
  } else if (l1 < 224) {
    len = ((l1 - 192) << 8) + (bin[2] ?? 0) + 192;
    hdr = 3;
  } else if (l1 === 255) {
    len = ((bin[2] ?? 0) << 24) | ((bin[3] ?? 0) << 16) | ((bin[4] ?? 0) << 8) | (bin[5] ?? 0);
    hdr = 6;
  } else {
    throw new SpaError("SPA_INVALID_ARGUMENT", "partial-length first packet");
  }
  if (tag > 15 || len > 0xffff)
    throw new SpaError("SPA_INVALID_ARGUMENT", "first packet not expressible in old format");
  const out = new Uint8Array(bin.length - hdr + 3);
  out[0] = 0x80 | (tag << 2) | 1;
  out[1] = len >> 8;
  out[2] = len & 0xff;
  out.set(bin.subarray(hdr), 3);
  return out;
}

/** Keys for {@link encodeSpaGpg}. */
export interface GpgEncodeKeys {
  /** Armored public key of the server (GPG recipient). */
  recipientKey: string;
  /** Armored private key of the client (signer, optional but fwknopd requires a signature by default). */
  signerKey?: string;
  signerPassphrase?: string;
  hmacKey?: KeyMaterial;
  hmacType?: DigestType;
}

/**
 * Encode an SPA packet in GnuPG mode: plaintext encrypted (and signed) as binary OpenPGP, first packet header in
 * gpg's old format, base64 without `=`, leading `hQ` removed, HMAC over `hQ`+data appended.
 * @throws {SpaError} SPA_INVALID_ARGUMENT / SPA_KEY_INVALID / SPA_DECODE_* / SPA_PACKET_TOO_LARGE
 */
export async function encodeSpaGpg(
  input: SpaEncodeInput,
  keys: GpgEncodeKeys,
  opts: { random: RandomBytes },
): Promise<{ wire: string; plaintext: string }> {
  const rand = input.rand ?? randomDigits(opts.random, SPA_LIMITS.RAND_DIGITS);
  const plaintext = buildPlaintext({ ...input, rand });
  let encryptionKeys: openpgp.Key;
  let signingKeys: openpgp.PrivateKey | undefined;
  try {
    encryptionKeys = await openpgp.readKey({ armoredKey: keys.recipientKey });
    if (keys.signerKey) {
      signingKeys = await openpgp.readPrivateKey({ armoredKey: keys.signerKey });
      if (!signingKeys.isDecrypted()) {
        signingKeys = await openpgp.decryptKey({ privateKey: signingKeys, passphrase: keys.signerPassphrase ?? "" });
      }
    }
  } catch (e) {
    throw new SpaError("SPA_KEY_INVALID", "cannot read GnuPG keys", {}, { cause: e });
  }
  const message = await openpgp.createMessage({ binary: Buffer.from(plaintext, "latin1"), format: "binary" });
  const bin = (await openpgp.encrypt({
    message,
    encryptionKeys,
    ...(signingKeys ? { signingKeys } : {}),
    format: "binary",
  })) as Uint8Array;
  const full = b64Encode(toOldFormatFirstPacket(bin));
  if (!full.startsWith(GPG_PREFIX_B64))
    throw new SpaError("SPA_INVALID_ARGUMENT", "OpenPGP output does not start with hQ (non-RSA key?)");
  const hmac = keys.hmacKey !== undefined ? computeHmac(keys.hmacType ?? "sha256", keyBytes(keys.hmacKey), full) : "";
  const wire = full.slice(GPG_PREFIX_B64.length) + hmac;
  if (wire.length > SPA_LIMITS.MAX_SERVER_PAYLOAD) {
    throw new SpaError("SPA_PACKET_TOO_LARGE", "GnuPG packet longer than 1500 bytes (key too large?)", {
      length: wire.length,
    });
  }
  return { wire, plaintext };
}

/** Keys for {@link decodeSpaGpg}. */
export interface GpgDecodeKeys {
  /** Armored private key of the server (GPG_DECRYPT_ID). */
  decryptKey: string;
  /** GPG_DECRYPT_PW (omit with GPG_ALLOW_NO_PW). */
  decryptPassphrase?: string;
  /** Armored public keys of the allowed signers (for signature verification). */
  verificationKeys?: string[];
  hmacKey?: KeyMaterial;
  hmacType?: DigestType;
}

/** Result of {@link decodeSpaGpg}. */
export interface DecodedSpaGpg extends SpaMessage {
  /** Signatures found: 16-hex key ID, short ID (last 8 hex), fingerprint when known, and validity. */
  signatures: Array<{ keyId: string; shortId: string; fingerprint?: string; valid: boolean }>;
}

/**
 * Decode a GnuPG-mode SPA packet: HMAC over `hQ`+data first (constant time), then OpenPGP decryption and
 * signature verification, then the plaintext field decoder. Attacker data reaches openpgp only after the HMAC
 * passed (when an HMAC key is configured).
 * @throws {SpaError} SPA_BAD_LENGTH / SPA_BAD_CHARSET / SPA_BAD_MAC / SPA_DECRYPT_FAILED / SPA_DECODE_*
 */
export async function decodeSpaGpg(wire: string, keys: GpgDecodeKeys): Promise<DecodedSpaGpg> {
  if (wire.length < SPA_LIMITS.MIN_ENCODED_MSG || wire.length > SPA_LIMITS.MAX_SERVER_PAYLOAD) {
    throw fkoError("SPA_BAD_LENGTH", "FKO_ERROR_INVALID_DATA", "wire length out of range", { length: wire.length });
  }
  if (!isB64Charset(wire)) throw fkoError("SPA_BAD_CHARSET", "NOT_SPA_DATA", "data is not base64");
  let data = wire;
  if (keys.hmacKey !== undefined)
    data = verifyHmac(keys.hmacType ?? "sha256", keyBytes(keys.hmacKey), wire, GPG_PREFIX_B64);
  const raw = b64Decode(data.startsWith(GPG_PREFIX_B64) ? data : GPG_PREFIX_B64 + data);
  if (!raw) throw fkoError("SPA_BAD_CHARSET", "FKO_ERROR_INVALID_DATA", "data is not base64");
  let text: string;
  const signatures: DecodedSpaGpg["signatures"] = [];
  try {
    let privateKey = await openpgp.readPrivateKey({ armoredKey: keys.decryptKey });
    if (!privateKey.isDecrypted()) {
      privateKey = await openpgp.decryptKey({ privateKey, passphrase: keys.decryptPassphrase ?? "" });
    }
    const verificationKeys = (
      await Promise.all((keys.verificationKeys ?? []).map((k) => openpgp.readKeys({ armoredKeys: k })))
    ).flat();
    const message = await openpgp.readMessage({ binaryMessage: raw });
    const res = await openpgp.decrypt({ message, decryptionKeys: privateKey, verificationKeys, format: "binary" });
    text = Buffer.from(res.data as Uint8Array).toString("latin1");
    for (const s of res.signatures) {
      const keyId = s.keyID.toHex().toUpperCase();
      let valid = false;
      try {
        valid = (await s.verified) === true;
      } catch {
        valid = false;
      }
      const signer = verificationKeys.find((k) => k.getKeys(s.keyID).length > 0);
      signatures.push({
        keyId,
        shortId: keyId.slice(-8),
        valid,
        ...(signer ? { fingerprint: signer.getFingerprint().toUpperCase() } : {}),
      });
    }
  } catch (e) {
    throw new SpaError(
      "SPA_DECRYPT_FAILED",
      "GnuPG decryption failed",
      { fko: "FKO_ERROR_GPGME_DECRYPT_FAILED" },
      { cause: e },
    );
  }
  return { ...parsePlaintext(text), signatures };
}
