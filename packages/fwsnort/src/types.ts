/**
 * The data contract between the translator (`translate*.ts`), the artefact writers (`render-*.ts`), the
 * live-firewall layer (`apply.ts`) and `fwkit fwsnort`. Pure data: no functions, no IO.
 */
import type { Diagnostic as SnortDiagnostic } from "@fwkit/snort-rules";

/** Address family of one translation run: `iptables` (4) or `ip6tables` (6, fwsnort's `-6`). */
export type Family = 4 | 6;

/** fwsnort's six chains (spec §9.1); the non-ESTAB ones are jumped to from the built-ins. */
export type FwsnortChain =
  | "FWSNORT_INPUT"
  | "FWSNORT_INPUT_ESTAB"
  | "FWSNORT_FORWARD"
  | "FWSNORT_FORWARD_ESTAB"
  | "FWSNORT_OUTPUT"
  | "FWSNORT_OUTPUT_ESTAB";

/** What a matching packet gets (spec §8): LOG only (default), LOG+DROP, LOG+REJECT, QUEUE, NFQUEUE. */
export type TargetMode = "log" | "drop" | "reject" | "queue" | "nfqueue";

/** Why a rule produced no iptables rule (spec §13 suggested codes; stable, public). */
export type SkipCode =
  | "FWSNORT_UNSUPPORTED_KEYWORD"
  | "FWSNORT_UNKNOWN_KEYWORD"
  | "FWSNORT_PCRE_UNTRANSLATABLE"
  | "FWSNORT_PATTERN_TOO_LONG"
  | "FWSNORT_UNSUPPORTED_VALUE"
  | "FWSNORT_SKIPPED_BY_POLICY"
  | "FWSNORT_EMPTY_TRANSLATION"
  | "FWSNORT_PARSE_ERROR"
  | "FWSNORT_FAMILY_MISMATCH"
  | "FWSNORT_IPT_SYNC_BLOCKED";

/** One iptables rule in `-A` form, without the `-A CHAIN` prefix: `args` are argv words, never a shell string. */
export interface IptRule {
  chain: FwsnortChain;
  /** e.g. `["-d", "192.168.10.0/24", "-p", "tcp", "--dport", "80", "-m", "string", …, "-j", "LOG", …]` */
  args: string[];
}

/** A Snort rule that became one or more iptables rules. */
export interface TranslatedRule {
  sid: number;
  rev?: number;
  msg?: string;
  classtype?: string;
  /** rules-file basename (e.g. `web-misc.rules`) and 1-based line of the rule's first line. */
  file: string;
  line: number;
  /** the original rule text (for the `### <rule>` comment of fwsnort_iptcmds.sh). */
  text: string;
  /** 1-based ordinal in fwsnort's counting: the `[N]` of the LOG prefix `[N] SID<sid> ESTAB`. */
  ordinal: number;
  rules: IptRule[];
  /** Approximations applied (FWSNORT_APPROXIMATE warnings: relative offsets, pcre prefilter, …). */
  warnings: FwsnortWarning[];
}

/** A Snort rule that was counted but not translated, with the reason. */
export interface SkippedRule {
  sid?: number;
  file: string;
  line: number;
  code: SkipCode;
  /** Human text in fwsnort.log's wording where one exists (spec §13). */
  message: string;
  details: Readonly<Record<string, unknown>>;
}

/** Per rules-file counts as in fwsnort's summary table (spec §13: Success / Fail / Total [/ Ipt_apply]). */
export interface FileCounts {
  file: string;
  success: number;
  fail: number;
  total: number;
  /** only with ipt-sync */
  iptApply?: number;
  /** iptables rules emitted for this file */
  iptRules: number;
}

/** Chain layout knobs from fwsnort.conf / options (spec §9.1). */
export interface ChainLayout {
  /** FWSNORT_INPUT_JUMP etc.: 1-based insert position in the built-in chain. */
  jumpPositions: { INPUT: number; FORWARD: number; OUTPUT: number };
  /** `! -i lo` / `! -o lo` on the jumps unless `--no-exclude-lo`. */
  excludeLoopback: boolean;
  /** `--restrict-intf`: one jump per interface instead of the loopback exclusion. */
  restrictInterfaces: string[];
  /** whitelist (RETURN) and blacklist (DROP/REJECT) entries after variable expansion, in conf order. */
  whitelist: string[];
  blacklist: { addr: string; action: "DROP" | "REJECT" }[];
  /** `-m conntrack --ctstate` (true) or `-m state --state` (false). */
  conntrack: boolean;
}

/** The whole result of translating a rule set for one family: everything the writers need. */
export interface Translation {
  family: Family;
  target: TargetMode;
  layout: ChainLayout;
  translated: TranslatedRule[];
  skipped: SkippedRule[];
  files: FileCounts[];
  /** per SkipCode counts (for the summary and `--json`). */
  skipCounts: Partial<Record<SkipCode, number>>;
  /** parser / config diagnostics (undefined variables, bad lines) with file + line. */
  diagnostics: (SnortDiagnostic | FwsnortWarning)[];
}

/** A non-fatal note about one rule (e.g. `FWSNORT_APPROXIMATE`: the translation is looser than the Snort rule). */
export interface FwsnortWarning {
  code: "FWSNORT_APPROXIMATE" | "FWSNORT_CONFIG_WARNING";
  severity: "warning";
  message: string;
  file?: string;
  line?: number;
  sid?: number;
}
