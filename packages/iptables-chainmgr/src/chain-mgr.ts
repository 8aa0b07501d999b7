import { AsyncLocalStorage } from "node:async_hooks";
import {
  type ExecResult,
  IptablesParse,
  type IptablesParseErrorCode,
  type IptablesParseOptions,
  PARSE_KEYS,
  type ParsedPolicy,
} from "@fwkit/iptables-parse";
import type { ManagedChains, Plan } from "./batch-types.ts";
import { buildIptMatches, type IptMatches } from "./build-ipt-matches.ts";
import { ChainMgrError } from "./errors.ts";
import { type FindResult, matchIpRule, validateSearchKeys } from "./find-ip-rule.ts";
import { validateChainName, validateTable } from "./names.ts";
import { normalizeNet } from "./normalize-net.ts";
import type { ParseObj } from "./parse-obj.ts";
import { plan as planPure } from "./plan.ts";
import { renderRestore, validateRulespec } from "./render-restore.ts";
import { definedKeys, isDefined, type RuleExt } from "./rule-ext.ts";

/**
 * Perl's `(rv, \@out, \@err)` triple plus what Node knows about the command that produced it.
 * `rv` 1 = success, 0 = failure. Lines have no trailing newline. Messages ChainMgr adds itself
 * (`Table: filter, chain: C, added …`) are appended to `out`/`err` exactly as in Perl.
 */
export interface ChainMgrResult {
  rv: 0 | 1;
  out: string[];
  err: string[];
  /** Exit status of the last command run (`null` when no command ran or it was killed). */
  exitCode: number | null;
  /** The last command hit the `iptAlarm` timeout. */
  timedOut: boolean;
  /** Classified error code of the last command when it failed. */
  code?: IptablesParseErrorCode;
  /** argv of the last command run, when one ran. */
  argv?: string[];
}

/** A {@link ChainMgrResult} of an idempotent method, with whether anything changed. */
export interface EnsureResult extends ChainMgrResult {
  changed: boolean;
}

/** Where {@link ChainMgr.ensureRule} puts a missing rule. */
export type RulePosition = "append" | number;

/** ChainMgr-specific options besides the parser's (see `IptablesParseOptions`). */
export interface ChainMgrExtraOptions {
  /** Seconds iptables-restore waits for the xtables lock (`--wait N`); default `iptAlarm` or 30. */
  lockWait?: number;
  iptAlarm?: number;
}

function fromExec(r: ExecResult): ChainMgrResult {
  const res: ChainMgrResult = {
    rv: r.rv,
    out: [...r.out],
    err: [...r.err],
    exitCode: r.exitCode,
    timedOut: r.timedOut,
    argv: [...r.argv],
  };
  if (r.code !== undefined) res.code = r.code;
  return res;
}

function synthetic(rv: 0 | 1, out: string[], err: string[]): ChainMgrResult {
  return { rv, out, err, exitCode: null, timedOut: false };
}

/** Perl's `shift || croak`: '', 0, '0', undefined and null count as missing. */
function req<T>(v: T, msg: string): NonNullable<T> {
  if (v === undefined || v === null || v === "" || v === 0 || v === "0") {
    throw new ChainMgrError("CHAINMGR_MISSING_ARGUMENT", msg);
  }
  return v as NonNullable<T>;
}

/**
 * IPTables::ChainMgr 1.6, camelCased, on top of `@fwkit/iptables-parse`. Every method of the original is here
 * (`createChain`, `flushChain`, `deleteChain`, `setChainPolicy`, `chainExists`, `addJumpRule`, `findIpRule`,
 * `addIpRule`, `appendIpRule`, `deleteIpRule`, `runIptCmd`, `normalizeNet`, `buildIptMatches`) with the Perl
 * result contract, plus `-C` based idempotent forms (`exists`, `ensureChain`, `ensureRule`,
 * `deleteRuleIfExists`) and atomic batches (`plan`, `apply`, `sync`) through one `iptables-restore --noflush`.
 * Commands are argv arrays; table/chain/target names are validated before anything runs.
 * @example
 * const mgr = await ChainMgr.create({ iptables: "/usr/sbin/iptables" });
 * await mgr.createChain("filter", "FWKIT");
 * await mgr.appendIpRule("10.1.2.3/24", "0.0.0.0/0", "filter", "FWKIT", "DROP", { protocol: "tcp", d_port: 22 });
 */
