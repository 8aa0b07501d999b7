/** `{ ok: true, value } | { ok: false, error }` — the package's Result type. */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

/** A problem found while reading a configuration file (bulk readers never throw on bad content). */
export interface Diagnostic {
  code: string;
  severity: "error" | "warning";
  /** 1-based line number in `file` (0 when not tied to a line). */
  line: number;
  file?: string;
  message: string;
}

/** Digest / HMAC algorithms of fwknop (`-m`, `--hmac-digest-type`, `HMAC_DIGEST_TYPE`). */
export type DigestType = "md5" | "sha1" | "sha256" | "sha384" | "sha512" | "sha3_256" | "sha3_512";

/** Rijndael modes of fwknop (`-M`, `ENCRYPTION_MODE`). */
export type EncryptionMode = "CBC" | "ECB" | "CFB" | "OFB" | "CTR" | "legacy";

/** SPA message types (libfko `fko_message_type_t`). */
export const MessageType = {
  COMMAND: 0,
  ACCESS: 1,
  NAT_ACCESS: 2,
  CLIENT_TIMEOUT_ACCESS: 3,
  CLIENT_TIMEOUT_NAT_ACCESS: 4,
  LOCAL_NAT_ACCESS: 5,
  CLIENT_TIMEOUT_LOCAL_NAT_ACCESS: 6,
} as const;

/** Numeric message type 0…6. */
export type MessageTypeValue = (typeof MessageType)[keyof typeof MessageType];

/** Injected randomness: returns `n` uniformly random bytes. */
export type RandomBytes = (n: number) => Uint8Array;

/** Injected clock: Unix time in seconds. */
export type Clock = () => number;

/** Key material: raw bytes, or a string taken as its UTF-8 bytes (fwknop's `KEY` / `--key-rijndael`). */
export type KeyMaterial = Uint8Array | string;
