/** Snort content / pcre → xt_string patterns (spec §7.3, §7.6). Pure. */
import type { PcreOption } from "@fwkit/snort-rules";

/** One string match before offsets are applied. */
export interface Pattern {
  /** `--string` value (alphanumeric) or `--hex-string` value (`|…|`) */
  ipt: string;
  hex: boolean;
  /** decoded length in bytes */
  length: number;
  negated: boolean;
  nocase: boolean;
  fastPattern: boolean;
  offset?: number;
  depth?: number;
  distance?: number;
  within?: number;
  /** derived from a pcre (no position semantics) */
  fromPcre: boolean;
}

const HEX2: readonly string[] = Array.from({ length: 256 }, (_, n) => n.toString(16).padStart(2, "0"));
const hex2 = (n: number): string => HEX2[n & 0xff] ?? n.toString(16).padStart(2, "0");
const ALNUM_RE = /^[A-Za-z0-9]+$/;
const NON_ALNUM_RE = /[^A-Za-z0-9]/;
const HEX_BLOCK_RE = /\|.+\|/;

function consolidateHexSpaces(s: string): string {
  if (!s.includes(" ")) return s;
  let out = "";
  let hexMode = false;
  for (const ch of s) {
    if (ch === "|") hexMode = !hexMode;
    if (hexMode && ch === " ") continue;
    out += ch;
  }
  return out;
}

function convertStrToHex(s: string): string {
  if (!s.includes("|")) {
    // no hex block: every character becomes `|xx|` and replaceAll("||") merges them into one block
    let h = "";
    for (const ch of s) h += hex2(ch.charCodeAt(0) & 0xff);
    return h === "" ? "" : `|${h}|`;
  }
  let out = "";
  let hexMode = false;
  for (const ch of s) {
    if (ch === "|") {
      out += ch;
      hexMode = !hexMode;
      continue;
    }
    out += hexMode ? ch : `|${hex2(ch.charCodeAt(0) & 0xff)}|`;
  }
  return out.replaceAll("||", "");
}

/**
 * fwsnort's `convert_pattern_for_iptables`: escapes → `|xx|`, adjacent hex blocks merged, spaces inside hex
 * removed, and anything that is not `[A-Za-z0-9]+` converted into one hex block (hex digits keep their case).
 * @param text - content text as written between the quotes
 * @returns the iptables pattern and whether it is a hex string
 */
export function fwsnortPattern(text: string): { ipt: string; hex: boolean } {
  // fast path: a plain alphanumeric content passes every step unchanged
  if (ALNUM_RE.test(text)) return { ipt: text, hex: false };
  let s = text.includes("\\") ? text.replace(/\\(.)/gs, (_m, c: string) => `|${hex2(c.charCodeAt(0) & 0xff)}|`) : text;
  if (s.includes("||")) s = s.replaceAll("||", "");
  s = consolidateHexSpaces(s);
  if (s.includes("|") || NON_ALNUM_RE.test(s)) s = convertStrToHex(s);
  return { ipt: s, hex: HEX_BLOCK_RE.test(s) };
}

/**
 * Pattern text for decoded bytes: `--string` when alphanumeric, else one lower-case hex block.
 * @param bytes - decoded bytes
 * @returns the iptables pattern
 */
export function bytesPattern(bytes: Uint8Array): { ipt: string; hex: boolean } {
  let alnum = bytes.length > 0;
  for (const b of bytes) {
    if (!((b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122))) alnum = false;
  }
  if (alnum) return { ipt: String.fromCharCode(...bytes), hex: false };
  return { ipt: `|${[...bytes].map(hex2).join("")}|`, hex: true };
}

function basePattern(p: { ipt: string; hex: boolean }, length: number, fromPcre: boolean): Pattern {
  return { ipt: p.ipt, hex: p.hex, length, negated: false, nocase: false, fastPattern: false, fromPcre };
}

/**
 * fwsnort's `parse_pcre` (compat): a `^\w+$` body, the `UNION\s+SELECT` special case, or literal parts split on
 * `.*` / `.+` / `[^\n]+` (first `\(` / `\:` in each part turned into literal backslash bytes, as fwsnort does).
 * @param p - the pcre option
 * @returns patterns, or undefined when fwsnort would call it "complex"
 */
export function compatPcrePatterns(p: PcreOption): Pattern[] | undefined {
  if (p.negated || p.m) return undefined;
  const body = p.pattern;
  const conv = (s: string): Pattern => {
    const c = fwsnortPattern(s);
    return basePattern(c, patternLength(c.ipt), true);
  };
  if (/^\w+$/.test(body)) return [conv(body)];
  if (body.includes("UNION\\s+SELECT")) return [conv("UNION SELECT")];
  let parts: string[] | undefined;
  if (body.includes(".*")) parts = body.split(".*");
  else if (body.includes(".+")) parts = body.split(".+");
  else if (body.includes("[^\\n]+")) parts = body.split("[^\\n]+");
  if (!parts) return undefined;
  const out: Pattern[] = [];
  for (let part of parts) {
    if (!part) continue;
    part = part.replace("\\(", "|5c 28|").replace("\\:", "|5c 3a|");
    const basic = part.replace("|5c 28|", "").replace("|5c 3a|", "");
    if (/^[\w ]+$/.test(basic) || basic === "User-Agent") out.push(conv(part));
    else return undefined;
  }
  return out;
}

