import type { ParsedChain, ParsedPolicy, ParsedRule, PortVal } from "./types.ts";

/**
 * The chain `chain` of table `table`, or undefined. Exact (case-sensitive) name match.
 *
 * @param policy - a parsed policy
 * @param table - table name (`filter`, `nat`, …)
 * @param chain - chain name
 * @returns the chain or undefined
 */
export function findChain(policy: ParsedPolicy, table: string, chain: string): ParsedChain | undefined {
  for (const t of policy.tables) {
    if (t.name !== table) continue;
    for (const c of t.chains) if (c.name === chain) return c;
  }
  return undefined;
}

/**
 * Chain names of a table in listing order (IPTables::Parse `list_table_chains`); `[]` for an unknown table.
 *
 * @param policy - a parsed policy
 * @param table - table name
 * @returns chain names
 */
export function listTableChains(policy: ParsedPolicy, table: string): string[] {
  const out: string[] = [];
  for (const t of policy.tables) if (t.name === table) for (const c of t.chains) out.push(c.name);
  return out;
}

/**
 * Policy of a built-in chain (`ACCEPT`, `DROP`, …); `''` for user chains and missing chains, as Perl's
 * `chain_policy`.
 *
 * @param policy - a parsed policy
 * @param table - table name
 * @param chain - chain name
 * @returns the policy word or `''`
 */
export function chainPolicy(policy: ParsedPolicy, table: string, chain: string): string {
  return findChain(policy, table, chain)?.policy ?? "";
}

/** The rule fields that a `-v -n -L --line-numbers` parse and an iptables-save parse of the same rule agree on. */
export interface ComparableRule {
  rule_num: number;
  target: string;
  protocol: string;
  proto: string;
  intf_in: string;
  intf_out: string;
  src: string;
  dst: string;
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
}

/**
 * The 20 of the 24 Perl keys that must be identical whether a rule was parsed from `iptables -v -n -L
 * --line-numbers` or from `iptables-save` — all but `raw`, `extended` (listing text vs. options) and
 * `packets`/`bytes` (`123K` vs. exact). Used by the differential tests.
 *
 * @param rule - a parsed rule
 * @returns the comparable projection
 */
export function comparableRule(rule: ParsedRule): ComparableRule {
  return {
    rule_num: rule.rule_num,
    target: rule.target,
    protocol: rule.protocol,
    proto: rule.proto,
    intf_in: rule.intf_in,
    intf_out: rule.intf_out,
    src: rule.src,
    dst: rule.dst,
    s_port: rule.s_port,
    sport: rule.sport,
    d_port: rule.d_port,
    dport: rule.dport,
    to_ip: rule.to_ip,
    to_port: rule.to_port,
    mac_source: rule.mac_source,
    state: rule.state,
    ctstate: rule.ctstate,
    comment: rule.comment,
    string: rule.string,
    length: rule.length,
  };
}