export class ChainMgr {
  /** The parser/executor every command goes through (Perl `parse_obj`). */
  readonly parseObj: ParseObj;
  /** Seconds iptables-restore waits for the xtables lock. */
  readonly lockWait: number;

  /**
   * Wrap an existing parser instance (use {@link ChainMgr.create} for the Perl-style constructor).
   * @param parseObj - an `IptablesParse` (or anything implementing {@link ParseObj})
   * @param opts - ChainMgr options
   */
  constructor(parseObj: ParseObj, opts: ChainMgrExtraOptions = {}) {
    this.parseObj = parseObj;
    this.lockWait = opts.lockWait || parseObj.lockWait || opts.iptAlarm || 30;
  }

  /**
   * Perl's `IPTables::ChainMgr->new(%opts)`: builds the `IptablesParse` (binary resolution, firewalld, IPv6,
   * version/`-w` probe) with the same options and wraps it.
   * @param opts - every IPTables::Parse option, camelCased (`iptables`, `useIpv6`, `iptExecStyle`, `iptAlarm`, …)
   * @returns the manager
   * @throws {IptablesParseError} IPT_BINARY_NOT_FOUND / IPT_BINARY_NOT_EXECUTABLE / IPT_PARSE_BAD_OPTION (Perl's croaks)
   * @example const mgr = await ChainMgr.create({ iptables: "/usr/sbin/ip6tables", useIpv6: true });
   */
  static async create(opts: IptablesParseOptions & ChainMgrExtraOptions = {}): Promise<ChainMgr> {
    return new ChainMgr(await IptablesParse.create(opts), opts);
  }

  /** argv prefix of every command (Perl `_cmd`). */
  get cmd(): readonly string[] {
    return this.parseObj.cmd;
  }
  /** Basename of the binary (Perl `_ipt_bin_name`). */
  get iptBinName(): string {
    return this.parseObj.iptBinName;
  }
  /** IPv6 mode (Perl `_ipv6`). */
  get ipv6(): boolean {
    return this.parseObj.ipv6;
  }
  /** Path of the iptables binary (Perl `_iptables`). */
  get iptables(): string {
    return this.parseObj.iptables;
  }
  /** firewall-cmd path in firewalld mode (Perl `_firewall_cmd`). */
  get firewallCmd(): string {
    return this.parseObj.firewallCmd;
  }
  /** firewalld passthrough args (Perl `_fwd_args`). */
  get fwdArgs(): string {
    return this.parseObj.fwdArgs;
  }

  #queue: Promise<unknown> = Promise.resolve();
  readonly #inside = new AsyncLocalStorage<true>();

  /**
   * Run one public operation at a time per instance (Perl was synchronous): a list-then-insert sequence such as
   * addIpRule can never interleave with another call on the same manager. Calls made from inside an operation
   * (addIpRule → findIpRule) run directly.
   */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#inside.getStore()) return fn();
    const run = () => this.#inside.run(true, fn);
    const p = this.#queue.then(run, run);
    this.#queue = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }

  private anyNet(): string {
    return this.parseObj.ipv6 ? "::/0" : "0.0.0.0/0";
  }

  private async ipt(args: readonly string[]): Promise<ChainMgrResult> {
    return fromExec(await this.parseObj.run(args));
  }

