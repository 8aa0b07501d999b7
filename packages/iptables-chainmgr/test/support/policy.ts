/** Hand-built ParsedPolicy values for pure plan tests. */
import type { ParsedPolicy, ParsedRule } from "@fwkit/iptables-parse";

/** A rule with all 24 keys; `rulespec` is the iptables-save text after `-A CHAIN`. */
export function rule(n: number, target: string, rulespec?: string, extra: Partial<ParsedRule> = {}): ParsedRule {
  return {
    rule_num: n,
    raw: "",
    packets: "0",
    bytes: "0",
    target,
    protocol: "all",
    proto: "all",
    intf_in: "*",
    intf_out: "*",
    src: "0.0.0.0/0",
    dst: "0.0.0.0/0",
    extended: "",
    s_port: "",
    sport: "",
    d_port: "",
    dport: "",
    to_ip: "",
    to_port: "",
    mac_source: "",
    state: "",
    ctstate: "",
    comment: "",
    string: "",
    length: "",
    details: rulespec === undefined ? {} : { rulespec },
    ...extra,
  };
}

/** `{ table: { chain: rules } }` → ParsedPolicy (built-in chains get policy ACCEPT). */
export function policyOf(spec: Record<string, Record<string, ParsedRule[]>>): ParsedPolicy {
  const builtin = ["INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING"];
  return {
    format: "save",
    family: "ipv4",
    diagnostics: [],
    tables: Object.entries(spec).map(([name, chains]) => ({
      name,
      chains: Object.entries(chains).map(([c, rules]) => ({
        name: c,
        policy: builtin.includes(c) ? "ACCEPT" : "",
        rules,
      })),
    })),
  };
}
