import { findChain } from "./policy-query.ts";
import { binName, isAnyToAny, isEmptyPolicy, isLogTarget } from "./rule-predicates.ts";
import type { DefaultDropReport, ParsedPolicy, PerlStatus } from "./types.ts";

/**
 * IPTables::Parse `default_drop`: does `chain` end in a default drop, and which any→any logging rules are there?
 *
 * Perl semantics (spec §3.1) — a `DROP` policy counts as `{all: {DROP: 0}}`; otherwise an any→any `DROP` rule
 * without matches counts (only when the policy is not DROP); any→any `LOG`/`ULOG`/`NFLOG` rules are reported with
 * their prefix (`NONE` when absent; surrounding blanks trimmed, as Perl's `` prefix `\s*(.+?)\s*' `` regex did) and the last one per protocol wins — minus the
 * Perl bugs: real rule numbers (not one too high), results keyed by protocol name (`all`, `tcp`, never `0`/`6`),
 * modern `prefix "X"` and old `` prefix `X' `` prefixes, `-v` listings and save input, user chains (policy `''`),
 * exact any-address match (`10.0.0.0/0` is not "any"), interfaces and fragments considered (`-i eth0 -j DROP`
 * is not a default drop), negated protocols (`! -p tcp`) never count.
 *
 * @param policy - a parsed policy (any format)
 * @param table - table name
 * @param chain - chain name
 * @returns `[report, 1]`, or `[message, 0]` with Perl's exact message
 */
export function defaultDrop(policy: ParsedPolicy, table: string, chain: string): PerlStatus<DefaultDropReport> {
  const bin = binName(policy);
  if (isEmptyPolicy(policy)) return [`[-] Could not get ${bin} output!`, 0];
  const protocols: DefaultDropReport = {};
  let foundDrop = false;
  const ch = findChain(policy, table, chain);
  if (ch !== undefined) {
    const dropPolicy = ch.policy === "DROP";
    for (const r of ch.rules) {
      if (!isAnyToAny(r)) continue;
      const proto = r.protocol;
      if (isLogTarget(r.target)) {
        const prefix = r.details.logPrefix?.trim() ?? "";
        const entry = protocols[proto] ?? {};
        entry.LOG = { prefix: prefix === "" ? "NONE" : prefix, rulenum: r.rule_num };
        protocols[proto] = entry;
      } else if (!dropPolicy && r.target === "DROP" && r.extended.trim() === "") {
        const entry = protocols[proto] ?? {};
        entry.DROP = r.rule_num;
        protocols[proto] = entry;
        foundDrop = true;
      }
    }
    if (dropPolicy) {
      const entry = protocols.all ?? {};
      entry.DROP = 0;
      protocols.all = entry;
      foundDrop = true;
    }
  }
  if (!foundDrop || Object.keys(protocols).length === 0) {
    return [`[-] There are no default drop rules in the ${bin} policy!`, 0];
  }
  return [protocols, 1];
}
