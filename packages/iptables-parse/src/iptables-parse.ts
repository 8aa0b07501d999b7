/**
 * `IptablesParse`: IPTables::Parse 1.6's object — constructor options, binary resolution, firewalld passthrough,
 * the `-w` probe and every method — over the pure parsers of this package and an injected {@link Executor}.
 * Commands are argv arrays (never a shell string), serialised per instance, with Perl's three execution styles
 * (`waitpid` with the `ipt_alarm` timeout, `system`, `popen`), `ipt_exec_sleep` before every command and the
 * `sigchld_handler` hook. Debug/verbose lines go to the injected `logger` only.
 */
import { accessSync, constants, existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { classifyStderr } from "./classify-stderr.ts";
import { defaultDrop as defaultDropOf } from "./default-drop.ts";
import { defaultLog as defaultLogOf } from "./default-log.ts";
import { IptablesParseError } from "./errors.ts";
import { type IptablesVersion, parseIptablesVersion } from "./iptables-version.ts";
import { nodeExecutor } from "./node-executor.ts";
import { PARSE_KEYS, type ParseKeys } from "./parse-keys.ts";
import { parsePolicy } from "./parse-policy.ts";
import { chainPolicy as chainPolicyOf, findChain, listTableChains as listTableChainsOf } from "./policy-query.ts";
import { splitShellWords } from "./shell-words.ts";
import type {
  DefaultDropReport,
  DefaultLogReport,
  ExecResult,
  ExecStyle,
  Executor,
  Family,
  IptablesParseOptions,
  ParsedPolicy,
  ParsedRule,
  PathAccess,
  PerlStatus,
  RunOutcome,
  SuccessRule,
} from "./types.ts";
import { validateChainName, validateTableName } from "./validate-names.ts";

/** Debian's IPTables::Parse 1.6 default paths (auto-detection order: firewall-cmd, iptables, ip6tables). */
export const DEFAULT_IPTABLES = "/usr/sbin/iptables";
/** Default ip6tables path. */
export const DEFAULT_IP6TABLES = "/usr/sbin/ip6tables";
/** Default firewall-cmd path (firewalld passthrough mode). */
export const DEFAULT_FIREWALL_CMD = "/usr/bin/firewall-cmd";
/** Perl's default `fwd_args`. */
export const DEFAULT_FWD_ARGS = "--direct --passthrough ipv4";
/** Perl's default `ipt_alarm` (seconds). */
export const DEFAULT_IPT_ALARM = 30;

const EXEC_STYLES: readonly ExecStyle[] = ["waitpid", "system", "popen"];
const SUCCESS_RULES: readonly SuccessRule[] = ["strict", "compat"];
/** Perl's exec_iptables prefix test (`m|^\s*iptables|`, `m|^\S+/iptables|`, … ip6tables, firewall-cmd). */
const PERL_COMMAND_RE = /^(?:\s*|\S+\/)(?:iptables|ip6tables|firewall-cmd)/;

function defaultPathAccess(path: string): PathAccess {
  try {
    accessSync(path, constants.X_OK);
    return "executable";
  } catch {
    return existsSync(path) ? "not-executable" : "missing";
  }
}

/** Last path component (Perl: `m|.*\/(\S+)|`, a path without `/` leaves the default `iptables`). */
function binName(path: string): string | undefined {
  const m = /.*\/(\S+)/.exec(path);
  return m ? m[1] : undefined;
}

/** Address family implied by a binary's name: `ip6tables`, `ip6tables-nft`, `ip6tables-legacy`… → ipv6. */
export function familyFromBinaryName(name: string): Family | undefined {
  if (/^ip6tables(?:[-._]|$)/.test(name)) return "ipv6";
  if (/^iptables(?:[-._]|$)/.test(name)) return "ipv4";
  return undefined;
}

function localtime(d: Date): string {
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p2 = (n: number) => String(n).padStart(2, "0");
  return `${days[d.getDay()]} ${months[d.getMonth()]} ${String(d.getDate()).padStart(2, " ")} ${p2(d.getHours())}:${p2(
    d.getMinutes(),
  )}:${p2(d.getSeconds())} ${d.getFullYear()}`;
}

function lines(text: string): string[] {
  if (text === "") return [];
  const l = text.split("\n");
  if (l[l.length - 1] === "") l.pop();
  return l;
}

function missing(message: string): IptablesParseError {
  return new IptablesParseError("IPT_PARSE_MISSING_ARGUMENT", message);
}

function badOption(message: string, details: Record<string, unknown> = {}): IptablesParseError {
  return new IptablesParseError("IPT_PARSE_BAD_OPTION", message, details);
}

function nonNegative(name: string, v: unknown): number | undefined {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return undefined;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw badOption(`[*] ${name} must be a non-negative number of seconds.`, { option: name, value: v });
  }
  return v;
}

