/** Process exit statuses of `fwkit` (documented in the README). */
export const ExitCode = {
  /** Success. */
  Ok: 0,
  /** A domain or IO error, or a `check` command that found problems. */
  Failure: 1,
  /** A usage or configuration validation error. */
  Usage: 2,
  /** Interrupted (SIGINT). */
  Interrupted: 130,
} as const;

/** One of the {@link ExitCode} values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const usageCodes = new Set(["CLI_USAGE", "IPT_PARSE_MISSING_ARGUMENT", "IPT_PARSE_BAD_OPTION", "IPT_INVALID_NAME"]);

/** Exit status for an error code: usage/config errors are 2, everything else 1. */
export function exitCodeFor(code: string): ExitCode {
  return usageCodes.has(code) || code.endsWith("_CONFIG_INVALID") ? ExitCode.Usage : ExitCode.Failure;
}
