import type { ExecResult, Family, ParsedPolicy, ParsedRule } from "@fwkit/iptables-parse";

/**
 * What ChainMgr needs from its `parseObj` (an `IptablesParse` instance from @fwkit/iptables-parse satisfies it).
 * Everything that spawns a process goes through these methods, so the three execution models, timeouts,
 * `-w`, the success rule and the per-instance queue are the parser's, exactly as in Perl.
 */
export interface ParseObj {
  /** argv prefix of every command, e.g. `["/usr/sbin/iptables", "-w", "30"]`. */
  readonly cmd: readonly string[];
  readonly iptBinName: string;
  readonly ipv6: boolean;
  readonly family: Family;
  readonly iptables: string;
  readonly firewallCmd: string;
  readonly fwdArgs: string;
  /** Seconds for `-w` (xtables lock wait), when the parser knows it. */
  readonly lockWait?: number;
  /** Runs `[...cmd, ...args]`. */
  run(args: readonly string[], opts?: { input?: string }): Promise<ExecResult>;
  /** Runs a sibling binary such as `iptables-restore` with the same machinery. */
  runBinary(file: string, args: readonly string[], opts?: { input?: string }): Promise<ExecResult>;
  /** Perl-compatible string entry point (prefix check, shell-word split, no shell). */
  execIptables(cmd: string): Promise<ExecResult>;
  /** Parsed rules of one chain (`-t T -v -n -L C --line-numbers`), `[]` for a missing chain. */
  chainRules(table: string, chain: string, file?: string): Promise<ParsedRule[]>;
  /** The live policy of one table (`iptables-save -t T`), or of the rules file. */
  policy(table: string): Promise<ParsedPolicy>;
}
