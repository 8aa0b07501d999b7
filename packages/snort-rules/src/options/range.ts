/** Numeric comparisons and ranges (`dsize`, `ttl`, `itype`, `icode`, `bufferlen`, …). */
import type { RangeExpr, RangeKeyword } from "../types.ts";

const NUM = /^[+-]?(?:0[xX][0-9A-Fa-f]+|\d+)$/;

/** Parse an integer written in decimal or `0x` hex; undefined when it is not one. */
export function parseInteger(s: string): number | undefined {
  // fast path: 1–15 plain decimal digits (no sign, blanks or hex), the common case
  const len = s.length;
  if (len > 0 && len <= 15) {
    let n = 0;
    let i = 0;
    for (; i < len; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      n = n * 10 + c;
    }
    if (i === len) return n;
  }
  const t = s.trim();
  if (!NUM.test(t) || t.length > 24) return undefined;
  const neg = t.startsWith("-");
  const body = t.replace(/^[+-]/, "");
  const n = body.startsWith("0x") || body.startsWith("0X") ? Number.parseInt(body.slice(2), 16) : Number(body);
  if (!Number.isSafeInteger(n)) return undefined;
  return neg ? -n : n;
}

/** Upper bounds per keyword (values above are rejected). */
const MAX: Record<RangeKeyword, number> = {
  dsize: 65535,
  ttl: 255,
  tos: 255,
  id: 65535,
  itype: 255,
  icode: 255,
  icmp_id: 65535,
  icmp_seq: 65535,
  seq: 4294967295,
  ack: 4294967295,
  window: 65535,
  fragoffset: 8191,
  bufferlen: 65535,
  urilen: 65535,
  bsize: 4294967295,
};

/** Which forms each keyword accepts. */
const FORMS: Record<RangeKeyword, { ops: string; between: boolean; dash: boolean }> = {
  dsize: { ops: "=!<>", between: true, dash: false },
  ttl: { ops: "=!<>", between: true, dash: true },
  tos: { ops: "!", between: false, dash: false },
  id: { ops: "", between: false, dash: false },
  itype: { ops: "=!<>", between: true, dash: false },
  icode: { ops: "=!<>", between: true, dash: false },
  icmp_id: { ops: "", between: false, dash: false },
  icmp_seq: { ops: "", between: false, dash: false },
  seq: { ops: "", between: false, dash: false },
  ack: { ops: "", between: false, dash: false },
  window: { ops: "!", between: false, dash: false },
  fragoffset: { ops: "!<>", between: false, dash: false },
  bufferlen: { ops: "=!<>", between: true, dash: false },
  urilen: { ops: "=!<>", between: true, dash: false },
  bsize: { ops: "=!<>", between: true, dash: false },
};

/**
 * Parse a numeric option value for `keyword`. `urilen`/`bufferlen` may carry a `,norm|raw|relative` suffix.
 * @returns the range, the optional suffix, or an error message
 */
export function parseRange(
  keyword: RangeKeyword,
  value: string,
): { ok: true; range: RangeExpr; suffix?: string } | { ok: false; error: string } {
  let v = value.trim();
  let suffix: string | undefined;
  if (keyword === "urilen" || keyword === "bufferlen" || keyword === "bsize") {
    const comma = v.indexOf(",");
    if (comma >= 0) {
      suffix = v.slice(comma + 1).trim();
      v = v.slice(0, comma).trim();
      if (!/^(norm|raw|relative)$/.test(suffix)) return { ok: false, error: `bad ${keyword} suffix '${suffix}'` };
    }
  }
  const forms = FORMS[keyword];
  const max = MAX[keyword];
  const check = (n: number | undefined): n is number => n !== undefined && n >= 0 && n <= max;
  const done = (range: RangeExpr) =>
    suffix === undefined ? { ok: true as const, range } : { ok: true as const, range, suffix };
  const bad = { ok: false as const, error: `bad ${keyword} value '${value.trim()}'` };
  for (const op of ["<=>", "<>"] as const) {
    const i = v.indexOf(op);
    if (i > 0) {
      if (!forms.between) return bad;
      const min = parseInteger(v.slice(0, i));
      const mx = parseInteger(v.slice(i + op.length));
      if (!check(min) || !check(mx) || min > mx) return bad;
      return done({ op, min, max: mx });
    }
  }
  if (forms.dash && /^\d*-\d*$/.test(v) && v !== "-") {
    const [a = "", b = ""] = v.split("-");
    const min = a === "" ? null : (parseInteger(a) ?? -1);
    const mx = b === "" ? null : (parseInteger(b) ?? -1);
    if ((min !== null && !check(min)) || (mx !== null && !check(mx))) return bad;
    if (min !== null && mx !== null && min > mx) return bad;
    return done({ op: "-", min, max: mx });
  }
  const m = /^(<=|>=|<|>|=|!)?\s*(.*)$/.exec(v) as RegExpExecArray;
  const op = (m[1] ?? "=") as "=" | "!" | "<" | ">" | "<=" | ">=";
  if (m[1] && !forms.ops.includes(op[0] as string)) return bad;
  const n = parseInteger(m[2] as string);
  if (!check(n)) return bad;
  return done({ op, value: n });
}

/** Canonical text of a range (no suffix). */
export function formatRange(r: RangeExpr): string {
  if (!("value" in r)) return `${r.min ?? ""}${r.op}${r.max ?? ""}`;
  if (r.op === "=") return String(r.value);
  return `${r.op}${r.value}`;
}

/**
 * Inclusive numeric bounds `[lo, hi]` a range matches (`!` gives the excluded value in `not`). Snort 2 `dsize`
 * `<>` is inclusive; `itype`/`icode` `<>` exclusive; Snort 3 `<>` is always exclusive and `<=>` inclusive.
 * @param keyword - option keyword (decides Snort 2 `<>` semantics)
 * @param r - the range
 * @param dialect - dialect of the rule
 * @returns bounds (and `not` for `!`); an empty match yields lo > hi
 */
export function rangeBounds(
  keyword: RangeKeyword,
  r: RangeExpr,
  dialect: "snort2" | "snort3" | "suricata" = "snort2",
): { lo: number; hi: number; not?: number } {
  const max = MAX[keyword];
  switch (r.op) {
    case "=":
      return { lo: r.value, hi: r.value };
    case "!":
      return { lo: 0, hi: max, not: r.value };
    case "<":
      return { lo: 0, hi: r.value - 1 };
    case ">":
      return { lo: r.value + 1, hi: max };
    case "<=":
      return { lo: 0, hi: r.value };
    case ">=":
      return { lo: r.value, hi: max };
    case "-":
    case "<=>":
      return { lo: r.min ?? 0, hi: r.max ?? max };
    case "<>": {
      const inclusive = dialect === "snort2" && keyword === "dsize";
      const lo = r.min ?? 0;
      const hi = r.max ?? max;
      return inclusive ? { lo, hi } : { lo: lo + 1, hi: hi - 1 };
    }
  }
}
