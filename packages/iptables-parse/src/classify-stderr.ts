/**
 * Classify iptables' stderr into stable error codes. The table is built from real stderr samples of
 * iptables/ip6tables v1.8.9 on both backends (nf_tables and legacy), recorded in throwaway namespaces
 * (spec §7.10 plus the samples in test/classify-stderr.test.ts). Callers never key behaviour on message text:
 * they read the code.
 */
import type { IptablesParseErrorCode } from "./types.ts";

/** One row of the classification table: the first matching row wins. */
export interface StderrPattern {
  code: IptablesParseErrorCode;
  pattern: RegExp;
  /** A real stderr sample (iptables 1.8.9) the pattern was written for. */
  sample: string;
}

/** The classification table, most specific first. Exported for documentation and tests. */
export const STDERR_PATTERNS: readonly StderrPattern[] = [
  {
    code: "IPT_LOCK_TIMEOUT",
    pattern: /Another app is currently holding the xtables lock/,
    sample: "Another app is currently holding the xtables lock. Stopped waiting after 1s.",
  },
  {
    code: "IPT_PERMISSION_DENIED",
    pattern:
      /Permission denied \(you must be root\)|can't open lock file .*: Permission denied|Operation not permitted/,
    sample: "iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)",
  },
  { code: "IPT_CHAIN_EXISTS", pattern: /Chain already exists\./, sample: "iptables: Chain already exists." },
  { code: "IPT_BAD_BUILTIN_CHAIN", pattern: /Bad built-in chain name\./, sample: "iptables: Bad built-in chain name." },
  {
    code: "IPT_CHAIN_IN_USE",
    pattern: /CHAIN_DEL failed \(Device or resource busy\)|Too many links\.|Directory not empty\./,
    sample: "iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain CUSTOM",
  },
  {
    code: "IPT_RULE_NOT_FOUND",
    pattern:
      /Bad rule \(does a matching rule exist in that chain\?\)|Index of (?:deletion|insertion|replacement) too big\./,
    sample: "iptables: Bad rule (does a matching rule exist in that chain?).",
  },
  {
    code: "IPT_CHAIN_NOT_FOUND",
    pattern:
      /No chain\/target\/match by that name\.|chain `[^']*' in table `[^']*' is incompatible, use 'nft' tool\.|Chain '[^']*' does not exist|Couldn't load target `/,
    sample: "iptables v1.8.9 (nf_tables): chain `NOPE' in table `filter' is incompatible, use 'nft' tool.",
  },
  {
    code: "IPT_PARSE_UNKNOWN_TABLE",
    pattern: /table '[^']*' does not exist|can't initialize ip6?tables table `[^']*': Table does not exist/,
    sample: "iptables v1.8.9 (nf_tables): table 'nosuch' does not exist",
  },
  {
    code: "IPT_INVALID_NAME",
    pattern:
      /chain name `[^']*' too long|chain name not allowed to start with|Invalid chain name `|chain name may not clash with target name/,
    sample: "iptables v1.8.9 (legacy): chain name not allowed to start with `!'",
  },
  {
    code: "IPT_COMMAND_FAILED",
    pattern: /COMMAND_FAILED/,
    sample: "Error: COMMAND_FAILED: '/usr/sbin/iptables …' failed",
  },
];

const HARMLESS: readonly RegExp[] = [
  // iptables-nft in a namespace that also has legacy tables (spec finding #8); -save variants name iptables-legacy-save.
  /^# Warning: ip6?tables-legacy tables present, use ip6?tables-legacy(?:-save)? to see them$/,
  // iptables 1.8 accepts and ignores -W.
  /^Ignoring deprecated --wait-interval option\.$/,
];

/** True for a stderr line that iptables prints on success and that must not count as a failure. */
export function isHarmlessWarning(line: string): boolean {
  const l = line.replace(/\r?\n$/, "");
  return HARMLESS.some((re) => re.test(l));
}

/**
 * The error code for a failed iptables run, from its stderr text and exit status; `undefined` when the command
 * succeeded (exit status 0) or the text is not recognised (callers then use `IPT_EXEC_FAILED`).
 */
export function classifyStderr(stderr: string, exitCode: number | null): IptablesParseErrorCode | undefined {
  if (exitCode === 0) return undefined;
  const relevant = stderr
    .split("\n")
    .filter((l) => l.trim() !== "" && !isHarmlessWarning(l))
    .join("\n");
  if (relevant === "") return undefined;
  for (const row of STDERR_PATTERNS) if (row.pattern.test(relevant)) return row.code;
  return undefined;
}
