/**
 * Shared types of @fwkit/iptables-parse. This file is the contract the parser, the execution layer,
 * @fwkit/iptables-chainmgr and the cli are built against: change names here only with all of them.
 */

/** `{ ok: true, value } | { ok: false, error }` — the result of every `safe*` function. */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

/** Address family of a policy: `ipv4` (iptables) or `ipv6` (ip6tables). */
export type Family = "ipv4" | "ipv6";

/** A port value in the Perl rule hash: a string as printed (`53`, `1024:65535`, `!25`), `''` when absent,
 *  or the number `0` ("any") that IPTables::Parse puts there for tcp/udp rules without a port. */
export type PortVal = string | 0;

/**
 * One rule, with all 24 keys of IPTables::Parse's rule hash (same names, same value conventions:
 * `''` when absent, negation inline as in `!10.0.0.0/8`), plus typed details beside them.
 */
export interface ParsedRule {
  rule_num: number;
  raw: string;
  packets: string;
  bytes: string;
  target: string;
  /** Protocol as a name (`all`, `tcp`, `udp`, `icmp`, `ipv6-icmp`, …), never a number; negation inline (`!tcp`). */
  protocol: string;
  proto: string;
  intf_in: string;
  intf_out: string;
  src: string;
  dst: string;
  extended: string;
  s_port: PortVal;
  sport: PortVal;
  d_port: PortVal;
  dport: PortVal;
  to_ip: string;
  to_port: string;
  mac_source: string;
  state: string;
  ctstate: string;
  comment: string;
  string: string;
  length: string;
  /** Typed details the Perl module does not extract. */
  details: RuleDetails;
}

/** Typed rule details beyond the Perl hash. Absent fields mean "not present in the rule". */
export interface RuleDetails {
  /** Exact packet/byte counters when known (iptables-save -c, or -L -x); `-L` without -x gives only the K/M text. */
  packetsExact?: bigint;
  bytesExact?: bigint;
  /** `true` for each column that was negated (`! -s`, `! -i`, `! -p` …). */
  negated?: Partial<Record<NegatableField, boolean>>;
  /** Fragment match (`-f` / `! -f`, the `opt` column `-f` / `!f`). */
  fragment?: boolean;
  /** multiport source / destination port lists as printed (`80`, `8000:8080`). */
  multiportSports?: string[];
  multiportDports?: string[];
  multiportPorts?: string[];
  /** ICMP / ICMPv6 type (and code) as numbers or names as printed. */
  icmpType?: string;
  tcpFlags?: { mask: string; comp: string; negated: boolean };
  logPrefix?: string;
  logLevel?: string;
  rejectWith?: string;
  limit?: { avg: string; burst?: string };
  mark?: string;
  /** NAT targets: `to:` / `--to-destination` / `--to-source` (IPv4 or `[IPv6]`, with optional port range). */
  natTo?: string;
  redirectPorts?: string;
  /** Target options not otherwise modelled, e.g. `--set-xmark 0x1/0xffffffff`. */
  targetOptions?: string[];
  /** Jump is a goto (`-g CHAIN`, `[goto]` in -L) rather than `-j`. */
  goto?: boolean;
  /** The rule as an iptables-save rulespec (`-s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT`) when parsed from save/-S input. */
  rulespec?: string;
}

/** Fields that may carry a negation flag in {@link RuleDetails.negated}. */
export type NegatableField =
  | "src"
  | "dst"
  | "intf_in"
  | "intf_out"
  | "protocol"
  | "fragment"
  | "s_port"
  | "d_port"
  | "mac_source"
  | "state"
  | "ctstate"
  | "string"
  | "length"
  | "multiport"
  | "icmpType"
  | "tcpFlags"
  | "mark";

/** A chain in a parsed policy. */
export interface ParsedChain {
  name: string;
  /** Chain counters from iptables-save (`:INPUT ACCEPT [p:b]`) or `-v -L -x` headers, when exact. */
  counters?: { packets: bigint; bytes: bigint };
  /** Built-in chains: `ACCEPT` / `DROP` / …; user chains: `''` (as IPTables::Parse's chain_policy returns). */
  policy: string;
  /** User-chain reference count from `-L` (`(N references)`), when printed. */
  references?: number;
  rules: ParsedRule[];
}