/** Perl's `iptout` / `ipterr` files: rewritten after every command when configured. */
async function saveOutput(path: string, text: string): Promise<void> {
  if (!path) return;
  try {
    await writeFile(path, text, { mode: 0o600 });
  } catch (e) {
    throw new IptablesParseError("IPT_EXEC_FAILED", `[*] Could not open ${path}: ${(e as Error).message}`, { path }, e);
  }
}

/** Resolved constructor state (Perl's `_iptables`, `_firewall_cmd`, `_fwd_args`, `_ipv6`, `_ipt_bin_name`, `_cmd`). */
interface Resolved {
  iptables: string;
  firewallCmd: string;
  fwdArgs: string;
  ipv6: boolean;
  iptBinName: string;
  cmd: string[];
}

/** Constructor steps 1–7 of spec §1.1 (binary resolution, IPv6 and firewalld handling). */
function resolveBinaries(opts: IptablesParseOptions, access: (p: string) => PathAccess): Resolved {
  let iptables = opts.iptables || opts.ip6tables || "";
  let firewallCmd = opts.firewallCmd || "";
  let fwdArgs = opts.fwdArgs || DEFAULT_FWD_ARGS;
  const useIpv6 = Boolean(opts.useIpv6);
  const skip = Boolean(opts.skipIptExecCheck);

  const check = (path: string): void => {
    const a = access(path);
    if (a === "missing") throw new IptablesParseError("IPT_BINARY_NOT_FOUND", `[*] ${path} incorrect path.`, { path });
    if (a === "not-executable") {
      throw new IptablesParseError("IPT_BINARY_NOT_EXECUTABLE", `[*] ${path} not executable.`, { path });
    }
  };

  if (skip) {
    if (!firewallCmd && !iptables) iptables = useIpv6 ? DEFAULT_IP6TABLES : DEFAULT_IPTABLES;
  } else if (firewallCmd) {
    check(firewallCmd);
  } else if (iptables) {
    check(iptables);
  } else if (access(DEFAULT_FIREWALL_CMD) === "executable") {
    firewallCmd = DEFAULT_FIREWALL_CMD;
  } else if (access(DEFAULT_IPTABLES) === "executable") {
    iptables = DEFAULT_IPTABLES;
  } else if (access(DEFAULT_IP6TABLES) === "executable") {
    iptables = DEFAULT_IP6TABLES;
  } else {
    throw new IptablesParseError(
      "IPT_BINARY_NOT_FOUND",
      "[*] Could not find/execute iptables, specify path via _iptables",
      { searched: [DEFAULT_FIREWALL_CMD, DEFAULT_IPTABLES, DEFAULT_IP6TABLES] },
    );
  }

  if (useIpv6 && !firewallCmd && iptables === DEFAULT_IPTABLES) {
    if (!skip && access(DEFAULT_IP6TABLES) !== "executable") {
      throw new IptablesParseError(
        "IPT_BINARY_NOT_FOUND",
        "[*] Could not find/execute ip6tables, specify path via _iptables",
        { path: DEFAULT_IP6TABLES },
      );
    }
    iptables = DEFAULT_IP6TABLES;
  }

  const iptBinName = binName(firewallCmd || iptables) ?? "iptables";
  const nameFamily = firewallCmd ? undefined : familyFromBinaryName(iptBinName);

  if (useIpv6) {
    if (firewallCmd) {
      if (/ipv4/i.test(fwdArgs)) fwdArgs = "--direct --passthrough ipv6";
    } else if (nameFamily === "ipv4" && !skip) {
      // Perl croaks only for a name that is exactly `iptables`; iptables-nft / iptables-legacy are IPv4 too.
      throw badOption(`[*] use_ipv6 is true, but ${iptables} not ip6tables.`, { path: iptables });
    }
  }

  const ipv6 = firewallCmd ? useIpv6 || /ipv6/.test(fwdArgs) : nameFamily === "ipv6" || useIpv6;
  const cmd = firewallCmd ? [firewallCmd, ...splitShellWords(fwdArgs)] : [iptables];
  return { iptables, firewallCmd, fwdArgs, ipv6, iptBinName, cmd };
}

