import type { SnortRulesErrorCode } from "./errors.ts";

/** `{ ok: true, value } | { ok: false, error }` (style §3.2). */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

/** Rule-language dialect. Decides how buffer keywords bind (Snort 2 modifiers vs Snort 3 sticky buffers). */
export type Dialect = "snort2" | "snort3" | "suricata";

/** Diagnostic severity. Only `error` makes a rule unusable. */
export type Severity = "error" | "warning" | "info";

/** One problem found while parsing; JSON-serialisable. `line`/`column` are 1-based. */
export interface Diagnostic {
  code: SnortRulesErrorCode;
  severity: Severity;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  sid?: number;
}

// ---------------------------------------------------------------- header

/** Address expression of a rule header (`any`, IP/CIDR, `$VAR`, `[list]`, each possibly negated). */
export type AddrExpr =
  | { kind: "any" }
  | { kind: "ip"; negated: boolean /** as written, e.g. `10.0.0.0/8`, `::1`, `1.2.3.4/255.255.0.0` */; text: string }
  | { kind: "var"; negated: boolean; name: string }
  | { kind: "list"; negated: boolean; items: AddrExpr[] };

/** Port expression (`any`, `80`, `1024:`, `:1023`, `$VAR`, `[list]`, each possibly negated). */
export type PortExpr =
  | { kind: "any" }
  | { kind: "port"; negated: boolean; port: number }
  | { kind: "range"; negated: boolean; min: number | null; max: number | null }
  | { kind: "var"; negated: boolean; name: string }
  | { kind: "list"; negated: boolean; items: PortExpr[] };

/** Header direction operator (`<-` is rejected; `=>` is Suricata 8 only). */
export type Direction = "->" | "<>" | "=>";

// ---------------------------------------------------------------- options

/** HTTP (and similar) inspection buffers that Snort 2 expresses as content modifiers. */
export type HttpModifierName =
  | "http_client_body"
  | "http_cookie"
  | "http_raw_cookie"
  | "http_header"
  | "http_raw_header"
  | "http_method"
  | "http_uri"
  | "http_raw_uri"
  | "http_stat_code"
  | "http_stat_msg";

/** A modifier attached to one `content` (Snort 2 `; nocase;` form or Snort 3 `,nocase` suboption). */
export type ContentModifier =
  | { name: "nocase" | "rawbytes" | "startswith" | "endswith" }
  | {
      name: "offset" | "depth" | "distance" | "within" /** number, or a byte_extract variable name */;
      value: number | string;
    }
  | { name: "fast_pattern"; only?: true; offset?: number; length?: number }
  | { name: "fast_pattern_offset" | "fast_pattern_length"; value: number }
  | { name: HttpModifierName }
  | { name: "http_encode" | "bsize"; value: string };

/** `content` / `uricontent` with decoded bytes and its modifiers in source order. */
export interface ContentOption {
  kind: "content";
  keyword: "content" | "uricontent";
  negated: boolean;
  /** the text between the quotes exactly as written (escapes and `|hex|` blocks kept) */
  text: string;
  /** decoded bytes */
  bytes: Uint8Array;
  modifiers: ContentModifier[];
}

/** `pcre:[!]"/re/flags"` or `"m<d>re<d>flags"`. */
export interface PcreOption {
  kind: "pcre";
  negated: boolean;
  /** `/` for the plain form, otherwise the delimiter after `m` */
  delimiter: string;
  /** `true` when written with the leading `m` */
  m: boolean;
  /** the regex body with only the rule-level escapes (`\;`, `\"`) removed */
  pattern: string;
  flags: string;
}

/** One member of the `flow` option. */
export type FlowFlag =
  | "established"
  | "not_established"
  | "stateless"
  | "to_server"
  | "from_client"
  | "to_client"
  | "from_server"
  | "no_stream"
  | "only_stream"
  | "no_frag"
  | "only_frag";

/** Numeric comparison / range used by dsize, ttl, itype, icode, bufferlen, urilen, … */
export type RangeExpr =
  | { op: "=" | "!" | "<" | ">" | "<=" | ">="; value: number }
  | { op: "<>" | "<=>" | "-"; min: number | null; max: number | null };

