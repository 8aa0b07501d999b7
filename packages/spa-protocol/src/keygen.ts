import { b64EncodePadded } from "./base64.ts";
import { SpaError } from "./errors.ts";
import type { DigestType, RandomBytes } from "./types.ts";

/** Default HMAC key length per digest type, as `fwknop --key-gen` (SHA3 fixed here: 2.6.10 fails). */
export const DEFAULT_HMAC_KEY_LEN: Readonly<Record<DigestType, number>> = {
  md5: 16,
  sha1: 20,
  sha256: 64,
  sha384: 128,
  sha512: 128,
  sha3_256: 64,
  sha3_512: 128,
};

/** Options of {@link generateKeys} (`--key-len`, `--hmac-key-len`, `--hmac-digest-type`). */
export interface KeyGenOptions {
  keyLen?: number;
  hmacKeyLen?: number;
  hmacDigestType?: DigestType;
}

/** Keys made by {@link generateKeys}, padded base64 as in config files. */
export interface GeneratedKeys {
  keyBase64: string;
  hmacKeyBase64: string;
}

/**
 * `fwknop --key-gen`: a random Rijndael key (default 32 bytes) and HMAC key (default by digest type).
 * @throws {SpaError} SPA_INVALID_ARGUMENT when a length is out of range (key 1…32, HMAC key 1…128)
 * @example
 * const { keyBase64 } = generateKeys((n) => crypto.getRandomValues(new Uint8Array(n)));
 */
export function generateKeys(random: RandomBytes, opts: KeyGenOptions = {}): GeneratedKeys {
  const keyLen = opts.keyLen ?? 32;
  const hmacLen = opts.hmacKeyLen ?? DEFAULT_HMAC_KEY_LEN[opts.hmacDigestType ?? "sha256"];
  if (!Number.isInteger(keyLen) || keyLen < 1 || keyLen > 32) {
    throw new SpaError("SPA_INVALID_ARGUMENT", "--key-len must be 1…32", { keyLen });
  }
  if (!Number.isInteger(hmacLen) || hmacLen < 1 || hmacLen > 128) {
    throw new SpaError("SPA_INVALID_ARGUMENT", "--hmac-key-len must be 1…128", { hmacKeyLen: hmacLen });
  }
  return { keyBase64: b64EncodePadded(random(keyLen)), hmacKeyBase64: b64EncodePadded(random(hmacLen)) };
}

/** The two lines `fwknop --key-gen` / `fwknopd --key-gen` print. */
export function formatKeyGen(keys: GeneratedKeys): string {
  return `KEY_BASE64: ${keys.keyBase64}\nHMAC_KEY_BASE64: ${keys.hmacKeyBase64}\n`;
}