/** Options of {@link IptablesParse.run} / {@link IptablesParse.runBinary}. */
export interface RunCommandOptions {
  /** Written to the command's stdin (iptables-restore payloads). */
  input?: string;
}

/**
 * IPTables::Parse 1.6 for Node.js. Create with `await IptablesParse.create(options)` (the constructor probes the
 * binary, so it is async). Read-only fields mirror Perl's `_cmd`, `_ipt_bin_name`, `_ipv6`, `_iptables`,
 * `_firewall_cmd`, `_fwd_args`, `_ipt_rules_file`, `_skip_ipt_exec_check`.
 */
export class IptablesParse {
  /** Argv prefix of every command, e.g. `["/usr/sbin/iptables", "-w", "30"]` (Perl `_cmd`, split). */
  get cmd(): readonly string[] {
    return this.#cmd;
  }
  /** Basename of the binary (or of firewall-cmd): Perl `_ipt_bin_name`. */
  readonly iptBinName: string;
  /** IPv6 object (ip6tables / `--passthrough ipv6`): Perl `_ipv6`. */
  readonly ipv6: boolean;
  /** `ipv6` as a {@link Family}. */
  readonly family: Family;
  /** Path of the iptables/ip6tables binary; `''` in firewalld mode unless given. */
  readonly iptables: string;
  /** Path of firewall-cmd in firewalld passthrough mode, else `''`. */
  readonly firewallCmd: string;
  /** firewalld passthrough arguments (after the IPv6 rewrite). */
  readonly fwdArgs: string;
  /** File parsed instead of running iptables (Perl `ipt_rules_file`), `''` when unset. */
  readonly iptRulesFile: string;
  /** Perl `skip_ipt_exec_check`. */
  readonly skipIptExecCheck: boolean;
  /** Perl `lockless_ipt_exec`. */
  readonly locklessIptExec: boolean;
  /** Timeout in seconds of the `waitpid` style (Perl `ipt_alarm`, 0 → 30). */
  readonly iptAlarm: number;
  /** Perl `ipt_exec_style`. */
  readonly iptExecStyle: ExecStyle;
  /** Whole seconds slept before every command (Perl `ipt_exec_sleep`, truncated like Perl's `sleep`). */
  readonly iptExecSleep: number;
  /** How `ExecResult.rv` is computed. */
  readonly successRule: SuccessRule;
  /** Seconds passed to `-w` (xtables lock wait). */
  readonly lockWait: number;
  /** Perl `iptout` / `ipterr` (`''` = no output files). */
  readonly iptout: string;
  readonly ipterr: string;
  /** Perl `debug` / `verbose`: both send Perl's diagnostic lines to the `logger` option. */
  readonly debug: boolean;
  readonly verbose: boolean;
  /** Perl `sigchld_handler` (called with `(pid, exitCode, signal)` after each `waitpid`-style command). */
  get sigchldHandler(): IptablesParseOptions["sigchldHandler"] {
    return this.#sigchld;
  }
  /** What the `--version` probe found (`undefined` when not probed: skip check, lockless, firewalld, or no answer). */
  get iptablesVersion(): IptablesVersion | undefined {
    return this.#version;
  }
  /** The lock-wait arguments appended to the binary by the probe (`["-w", "30"]`, `["-w"]` or `[]`). */
  get waitArgs(): readonly string[] {
    return this.#waitArgs;
  }

