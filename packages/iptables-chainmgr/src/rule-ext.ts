import { SEARCH_KEYS as PARSE_SEARCH_KEYS } from "@fwkit/iptables-parse";

/**
 * The `ext` hash of IPTables::ChainMgr's rule methods (Perl's `\%extended`): search keys for findIpRule and
 * match keys for addIpRule, with the original snake_case names (they are IPTables::Parse's parse keys).
 * A key that is `undefined`/`null` counts as absent (Perl: "not defined").
 */
export interface RuleExt {
  /** Normalise `src`/`dst` before comparing (findIpRule only; addIpRule always normalises). */
  normalize?: boolean | number;
  packets?: string | number;
  bytes?: string | number;
  target?: string;
  /** Protocol name or number (`tcp`, `6`, `!udp`). */
  protocol?: string | number;
  proto?: string | number;
  intf_in?: string;
  intf_out?: string;
  src?: string;
  dst?: string;
  /** Ports as strings or numbers; `0` means "any" (never emitted as a match). Negation inline: `!25`. */
  s_port?: string | number;
  sport?: string | number;
  d_port?: string | number;
  dport?: string | number;
  /** NAT destination (DNAT `--to-destination`) or source (SNAT `--to-source`) address. */
  to_ip?: string;
  to_port?: string | number;
  mac_source?: string;
  state?: string;
  ctstate?: string;
  comment?: string;
  string?: string;
  length?: string;
}

/** The 21 search keys IPTables::Parse 1.6 supports (regular + extended parse keys), from @fwkit/iptables-parse. */
export const SEARCH_KEYS: readonly string[] = PARSE_SEARCH_KEYS;

/** True when the ext value is "defined" in Perl's sense. */
export function isDefined(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** The keys of `ext` whose value is defined, in insertion order. */
export function definedKeys(ext: RuleExt): string[] {
  return Object.keys(ext).filter((k) => isDefined((ext as Record<string, unknown>)[k]));
}