/** A parsed table: chains in listing order. */
export interface ParsedTable {
  name: string;
  chains: ParsedChain[];
}

/** Which listing format an input was detected as. */
export type ListingFormat = "list" | "list-verbose" | "save" | "rules";

/** A parsed policy document (one or more tables). */
export interface ParsedPolicy {
  format: ListingFormat;
  family: Family;
  tables: ParsedTable[];
  diagnostics: Diagnostic[];
}

/** Severity of a diagnostic. */
export type Severity = "error" | "warning" | "info";

/** A problem found in bulk input; bulk parsers never throw on content, they return these. */
export interface Diagnostic {
  code: IptablesParseErrorCode;
  severity: Severity;
  /** 1-based line number in the input. */
  line: number;
  column?: number;
  message: string;
}

/** Stable error/diagnostic codes of @fwkit/iptables-parse (public API: see the README table). */
export type IptablesParseErrorCode =
  | "IPT_PARSE_MISSING_ARGUMENT"
  | "IPT_PARSE_BAD_OPTION"
  | "IPT_PARSE_UNRECOGNISED_LINE"
  | "IPT_PARSE_RULE_NUMBER_MISMATCH"
  | "IPT_PARSE_UNKNOWN_TABLE"
  | "IPT_PARSE_BAD_SAVE_LINE"
  | "IPT_PARSE_MISSING_COMMIT"
  | "IPT_PARSE_RULE_OUTSIDE_TABLE"
  | "IPT_PARSE_UNKNOWN_CHAIN"
  | "IPT_PARSE_BAD_QUOTING"
  | "IPT_PARSE_BAD_ADDRESS"
  | "IPT_PARSE_EMPTY_INPUT"
  | "IPT_BINARY_NOT_FOUND"
  | "IPT_BINARY_NOT_EXECUTABLE"
  | "IPT_NOT_IPTABLES_COMMAND"
  | "IPT_EXEC_FAILED"
  | "IPT_TIMEOUT"
  | "IPT_LOCK_TIMEOUT"
  | "IPT_PERMISSION_DENIED"
  | "IPT_CHAIN_NOT_FOUND"
  | "IPT_CHAIN_EXISTS"
  | "IPT_CHAIN_IN_USE"
  | "IPT_BAD_BUILTIN_CHAIN"
  | "IPT_RULE_NOT_FOUND"
  | "IPT_INVALID_NAME"
  | "IPT_COMMAND_FAILED"
  | "IPT_FILE_UNREADABLE";

