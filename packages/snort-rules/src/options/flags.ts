/** TCP `flags` and IP `fragbits` values (modifier before or after the letters, 1/2 = CWR/ECE). */

/** Parsed TCP flags value. */
export interface TcpFlagsValue {
  modifier?: "+" | "*" | "!";
  /** canonical letters from `FSRPAUCE` or `0` */
  flags: string;
  mask?: string;
}

const TCP_LETTERS = "FSRPAUCE";

function normFlagLetters(s: string): string | null {
  let out = "";
  for (const ch of s) {
    const c = ch === "1" ? "C" : ch === "2" ? "E" : ch.toUpperCase();
    if (c === "0") {
      if (s.length !== 1) return null;
      return "0";
    }
    if (!TCP_LETTERS.includes(c) || out.includes(c)) return null;
    out += c;
  }
  return out;
}

/**
 * Parse `flags:[!|*|+]<FSRPAUCE0>[,<mask>]` (old postfix modifiers such as `A+`, `SF*` and digits `12` accepted).
 * @returns the value or an error message
 */
export function parseTcpFlags(value: string): { ok: true; value: TcpFlagsValue } | { ok: false; error: string } {
  const [first = "", maskText, ...extra] = value.split(",").map((s) => s.trim());
  if (extra.length > 0) return { ok: false, error: "too many ',' in flags" };
  let modifier: TcpFlagsValue["modifier"];
  let letters = "";
  for (const ch of first) {
    if (ch === "+" || ch === "*" || ch === "!") {
      if (modifier) return { ok: false, error: "more than one flags modifier" };
      modifier = ch;
    } else letters += ch;
  }
  const flags = normFlagLetters(letters);
  if (!flags) return { ok: false, error: `bad TCP flags '${first}'` };
  const out: TcpFlagsValue = { flags };
  if (modifier) out.modifier = modifier;
  if (maskText !== undefined) {
    const mask = normFlagLetters(maskText);
    if (!mask || mask === "0") return { ok: false, error: `bad TCP flags mask '${maskText}'` };
    out.mask = mask;
  }
  return { ok: true, value: out };
}

/** Canonical text of a flags value (modifier first). */
export function formatTcpFlags(v: TcpFlagsValue): string {
  return `${v.modifier ?? ""}${v.flags}${v.mask ? `,${v.mask}` : ""}`;
}

/**
 * Parse `fragbits:[+*!]<MDR>+` (modifier before or after).
 * @returns modifier and canonical bits, or an error message
 */
export function parseFragbits(
  value: string,
): { ok: true; modifier?: "+" | "*" | "!"; bits: string } | { ok: false; error: string } {
  let modifier: "+" | "*" | "!" | undefined;
  let bits = "";
  for (const ch of value.trim()) {
    if (ch === "+" || ch === "*" || ch === "!") {
      if (modifier) return { ok: false, error: "more than one fragbits modifier" };
      modifier = ch;
    } else {
      const c = ch.toUpperCase();
      if (!"MDR".includes(c) || bits.includes(c)) return { ok: false, error: `bad fragbits '${value}'` };
      bits += c;
    }
  }
  if (!bits) return { ok: false, error: "fragbits needs at least one of M, D, R" };
  return modifier ? { ok: true, modifier, bits } : { ok: true, bits };
}
