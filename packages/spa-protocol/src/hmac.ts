import { createHmac, timingSafeEqual } from "node:crypto";
import { DIGEST_B64_LENGTH, nodeAlgorithm } from "./digest.ts";
import { fkoError, SpaError } from "./errors.ts";
import type { DigestType } from "./types.ts";

/** Largest HMAC key libfko accepts (MAX_DIGEST_BLOCK_LEN). */
export const MAX_HMAC_KEY_LEN = 136;

/**
 * HMAC over the exact bytes fwknop covers (`full_b64`, i.e. with the `U2FsdGVkX1` / `hQ` prefix), base64
 * without `=`.
 * @throws {SpaError} SPA_KEY_INVALID for an empty or over-long key
 */
export function computeHmac(type: DigestType, key: Uint8Array, fullB64: string): string {
  if (key.length < 1 || key.length > MAX_HMAC_KEY_LEN) {
    throw new SpaError("SPA_KEY_INVALID", `HMAC key must be 1…${MAX_HMAC_KEY_LEN} bytes`, {
      fko: "FKO_ERROR_INVALID_HMAC_KEY_LEN",
      length: key.length,
    });
  }
  const mac = createHmac(nodeAlgorithm(type), key).update(fullB64, "latin1").digest("base64");
  let end = mac.length;
  while (end > 0 && mac.charCodeAt(end - 1) === 61) end--;
  return mac.slice(0, end);
}

/**
 * Verify and strip the trailing HMAC of a wire string in constant time, before any decryption.
 * @param wire - the data as received
 * @param prefix - the prefix fwknop re-adds before MACing (`U2FsdGVkX1` for Rijndael)
 * @returns the wire without its HMAC
 * @throws {SpaError} SPA_BAD_LENGTH when too short, SPA_BAD_MAC on mismatch
 */
export function verifyHmac(type: DigestType, key: Uint8Array, wire: string, prefix: string): string {
  const n = DIGEST_B64_LENGTH[type];
  if (wire.length - n < 36) {
    throw fkoError("SPA_BAD_LENGTH", "FKO_ERROR_INVALID_DATA_HMAC_LEN_VALIDFAIL", "data too short for an HMAC");
  }
  const data = wire.slice(0, wire.length - n);
  const got = Buffer.from(wire.slice(wire.length - n), "latin1");
  const want = Buffer.from(computeHmac(type, key, prefix + data), "latin1");
  if (got.length !== want.length || !timingSafeEqual(got, want)) {
    throw fkoError("SPA_BAD_MAC", "FKO_ERROR_INVALID_DATA_HMAC_COMPAREFAIL", "HMAC verification failed");
  }
  return data;
}
