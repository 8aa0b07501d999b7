/** Address and port expressions of the rule header: parsing, validation and formatting. */
import ipaddr from "ipaddr.js";
import type { AddrExpr, PortExpr } from "./types.ts";

/** Maximum nesting of `[ … ]` lists accepted (hostile input guard). */
export const MAX_LIST_DEPTH = 32;

/** Result of parsing a header address or port expression: the AST, or the reason it is invalid. */
export type ParseOut<T> = { ok: true; value: T } | { ok: false; error: string };

const VAR_RE = /^\$(?:\(([A-Za-z_][A-Za-z0-9_]*)(?::[-?][^)]*)?\)|([A-Za-z_][A-Za-z0-9_]*))$/;

/** Check an IPv4/IPv6 literal with optional `/prefix` (or IPv4 dotted mask). */
function isValidIpText(text: string): boolean {
  const slash = text.indexOf("/");
  const addr = slash < 0 ? text : text.slice(0, slash);
  const mask = slash < 0 ? undefined : text.slice(slash + 1);
  if (ipaddr.IPv4.isValidFourPartDecimal(addr)) {
    if (mask === undefined) return true;
    if (/^\d{1,2}$/.test(mask)) return Number(mask) <= 32;
    if (!ipaddr.IPv4.isValidFourPartDecimal(mask)) return false;
    return ipaddr.IPv4.parse(mask).prefixLengthFromSubnetMask() !== null;
  }
  if (addr.includes(":") && ipaddr.IPv6.isValid(addr) && !addr.includes("%")) {
    if (mask === undefined) return true;
    return /^\d{1,3}$/.test(mask) && Number(mask) <= 128;
  }
  return false;
}

/** Split a list body at top-level commas (depth-aware). */
function splitTopLevel(s: string): string[] | null {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "[") depth++;
    else if (c === "]") {
      depth--;
      if (depth < 0) return null;
    } else if (c === "," && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return null;
  parts.push(s.slice(start));
  return parts;
}

function listDepth(s: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "[") {
      depth++;
      if (depth > max) max = depth;
    } else if (s[i] === "]") depth--;
  }
  return max;
}

function parseNeg(token: string): { negated: boolean; rest: string } {
  let t = token.trim();
  let negated = false;
  if (t.startsWith("!")) {
    negated = true;
    t = t.slice(1).trim();
  }
  return { negated, rest: t };
}

function parseAddrInner(token: string, depth: number): ParseOut<AddrExpr> {
  const { negated, rest } = parseNeg(token);
  if (rest === "") return { ok: false, error: "empty address" };
  if (rest.startsWith("!")) return { ok: false, error: `double negation in '${token}'` };
  if (rest === "any") {
    if (negated) return { ok: false, error: "'!any' matches nothing" };
    return { ok: true, value: { kind: "any" } };
  }
  if (rest.startsWith("[")) {
    if (!rest.endsWith("]")) return { ok: false, error: `unbalanced list '${rest}'` };
    if (depth >= MAX_LIST_DEPTH) return { ok: false, error: `lists nested deeper than ${MAX_LIST_DEPTH}` };
    const parts = splitTopLevel(rest.slice(1, -1));
    if (!parts) return { ok: false, error: `unbalanced list '${rest}'` };
    const items: AddrExpr[] = [];
    for (const p of parts) {
      const r = parseAddrInner(p, depth + 1);
      if (!r.ok) return r;
      items.push(r.value);
    }
    return { ok: true, value: { kind: "list", negated, items } };
  }
  if (rest.startsWith("$")) {
    const m = VAR_RE.exec(rest);
    if (!m) return { ok: false, error: `bad variable reference '${rest}'` };
    return { ok: true, value: { kind: "var", negated, name: (m[1] ?? m[2]) as string } };
  }
  if (!isValidIpText(rest)) return { ok: false, error: `invalid address '${rest}'` };
  return { ok: true, value: { kind: "ip", negated, text: rest } };
}

/**
 * Parse an address expression (`any`, `!10.0.0.0/8`, `[a,!b,[c]]`, `$HOME_NET`, IPv6 …).
 * @param text - the header token (blanks inside lists allowed)
 * @returns the expression or an error message
 */