/**
 * fwsnort's `get_content_len`: decoded length of a pattern in iptables form.
 * @param s - pattern (`abc`, `|0d0a|`, `a|00|b`)
 * @returns bytes
 */
export function patternLength(s: string): number {
  let len = 0;
  let hexMode = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "|") {
      hexMode = !hexMode;
      continue;
    }
    if (hexMode) {
      if (c === " ") continue;
      len++;
      i++;
    } else len++;
  }
  return len;
}

const SIMPLE_ESC = /^[^A-Za-z0-9]$/;

/**
 * Sound literal extraction from a pcre (default mode): the literal runs every match must contain. Gaps
 * (`.*`, classes, `\s+`, anchors, optional characters) split runs; alternation, groups, back-references and
 * the `x` flag make the regex untranslatable. Runs shorter than 2 bytes are dropped (too weak a prefilter).
 * @param p - the pcre option
 * @returns the required literals (case-insensitive with the `i` flag), or undefined when none can be derived
 */
export function soundPcreLiterals(p: PcreOption): { literals: Uint8Array[]; nocase: boolean } | undefined {
  if (p.negated || p.flags.includes("x")) return undefined;
  const s = p.pattern;
  const runs: number[][] = [];
  let cur: number[] = [];
  const flush = () => {
    if (cur.length >= 2) runs.push(cur);
    cur = [];
  };
  let i = 0;
  const quantAt = (j: number): { min0: boolean; len: number } | undefined => {
    const c = s[j];
    if (c === "?" || c === "*") return { min0: true, len: 1 + (s[j + 1] === "?" || s[j + 1] === "+" ? 1 : 0) };
    if (c === "+") return { min0: false, len: 1 + (s[j + 1] === "?" || s[j + 1] === "+" ? 1 : 0) };
    if (c === "{") {
      const m = /^\{(\d*)(,\d*)?\}[?+]?/.exec(s.slice(j));
      if (!m) return undefined;
      return { min0: (m[1] ?? "") === "" || Number(m[1]) === 0, len: m[0].length };
    }
    return undefined;
  };
  while (i < s.length) {
    const c = s[i] as string;
    let lit: number | undefined;
    let width = 1;
    if (c === "\\") {
      const n = s[i + 1];
      if (n === undefined) return undefined;
      if (n === "x") {
        const m = /^\\x([0-9A-Fa-f]{2})/.exec(s.slice(i));
        if (!m) return undefined;
        lit = Number.parseInt(m[1] as string, 16);
        width = 4;
      } else if (/[0-9]/.test(n))
        return undefined; // back-reference / octal
      else if (n === "r") lit = 13;
      else if (n === "n") lit = 10;
      else if (n === "t") lit = 9;
      else if (SIMPLE_ESC.test(n)) lit = n.charCodeAt(0);
      else {
        // \s \d \w \b … : a gap (classes) or an assertion
        width = 2;
        const q = quantAt(i + 2);
        flush();
        i += width + (q?.len ?? 0);
        continue;
      }
      if (width === 1) width = 2;
    } else if (c === "|" || c === "(" || c === ")") {
      return undefined;
    } else if (c === "[") {
      let j = i + 1;
      if (s[j] === "^") j++;
      if (s[j] === "]") j++;
      while (j < s.length && s[j] !== "]") j += s[j] === "\\" ? 2 : 1;
      if (j >= s.length) return undefined;
      const q = quantAt(j + 1);
      flush();
      i = j + 1 + (q?.len ?? 0);
      continue;
    } else if (c === "." || c === "^" || c === "$") {
      const q = quantAt(i + 1);
      flush();
      i += 1 + (q?.len ?? 0);
      continue;
    } else if (c === "?" || c === "*" || c === "+" || c === "{") {
      return undefined; // quantifier without an operand we understand
    } else {
      lit = c.charCodeAt(0);
      if (lit > 0xff) return undefined;
    }
    const q = quantAt(i + width);
    if (q) {
      if (q.min0) flush();
      else {
        cur.push(lit as number);
        flush();
      }
      i += width + q.len;
      continue;
    }
    cur.push(lit as number);
    i += width;
  }
  flush();
  if (runs.length === 0) return undefined;
  return { literals: runs.map((r) => Uint8Array.from(r)), nocase: p.flags.includes("i") };
}

/**
 * A pattern for bytes (default-mode pcre literals).
 * @param bytes - literal bytes
 * @returns a pattern flagged `fromPcre`
 */
export function pcreLiteralPattern(bytes: Uint8Array): Pattern {
  return basePattern(bytesPattern(bytes), bytes.length, true);
}

/**
 * A pattern for a content's text (fwsnort's conversion).
 * @param text - content text as written
 * @param length - decoded length
 * @returns the pattern
 */
export function contentPattern(text: string, length: number): Pattern {
  return basePattern(fwsnortPattern(text), length, false);
}
