/** Stable error codes of `@fwkit/spa-protocol` (public API: never renamed). */
export type SpaErrorCode =
  | "SPA_INVALID_ARGUMENT"
  | "SPA_KEY_INVALID"
  | "SPA_BAD_LENGTH"
  | "SPA_BAD_CHARSET"
  | "SPA_PREFIX_REJECTED"
  | "SPA_BAD_MAC"
  | "SPA_ENCRYPTION_TYPE_UNKNOWN"
  | "SPA_DECRYPT_FAILED"
  | "SPA_DECODE_MSGLEN"
  | "SPA_DECODE_NON_ASCII"
  | "SPA_DECODE_FIELDS"
  | "SPA_DIGEST_TYPE_INVALID"
  | "SPA_DIGEST_MISMATCH"
  | "SPA_DECODE_RAND"
  | "SPA_DECODE_USERNAME"
  | "SPA_DECODE_TIMESTAMP"
  | "SPA_DECODE_VERSION"
  | "SPA_DECODE_MSGTYPE"
  | "SPA_DECODE_MESSAGE"
  | "SPA_DECODE_ACCESS"
  | "SPA_DECODE_NAT"
  | "SPA_DECODE_SERVER_AUTH"
  | "SPA_DECODE_TIMEOUT"
  | "SPA_PACKET_TOO_LARGE"
  | "SPA_PACKET_TOO_SMALL"
  | "SPA_CONFIG_INVALID"
  | "SPA_REPLAY"
  | "SPA_PACKET_AGE"
  | "SPA_NO_SOURCE_MATCH"
  | "SPA_ACCESS_DENIED"
  | "SPA_USERNAME_MISMATCH"
  | "SPA_SOURCE_REQUIRED"
  | "SPA_NAT_DISABLED"
  | "SPA_CMD_DISABLED"
  | "SPA_BAD_SIGNATURE"
  | "SPA_SEND_FAILED"
  | "SPA_IO";

/** Plain JSON details attached to an error. Never contains keys or plaintext. */
export type SpaErrorDetails = Record<string, string | number | boolean | null | undefined | readonly string[]>;

/** The single error class of `@fwkit/spa-protocol`; branch on `code`, never on `message`. */
export class SpaError extends Error {
  override readonly name = "SpaError";
  readonly code: SpaErrorCode;
  readonly details: SpaErrorDetails;

  constructor(code: SpaErrorCode, message: string, details: SpaErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

/**
 * Type guard for {@link SpaError} that works across package copies (checks the shape, not `instanceof`).
 * @param e - any value
 * @returns true when `e` is a SpaError-shaped object with an `SPA_` code
 */
export function isSpaError(e: unknown): e is SpaError {
  return (
    typeof e === "object" &&
    e !== null &&
    (e as { name?: unknown }).name === "SpaError" &&
    typeof (e as { code?: unknown }).code === "string" &&
    (e as { code: string }).code.startsWith("SPA_")
  );
}

/** Shorthand used internally: build a SpaError carrying the libfko error name in `details.fko`. */
export function fkoError(code: SpaErrorCode, fko: string, message: string, details: SpaErrorDetails = {}): SpaError {
  return new SpaError(code, message, { fko, ...details });
}