/** Keywords whose value is a {@link RangeExpr}. */
export type RangeKeyword =
  | "dsize"
  | "ttl"
  | "tos"
  | "id"
  | "itype"
  | "icode"
  | "icmp_id"
  | "icmp_seq"
  | "seq"
  | "ack"
  | "window"
  | "fragoffset"
  | "bufferlen"
  | "urilen"
  | "bsize";

/** Byte-order / format flags shared by byte_test, byte_jump, byte_extract. */
export type ByteFlag =
  | "relative"
  | "big"
  | "little"
  | "string"
  | "hex"
  | "dec"
  | "oct"
  | "dce"
  | "align"
  | "from_beginning"
  | "from_end";

/** Every option variant, in source order inside {@link Rule.options}. */
export type RuleOption =
  | { kind: "msg"; value: string }
  | { kind: "sid" | "rev" | "gid" | "priority"; value: number }
  | { kind: "classtype"; value: string }
  | { kind: "reference"; system: string; id: string }
  | { kind: "metadata"; entries: [string, string][] }
  | { kind: "service"; services: string[] }
  | ContentOption
  | PcreOption
  | { kind: "flow"; flags: FlowFlag[] }
  | { kind: "flags"; modifier?: "+" | "*" | "!"; flags: string; mask?: string }
  | { kind: "fragbits"; modifier?: "+" | "*" | "!"; bits: string }
  | { kind: "range"; keyword: RangeKeyword; range: RangeExpr; suffix?: string }
  | { kind: "ipopts"; value: string }
  | { kind: "ip_proto"; op?: "!" | "<" | ">"; proto: number | string }
  | { kind: "sameip" }
  | {
      kind: "byte_test";
      bytes: number;
      negated: boolean;
      operator: string;
      value: number | string;
      offset: number | string;
      flags: ByteFlag[];
      bitmask?: number;
    }
  | {
      kind: "byte_jump";
      bytes: number | string;
      offset: number | string;
      flags: ByteFlag[];
      multiplier?: number;
      postOffset?: number | string;
      bitmask?: number;
    }
  | {
      kind: "byte_extract";
      bytes: number;
      offset: number | string;
      name: string;
      flags: ByteFlag[];
      multiplier?: number;
      alignTo?: number;
      bitmask?: number;
    }
  | { kind: "isdataat"; negated: boolean; value: number | string; relative: boolean; rawbytes: boolean }
  | {
      kind: "flowbits";
      op: string;
      /** bit names; several when joined by `&` or `|` */
      names: string[];
      joiner?: "&" | "|";
      group?: string;
    }
  | {
      kind: "threshold" | "detection_filter";
      type?: "limit" | "threshold" | "both";
      track: "by_src" | "by_dst" | "by_rule" | "by_both";
      count: number;
      seconds: number;
    }
  | { kind: "resp" | "react" | "tag"; args: string[] }
  | { kind: "buffer"; name: string; value?: string }
  | { kind: "raw"; keyword: string; value?: string };

/** One `reference:system,id`. */
export interface Reference {
  system: string;
  id: string;
}

/** A parsed rule. Header fields are absent for Snort 3 service rules with an elided header. */
export interface Rule {
  /** dialect the options were interpreted in */
  dialect: Dialect;
  /** `true` for a commented-out rule (`# alert …`) */
  disabled: boolean;
  action: string;
  protocol: string;
  src?: AddrExpr;
  srcPort?: PortExpr;
  direction?: Direction;
  dst?: AddrExpr;
  dstPort?: PortExpr;
  options: RuleOption[];
  // derived from options (kept in sync by createRule)
  sid?: number;
  gid: number;
  rev?: number;
  msg?: string;
  classtype?: string;
  priority?: number;
  references: Reference[];
  metadata: [string, string][];
}

/** Where a rule came from in a rule file. */
export interface RuleSource {
  file?: string;
  line: number;
  /** the logical line as read (continuations joined) */
  raw: string;
}

/** A rule read from a rule file, with its location and its own diagnostics. */
export interface RuleEntry {
  rule: Rule;
  source: RuleSource;
  diagnostics: Diagnostic[];
}
