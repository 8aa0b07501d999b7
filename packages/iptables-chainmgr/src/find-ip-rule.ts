import { type ParsedRule, protocolName } from "@fwkit/iptables-parse";
import { ChainMgrError } from "./errors.ts";
import { normalizeNet } from "./normalize-net.ts";
import { isDefined, type RuleExt, SEARCH_KEYS } from "./rule-ext.ts";
import { stateCompare } from "./state-compare.ts";

/** `[position, numberOfRules]`: Perl's `(rulenum or 0, number_of_rules)`. */
export type FindResult = [position: number, count: number];

/** Protocol as a lower-case name (`6` → `tcp`, `!17` → `!udp`), so names and numbers compare equal. */
function protoName(v: string): string {
  return protocolName(v.trim());
}

const PORT_KEYS = new Set(["s_port", "sport", "d_port", "dport"]);

/**
 * Throws CHAINMGR_UNSUPPORTED_KEY (Perl's croak text) for any ext key that is not one of the 21 search keys
 * or `normalize`.
 * @param ext - the search hash
 */
export function validateSearchKeys(ext: RuleExt): void {
  for (const k of Object.keys(ext)) {
    if (k === "normalize") continue;
    if (!SEARCH_KEYS.includes(k)) {
      throw new ChainMgrError(
        "CHAINMGR_UNSUPPORTED_KEY",
        `[*] Extended hash search key '${k}' not supported by IPTables::Parse`,
        { key: k },
      );
    }
  }
}

function valueMatches(key: string, want: unknown, have: unknown): boolean {
  const w = String(want);
  const h = have === undefined || have === null ? "" : String(have);
  if (key === "state" || key === "ctstate") return stateCompare(w, h);
  if (key === "mac_source") return w.toLowerCase() === h.toLowerCase();
  if (key === "protocol" || key === "proto") return protoName(w) === protoName(h);
  if (PORT_KEYS.has(key) && w === "0") return h === "" || h === "0";
  return w === h;
}

/**
 * The matching core of IPTables::ChainMgr's `find_ip_rule`, over already-parsed rules (pure).
 * A rule is a candidate when target, src and dst are string-equal. Then:
 * - **ext with at least one key** (even only `normalize`): every defined supported key must match —
 *   `state`/`ctstate` as sets, `mac_source` case-insensitively, `protocol` by name or number, ports with
 *   `0` meaning "no port"; keys not given are not checked (extended text, interfaces, counters ignored).
 * - **empty ext**: the rule's protocol must be `all` and it must have no extended text (LOG/ULOG exempt);
 *   interfaces are not compared.
 * @param rules - the chain's rules in order (from `IptablesParse.chainRules`)
 * @param src - source as listed (normalised first when `ext.normalize` is true)
 * @param dst - destination as listed
 * @param target - target or chain name
 * @param ext - search keys
 * @returns `[position, rules.length]`, position 0 when nothing matches
 * @throws {ChainMgrError} CHAINMGR_UNSUPPORTED_KEY for an unknown key
 * @example matchIpRule(rules, "1.2.3.4", "0.0.0.0/0", "DROP", {}) // [1, 4]
 */
export function matchIpRule(
  rules: readonly ParsedRule[],
  src: string,
  dst: string,
  target: string,
  ext: RuleExt = {},
): FindResult {
  validateSearchKeys(ext);
  let s = src;
  let d = dst;
  if (ext.normalize) {
    s = normalizeNet(src);
    d = normalizeNet(dst);
  }
  const hasExt = Object.keys(ext).length > 0;
  const e = ext as Record<string, unknown>;
  const wanted = SEARCH_KEYS.filter((k) => isDefined(e[k]));
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] as ParsedRule;
    if (rule.target !== target || rule.src !== s || rule.dst !== d) continue;
    if (hasExt) {
      const r = rule as unknown as Record<string, unknown>;
      if (wanted.every((k) => valueMatches(k, e[k], r[k]))) return [i + 1, rules.length];
    } else if (protoName(rule.protocol) === "all" && (target === "LOG" || target === "ULOG" || !rule.extended)) {
      return [i + 1, rules.length];
    }
  }
  return [0, rules.length];
}
