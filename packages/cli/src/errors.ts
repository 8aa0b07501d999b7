/** Stable error codes of the cli itself. */
export type CliErrorCode = "CLI_USAGE" | "CLI_IO" | "CLI_INTERNAL";

/** An error raised by the cli layer (bad flags, unreadable files). */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly code: CliErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: CliErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.details = details;
  }
}

/** Any error carrying a stable string `code` (all fwkit packages' errors do). */
export interface CodedError {
  code: string;
  message: string;
  details?: unknown;
}

/** True when `e` has a stable string `code` (fwkit package errors, CliError). */
export function isCodedError(e: unknown): e is CodedError {
  return (
    e instanceof Error &&
    typeof (e as unknown as { code?: unknown }).code === "string" &&
    /^[A-Z][A-Z0-9_]+$/.test((e as unknown as { code: string }).code)
  );
}
