import type { IptablesParseErrorCode } from "./types.ts";

/** JSON details carried by an {@link IptablesParseError}. */
export type IptablesParseErrorDetails = Record<string, unknown>;

/** The one error class of @fwkit/iptables-parse (and of @fwkit/iptables-chainmgr's execution layer). */
export class IptablesParseError extends Error {
  override readonly name = "IptablesParseError";
  readonly code: IptablesParseErrorCode;
  readonly details: IptablesParseErrorDetails;

  constructor(code: IptablesParseErrorCode, message: string, details: IptablesParseErrorDetails = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.details = details;
  }
}

/** True when `e` is an {@link IptablesParseError} (checked by shape, so it works across package copies). */
export function isIptablesParseError(e: unknown): e is IptablesParseError {
  return e instanceof Error && e.name === "IptablesParseError" && typeof (e as { code?: unknown }).code === "string";
}