  #cmd: string[];
  #version: IptablesVersion | undefined;
  #waitArgs: string[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  readonly #executor: Executor;
  readonly #logger: ((line: string) => void) | undefined;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => Date;
  readonly #sigchld: IptablesParseOptions["sigchldHandler"];
  readonly #env: Record<string, string> | undefined;
  readonly #debug: boolean;

  private constructor(opts: IptablesParseOptions, r: Resolved) {
    this.#cmd = r.cmd;
    this.iptBinName = r.iptBinName;
    this.ipv6 = r.ipv6;
    this.family = r.ipv6 ? "ipv6" : "ipv4";
    this.iptables = r.iptables;
    this.firewallCmd = r.firewallCmd;
    this.fwdArgs = r.fwdArgs;
    this.iptRulesFile = opts.iptRulesFile || "";
    this.skipIptExecCheck = Boolean(opts.skipIptExecCheck);
    this.locklessIptExec = Boolean(opts.locklessIptExec);
    this.iptAlarm = nonNegative("iptAlarm", opts.iptAlarm) ?? DEFAULT_IPT_ALARM;
    const style = opts.iptExecStyle || "waitpid";
    if (!EXEC_STYLES.includes(style)) throw badOption(`[*] Unknown ipt_exec_style '${String(style)}'.`, { style });
    this.iptExecStyle = style;
    this.iptExecSleep = Math.trunc(nonNegative("iptExecSleep", opts.iptExecSleep) ?? 0);
    const rule = opts.successRule ?? "strict";
    if (!SUCCESS_RULES.includes(rule)) throw badOption(`[*] Unknown successRule '${String(rule)}'.`, { rule });
    this.successRule = rule;
    this.lockWait = Math.max(1, Math.ceil(nonNegative("lockWait", opts.lockWait) ?? this.iptAlarm));
    if (opts.sigchldHandler !== undefined && typeof opts.sigchldHandler !== "function") {
      throw badOption("[*] sigchld_handler must be a function.");
    }
    this.#sigchld = opts.sigchldHandler;
    this.#executor = opts.executor ?? nodeExecutor;
    this.#logger = opts.logger;
    this.#sleep = opts.sleep ?? ((ms) => new Promise((res) => setTimeout(res, ms)));
    this.#now = opts.now ?? (() => new Date());
    this.#env = opts.env;
    this.#debug = Boolean(opts.debug || opts.verbose);
    this.iptout = opts.iptout || "";
    this.ipterr = opts.ipterr || "";
    this.debug = Boolean(opts.debug);
    this.verbose = Boolean(opts.verbose);
  }

  /**
   * Perl's `IPTables::Parse->new(%opts)`: resolve the binary (firewall-cmd, iptables, ip6tables; IPv6 switch;
   * firewalld `fwd_args` rewrite), then — unless `skipIptExecCheck` or `locklessIptExec` — probe it once with
   * `--version` and append `-w <lockWait>` (or bare `-w`) when the binary supports it. In firewalld mode the probe is
   * Perl's `-w -t filter -n -L INPUT` passthrough, judged by exit status. Throws {@link IptablesParseError}
   * (`IPT_BINARY_NOT_FOUND`, `IPT_BINARY_NOT_EXECUTABLE`, `IPT_PARSE_BAD_OPTION`) with Perl's messages.
   */
  static async create(opts: IptablesParseOptions = {}): Promise<IptablesParse> {
    const r = resolveBinaries(opts, opts.pathAccess ?? defaultPathAccess);
    const obj = new IptablesParse(opts, r);
    if (!obj.skipIptExecCheck && !obj.locklessIptExec) await obj.#probe();
    return obj;
  }

