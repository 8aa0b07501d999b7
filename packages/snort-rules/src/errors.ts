/** Stable error / diagnostic codes of @fwkit/snort-rules (public API: never rename). */
export type SnortRulesErrorCode =
  | "SNORT_BAD_HEADER"
  | "SNORT_UNKNOWN_ACTION"
  | "SNORT_UNKNOWN_PROTOCOL"
  | "SNORT_UNDEFINED_VARIABLE"
  | "SNORT_VARIABLE_CYCLE"
  | "SNORT_BAD_ADDRESS"
  | "SNORT_BAD_PORT"
  | "SNORT_EMPTY_SET"
  | "SNORT_PORTS_IGNORED"
  | "SNORT_UNTERMINATED_OPTIONS"
  | "SNORT_UNTERMINATED_QUOTE"
  | "SNORT_UNESCAPED_SEMICOLON"
  | "SNORT_MISSING_SEMICOLON"
  | "SNORT_UNKNOWN_OPTION"
  | "SNORT_UNMODELED_OPTION"
  | "SNORT_NON_LOWERCASE"
  | "SNORT_BAD_CONTENT"
  | "SNORT_MODIFIER_WITHOUT_CONTENT"
  | "SNORT_DUPLICATE_MODIFIER"
  | "SNORT_MIXED_RELATIVE_ABSOLUTE"
  | "SNORT_DEPTH_TOO_SMALL"
  | "SNORT_BAD_PCRE"
  | "SNORT_BAD_VALUE"
  | "SNORT_DUPLICATE_OPTION"
  | "SNORT_MISSING_SID"
  | "SNORT_DISABLED_RULE"
  | "SNORT_BAD_LINE"
  | "SNORT_BAD_CONFIG"
  | "SNORT_INCLUDE_CYCLE"
  | "SNORT_INCLUDE_NOT_FOUND"
  | "SNORT_LIMIT_EXCEEDED"
  | "SNORT_RULE_INVALID"
  | "SNORT_SID_NOT_FOUND";

/** Every code, in a stable order (for tables and exhaustiveness tests). */
export const SNORT_RULES_ERROR_CODES: readonly SnortRulesErrorCode[] = [
  "SNORT_BAD_HEADER",
  "SNORT_UNKNOWN_ACTION",
  "SNORT_UNKNOWN_PROTOCOL",
  "SNORT_UNDEFINED_VARIABLE",
  "SNORT_VARIABLE_CYCLE",
  "SNORT_BAD_ADDRESS",
  "SNORT_BAD_PORT",
  "SNORT_EMPTY_SET",
  "SNORT_PORTS_IGNORED",
  "SNORT_UNTERMINATED_OPTIONS",
  "SNORT_UNTERMINATED_QUOTE",
  "SNORT_UNESCAPED_SEMICOLON",
  "SNORT_MISSING_SEMICOLON",
  "SNORT_UNKNOWN_OPTION",
  "SNORT_UNMODELED_OPTION",
  "SNORT_NON_LOWERCASE",
  "SNORT_BAD_CONTENT",
  "SNORT_MODIFIER_WITHOUT_CONTENT",
  "SNORT_DUPLICATE_MODIFIER",
  "SNORT_MIXED_RELATIVE_ABSOLUTE",
  "SNORT_DEPTH_TOO_SMALL",
  "SNORT_BAD_PCRE",
  "SNORT_BAD_VALUE",
  "SNORT_DUPLICATE_OPTION",
  "SNORT_MISSING_SID",
  "SNORT_DISABLED_RULE",
  "SNORT_BAD_LINE",
  "SNORT_BAD_CONFIG",
  "SNORT_INCLUDE_CYCLE",
  "SNORT_INCLUDE_NOT_FOUND",
  "SNORT_LIMIT_EXCEEDED",
  "SNORT_RULE_INVALID",
  "SNORT_SID_NOT_FOUND",
];

/** JSON details attached to a {@link SnortRulesError}. */
export interface SnortRulesErrorDetails {
  readonly [key: string]: unknown;
}

/**
 * The one error class of this package. Thrown only by single-item parsers (`parseRule`, …) and misuse;
 * bulk parsers return diagnostics instead.
 */
export class SnortRulesError extends Error {
  override readonly name = "SnortRulesError";
  readonly code: SnortRulesErrorCode;
  readonly details: SnortRulesErrorDetails;

  constructor(
    code: SnortRulesErrorCode,
    message: string,
    details: SnortRulesErrorDetails = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

/**
 * Type guard for {@link SnortRulesError} that works across package copies (checks `name` and `code`).
 * @param e - anything caught
 * @returns whether `e` is a SnortRulesError
 */
export function isSnortRulesError(e: unknown): e is SnortRulesError {
  if (!(e instanceof Error) || e.name !== "SnortRulesError") return false;
  const code = (e as Error & { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("SNORT_");
}