  /**
   * Perl `chain_exists`: lists the chain (`-t T -v -n -L C`); rv 1 when it exists.
   * @throws {ChainMgrError} CHAINMGR_MISSING_ARGUMENT / CHAINMGR_INVALID_NAME before anything runs
   */
  chainExists(table: string, chain: string): Promise<ChainMgrResult> {
    return this.#serial(async () => {
      req(table, '[*] Must specify a table, e.g. "filter".');
      req(chain, "[*] Must specify a chain to check.");
      validateTable(table);
      validateChainName(chain);
      return this.ipt(["-t", table, "-v", "-n", "-L", chain]);
    });
  }

  /**
   * Perl `create_chain`: `-N` unless the chain already exists (then `(1, listing, [])`).
   * @throws {ChainMgrError} CHAINMGR_MISSING_ARGUMENT / CHAINMGR_INVALID_NAME
   */
  createChain(table: string, chain: string): Promise<ChainMgrResult> {
    return this.#serial(async () => {
      req(table, '[*] Must specify a table, e.g. "filter".');
      req(chain, "[*] Must specify a chain to create.");
      const ex = await this.chainExists(table, chain);
      if (ex.rv) return { ...ex, rv: 1 };
      return this.ipt(["-t", table, "-N", chain]);
    });
  }

  /**
   * Perl `flush_chain`: `-t T -F C`.
   * @throws {ChainMgrError} CHAINMGR_MISSING_ARGUMENT / CHAINMGR_INVALID_NAME
   */
  flushChain(table: string, chain: string): Promise<ChainMgrResult> {
    return this.#serial(async () => {
      req(table, '[*] Must specify a table, e.g. "filter".');
      req(chain, "[*] Must specify a chain.");
      validateTable(table);
      validateChainName(chain);
      return this.ipt(["-t", table, "-F", chain]);
    });
  }

  /**
   * Perl `delete_chain`: absent chain → `(1, out, err)` with iptables' message (a listing that timed out or failed
   * for another reason than "no such chain" is rv 0); otherwise flush, remove the
   * jump rules, `-X`. Unlike Perl (first any→any jump in `jumpFromChain` only) **every** rule in the table that
   * jumps or goes to the chain is removed first, so `-X` does not fail with "busy" / "Too many links".
   * @param table - table
   * @param jumpFromChain - chain the jump came from (checked first; kept for the Perl signature)
   * @param chain - chain to delete
   * @returns the `-X` result (or the failed flush / the absent-chain listing)
   */
  deleteChain(table: string, jumpFromChain: string, chain: string): Promise<ChainMgrResult> {
    return this.#serial(async () => {
      req(table, '[*] Must specify a table, e.g. "filter".');
      req(jumpFromChain, "[*] Must specify a chain from which packets were jumped to this chain");
      req(chain, "[*] Must specify a chain to delete.");
      validateTable(table);
      validateChainName(jumpFromChain);
      validateChainName(chain);
      const ex = await this.chainExists(table, chain);
      // Perl: a failed listing means "absent" = success. A listing that failed for another reason (timeout, lock,
      // permission) is not evidence of absence, so it stays a failure here.
      const absent = !ex.timedOut && (ex.code === undefined || ex.code === "IPT_CHAIN_NOT_FOUND");
      if (!ex.rv) return { ...ex, rv: absent ? 1 : 0 };
      const fl = await this.flushChain(table, chain);
      if (!fl.rv) return { ...fl, rv: 0 };
      const current = await this.parseObj.policy(table);
      const chains = current.tables.find((t) => t.name === table)?.chains ?? [];
      const ordered = [...chains].sort((a, b) => (a.name === jumpFromChain ? -1 : b.name === jumpFromChain ? 1 : 0));
      for (const from of ordered) {
        if (from.name === chain) continue;
        const nums = from.rules.filter((r) => r.target === chain).map((r) => r.rule_num);
        for (const n of nums.sort((a, b) => b - a)) await this.ipt(["-t", table, "-D", from.name, String(n)]);
      }
      return this.ipt(["-t", table, "-X", chain]);
    });
  }

  /**
   * Perl `set_chain_policy`: `-t T -P C TARGET` (rv 0 for user chains: `Bad built-in chain name.`).
   * @throws {ChainMgrError} CHAINMGR_MISSING_ARGUMENT / CHAINMGR_INVALID_NAME
   */
  setChainPolicy(table: string, chain: string, target: string): Promise<ChainMgrResult> {
    return this.#serial(async () => {
      req(table, '[*] Must specify a table, e.g. "filter".');
      req(chain, "[*] Must specify a chain.");
      req(target, `[-] Must specify ${this.iptBinName} target, e.g. "DROP"`);
      validateTable(table);
      validateChainName(chain);
      validateChainName(target, "target");
      return this.ipt(["-t", table, "-P", chain, target]);
    });
  }

  /**
   * Perl `find_ip_rule`: `[position, numberOfRules]` of the first rule matching target/src/dst and `ext`
   * (semantics in `matchIpRule`). Works on iptables 1.8.9 (protocol names, IPv6 columns) because the parser does.
   * @throws {ChainMgrError} CHAINMGR_MISSING_ARGUMENT (Perl croak texts), CHAINMGR_UNSUPPORTED_KEY, CHAINMGR_INVALID_NAME
   */
  findIpRule(
    src: string,
    dst: string,
    table: string,
    chain: string,
    target: string,
    ext: RuleExt = {},
  ): Promise<FindResult> {
    return this.#serial(async () => {
      const bin = this.iptBinName;
      req(src, "[*] Must specify source address.");
      req(dst, "[*] Must specify destination address.");
      req(table, `[*] Must specify ${bin} table.`);
      req(chain, `[*] Must specify ${bin} chain.`);
      req(target, `[*] Must specify ${bin} target (this may be a chain).`);
      validateTable(table);
      validateChainName(chain);
      validateChainName(target, "target");
      validateSearchKeys(ext);
      const rules = await this.parseObj.chainRules(table, chain);
      return matchIpRule(rules, src, dst, target, ext);
    });
  }

  /**
   * Perl `add_ip_rule`: normalise src/dst, stop with `(1, ["… rule already exists."], [])` when findIpRule
   * finds the rule, else insert at `rulenum` (0 → 1, -1 → append, past the end → compensated with Perl's
   * err message) with the matches of {@link buildIptMatches}.
   * @throws {ChainMgrError} CHAINMGR_MISSING_ARGUMENT, CHAINMGR_BAD_POSITION, CHAINMGR_UNSUPPORTED_KEY,
   *   CHAINMGR_BAD_NET, CHAINMGR_INVALID_NAME, CHAINMGR_BAD_RULESPEC
   */
  addIpRule(
    src: string,
    dst: string,
    rulenum: number,
    table: string,
    chain: string,
    target: string,
    ext: RuleExt = {},
  ): Promise<ChainMgrResult> {
    return this.#serial(async () => {
      req(src, "[-] Must specify a src address/network.");
      req(dst, "[-] Must specify a dst address/network.");
      if (!(Number.isInteger(rulenum) && rulenum >= -1)) {
        throw new ChainMgrError("CHAINMGR_BAD_POSITION", "[-] Must specify insert rule number, or -1 for append.", {
          rulenum,
        });
      }
      req(table, '[-] Must specify a table, e.g. "filter".');
      req(chain, "[-] Must specify a chain.");
      req(target, `[-] Must specify ${this.iptBinName} target, e.g. "DROP"`);
      validateTable(table);
      validateChainName(chain);
      validateChainName(target, "target");
      const nsrc = normalizeNet(src);
      const ndst = normalizeNet(dst);
      const hasExt = Object.keys(ext).length > 0;
      const matches: IptMatches = buildIptMatches(hasExt ? ext : {}, nsrc, ndst, target);
      const [pos, n] = await this.findIpRule(nsrc, ndst, table, chain, target, ext);
      if (pos) {
        let msg: string;
        if (hasExt) {
          msg = `Table: ${table}, chain: ${chain}, ${nsrc} -> ${ndst} `;
          for (const k of definedKeys(ext)) msg += `${k} ${String((ext as Record<string, unknown>)[k])} `;
          msg += "rule already exists.";
        } else {
          msg = `Table: ${table}, chain: ${chain}, ${nsrc} -> ${ndst} rule already exists.`;
        }
        return synthetic(1, [msg], []);
      }
      let head: string[];
      let idxErr = "";
      if (rulenum === 0) head = ["-t", table, "-I", chain, "1"];
      else if (rulenum < 0) head = ["-t", table, "-A", chain];
      else {
        let r = rulenum;
        if (r > n + 1) {
          if (n > 0) idxErr = `Rule position ${r} is past end of ${chain} chain (${n} rules), compensating.`;
          r = n + 1;
        }
        head = ["-t", table, "-I", chain, String(r)];
      }
      const res = await this.ipt([...head, ...matches.args, "-j", target, ...matches.targetArgs]);
      if (res.rv) res.out.push(`Table: ${table}, chain: ${chain}, added ${nsrc} -> ${ndst}`);
      if (idxErr) res.err.push(idxErr);
      return res;
    });
  }

  /** Perl's argument croaks shared by add/append/delete_ip_rule (same texts, same order). */
  #requireRuleArgs(src: string, dst: string, table: string, chain: string, target: string): void {
    req(src, "[-] Must specify a src address/network.");
    req(dst, "[-] Must specify a dst address/network.");
    req(table, '[-] Must specify a table, e.g. "filter".');
    req(chain, "[-] Must specify a chain.");
    req(target, `[-] Must specify ${this.iptBinName} target, e.g. "DROP"`);
  }

  /**
   * Perl `append_ip_rule`: {@link ChainMgr.addIpRule} with rulenum -1.
   */
  appendIpRule(
    src: string,
    dst: string,
    table: string,
    chain: string,
    target: string,
    ext: RuleExt = {},
  ): Promise<ChainMgrResult> {
    return this.#serial(async () => {
      this.#requireRuleArgs(src, dst, table, chain, target);
      return this.addIpRule(src, dst, -1, table, chain, target, ext);
    });
  }

  /**
   * Perl `delete_ip_rule`: find the rule, `-t T -D C pos`; not found →
   * `(0, [], ["Table: T, chain: C, rule SRC -> DST <ext> does not exist."])`.
   */
  deleteIpRule(
    src: string,
    dst: string,
    table: string,
    chain: string,
    target: string,
    ext: RuleExt = {},
  ): Promise<ChainMgrResult> {
    return this.#serial(async () => {
      this.#requireRuleArgs(src, dst, table, chain, target);
      const nsrc = normalizeNet(src);
      const ndst = normalizeNet(dst);
      const [pos] = await this.findIpRule(nsrc, ndst, table, chain, target, ext);
      if (pos) return this.ipt(["-t", table, "-D", chain, String(pos)]);
      let extMsg = "";
      const e = ext as Record<string, unknown>;
      for (const k of definedKeys(ext)) extMsg += `${k}: ${String(e[k])} `;
      if (isDefined(ext.to_ip) && isDefined(ext.to_port)) extMsg += `${String(ext.to_ip)}:${String(ext.to_port)}`;
      extMsg = extMsg.replace(/\s*$/, "");
      return synthetic(0, [], [`Table: ${table}, chain: ${chain}, rule ${nsrc} -> ${ndst} ${extMsg} does not exist.`]);
    });
  }

  /**
   * Perl `add_jump_rule`: insert `-j TO` into FROM at `rulenum` unless an any→any jump exists.
   * `rulenum` ≤ 0 means 1 (Perl croaked on 0); past the end is compensated with Perl's err message.
   * @throws {ChainMgrError} CHAINMGR_MISSING_ARGUMENT, CHAINMGR_INVALID_NAME
   */
  addJumpRule(table: string, fromChain: string, rulenum: number, toChain: string): Promise<ChainMgrResult> {
    return this.#serial(async () => {
      req(table, '[-] Must specify a table, e.g. "filter".');
      req(fromChain, "[-] Must specify chain to jump from.");
      if (rulenum === undefined || rulenum === null || !Number.isInteger(rulenum)) {
        throw new ChainMgrError("CHAINMGR_MISSING_ARGUMENT", "[-] Must specify jump rule chain position");
      }
      req(toChain, "[-] Must specify chain to jump to.");
      validateTable(table);
      validateChainName(fromChain);
      validateChainName(toChain);
      if (fromChain === toChain) {
        return synthetic(0, [`Identical from_chain and to_chain (${fromChain}) not allowed.`], []);
      }
      const any = this.anyNet();
      const [pos, n] = await this.findIpRule(any, any, table, fromChain, toChain, {});
      let r = rulenum <= 0 ? 1 : rulenum;
      let idxErr = "";
      if (r > n + 1) {
        if (n > 0) idxErr = `Rule position ${r} is past end of ${fromChain} chain (${n} rules), compensating.`;
        r = n + 1;
      }
      if (pos) return synthetic(1, [`Table: ${table}, chain: ${toChain}, jump rule already exists.`], []);
      const res = await this.ipt(["-t", table, "-I", fromChain, String(r), "-j", toChain]);
      if (idxErr) res.err.push(idxErr);
      return res;
    });
  }

  /**
   * Perl `normalize_net` (see the standalone `normalizeNet`).
   */
  normalizeNet(net: string): string {
    return normalizeNet(net);
  }

  /**
   * Perl `build_ipt_matches` (see the standalone `buildIptMatches`): argv pieces, never a string.
   */
  buildIptMatches(ext: RuleExt, src: string, dst: string, target = ""): IptMatches {
    return buildIptMatches(ext, src, dst, target);
  }

  /**
   * Perl `print_parse_capabilities`, without printing (a library never prints): the lines Perl wrote to STDOUT —
   * the regular and extended parse keys with their regex and `ipt_match <val>`, in a fixed order.
   * @returns the lines, e.g. `["[+] IPTables::Parse regular options:", "    packets", …]`
   */
  parseCapabilities(): string[] {
    const lines: string[] = [];
    const group = (title: string, keys: Record<string, { regex: string; iptMatch: string }>) => {
      lines.push(title);
      for (const [k, spec] of Object.entries(keys)) {
        lines.push(`    ${k}`);
        if (spec.regex) lines.push(`      regex: ${spec.regex}`);
        if (spec.iptMatch) lines.push(`      ipt_match: ${spec.iptMatch} <val>`);
      }
    };
    group("[+] IPTables::Parse regular options:", PARSE_KEYS.regular);
    lines.push("");
    group("[+] IPTables::Parse extended options:", PARSE_KEYS.extended);
    return lines;
  }

  /**
   * Perl `run_ipt_cmd`: run a command given as one string (must start with the iptables/ip6tables/firewall-cmd
   * binary; split into words with quotes honoured, never run through a shell).
   * @throws {ChainMgrError} CHAINMGR_MISSING_ARGUMENT for an empty command
   * @throws {IptablesParseError} IPT_NOT_IPTABLES_COMMAND (`[*] echo hi does not look like an iptables command.`)
   */
  runIptCmd(cmd: string): Promise<ChainMgrResult> {
    return this.#serial(async () => {
      req(cmd, `[*] Must specify ${this.iptBinName} command to run.`);
      return fromExec(await this.parseObj.execIptables(cmd));
    });
  }

  /**
   * Whether an identical rule exists, via `iptables -C` (exit status, not listing text).
   * @param table - table
   * @param chain - chain
   * @param rulespec - argv without `-A CHAIN`, e.g. `["-s", "10.0.0.0/8", "-j", "DROP"]`
   * @returns true when iptables reports the rule present
   * @throws {ChainMgrError} CHAINMGR_CHECK_FAILED when the check itself fails (missing chain or target,
   *   bad match, timeout: `details.code` has the classified iptables code)
   */
  exists(table: string, chain: string, rulespec: readonly string[]): Promise<boolean> {
    return this.#serial(async () => {
      validateTable(table);
      validateChainName(chain);
      validateRulespec(rulespec);
      const r = await this.ipt(["-t", table, "-C", chain, ...rulespec]);
      if (r.exitCode === 0 && !r.timedOut) return true;
      if (r.code === "IPT_RULE_NOT_FOUND") return false;
      throw new ChainMgrError("CHAINMGR_CHECK_FAILED", `[*] ${r.err.join(" ").trim() || "iptables -C failed"}`, {
        argv: r.argv,
        exitCode: r.exitCode,
        code: r.code,
        timedOut: r.timedOut,
        stderr: r.err,
      });
    });
  }

  /**
   * Create the chain unless it exists (`-N`; "already exists" counts as success with `changed: false`).
   */
  ensureChain(table: string, chain: string): Promise<EnsureResult> {
    return this.#serial(async () => {
      validateTable(table);
      validateChainName(chain);
      const r = await this.ipt(["-t", table, "-N", chain]);
      if (r.rv) return { ...r, changed: true };
      if (r.code === "IPT_CHAIN_EXISTS") return { ...r, rv: 1, changed: false };
      return { ...r, changed: false };
    });
  }

  /**
   * Add the rule unless `-C` finds it (append, or insert at a 1-based position).
   * @throws {ChainMgrError} CHAINMGR_CHECK_FAILED (see {@link ChainMgr.exists}), CHAINMGR_BAD_POSITION
   */
  ensureRule(
    table: string,
    chain: string,
    rulespec: readonly string[],
    position: RulePosition = "append",
  ): Promise<EnsureResult> {
    return this.#serial(async () => {
      if (position !== "append" && !(Number.isInteger(position) && position >= 1)) {
        throw new ChainMgrError("CHAINMGR_BAD_POSITION", `[*] Bad rule position ${String(position)}.`, { position });
      }
      if (await this.exists(table, chain, rulespec)) return { ...synthetic(1, [], []), changed: false };
      const head = position === "append" ? ["-A", chain] : ["-I", chain, String(position)];
      const r = await this.ipt(["-t", table, ...head, ...rulespec]);
      return { ...r, changed: r.rv === 1 };
    });
  }

  /**
   * Delete the rule (by rulespec, `-D C rulespec`) when `-C` finds it.
   * @throws {ChainMgrError} CHAINMGR_CHECK_FAILED (see {@link ChainMgr.exists})
   */
  deleteRuleIfExists(table: string, chain: string, rulespec: readonly string[]): Promise<EnsureResult> {
    return this.#serial(async () => {
      if (!(await this.exists(table, chain, rulespec))) return { ...synthetic(1, [], []), changed: false };
      const r = await this.ipt(["-t", table, "-D", chain, ...rulespec]);
      return { ...r, changed: r.rv === 1 };
    });
  }

  /**
   * The live policy of `tables` merged into one document (`iptables-save -t T` per table).
   */
  currentPolicy(tables: readonly string[]): Promise<ParsedPolicy> {
    return this.#serial(async () => {
      const merged: ParsedPolicy = { format: "save", family: this.parseObj.family, tables: [], diagnostics: [] };
      for (const t of [...new Set(tables)]) {
        validateTable(t);
        const p = await this.parseObj.policy(t);
        merged.tables.push(...p.tables.filter((x) => x.name === t));
        merged.diagnostics.push(...p.diagnostics);
      }
      return merged;
    });
  }

  /**
   * Read the live state of the affected tables and compute the plan (see the pure `plan`).
   */
  plan(desired: ManagedChains): Promise<Plan> {
    return this.#serial(async () => {
      const current = await this.currentPolicy(desired.chains.map((c) => c.table));
      return planPure(current, desired);
    });
  }

  /**
   * Apply a plan atomically: one `iptables-restore --noflush --wait N` (ip6tables-restore for IPv6) fed the
   * payload of `renderRestore(plan)`. Either every change lands or none does. An empty plan runs nothing.
   * @param p - the plan
   * @param opts - `test: true` adds `--test` (parse and check only, commit nothing)
   * @throws {ChainMgrError} CHAINMGR_NOT_CONFIGURED in firewalld mode (there is no restore passthrough)
   */
  apply(p: Plan, opts: { test?: boolean } = {}): Promise<ChainMgrResult> {
    return this.#serial(async () => {
      if (this.parseObj.firewallCmd) {
        throw new ChainMgrError(
          "CHAINMGR_NOT_CONFIGURED",
          "[*] Batch apply needs iptables-restore; not available in firewalld mode.",
        );
      }
      const payload = renderRestore(p);
      if (payload === "") return synthetic(1, [], []);
      const bin = this.parseObj.ipv6 ? "ip6tables-restore" : "iptables-restore";
      const args = ["--noflush", "--wait", String(this.lockWait)];
      if (opts.test) args.push("--test");
      return fromExec(await this.parseObj.runBinary(bin, args, { input: payload }));
    });
  }

  /**
   * `plan` + `apply`: make the managed chains match `desired` in one atomic restore.
   */
  sync(desired: ManagedChains, opts: { test?: boolean } = {}): Promise<ChainMgrResult & { plan: Plan }> {
    return this.#serial(async () => {
      const p = await this.plan(desired);
      return { ...(await this.apply(p, opts)), plan: p };
    });
  }
}
