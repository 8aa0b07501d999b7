/** `pcre` option values: delimiter, body and flags. */
import type { PcreOption } from "../types.ts";

/** Flags accepted after the closing delimiter (Perl, PCRE, Snort 2 buffer flags and Suricata extras). */
const PCRE_FLAGS = "ismxAEGRUIPHDMCKSYBOQVWZL";

/** Snort 2 / Suricata pcre buffer flags and the inspection buffer each selects. */
export const PCRE_BUFFER_FLAGS: Readonly<Record<string, string>> = {
  U: "http_uri",
  I: "http_raw_uri",
  P: "http_client_body",
  H: "http_header",
  D: "http_raw_header",
  M: "http_method",
  C: "http_cookie",
  K: "http_raw_cookie",
  S: "http_stat_code",
  Y: "http_stat_msg",
  B: "raw_data",
};

/** Remove only the rule-level escapes `\;` and `\"` from a regex body (other escapes belong to the regex). */
function unescapeRuleLevel(s: string): string {
  if (!s.includes("\\")) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (ch === "\\" && i + 1 < s.length) {
      const nx = s[i + 1] as string;
      out += nx === ";" || nx === '"' ? nx : ch + nx;
      i++;
    } else out += ch;
  }
  return out;
}

/** Inverse of unescapeRuleLevel: add a backslash to bare `;` and `"` (pairs `\x` are copied). */
function escapePcrePattern(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (ch === "\\" && i + 1 < s.length) {
      out += ch + (s[i + 1] as string);
      i++;
    } else if (ch === ";" || ch === '"') out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/**
 * Parse the inside of `pcre:[!]"…"` (the quoted text, escapes present).
 * @param inner - text between the quotes
 * @param negated - whether a `!` preceded the quote
 * @returns the option or an error message
 */
export function parsePcre(
  inner: string,
  negated: boolean,
): { ok: true; value: PcreOption } | { ok: false; error: string } {
  let m = false;
  let delim = "/";
  let i = 0;
  if (inner[0] === "m" && inner.length > 1 && !/[A-Za-z0-9\s\\]/.test(inner[1] as string)) {
    m = true;
    delim = inner[1] as string;
    i = 2;
  } else if (inner[0] === "/") i = 1;
  else return { ok: false, error: "pcre must start with '/' or 'm<delimiter>'" };
  const close = closingDelimiter(inner, i, delim);
  if (close < 0) return { ok: false, error: `missing closing '${delim}' in pcre` };
  const flags = inner.slice(close + 1);
  for (const f of flags) {
    if (!PCRE_FLAGS.includes(f)) return { ok: false, error: `unknown pcre flag '${f}'` };
  }
  // (flags are ASCII here: every one is in PCRE_FLAGS)
  for (let j = 1; j < flags.length; j++)
    if (flags.lastIndexOf(flags[j] as string, j - 1) >= 0) return { ok: false, error: "duplicate pcre flag" };
  return {
    ok: true,
    value: { kind: "pcre", negated, delimiter: delim, m, pattern: unescapeRuleLevel(inner.slice(i, close)), flags },
  };
}

/** Index of the last unescaped closing delimiter (flags follow it). */
function closingDelimiter(s: string, from: number, delim: string): number {
  let last = -1;
  for (let j = from; j < s.length; j++) {
    const ch = s[j];
    if (ch === "\\") {
      j++;
      continue;
    }
    if (ch === delim) last = j;
  }
  return last;
}

/** Canonical quoted-value text of a pcre option (without the keyword). */
export function formatPcre(p: PcreOption): string {
  const body = escapePcrePattern(p.pattern);
  const open = p.m ? `m${p.delimiter}` : "/";
  return `${p.negated ? "!" : ""}"${open}${body}${p.delimiter}${p.flags}"`;
}
