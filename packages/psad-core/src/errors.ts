/** Stable error codes of @fwkit/psad-core (public API: never rename). */
export type PsadErrorCode =
  | "PSAD_CONFIG_INVALID"
  | "PSAD_CONFIG_VAR_UNDEFINED"
  | "PSAD_SIGNATURE_INVALID"
  | "PSAD_DATA_FILE_INVALID"
  | "PSAD_CSV_FIELD_INVALID"
  | "PSAD_LOG_UNPARSEABLE"
  | "PSAD_LOG_LINE_TOO_LONG"
  | "PSAD_LOG_NOT_IPTABLES"
  | "PSAD_ALERT_CONFIG_INVALID"
  | "PSAD_ALERT_DELIVERY_FAILED"
  | "PSAD_BLOCK_CONFIG_INVALID"
  | "PSAD_BLOCK_REFUSED"
  | "PSAD_BLOCK_FAILED"
  | "PSAD_STATE_INVALID"
  | "PSAD_FOLLOW_FAILED";

/** The single error class of the package; branch on `code`, never on the message. */
export class PsadError extends Error {
  override readonly name = "PsadError";
  readonly code: PsadErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(
    code: PsadErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

/** True when `e` is a {@link PsadError} (checks the code shape, so it works across package copies). */
export function isPsadError(e: unknown): e is PsadError {
  return (
    e instanceof Error &&
    e.name === "PsadError" &&
    typeof (e as { code?: unknown }).code === "string" &&
    String((e as unknown as { code: string }).code).startsWith("PSAD_")
  );
}
