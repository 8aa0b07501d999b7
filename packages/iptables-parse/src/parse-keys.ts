/** One entry of the Perl `parse_keys` table. */
export interface ParseKeySpec {
  /** The Perl extraction regex source (`''` for column keys). */
  readonly regex: string;
  /** The iptables option used to build commands for this key (`-p`, `--dport`, `-m state --state`, or `''`). */
  readonly iptMatch: string;
  /** Perl `use_quotes`: the value is double-quoted when building a command (comment, string). */
  readonly useQuotes?: boolean;
}

/** The Perl `parse_keys` table: `regular` (column) keys and `extended` (match-text) keys. */
export interface ParseKeys {
  readonly regular: Readonly<Record<RegularKey, ParseKeySpec>>;
  readonly extended: Readonly<Record<ExtendedKey, ParseKeySpec>>;
}

/** Column keys of the Perl rule hash that are valid search keys. */
export type RegularKey = "packets" | "bytes" | "target" | "protocol" | "proto" | "intf_in" | "intf_out" | "src" | "dst";

/** Extended (match-text) keys of the Perl rule hash. */
export type ExtendedKey =
  | "s_port"
  | "sport"
  | "d_port"
  | "dport"
  | "to_ip"
  | "to_port"
  | "mac_source"
  | "state"
  | "ctstate"
  | "comment"
  | "string"
  | "length";

/** A valid `find_ip_rule` search key (the 21 regular + extended keys). */
export type SearchKey = RegularKey | ExtendedKey;

const IPV4_RE = "(?:[0-2]?\\d{1,2}\\.){3}[0-2]?\\d{1,2}";

/**
 * IPTables::Parse's `parse_keys` table, same keys, same `ipt_match` strings and `use_quotes` flags
 * (regexes given as their Perl source for documentation; the parser does not use them).
 *
 * @example PARSE_KEYS.extended.comment.iptMatch // "-m comment --comment"
 */
export const PARSE_KEYS: ParseKeys = Object.freeze({
  regular: Object.freeze({
    packets: { regex: "", iptMatch: "" },
    bytes: { regex: "", iptMatch: "" },
    target: { regex: "", iptMatch: "" },
    protocol: { regex: "", iptMatch: "-p" },
    proto: { regex: "", iptMatch: "-p" },
    intf_in: { regex: "", iptMatch: "-i" },
    intf_out: { regex: "", iptMatch: "-o" },
    src: { regex: "", iptMatch: "-s" },
    dst: { regex: "", iptMatch: "-d" },
  }),
  extended: Object.freeze({
    s_port: { regex: "\\bspts?:(\\S+)", iptMatch: "--sport" },
    sport: { regex: "\\bspts?:(\\S+)", iptMatch: "--sport" },
    d_port: { regex: "\\bdpts?:(\\S+)", iptMatch: "--dport" },
    dport: { regex: "\\bdpts?:(\\S+)", iptMatch: "--dport" },
    to_ip: { regex: `\\bto:(${IPV4_RE}):\\d+`, iptMatch: "" },
    to_port: { regex: `\\bto:${IPV4_RE}:(\\d+)`, iptMatch: "" },
    mac_source: { regex: "\\bMAC\\s+(\\S+)", iptMatch: "-m mac --mac-source" },
    state: { regex: "\\bstate\\s+(\\S+)", iptMatch: "-m state --state" },
    ctstate: { regex: "\\bctstate\\s+(\\S+)", iptMatch: "-m conntrack --ctstate" },
    comment: { regex: "\\/\\*\\s(.*?)\\s\\*\\/", iptMatch: "-m comment --comment", useQuotes: true },
    string: { regex: 'STRING\\s+match\\s+\\"(.*?)\\"', iptMatch: "-m string --algo bm --string", useQuotes: true },
    length: { regex: "\\blength\\s(\\S+)", iptMatch: "-m length --length" },
  }),
});

/**
 * The 21 valid `find_ip_rule` search keys (regular then extended, in Perl's table order).
 *
 * @example SEARCH_KEYS.includes("mark" as SearchKey) // false
 */
export const SEARCH_KEYS: readonly SearchKey[] = Object.freeze([
  "packets",
  "bytes",
  "target",
  "protocol",
  "proto",
  "intf_in",
  "intf_out",
  "src",
  "dst",
  "s_port",
  "sport",
  "d_port",
  "dport",
  "to_ip",
  "to_port",
  "mac_source",
  "state",
  "ctstate",
  "comment",
  "string",
  "length",
] as const);
