import { extractListingExtended } from "./extract-extended.ts";
import { protocolName } from "./protocols.ts";
import { emptyRule, exactCounter, finishRule, isDigits, markNegated } from "./rule-builder.ts";
import type { Diagnostic, ParsedChain, ParsedPolicy, ParsedRule, ParsedTable, ParseOptions } from "./types.ts";

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

/** Word `k` of the current line is an `opt` column value: `--`, `-f`, `!f` (or `!-`). */
function isOptWord(line: string, k: number, count: number): boolean {
  if (k >= count || (TE[k] as number) - (TS[k] as number) !== 2) return false;
  const c0 = line.charCodeAt(TS[k] as number);
  const c1 = line.charCodeAt((TS[k] as number) + 1);
  return (c0 === 45 || c0 === 33) && (c1 === 45 || c1 === 102);
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
  textBlanksOnly = text.indexOf("\t") < 0 && text.indexOf("\r") < 0;
  if (len === 0 || text.trim() === "") {
    diagnostics.push({ code: "IPT_PARSE_EMPTY_INPUT", severity: "warning", line: 1, message: "empty input" });
  }
  while (pos < len) {
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

/** Word boundaries of the current line (module-level scratch; the parser is synchronous). */
const TS = new Int32Array(12);
const TE = new Int32Array(12);

/**
 * Record the start/end of up to `max` words of `line`; returns how many were found. Lines without tabs or
 * carriage returns (all iptables output) take the fast path: word ends found with the native `indexOf`.
 */
function scanWords(line: string, max: number): number {
  const n = line.length;
  let i = 0;
  let k = 0;
  lineBlanksOnly = textBlanksOnly || (line.indexOf("\t") < 0 && line.indexOf("\r") < 0);
  if (lineBlanksOnly) {
    while (k < max) {
      while (i < n && line.charCodeAt(i) === 32) i++;
      if (i >= n) break;
      TS[k] = i;
      const e = line.indexOf(" ", i);
      i = e < 0 ? n : e;
      TE[k] = i;
      k++;
    }
    return k;
  }
  while (k < max) {
    while (i < n && isWsCode(line.charCodeAt(i))) i++;
    if (i >= n) break;
    TS[k] = i;
    while (i < n && !isWsCode(line.charCodeAt(i))) i++;
    TE[k] = i;
    k++;
  }
  return k;
}

/** The line scanned last has no tab / CR. */
let lineBlanksOnly = true;
/** The whole input has no tab / CR (set per parse; lets every line skip its own check). */
let textBlanksOnly = false;

const ZERO = 0n;

/** Exact value of a counter column, with a fast path for the ubiquitous `0`. */
function counterValue(s: string): bigint | undefined {
  return s === "0" ? ZERO : exactCounter(s);
}

/** Parse one rule line with the chain's layout; undefined when the columns do not fit. */
function parseRuleLine(line: string, layout: Layout, position: number): ParsedRule | undefined {
  const pre = (layout.hasNum ? 1 : 0) + (layout.hasCounters ? 2 : 0);
  const post = (layout.hasIface ? 2 : 0) + 2;
  const count = scanWords(line, pre + 3 + post);
  if (count < pre + 1 + post) return undefined;
  let k = 0;
  let ruleNum = position;
  let packets = "";
  let bytes = "";
  if (layout.hasNum) {
    const num = line.slice(TS[0], TE[0]);
    if (!isDigits(num) || num.length > 9) return undefined;
    ruleNum = Number(num);
    k = 1;
  }
  if (layout.hasCounters) {
    packets = line.slice(TS[k], TE[k]);
    bytes = line.slice(TS[k + 1], TE[k + 1]);
    if (!isCounter(packets) || !isCounter(bytes)) return undefined;
    k += 2;
  }
  // Up to three words: [target] prot [opt]
  const a = k;
  let target: string;
  let prot: string;
  let opt = "";
  if (layout.hasOpt && isOptWord(line, a + 2, count)) {
    target = line.slice(TS[a], TE[a]);
    prot = line.slice(TS[a + 1], TE[a + 1]);
    opt = line.slice(TS[a + 2], TE[a + 2]);
    k = a + 3;
  } else if (layout.hasOpt && isOptWord(line, a + 1, count)) {
    target = "";
    prot = line.slice(TS[a], TE[a]);
    opt = line.slice(TS[a + 1], TE[a + 1]);
    k = a + 2;
  } else {
    // No opt value (ip6tables before 1.8.9 prints a blank opt column): a blank target is told by position.
    const wa = line.slice(TS[a], TE[a]);
    if ((TS[a] as number) >= layout.protCol - 1 && layout.protCol > 0 && isProtoWord(wa)) {
      target = "";
      prot = wa;
      k = a + 1;
    } else {
      target = wa;
      prot = a + 1 < count ? line.slice(TS[a + 1], TE[a + 1]) : "";
      k = a + 2;
    }
  }
  if (!isProtoWord(prot)) return undefined;
  // The words after prot/opt: re-scan from there when the first scan assumed a different split.
  const need = k + post;
  if (need > count) return undefined;
  let inIf = "";
  let outIf = "";
  if (layout.hasIface) {
    inIf = line.slice(TS[k], TE[k]);
    outIf = line.slice(TS[k + 1], TE[k + 1]);
    k += 2;
  }
  const src = line.slice(TS[k], TE[k]);
  const dst = line.slice(TS[k + 1], TE[k + 1]);
  let i = TE[k + 1] as number;
  const n = line.length;
  while (i < n && isWsCode(line.charCodeAt(i))) i++;
  const extended = i === n ? "" : line.slice(i);
  return buildRule(line, layout, ruleNum, packets, bytes, target, prot, opt, inIf, outIf, src, dst, extended);
}

/** Assemble a rule from its columns. */
function buildRule(
  line: string,
  layout: Layout,
  ruleNum: number,
  packets: string,
  bytes: string,
  target: string,
  prot: string,
  opt: string,
  inIf: string,
  outIf: string,
  src: string,
  dst: string,
  extended: string,
): ParsedRule {
  const rule = emptyRule(line, ruleNum);
  const d = rule.details;
  rule.packets = packets;
  rule.bytes = bytes;
  if (layout.hasCounters) {
    const pe = counterValue(packets);
    const be = counterValue(bytes);
    if (pe !== undefined) d.packetsExact = pe;
    if (be !== undefined) d.bytesExact = be;
  }
  rule.target = target;
  rule.protocol = protocolName(prot);
  if (prot.charCodeAt(0) === 33) markNegated(d, "protocol");
  if (opt === "-f" || opt === "!f") {
    d.fragment = true;
    if (opt === "!f") markNegated(d, "fragment");
  }
  rule.intf_in = inIf;
  rule.intf_out = outIf;
  if (inIf.charCodeAt(0) === 33) markNegated(d, "intf_in");
  if (outIf.charCodeAt(0) === 33) markNegated(d, "intf_out");
  rule.src = src;
  rule.dst = dst;
  if (src.charCodeAt(0) === 33) markNegated(d, "src");
  if (dst.charCodeAt(0) === 33) markNegated(d, "dst");
  rule.extended = extended;
  if (extended.length > 0) extractListingExtended(extended, rule, lineBlanksOnly);
  finishRule(rule);
  return rule;
}

/** A protocol column value: `[!]` then letters/digits/`-`/`.`. */
function isProtoWord(s: string): boolean {
  let i = s.startsWith("!") ? 1 : 0;
  if (i >= s.length || s.length > 40) return false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok =
      (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95;
    if (!ok) return false;
  }
  return true;
}
