import { createHmac, hash } from "node:crypto";
import type { DigestType } from "./types.ts";

const NODE_ALG: Record<DigestType, string> = {
  md5: "md5",
  sha1: "sha1",
  sha256: "sha256",
  sha384: "sha384",
  sha512: "sha512",
  sha3_256: "sha3-256",
  sha3_512: "sha3-512",
};

/** Length in characters of the unpadded base64 of each digest / HMAC type. */
export const DIGEST_B64_LENGTH: Readonly<Record<DigestType, number>> = {
  md5: 22,
  sha1: 27,
  sha256: 43,
  sha384: 64,
  sha512: 86,
  sha3_256: 43,
  sha3_512: 86,
};

/** libfko numeric enum of each digest type (as shown in fwknop's dumps). */
export const DIGEST_TYPE_NUMBER: Readonly<Record<DigestType, number>> = {
  md5: 1,
  sha1: 2,
  sha256: 3,
  sha384: 4,
  sha512: 5,
  sha3_256: 6,
  sha3_512: 7,
};

/** Every digest type, in libfko order. */
export const DIGEST_TYPES: readonly DigestType[] = [
  "md5",
  "sha1",
  "sha256",
  "sha384",
  "sha512",
  "sha3_256",
  "sha3_512",
];

/**
 * Parse a digest / HMAC type name as fwknop spells it (`sha256`, `SHA3_256`, case-insensitive).
 * @param name - the option or config value
 * @returns the digest type, or undefined when unknown
 */
export function parseDigestType(name: string): DigestType | undefined {
  const n = name.trim().toLowerCase().replace("-", "_");
  return (DIGEST_TYPES as readonly string[]).includes(n) ? (n as DigestType) : undefined;
}

/** Node hash/HMAC algorithm name of a digest type. */
export function nodeAlgorithm(t: DigestType): string {
  return NODE_ALG[t];
}

/** Raw hash of `data` with the given algorithm. */
export function hashRaw(t: DigestType, data: string | Uint8Array): Buffer {
  return hash(NODE_ALG[t], data, "buffer");
}

/** Raw HMAC of `data` under `key`. */
export function hmacRaw(t: DigestType, key: Uint8Array, data: string | Uint8Array): Buffer {
  return createHmac(NODE_ALG[t], key).update(data).digest();
}

/** Unpadded base64 of the hash of `data` (the form fwknop puts in packets). */
export function hashB64(t: DigestType, data: string | Uint8Array): string {
  const s = hash(NODE_ALG[t], data, "base64");
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 61) end--;
  return s.slice(0, end);
}
