import { createHmac, hash, timingSafeEqual } from "node:crypto";
import { DIGEST_B64_LENGTH, nodeAlgorithm } from "./digest.ts";
import { fkoError, SpaError } from "./errors.ts";
import type { DigestType } from "./types.ts";

/** Largest HMAC key libfko accepts (MAX_DIGEST_BLOCK_LEN). */
export const MAX_HMAC_KEY_LEN = 136;

/** HMAC block size in bytes per digest (RFC 2104 / FIPS 202 rates). */
const BLOCK: Readonly<Record<DigestType, number>> = {
  md5: 64,
  sha1: 64,
  sha256: 64,
  sha384: 128,
  sha512: 128,
  sha3_256: 136,
  sha3_512: 72,
};
const DIGEST_BYTES: Readonly<Record<DigestType, number>> = {
  md5: 16,
  sha1: 20,
  sha256: 32,
  sha384: 48,
  sha512: 64,
  sha3_256: 32,
  sha3_512: 64,
};
/** Longest message the precomputed path takes (fwknopd's packets are ≤ 1500 bytes); longer ones use createHmac. */
const MAX_FAST_MSG = 2048;

/** Per key and digest: `K ^ ipad` followed by room for the message, `K ^ opad` followed by room for the inner hash. */
interface Pads {
  inner: Buffer;
  outer: Buffer;
  /** `inner.subarray(0, block + n)` per message length n seen so far. */
  views: Buffer[];
}
const padCache = new WeakMap<Uint8Array, Map<DigestType, Pads>>();

function makePads(type: DigestType, key: Uint8Array): Pads {
  const bs = BLOCK[type];
  const k = key.length > bs ? hash(nodeAlgorithm(type), key, "buffer") : key;
  const inner = Buffer.allocUnsafeSlow(bs + MAX_FAST_MSG);
  const outer = Buffer.allocUnsafeSlow(bs + DIGEST_BYTES[type]);
  for (let i = 0; i < bs; i++) {
    const b = i < k.length ? (k[i] as number) : 0;
    inner[i] = b ^ 0x36;
    outer[i] = b ^ 0x5c;
  }
  return { inner, outer, views: [] };
}

function pads(type: DigestType, key: Uint8Array): Pads {
  let byType = padCache.get(key);
  if (!byType) {
    byType = new Map();
    padCache.set(key, byType);
  }
  let p = byType.get(type);
  if (!p) {
    p = makePads(type, key);
    byType.set(type, p);
  }
  return p;
}

/**
 * HMAC over the exact bytes fwknop covers (`full_b64`, i.e. with the `U2FsdGVkX1` / `hQ` prefix), base64
 * without `=`. RFC 2104 computed with two one-shot `hash()` calls over precomputed `K ^ ipad` / `K ^ opad` blocks
 * (cached per key object), about twice as fast as a `createHmac` object per packet; the text is taken as latin1
 * bytes, exactly like `createHmac().update(text, "latin1")`.
 * @throws {SpaError} SPA_KEY_INVALID for an empty or over-long key
 */
export function computeHmac(type: DigestType, key: Uint8Array, fullB64: string): string {
  if (key.length < 1 || key.length > MAX_HMAC_KEY_LEN) {
    throw new SpaError("SPA_KEY_INVALID", `HMAC key must be 1…${MAX_HMAC_KEY_LEN} bytes`, {
      fko: "FKO_ERROR_INVALID_HMAC_KEY_LEN",
      length: key.length,
    });
  }
  let mac: string;
  if (fullB64.length <= MAX_FAST_MSG) {
    const { inner, outer, views } = pads(type, key);
    const bs = BLOCK[type];
    const alg = nodeAlgorithm(type);
    const n = inner.write(fullB64, bs, "latin1");
    let view = views[n];
    if (!view) {
      view = inner.subarray(0, bs + n);
      views[n] = view;
    }
    const ih = hash(alg, view, "binary");
    for (let i = 0; i < ih.length; i++) outer[bs + i] = ih.charCodeAt(i);
    mac = hash(alg, outer, "base64");
  } else {
    mac = createHmac(nodeAlgorithm(type), key).update(fullB64, "latin1").digest("base64");
  }
  let end = mac.length;
  while (end > 0 && mac.charCodeAt(end - 1) === 61) end--;
  return mac.slice(0, end);
}

/** Compare buffers per HMAC base64 length (one pair per digest type). */
const CMP: Array<{ got: Buffer; want: Buffer } | undefined> = [];

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
  const want = computeHmac(type, key, prefix + data);
  // Both base64 strings go into fixed per-length compare buffers (no allocation), then timingSafeEqual.
  let cmp = CMP[n];
  if (!cmp) {
    cmp = { got: Buffer.alloc(n), want: Buffer.alloc(n) };
    CMP[n] = cmp;
  }
  const off = wire.length - n;
  let nonAscii = 0;
  for (let i = 0; i < n; i++) {
    const c = wire.charCodeAt(off + i);
    nonAscii |= c & ~0x7f; // a char ≥ 0x80 must never pass as its low byte
    cmp.got[i] = c;
    cmp.want[i] = want.charCodeAt(i);
  }
  if (!timingSafeEqual(cmp.got, cmp.want) || nonAscii !== 0 || want.length !== n) {
    throw fkoError("SPA_BAD_MAC", "FKO_ERROR_INVALID_DATA_HMAC_COMPAREFAIL", "HMAC verification failed");
  }
  return data;
}