/** Result of one iptables execution, Perl's `(rv, \@out, \@err)` plus what Node knows. */
export interface ExecResult {
  /** 1 = success, 0 = failure (Perl's convention; see `successRule`). */
  rv: 0 | 1;
  /** stdout lines without trailing newline. */
  out: string[];
  /** stderr lines without trailing newline. */
  err: string[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The command was killed by the `ipt_alarm` timeout (never reported as success). */
  timedOut: boolean;
  /** The argv that ran (binary first). */
  argv: string[];
  /** Classified error code when rv is 0. */
  code?: IptablesParseErrorCode;
}

/** How `rv` is computed: `strict` (exit status 0, known-harmless stderr ignored) or `compat` (Perl: empty stderr). */
export type SuccessRule = "strict" | "compat";

/** Perl's `ipt_exec_style`: `waitpid` (timeout enforced), `system`, `popen`. */
export type ExecStyle = "waitpid" | "system" | "popen";

/** Low-level process runner: the only place a process is spawned. Fakes implement it in unit tests. */
export interface RunOptions {
  /** Milliseconds until the process group is killed; undefined = no timeout. */
  timeoutMs?: number;
  /** Bytes written to stdin (iptables-restore payloads). */
  input?: string;
  /** Streams stdout (popen style) instead of buffering (system style); same observable result. */
  stream?: boolean;
  env?: Record<string, string>;
  signal?: AbortSignal;
  /** Cap on captured stdout + stderr in bytes (default 256 MiB); more output kills the process group. */
  maxBuffer?: number;
  /** Milliseconds between SIGTERM and SIGKILL when a run is timed out or aborted (default 1000). */
  killGraceMs?: number;
}

/** Raw outcome of a process run. */
export interface RunOutcome {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  pid?: number;
}

/** Runs `file` with `args` (argv, never a shell string). */
export type Executor = (file: string, args: readonly string[], opts: RunOptions) => Promise<RunOutcome>;

/** Options of `IptablesParse.create()` / `ChainMgr.create()`: every IPTables::Parse constructor option, camelCased. */
export interface IptablesParseOptions {
  /** Path of the iptables or ip6tables binary (Perl `iptables` / `ip6tables`). */
  iptables?: string;
  ip6tables?: string;
  /** firewalld mode: path of firewall-cmd (Perl `firewall-cmd`). */
  firewallCmd?: string;
  /** Arguments inserted after firewall-cmd (default `--direct --passthrough ipv4`). */
  fwdArgs?: string;
  useIpv6?: boolean;
  /** Timeout in seconds for the `waitpid` style (default 30). */
  iptAlarm?: number;
  debug?: boolean;
  verbose?: boolean;
  /** Parse this file (either -L or iptables-save format) instead of running iptables. */
  iptRulesFile?: string;
  iptExecStyle?: ExecStyle;
  /** Seconds to sleep before every command. */
  iptExecSleep?: number;
  /** Called with `(pid, exitCode, signal)` when a waitpid-style child exits (Perl's SIGCHLD handler hook). */
  sigchldHandler?: (pid: number, exitCode: number | null, signal: NodeJS.Signals | null) => void;
  skipIptExecCheck?: boolean;
  locklessIptExec?: boolean;
  /** Seconds for `-w` (xtables lock wait); default: the iptAlarm value. */
  lockWait?: number;
  /** `strict` (default) or `compat` (Perl's empty-stderr rule). */
  successRule?: SuccessRule;
  /** Injected process runner (default: `nodeExecutor`). */
  executor?: Executor;
  /** Where debug/verbose lines go (default: none). Libraries never print by themselves. */
  logger?: (line: string) => void;
  /** Injected sleep (tests). */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Perl `iptout` / `ipterr`: files that receive the stdout / stderr of every command (rewritten each time, mode 0600).
   * Unset (the default) means no files at all — Perl always used `mktemp` names in /tmp.
   */
  iptout?: string;
  ipterr?: string;
  /** Extra environment for every command (e.g. `XTABLES_LOCKFILE`); `LC_ALL=C` is always set. */
  env?: Record<string, string>;
  /** Injected clock for the debug/verbose timestamps (default `() => new Date()`). */
  now?: () => Date;
  /** Injected file check used by binary resolution (default: `fs.accessSync`); tests fake the filesystem with it. */
  pathAccess?: (path: string) => PathAccess;
}

/** Result of a {@link IptablesParseOptions.pathAccess} check: Perl's `-e` / `-x` tests in one value. */
export type PathAccess = "missing" | "not-executable" | "executable";

/** Perl's two-value return `(hashref, 1)` / `(message, 0)` of default_drop / default_log. */
export type PerlStatus<T> = [T, 1] | [string, 0];

/** default_drop result: per protocol name, the DROP rule number (0 = chain policy) and the last LOG rule before it. */
export type DefaultDropReport = Record<string, { DROP?: number; LOG?: { prefix: string; rulenum: number } }>;

/** default_log result: the protocol names (`all`, `tcp`, …) that have an any→any logging rule reachable from the chain. */
export type DefaultLogReport = Record<string, "">;

/** Options of the bulk parsers (`parseListing`, `parseSave`, `parsePolicy`). */
export interface ParseOptions {
  /** Address family; default: detected from the addresses (IPv6 when any contains `:`), else `ipv4`. */
  family?: Family;
  /** Table name for `-L` / `-S` text, which does not name its table; default `"filter"`. */
  table?: string;
}
