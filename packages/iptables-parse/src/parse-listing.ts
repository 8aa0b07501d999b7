import {
  clearListingExtended,
  codesOf,
  codeUnits,
  extractListingExtended,
  type ListingExtended,
  MP_DPORTS,
  MP_PORTS,
  MP_SPORTS,
} from "./extract-extended.ts";
import { protocolName } from "./protocols.ts";
import { emptyRule, exactCounter, isDigits, markNegated } from "./rule-builder.ts";
import type {
  Diagnostic,
  ParsedChain,
  ParsedPolicy,
  ParsedRule,
  ParsedTable,
  ParseOptions,
  PortVal,
  RuleDetails,
} from "./types.ts";

/** Column layout of one chain section, read from its header line. */
interface Layout {
  hasNum: boolean;
  hasCounters: boolean;
  hasOpt: boolean;
  hasIface: boolean;
  /** Character index of `prot` in the header line. */
  protCol: number;
}

const DEFAULT_LAYOUT: Layout = { hasNum: false, hasCounters: false, hasOpt: true, hasIface: false, protCol: 11 };

function isWsCode(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

/** `429`, `141K`, `99M` … */
function isCounter(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  let end = n;
  const last = s.charCodeAt(n - 1);
  if (
    last === 75 ||
    last === 77 ||
    last === 71 ||
    last === 84 ||
    last === 80 ||
    last === 69 ||
    last === 90 ||
    last === 89
  )
    end = n - 1;
  if (end === 0) return false;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Parse a header line (`num pkts bytes target prot opt in out source destination`) into a layout. */
function parseHeader(line: string): Layout | undefined {
  const words = line.trim().split(/\s+/);
  const first = words[0];
  if (first !== "num" && first !== "pkts" && first !== "target") return undefined;
  const ti = words.indexOf("target");
  if (ti < 0 || words[ti + 1] !== "prot") return undefined;
  if (words[words.length - 2] !== "source" || words[words.length - 1] !== "destination") return undefined;
  return {
    hasNum: first === "num",
    hasCounters: words.includes("pkts"),
    hasOpt: words[ti + 2] === "opt",
    hasIface: words.includes("in") && words.includes("out"),
    protCol: line.indexOf("prot"),
  };
}

/** `Chain NAME (policy X …)` / `Chain NAME (N references)`; returns undefined when not a chain line. */
function parseChainLine(line: string): ParsedChain | undefined {
  let s = 0;
  while (s < line.length && isWsCode(line.charCodeAt(s))) s++;
  if (!line.startsWith("Chain ", s)) return undefined;
  const nameStart = s + 6;
  const open = line.indexOf(" (", nameStart);
  if (open <= nameStart) return undefined;
  const name = line.slice(nameStart, open);
  if (name.includes(" ")) return undefined;
  const close = line.lastIndexOf(")");
  const inner = line.slice(open + 2, close > open ? close : line.length).trim();
  const chain: ParsedChain = { name, policy: "", rules: [] };
  const w = inner.split(/[\s,]+/);
  if (w[0] === "policy" && w[1] !== undefined) {
    chain.policy = w[1];
    // policy DROP 0 packets, 0 bytes
    if (w[3] === "packets" && w[5] === "bytes" && w[2] !== undefined && w[4] !== undefined) {
      const p = exactCounter(w[2]);
      const b = exactCounter(w[4]);
      if (p !== undefined && b !== undefined) chain.counters = { packets: p, bytes: b };
    }
  } else if (w[1] === "references" || w[1] === "reference") {
    const r = w[0] ?? "";
    if (isDigits(r)) chain.references = Number(r);
  }
  return chain;
}

/**
 * Parse `iptables [-v] -n -L [CHAIN] [--line-numbers] [-x]` output (one chain or a whole table) into a
 * {@link ParsedPolicy} with one table (`opts.table`, default `filter`).
 *
 * Columns are taken from each chain's header line, so protocol names or numbers, the ip6tables `opt` column
 * (`--` on 1.8.9, blank before), `-v`, `--line-numbers` and `-x` all work; the header never becomes a rule.
 * Rules carry the 24 IPTables::Parse keys (protocol as a name) plus typed `details`.
 * Never throws on content: lines that cannot be parsed still yield a rule (`raw`, `rule_num`, other keys `''`,
 * as Perl) and a diagnostic `IPT_PARSE_UNRECOGNISED_LINE`; a printed rule number that differs from the position
 * yields `IPT_PARSE_RULE_NUMBER_MISMATCH` (the printed number is kept).
 *
 * @param text - the listing
 * @param opts - family / table
 * @returns the parsed policy (format `list` or `list-verbose`)
 * @example parseListing("Chain INPUT (policy DROP)\ntarget prot opt source destination\nACCEPT 6 -- 0.0.0.0/0 0.0.0.0/0 tcp dpt:22\n")
 */
export function parseListing(text: string, opts: ParseOptions = {}): ParsedPolicy {
  const diagnostics: Diagnostic[] = [];
  const table: ParsedTable = { name: opts.table ?? "filter", chains: [] };
  let verbose = false;
  let sawV6 = false;
  let familyKnown = false;
  let chain: ParsedChain | undefined;
  let layout: Layout | undefined;
  let counter = 0;
  const seen = new Set<string>();

  const len = text.length;
  let lineNo = 0;
  let pos = 0;
  if (len === 0 || text.trim() === "") {
    diagnostics.push({ code: "IPT_PARSE_EMPTY_INPUT", severity: "warning", line: 1, message: "empty input" });
  }
  CODES = codeUnits(text);
  while (pos < len) {
    LINE_START = pos;
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = len;
    let line = text.slice(pos, nl);
    pos = nl + 1;
    lineNo++;
    if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);

    // Blank line: separates chains.
    let s = 0;
    while (s < line.length && isWsCode(line.charCodeAt(s))) s++;
    if (s === line.length) continue;
    const c0 = line.charCodeAt(s);

    if (c0 === 67 /* C */) {
      const ch = parseChainLine(line);
      if (ch !== undefined) {
        if (seen.has(ch.name)) {
          diagnostics.push({
            code: "IPT_PARSE_UNRECOGNISED_LINE",
            severity: "warning",
            line: lineNo,
            message: `chain ${ch.name} listed twice (listings of several tables concatenated?)`,
          });
        }
        seen.add(ch.name);
        table.chains.push(ch);
        chain = ch;
        layout = undefined;
        counter = 0;
        continue;
      }
    }
    if (c0 === 35 /* # */) {
      diagnostics.push({
        code: "IPT_PARSE_UNRECOGNISED_LINE",
        severity: "info",
        line: lineNo,
        message: `comment line ignored: ${truncate(line)}`,
      });
      continue;
    }
    if (c0 === 110 /* n */ || c0 === 112 /* p */ || c0 === 116 /* t */) {
      const h = parseHeader(line);
      if (h !== undefined) {
        layout = h;
        if (h.hasCounters) verbose = true;
        continue;
      }
    }
    if (chain === undefined) {
      diagnostics.push({
        code: "IPT_PARSE_UNRECOGNISED_LINE",
        severity: "warning",
        line: lineNo,
        message: `line outside any chain ignored: ${truncate(line)}`,
      });
      continue;
    }
    if (layout === undefined) {
      diagnostics.push({
        code: "IPT_PARSE_UNRECOGNISED_LINE",
        severity: "warning",
        line: lineNo,
        message: `rule line before the column header of chain ${chain.name}; assuming "target prot opt source destination"`,
      });
      layout = DEFAULT_LAYOUT;
    }
    counter++;
    const rule = parseRuleLine(line, layout, counter);
    if (rule === undefined) {
      chain.rules.push(emptyRule(line, counter));
      diagnostics.push({
        code: "IPT_PARSE_UNRECOGNISED_LINE",
        severity: "error",
        line: lineNo,
        message: `cannot parse rule line in chain ${chain.name}: ${truncate(line)}`,
      });
      continue;
    }
    if (rule.rule_num !== counter) {
      diagnostics.push({
        code: "IPT_PARSE_RULE_NUMBER_MISMATCH",
        severity: "warning",
        line: lineNo,
        message: `rule number ${rule.rule_num} printed at position ${counter} of chain ${chain.name}`,
      });
    }
    // ip6tables prints an address (at least `::/0`) in both columns of every rule: the first parsed rule decides.
    if (!familyKnown && rule.protocol !== "") {
      familyKnown = true;
      sawV6 = rule.src.includes(":") || rule.dst.includes(":");
    }
    chain.rules.push(rule);
  }

  CODES = NO_CODES;
  return {
    format: verbose ? "list-verbose" : "list",
    family: opts.family ?? (sawV6 ? "ipv6" : "ipv4"),
    tables: [table],
    diagnostics,
  };
}

function truncate(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/** Word boundaries of the current line, relative to its start (module-level scratch; the parser is synchronous). */
const TS = new Int32Array(12);
const TE = new Int32Array(12);

/**
 * Code units of the text being parsed (see codeUnits) and where the current line starts in it: the scanner
 * reads characters from this typed array, which is much cheaper than `charCodeAt` on a sliced string.
 * `CODES[LINE_START + i]` is `line.charCodeAt(i)`.
 */
const NO_CODES: Uint16Array = new Uint16Array(0);
let CODES: Uint16Array = NO_CODES;
let LINE_START = 0;

/** Record the start/end of up to `max` words of the current line (blanks: space, tab, CR); returns how many. */
function scanWords(n: number, max: number): number {
  const u = CODES;
  const b = LINE_START;
  let i = 0;
  let k = 0;
  while (k < max) {
    while (i < n && isWsCode(u[b + i] as number)) i++;
    if (i >= n) break;
    TS[k] = i;
    i++;
    while (i < n && !isWsCode(u[b + i] as number)) i++;
    TE[k] = i;
    k++;
  }
  return k;
}

/** Word `k` of the current line has the code units `p`. */
function wordIs(k: number, p: Uint16Array): boolean {
  const n = p.length;
  if ((TE[k] as number) - (TS[k] as number) !== n) return false;
  const u = CODES;
  const start = LINE_START + (TS[k] as number);
  for (let j = 0; j < n; j++) if (u[start + j] !== p[j]) return false;
  return true;
}

/** Word `k` of the current line as a string. */
function wordAt(line: string, k: number): string {
  return line.slice(TS[k], TE[k]);
}

/** Word `k` is an `opt` column value: `--`, `-f`, `!f` (or `!-`). */
function isOptWord(k: number, count: number): boolean {
  if (k >= count || (TE[k] as number) - (TS[k] as number) !== 2) return false;
  const c0 = CODES[LINE_START + (TS[k] as number)];
  const c1 = CODES[LINE_START + (TS[k] as number) + 1];
  return (c0 === 45 || c0 === 33) && (c1 === 45 || c1 === 102);
}

/** Word `k` is a protocol column value: `[!]` then 1–40 (with the `!`) letters/digits/`-`/`.`/`_`. */
function isProtoWordAt(k: number): boolean {
  const u = CODES;
  const e = LINE_START + (TE[k] as number);
  let i = LINE_START + (TS[k] as number);
  if (e - i > 40) return false;
  if (u[i] === 33) i++;
  if (i >= e) return false;
  for (; i < e; i++) {
    const c = u[i] as number;
    const ok =
      (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95;
    if (!ok) return false;
  }
  return true;
}

/** Value of word `k` when it is 1–9 ASCII digits, else -1. */
function ruleNumberAt(k: number): number {
  const s = LINE_START + (TS[k] as number);
  const e = LINE_START + (TE[k] as number);
  if (e - s > 9) return -1;
  const u = CODES;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = u[i] as number;
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/*
 * Strings that repeat from rule to rule (targets, protocol tokens, the "any" addresses, `*`) are shared: a
 * word equal to a string seen before yields that string instead of a fresh copy. Same values, so nothing
 * observable changes, and each shared string is one allocation fewer and one heap object fewer per rule for
 * the garbage collector to copy. Only short words are remembered (V8 copies strings under 13 characters;
 * longer ones are slices that would keep the whole input text alive).
 */
const SHARED_MAX_LEN = 12;
const TARGETS: string[] = ["ACCEPT", "DROP", "REJECT", "LOG", "RETURN"];
const TARGET_CODES: Uint16Array[] = TARGETS.map(codesOf);
let targetNext = TARGETS.length;
const PROT_TOKENS: Uint16Array[] = ["0", "6", "17", "1", "58", "all", "tcp", "udp", "icmp"].map(codesOf);
const PROT_NAMES: string[] = ["0", "6", "17", "1", "58", "all", "tcp", "udp", "icmp"].map((t) => protocolName(t));
const SHARED_SLOTS = 16;
const ANY4 = codesOf("0.0.0.0/0");
const ANY6 = codesOf("::/0");

/** Word `k` as a target, shared with an equal earlier target when there is one. */
function targetAt(line: string, k: number): string {
  for (let i = 0; i < TARGET_CODES.length; i++) {
    if (wordIs(k, TARGET_CODES[i] as Uint16Array)) return TARGETS[i] as string;
  }
  const t = wordAt(line, k);
  if (t.length > SHARED_MAX_LEN) return t;
  if (TARGETS.length < SHARED_SLOTS) {
    TARGETS.push(t);
    TARGET_CODES.push(codesOf(t));
  } else {
    TARGETS[targetNext] = t;
    TARGET_CODES[targetNext] = codesOf(t);
    targetNext = targetNext === SHARED_SLOTS - 1 ? 5 : targetNext + 1;
  }
  return t;
}

/** Protocol name (see protocolName) of the protocol word `k`. */
function protocolAt(line: string, k: number): string {
  for (let i = 0; i < PROT_TOKENS.length; i++) {
    if (wordIs(k, PROT_TOKENS[i] as Uint16Array)) return PROT_NAMES[i] as string;
  }
  const token = wordAt(line, k);
  const name = protocolName(token);
  if (token.length <= SHARED_MAX_LEN && PROT_TOKENS.length < SHARED_SLOTS) {
    PROT_TOKENS.push(codesOf(token));
    PROT_NAMES.push(name);
  }
  return name;
}

/** Word `k` as an address column value; the "any" addresses are shared. */
function addressAt(line: string, k: number): string {
  if (wordIs(k, ANY4)) return "0.0.0.0/0";
  if (wordIs(k, ANY6)) return "::/0";
  return wordAt(line, k);
}

/** Word `k` as an interface column value; `*` is shared. */
function interfaceAt(line: string, k: number): string {
  if ((TE[k] as number) - (TS[k] as number) === 1 && CODES[LINE_START + (TS[k] as number)] === 42) return "*";
  return wordAt(line, k);
}

const ZERO = 0n;

/** Exact value of a counter column, with a fast path for the ubiquitous `0`. */
function counterValue(s: string): bigint | undefined {
  return s === "0" ? ZERO : exactCounter(s);
}

/** Scratch record the extended-text extractor fills for the rule being built (reset per rule). */
const EXT: ListingExtended = {
  s_port: "",
  d_port: "",
  to_ip: "",
  to_port: "",
  mac_source: "",
  state: "",
  ctstate: "",
  comment: "",
  string: "",
  length: "",
  multiport: 0,
};

/** {@link EXT} may hold values of an earlier rule. */
let extDirty = true;

/** `opt` column values that matter: none / `--` / `!-`, `-f`, `!f`. */
const OPT_NONE = 0;
const OPT_FRAG = 1;
const OPT_NOT_FRAG = 2;

/** Parse one rule line (starting at `LINE_START` in `CODES`) with the chain's layout; undefined when the columns do not fit. */
function parseRuleLine(line: string, layout: Layout, position: number): ParsedRule | undefined {
  const pre = (layout.hasNum ? 1 : 0) + (layout.hasCounters ? 2 : 0);
  const post = (layout.hasIface ? 2 : 0) + 2;
  const count = scanWords(line.length, pre + 3 + post);
  if (count < pre + 1 + post) return undefined;
  let k = 0;
  let ruleNum = position;
  let packets = "";
  let bytes = "";
  if (layout.hasNum) {
    ruleNum = ruleNumberAt(0);
    if (ruleNum < 0) return undefined;
    k = 1;
  }
  if (layout.hasCounters) {
    packets = wordAt(line, k);
    bytes = wordAt(line, k + 1);
    if (!isCounter(packets) || !isCounter(bytes)) return undefined;
    k += 2;
  }
  // Up to three words: [target] prot [opt]
  const a = k;
  let target: string;
  let protWord: number;
  let optWord = -1;
  if (layout.hasOpt && isOptWord(a + 2, count)) {
    target = targetAt(line, a);
    protWord = a + 1;
    optWord = a + 2;
    k = a + 3;
  } else if (layout.hasOpt && isOptWord(a + 1, count)) {
    target = "";
    protWord = a;
    optWord = a + 1;
    k = a + 2;
  } else if ((TS[a] as number) >= layout.protCol - 1 && layout.protCol > 0 && isProtoWordAt(a)) {
    // No opt value (ip6tables before 1.8.9 prints a blank opt column): a blank target is told by position.
    target = "";
    protWord = a;
    k = a + 1;
  } else {
    target = targetAt(line, a);
    protWord = a + 1 < count ? a + 1 : -1;
    k = a + 2;
  }
  if (protWord < 0 || !isProtoWordAt(protWord)) return undefined;
  const need = k + post;
  if (need > count) return undefined;
  const protocol = protocolAt(line, protWord);
  const protNegated = CODES[LINE_START + (TS[protWord] as number)] === 33;
  let opt = OPT_NONE;
  if (optWord >= 0 && CODES[LINE_START + (TS[optWord] as number) + 1] === 102 /* f */) {
    opt = CODES[LINE_START + (TS[optWord] as number)] === 33 ? OPT_NOT_FRAG : OPT_FRAG;
  }
  let inIf = "";
  let outIf = "";
  if (layout.hasIface) {
    inIf = interfaceAt(line, k);
    outIf = interfaceAt(line, k + 1);
    k += 2;
  }
  const src = addressAt(line, k);
  const dst = addressAt(line, k + 1);
  let i = TE[k + 1] as number;
  const n = line.length;
  const u = CODES;
  const b = LINE_START;
  while (i < n && isWsCode(u[b + i] as number)) i++;
  const extended = i === n ? "" : line.slice(i);
  return buildRule(
    line,
    layout,
    ruleNum,
    packets,
    bytes,
    target,
    protocol,
    protNegated,
    opt,
    inIf,
    outIf,
    src,
    dst,
    extended,
  );
}

/** Assemble a rule from its columns, extracting the extended text. */
function buildRule(
  line: string,
  layout: Layout,
  ruleNum: number,
  packets: string,
  bytes: string,
  target: string,
  protocol: string,
  protNegated: boolean,
  opt: number,
  inIf: string,
  outIf: string,
  src: string,
  dst: string,
  extended: string,
): ParsedRule {
  // Details first, in the order the fields are met (their key order is part of the output).
  const d: RuleDetails = {};
  if (layout.hasCounters) {
    const pe = counterValue(packets);
    const be = counterValue(bytes);
    if (pe !== undefined) d.packetsExact = pe;
    if (be !== undefined) d.bytesExact = be;
  }
  if (protNegated) markNegated(d, "protocol");
  if (opt !== OPT_NONE) {
    d.fragment = true;
    if (opt === OPT_NOT_FRAG) markNegated(d, "fragment");
  }
  if (inIf.charCodeAt(0) === 33) markNegated(d, "intf_in");
  if (outIf.charCodeAt(0) === 33) markNegated(d, "intf_out");
  if (src.charCodeAt(0) === 33) markNegated(d, "src");
  if (dst.charCodeAt(0) === 33) markNegated(d, "dst");
  const x = EXT;
  if (extDirty) clearListingExtended(x);
  extDirty = extended.length > 0;
  if (extDirty) extractListingExtended(extended, x, d, CODES, LINE_START + line.length - extended.length);
  // Perl's tcp/udp port default (`0` = any) unless a multiport match covers the direction (see finishRule).
  let sPort: PortVal = x.s_port;
  let dPort: PortVal = x.d_port;
  if (protocol === "tcp" || protocol === "udp") {
    // (the multiport lists are only ever set by the extractor, which reports them in `x.multiport`)
    const mp = x.multiport;
    if (sPort === "" && (mp & (MP_PORTS | MP_SPORTS)) === 0) sPort = 0;
    if (dPort === "" && (mp & (MP_PORTS | MP_DPORTS)) === 0) dPort = 0;
  }
  // One literal with every key in emptyRule's order: one allocation, one stable hidden class.
  return {
    rule_num: ruleNum,
    raw: line,
    packets,
    bytes,
    target,
    protocol,
    proto: protocol,
    intf_in: inIf,
    intf_out: outIf,
    src,
    dst,
    extended,
    s_port: sPort,
    sport: sPort,
    d_port: dPort,
    dport: dPort,
    to_ip: x.to_ip,
    to_port: x.to_port,
    mac_source: x.mac_source,
    state: x.state,
    ctstate: x.ctstate,
    comment: x.comment,
    string: x.string,
    length: x.length,
    details: d,
  };
}