export function parseAddressExpr(text: string): ParseOut<AddrExpr> {
  if (listDepth(text) > MAX_LIST_DEPTH) return { ok: false, error: `lists nested deeper than ${MAX_LIST_DEPTH}` };
  return parseAddrInner(text, 0);
}

function parsePortNumber(s: string): number | null {
  if (!/^\d{1,5}$/.test(s)) return null;
  const n = Number(s);
  return n <= 65535 ? n : null;
}

function parsePortInner(token: string, depth: number): ParseOut<PortExpr> {
  const { negated, rest } = parseNeg(token);
  if (rest === "") return { ok: false, error: "empty port" };
  if (rest.startsWith("!")) return { ok: false, error: `double negation in '${token}'` };
  if (rest === "any") {
    if (negated) return { ok: false, error: "'!any' matches nothing" };
    return { ok: true, value: { kind: "any" } };
  }
  if (rest.startsWith("[")) {
    if (!rest.endsWith("]")) return { ok: false, error: `unbalanced list '${rest}'` };
    if (depth >= MAX_LIST_DEPTH) return { ok: false, error: `lists nested deeper than ${MAX_LIST_DEPTH}` };
    const parts = splitTopLevel(rest.slice(1, -1));
    if (!parts) return { ok: false, error: `unbalanced list '${rest}'` };
    const items: PortExpr[] = [];
    for (const p of parts) {
      const r = parsePortInner(p, depth + 1);
      if (!r.ok) return r;
      items.push(r.value);
    }
    return { ok: true, value: { kind: "list", negated, items } };
  }
  if (rest.startsWith("$")) {
    const m = VAR_RE.exec(rest);
    if (!m) return { ok: false, error: `bad variable reference '${rest}'` };
    return { ok: true, value: { kind: "var", negated, name: (m[1] ?? m[2]) as string } };
  }
  const colon = rest.indexOf(":");
  if (colon >= 0) {
    const a = rest.slice(0, colon).trim();
    const b = rest.slice(colon + 1).trim();
    const min = a === "" ? null : parsePortNumber(a);
    const max = b === "" ? null : parsePortNumber(b);
    if ((a !== "" && min === null) || (b !== "" && max === null) || (a === "" && b === "")) {
      return { ok: false, error: `invalid port range '${rest}'` };
    }
    if (min !== null && max !== null && min > max) return { ok: false, error: `empty port range '${rest}'` };
    return { ok: true, value: { kind: "range", negated, min, max } };
  }
  const p = parsePortNumber(rest);
  if (p === null) return { ok: false, error: `invalid port '${rest}'` };
  return { ok: true, value: { kind: "port", negated, port: p } };
}

/**
 * Parse a port expression (`any`, `80`, `1024:`, `:1023`, `![80,443]`, `$HTTP_PORTS` …).
 * @param text - the header token
 * @returns the expression or an error message
 */
export function parsePortExpr(text: string): ParseOut<PortExpr> {
  if (listDepth(text) > MAX_LIST_DEPTH) return { ok: false, error: `lists nested deeper than ${MAX_LIST_DEPTH}` };
  return parsePortInner(text, 0);
}

/** Canonical text of an address expression. */
export function formatAddressExpr(e: AddrExpr): string {
  switch (e.kind) {
    case "any":
      return "any";
    case "ip":
      return `${e.negated ? "!" : ""}${e.text}`;
    case "var":
      return `${e.negated ? "!" : ""}$${e.name}`;
    case "list":
      return `${e.negated ? "!" : ""}[${e.items.map(formatAddressExpr).join(",")}]`;
  }
}

/** Canonical text of a port expression. */
export function formatPortExpr(e: PortExpr): string {
  switch (e.kind) {
    case "any":
      return "any";
    case "port":
      return `${e.negated ? "!" : ""}${e.port}`;
    case "range":
      return `${e.negated ? "!" : ""}${e.min ?? ""}:${e.max ?? ""}`;
    case "var":
      return `${e.negated ? "!" : ""}$${e.name}`;
    case "list":
      return `${e.negated ? "!" : ""}[${e.items.map(formatPortExpr).join(",")}]`;
  }
}
