/** Stable error / diagnostic codes of @fwkit/fwsnort (public API: never rename) and its one error class. */

/** Every code this package throws or reports. Skip codes (`SkipCode`) are a subset. */
export type FwsnortErrorCode =
  | "FWSNORT_CONFIG_INVALID"
  | "FWSNORT_CONFIG_CHANGEME"
  | "FWSNORT_CONFIG_VARIABLE_CYCLE"
  | "FWSNORT_CONFIG_UNDEFINED_VARIABLE"
  | "FWSNORT_BAD_OPTION"
  | "FWSNORT_BAD_SAVE_INPUT"
  | "FWSNORT_UNSUPPORTED_KEYWORD"
  | "FWSNORT_UNKNOWN_KEYWORD"
  | "FWSNORT_PCRE_UNTRANSLATABLE"
  | "FWSNORT_PATTERN_TOO_LONG"
  | "FWSNORT_UNSUPPORTED_VALUE"
  | "FWSNORT_SKIPPED_BY_POLICY"
  | "FWSNORT_EMPTY_TRANSLATION"
  | "FWSNORT_PARSE_ERROR"
  | "FWSNORT_FAMILY_MISMATCH"
  | "FWSNORT_IPT_SYNC_BLOCKED"
  | "FWSNORT_APPROXIMATE"
  | "FWSNORT_CONFIG_WARNING"
  | "FWSNORT_NOTHING_TRANSLATED"
  | "FWSNORT_APPLY_FAILED";

/** Every code, in a stable order (README table, exhaustiveness tests). */
export const FWSNORT_ERROR_CODES: readonly FwsnortErrorCode[] = [
  "FWSNORT_CONFIG_INVALID",
  "FWSNORT_CONFIG_CHANGEME",
  "FWSNORT_CONFIG_VARIABLE_CYCLE",
  "FWSNORT_CONFIG_UNDEFINED_VARIABLE",
  "FWSNORT_BAD_OPTION",
  "FWSNORT_BAD_SAVE_INPUT",
  "FWSNORT_UNSUPPORTED_KEYWORD",
  "FWSNORT_UNKNOWN_KEYWORD",
  "FWSNORT_PCRE_UNTRANSLATABLE",
  "FWSNORT_PATTERN_TOO_LONG",
  "FWSNORT_UNSUPPORTED_VALUE",
  "FWSNORT_SKIPPED_BY_POLICY",
  "FWSNORT_EMPTY_TRANSLATION",
  "FWSNORT_PARSE_ERROR",
  "FWSNORT_FAMILY_MISMATCH",
  "FWSNORT_IPT_SYNC_BLOCKED",
  "FWSNORT_APPROXIMATE",
  "FWSNORT_CONFIG_WARNING",
  "FWSNORT_NOTHING_TRANSLATED",
  "FWSNORT_APPLY_FAILED",
];

/** JSON details attached to a {@link FwsnortError} (e.g. `{ line, name }`). */
export interface FwsnortErrorDetails {
  readonly [key: string]: unknown;
}

/**
 * The one error class of @fwkit/fwsnort. Thrown only for misuse and fatal configuration problems
 * (`parseFwsnortConfig`); bulk translation never throws and reports skips instead.
 */
export class FwsnortError extends Error {
  override readonly name = "FwsnortError";
  readonly code: FwsnortErrorCode;
  readonly details: FwsnortErrorDetails;

  /**
   * @param code - stable code
   * @param message - human text
   * @param details - JSON details (line numbers, names)
   * @param options - native `cause`
   */
  constructor(
    code: FwsnortErrorCode,
    message: string,
    details: FwsnortErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

/**
 * Whether `e` is a {@link FwsnortError} (checks the code shape, so it works across package copies).
 * @param e - anything
 * @returns true for FwsnortError-like values
 */
export function isFwsnortError(e: unknown): e is FwsnortError {
  return (
    e instanceof Error &&
    e.name === "FwsnortError" &&
    typeof (e as { code?: unknown }).code === "string" &&
    (FWSNORT_ERROR_CODES as readonly string[]).includes((e as unknown as { code: string }).code)
  );
}