  async #probe(): Promise<void> {
    if (this.firewallCmd) {
      const res = await this.#exec([...this.#cmd, "-w", "-t", "filter", "-n", "-L", "INPUT"]);
      if (res.exitCode === 0 && !res.timedOut && res.code === undefined) this.#setWait(["-w"]);
      return;
    }
    const res = await this.#exec([this.iptables, "--version"]);
    const v = parseIptablesVersion([...res.out, ...res.err].join("\n"));
    if (v.version !== "") {
      this.#version = v;
      if (v.waitSeconds) this.#setWait(["-w", String(this.lockWait)]);
      else if (v.wait) this.#setWait(["-w"]);
      return;
    }
    // Not an iptables version line (a wrapper?): fall back to Perl's probe, judged by exit status, not stderr.
    const probe = await this.#exec([this.iptables, "-w", "-t", "filter", "-n", "-L", "INPUT"]);
    if (probe.exitCode === 0 && !probe.timedOut) this.#setWait(["-w"]);
  }

  #setWait(args: string[]): void {
    this.#waitArgs = args;
    this.#cmd = [...this.#cmd, ...args];
  }

  #log(line: string): void {
    if (this.#debug && this.#logger) this.#logger(`${localtime(this.#now())} ${line}`);
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const p = this.#queue.then(task, task);
    this.#queue = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }

  /** Run one argv through the execution style (no queueing: callers enqueue). */
  async #exec(argv: readonly string[], input?: string): Promise<ExecResult> {
    const [file, ...args] = argv;
    if (!file) throw missing(`[*] Must specify an ${this.iptBinName} command to run.`);
    for (const a of argv) {
      if (typeof a !== "string" || a.includes("\0")) {
        throw badOption("[*] Command arguments must be strings without NUL characters.", { argv });
      }
    }
    const style = this.iptExecStyle;
    this.#log(`[+] IPTables::Parse::exec_iptables(${style}()) ${argv.join(" ")}`);
    if (this.iptExecSleep > 0) {
      this.#log(`[+] IPTables::Parse::exec_iptables() sleep seconds: ${this.iptExecSleep}`);
      this.#log(
        `[+] IPTables::Parse: sleeping for ${this.iptExecSleep} seconds before executing ${this.iptBinName} command.`,
      );
      await this.#sleep(this.iptExecSleep * 1000);
    }
    if (style === "waitpid" && this.#sigchld) {
      this.#log(`[+] IPTables::Parse: Setting SIGCHLD handler to: ${this.#sigchld.name || "CODE"}`);
    }
    const outcome: RunOutcome = await this.#executor(file, args, {
      ...(style === "waitpid" ? { timeoutMs: this.iptAlarm * 1000 } : {}),
      ...(style === "popen" ? { stream: true } : {}),
      ...(input === undefined ? {} : { input }),
      ...(this.#env ? { env: this.#env } : {}),
    });
    if (style === "waitpid" && this.#sigchld && outcome.pid !== undefined) {
      this.#sigchld(outcome.pid, outcome.exitCode, outcome.signal);
    }
    await saveOutput(this.iptout, outcome.stdout);
    await saveOutput(this.ipterr, outcome.stderr);
    const result = this.#result([file, ...args], outcome);
    if (this.#debug) {
      this.#log(`    ${this.iptBinName} command stdout:`);
      for (const l of result.out) this.#logger?.(l);
      this.#log(`    ${this.iptBinName} command stderr:`);
      for (const l of result.err) this.#logger?.(l);
      this.#log(`    Return value: ${result.rv}${result.code ? ` (${result.code})` : ""}`);
    }
    return result;
  }

  /** Perl's rv computation (compat) or the exit-status rule (strict); a timeout is always a failure. */
  #result(argv: string[], o: RunOutcome): ExecResult {
    const out = lines(o.stdout);
    const err = lines(o.stderr);
    const firewalld = this.firewallCmd !== "" && argv[0] === this.firewallCmd;
    let commandFailed = false;
    let rv: 0 | 1;
    if (this.successRule === "compat") {
      // Perl: stderr non-empty ⇒ 0; trailing `success` stripped for every binary; COMMAND_FAILED for firewall-cmd.
      rv = err.length === 0 ? 1 : 0;
      if (out.length > 0 && /^success/.test(out[out.length - 1] as string)) out.pop();
      if (this.iptBinName === "firewall-cmd" && out.some((l) => l.includes("COMMAND_FAILED"))) commandFailed = true;
    } else {
      rv = o.exitCode === 0 && o.signal === null ? 1 : 0;
      if (firewalld) {
        if (out.length > 0 && /^success/.test(out[out.length - 1] as string)) out.pop();
        if ([...out, ...err].some((l) => l.includes("COMMAND_FAILED"))) commandFailed = true;
      }
    }
    if (commandFailed) rv = 0;
    if (o.timedOut) rv = 0;
    const res: ExecResult = { rv, out, err, exitCode: o.exitCode, signal: o.signal, timedOut: o.timedOut, argv };
    if (rv === 0) {
      res.code = o.timedOut
        ? "IPT_TIMEOUT"
        : (classifyStderr(o.stderr, o.exitCode === 0 && commandFailed ? 1 : o.exitCode) ??
          (commandFailed ? "IPT_COMMAND_FAILED" : "IPT_EXEC_FAILED"));
    }
    return res;
  }

  /**
   * Run `[...cmd, ...args]` (e.g. `run(["-t", "filter", "-n", "-L", "INPUT"])`): serialised per instance,
   * `iptExecSleep` first, the `iptAlarm` timeout in `waitpid` style, `sigchldHandler` on exit, rv per `successRule`.
   * Never throws for a failing command (see `rv`, `code`); throws when the binary cannot be started.
   */
  run(args: readonly string[], opts: RunCommandOptions = {}): Promise<ExecResult> {
    return this.#enqueue(() => this.#exec([...this.#cmd, ...args], opts.input));
  }

  /**
   * Path of a sibling binary: `iptables-save` / `iptables-restore` (or the ip6tables names) map to the tool of the
   * same family and backend next to the configured binary (`/usr/sbin/ip6tables-nft` → `/usr/sbin/ip6tables-nft-save`);
   * other bare names are looked up next to it; paths are used as given.
   */
  siblingBinary(file: string): string {
    if (file.includes("/")) return file;
    const dir = this.iptables ? dirname(this.iptables) : dirname(DEFAULT_IPTABLES);
    const tool = /^ip6?tables(-nft|-legacy)?-(save|restore)$/.exec(file);
    if (tool) {
      const base = /^ip6?tables(-nft|-legacy)?$/.exec(this.iptables.split("/").pop() ?? "");
      const suffix = tool[1] ?? base?.[1] ?? "";
      return join(dir, `${this.ipv6 ? "ip6tables" : "iptables"}${suffix}-${tool[2]}`);
    }
    return join(dir, file);
  }

  /** Run a sibling binary (`iptables-save`, `iptables-restore`, …; see {@link siblingBinary}) with the same machinery as {@link run}. */
  runBinary(file: string, args: readonly string[], opts: RunCommandOptions = {}): Promise<ExecResult> {
    const path = this.siblingBinary(file);
    return this.#enqueue(() => this.#exec([path, ...args], opts.input));
  }

  /**
   * Perl's `exec_iptables($cmd)`: the string must look like an iptables/ip6tables/firewall-cmd command (Perl's
   * prefix test, or start with this object's binary), is split into words with shell quoting rules
   * ({@link splitShellWords}) and run without a shell. Returns the full {@link ExecResult} (Perl: `(rv, \@out, \@err)`).
   */
  execIptables(cmd: string): Promise<ExecResult> {
    if (!cmd) return Promise.reject(missing(`[*] Must specify an ${this.iptBinName} command to run.`));
    let argv: string[];
    try {
      argv = splitShellWords(cmd);
    } catch (e) {
      return Promise.reject(e);
    }
    const first = argv[0] ?? "";
    const known = [this.iptables, this.firewallCmd].filter((p) => p !== "");
    if (!PERL_COMMAND_RE.test(cmd) && !known.includes(first)) {
      return Promise.reject(
        new IptablesParseError(
          "IPT_NOT_IPTABLES_COMMAND",
          `[*] ${cmd} does not look like an ${this.iptBinName} command.`,
          {
            cmd,
          },
        ),
      );
    }
    return this.#enqueue(() => this.#exec(argv));
  }

  /** Text of `file` (or `iptRulesFile`), or `undefined` when the live command must run. */
  async #fileText(file: string | undefined): Promise<string | undefined> {
    const f = file || this.iptRulesFile;
    if (!f) return undefined;
    try {
      return await readFile(f, "utf8");
    } catch (e) {
      throw new IptablesParseError(
        "IPT_FILE_UNREADABLE",
        `[*] Could not open file ${f}: ${(e as Error).message}`,
        { file: f, errno: (e as NodeJS.ErrnoException).code },
        e,
      );
    }
  }

  /**
   * Run a listing command and return its stdout. A missing chain gives `''` (Perl returns empty results); in
   * `strict` mode any other failure (timeout, lock, permission, exec error) throws with its code, in `compat` mode the
   * captured stdout is used as Perl does.
   */
  async #listing(args: string[]): Promise<string> {
    const res = await this.run(args);
    const failed = res.timedOut || res.exitCode !== 0 || (res.rv === 0 && res.code === "IPT_COMMAND_FAILED");
    if (failed && this.successRule === "strict") {
      const code = res.code ?? "IPT_EXEC_FAILED";
      if (code === "IPT_CHAIN_NOT_FOUND") return "";
      throw new IptablesParseError(code, `[*] ${res.argv.join(" ")} failed: ${res.err.join(" ") || code}`, {
        argv: res.argv,
        exitCode: res.exitCode,
        signal: res.signal,
        timedOut: res.timedOut,
        err: res.err,
      });
    }
    return res.out.length ? `${res.out.join("\n")}\n` : "";
  }

  #parse(text: string, table: string): ParsedPolicy {
    return parsePolicy(text, { family: this.family, table });
  }

  #requireTable(table: string | undefined): string {
    if (!table) throw missing('[*] Specify a table, e.g. "nat"');
    return table;
  }

  #requireChain(chain: string | undefined): string {
    if (!chain) throw missing('[*] Specify a chain, e.g. "OUTPUT"');
    return chain;
  }

  async #source(table: string, chain: string | undefined, file: string | undefined, live: string[]): Promise<string> {
    const text = await this.#fileText(file);
    if (text !== undefined) return text;
    validateTableName(table, this.family);
    if (chain !== undefined) validateChainName(chain);
    return this.#listing(live);
  }

  /**
   * Perl `chain_rules(table, chain, file?)`: the rules of one chain, all 24 Perl keys plus typed details. Live:
   * `-t T -v -n -L C --line-numbers`; a file may hold any -L listing or iptables-save/-S text. Missing chain → `[]`.
   */
  async chainRules(table: string, chain: string, file?: string): Promise<ParsedRule[]> {
    const t = this.#requireTable(table);
    const c = this.#requireChain(chain);
    const text = await this.#source(t, c, file, ["-t", t, "-v", "-n", "-L", c, "--line-numbers"]);
    return findChain(this.#parse(text, t), t, c)?.rules ?? [];
  }

  /** Perl's `chain_action_rules` — meant as an alias of chain_rules (Perl's always croaks; this one works). */
  chainActionRules(table: string, chain: string, file?: string): Promise<ParsedRule[]> {
    return this.chainRules(table, chain, file);
  }

  /** Perl `chain_policy(table, chain, file?)`: `ACCEPT`/`DROP`/… for built-in chains, `''` for user or missing chains. */
  async chainPolicy(table: string, chain: string, file?: string): Promise<string> {
    const t = this.#requireTable(table);
    const c = this.#requireChain(chain);
    const text = await this.#source(t, c, file, ["-t", t, "-v", "-n", "-L", c]);
    return chainPolicyOf(this.#parse(text, t), t, c);
  }

  /** Perl `list_table_chains(table, file?)`: chain names in listing order. Live: `-t T -v -n -L`. */
  async listTableChains(table: string, file?: string): Promise<string[]> {
    const t = this.#requireTable(table);
    const text = await this.#source(t, undefined, file, ["-t", t, "-v", "-n", "-L"]);
    return listTableChainsOf(this.#parse(text, t), t);
  }

  /**
   * Perl `default_drop(table, chain, file?)`: `[report, 1]` or `[message, 0]` (spec §3.1). Live: `-t T -v -n -L C`
   * (Perl lists without `-v`; the verbose listing shows interfaces, so `-i eth0 -j DROP` is not taken for a default
   * drop).
   */
  async defaultDrop(table: string, chain: string, file?: string): Promise<PerlStatus<DefaultDropReport>> {
    const t = this.#requireTable(table);
    const c = this.#requireChain(chain);
    const text = await this.#source(t, c, file, ["-t", t, "-v", "-n", "-L", c]);
    return defaultDropOf(this.#parse(text, t), t, c);
  }

  /**
   * Perl `default_log(table, chain, file?)`: `[report, 1]` or `[message, 0]` (spec §3.2). Live: the whole table
   * (`-t T -v -n -L`), so LOG rules in chains jumped to from `chain` are found (Perl lists only `chain`, without
   * `-v`).
   */
  async defaultLog(table: string, chain: string, file?: string): Promise<PerlStatus<DefaultLogReport>> {
    const t = this.#requireTable(table);
    const c = this.#requireChain(chain);
    const fromFile = await this.#fileText(file);
    let text: string;
    if (fromFile !== undefined) text = fromFile;
    else {
      validateTableName(t, this.family);
      validateChainName(c);
      text = await this.#listing(["-t", t, "-v", "-n", "-L"]);
    }
    return defaultLogOf(this.#parse(text, t), t, c);
  }

  /**
   * The whole table as a {@link ParsedPolicy}: live via `iptables-save -c -t T` (`-S` through firewalld), or the
   * rules file. Diagnostics of the parse are included.
   */
  async policy(table: string): Promise<ParsedPolicy> {
    const t = this.#requireTable(table);
    const text = await this.#fileText(undefined);
    if (text !== undefined) return this.#parse(text, t);
    validateTableName(t, this.family);
    if (this.firewallCmd) return this.#parse(await this.#listing(["-t", t, "-S"]), t);
    const res = await this.runBinary("iptables-save", ["-c", "-t", t]);
    if (res.rv === 0 && this.successRule === "strict") {
      const code = res.code ?? "IPT_EXEC_FAILED";
      throw new IptablesParseError(code, `[*] ${res.argv.join(" ")} failed: ${res.err.join(" ") || code}`, {
        argv: res.argv,
        exitCode: res.exitCode,
        timedOut: res.timedOut,
        err: res.err,
      });
    }
    return this.#parse(res.out.length ? `${res.out.join("\n")}\n` : "", t);
  }

  /** Perl `parse_keys()`: the key-spec table (regular / extended keys with their iptables match options). */
  parseKeys(): ParseKeys {
    return PARSE_KEYS;
  }
}
