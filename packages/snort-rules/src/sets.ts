/** Exact set semantics of address / port expressions (union minus negation, nesting), as interval sets. */
import ipaddr from "ipaddr.js";
import type { AddrExpr, PortExpr, Result } from "./types.ts";
import type { ResolveError } from "./variables.ts";

/** Inclusive interval. */
export type Interval<T> = [T, T];

/** IPv4 and IPv6 address sets as sorted, merged inclusive intervals of integer addresses. */
export interface AddressSet {
  v4: Interval<bigint>[];
  v6: Interval<bigint>[];
}

const V4_MAX = (1n << 32n) - 1n;
const V6_MAX = (1n << 128n) - 1n;

type Iv = Interval<bigint>;

function normalize(xs: Iv[]): Iv[] {
  const s = xs.map((x): Iv => [x[0], x[1]]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Iv[] = [];
  for (const iv of s) {
    const last = out[out.length - 1];
    if (last && iv[0] <= last[1] + 1n) {
      if (iv[1] > last[1]) last[1] = iv[1];
    } else out.push(iv);
  }
  return out;
}

/** Complement of a normalized set within [0, max]. */
function complement(xs: Iv[], max: bigint): Iv[] {
  const out: Iv[] = [];
  let next = 0n;
  for (const [lo, hi] of xs) {
    if (lo > next) out.push([next, lo - 1n]);
    next = hi + 1n;
  }
  if (next <= max) out.push([next, max]);
  return out;
}

function intersect(a: Iv[], b: Iv[]): Iv[] {
  const out: Iv[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Iv;
    const y = b[j] as Iv;
    // biome-ignore lint/complexity/useMathMinMax: bigint operands (Math.max does not accept bigint)
    const lo = x[0] > y[0] ? x[0] : y[0];
    // biome-ignore lint/complexity/useMathMinMax: bigint operands (Math.min does not accept bigint)
    const hi = x[1] < y[1] ? x[1] : y[1];
    if (lo <= hi) out.push([lo, hi]);
    if (x[1] < y[1]) i++;
    else j++;
  }
  return out;
}

/** a minus b, both normalized. */
function subtract(a: Iv[], b: Iv[], max: bigint): Iv[] {
  return intersect(a, complement(b, max));
}

function toBig(bytes: number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function ipInterval(text: string): { family: "v4" | "v6"; iv: Interval<bigint> } {
  const slash = text.indexOf("/");
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const addr = ipaddr.parse(addrText);
  const bits = addr.kind() === "ipv4" ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const m = text.slice(slash + 1);
    prefix = m.includes(".") ? (ipaddr.IPv4.parse(m).prefixLengthFromSubnetMask() ?? 32) : Number(m);
  }
  const v = toBig(addr.toByteArray());
  const hostBits = BigInt(bits - prefix);
  const lo = (v >> hostBits) << hostBits; // host bits ignored (spec H21)
  const hi = lo + (1n << hostBits) - 1n;
  return { family: addr.kind() === "ipv4" ? "v4" : "v6", iv: [lo, hi] };
}

function evalAddr(e: AddrExpr): Result<AddressSet, ResolveError> {
  switch (e.kind) {
    case "any":
      return { ok: true, value: { v4: [[0n, V4_MAX]], v6: [[0n, V6_MAX]] } };
    case "var":
      return {
        ok: false,
        error: { code: "SNORT_UNDEFINED_VARIABLE", message: `unresolved variable $${e.name}`, variable: e.name },
      };
    case "ip": {
      const { family, iv } = ipInterval(e.text);
      const set: AddressSet = { v4: [], v6: [] };
      set[family].push(iv);
      return { ok: true, value: e.negated ? negateAddr(set) : set };
    }
    case "list": {
      const pos: AddressSet = { v4: [], v6: [] };
      const neg: AddressSet = { v4: [], v6: [] };
      let anyPositive = false;
      for (const it of e.items) {
        const inner = it.kind === "any" ? it : ({ ...it, negated: false } as AddrExpr);
        const r = evalAddr(inner);
        if (!r.ok) return r;
        const target = it.kind !== "any" && it.negated ? neg : pos;
        if (!(it.kind !== "any" && it.negated)) anyPositive = true;
        target.v4.push(...r.value.v4);
        target.v6.push(...r.value.v6);
      }
      const base: AddressSet = anyPositive
        ? { v4: normalize(pos.v4), v6: normalize(pos.v6) }
        : { v4: [[0n, V4_MAX]], v6: [[0n, V6_MAX]] };
      const set: AddressSet = {
        v4: subtract(base.v4, normalize(neg.v4), V4_MAX),
        v6: subtract(base.v6, normalize(neg.v6), V6_MAX),
      };
      return { ok: true, value: e.negated ? negateAddr(set) : set };
    }
  }
}

function negateAddr(s: AddressSet): AddressSet {
  return { v4: complement(normalize(s.v4), V4_MAX), v6: complement(normalize(s.v6), V6_MAX) };
}

/**
 * Evaluate a variable-free address expression to exact IPv4/IPv6 interval sets: a list is the union of its
 * non-negated members minus the union of its negated members (only-negated lists start from "everything").
 * @param expr - address expression (resolve variables first with resolveAddressExpr)
 * @returns the set, or SNORT_UNDEFINED_VARIABLE for a leftover variable
 * @example
 * addressSet(parseAddressExpr("[10.0.0.0/8,!10.1.0.0/16]").value) // v4: 10.0.0.0-10.0.255.255, 10.2.0.0-10.255.255.255
 */
export function addressSet(expr: AddrExpr): Result<AddressSet, ResolveError> {
  const r = evalAddr(expr);
  if (!r.ok) return r;
  return { ok: true, value: { v4: normalize(r.value.v4), v6: normalize(r.value.v6) } };
}

const PMAX = 65535n;

function evalPort(e: PortExpr): Result<Iv[], ResolveError> {
  switch (e.kind) {
    case "any":
      return { ok: true, value: [[0n, PMAX]] };
    case "var":
      return {
        ok: false,
        error: { code: "SNORT_UNDEFINED_VARIABLE", message: `unresolved variable $${e.name}`, variable: e.name },
      };
    case "port":
    case "range": {
      const iv: Iv =
        e.kind === "port" ? [BigInt(e.port), BigInt(e.port)] : [BigInt(e.min ?? 0), BigInt(e.max ?? 65535)];
      return { ok: true, value: e.negated ? complement([iv], PMAX) : [iv] };
    }
    case "list": {
      const pos: Iv[] = [];
      const neg: Iv[] = [];
      let anyPositive = false;
      for (const it of e.items) {
        const negated = it.kind !== "any" && it.negated;
        const r = evalPort(negated ? ({ ...it, negated: false } as PortExpr) : it);
        if (!r.ok) return r;
        (negated ? neg : pos).push(...r.value);
        if (!negated) anyPositive = true;
      }
      const base: Iv[] = anyPositive ? normalize(pos) : [[0n, PMAX]];
      const set = subtract(base, normalize(neg), PMAX);
      return { ok: true, value: e.negated ? complement(set, PMAX) : set };
    }
  }
}

/**
 * Evaluate a variable-free port expression to sorted, merged inclusive port intervals.
 * @param expr - port expression
 * @returns intervals, or SNORT_UNDEFINED_VARIABLE for a leftover variable
 * @example
 * portSet(parsePortExpr("[1:80,![2,4]]").value) // [[1,1],[3,3],[5,80]]
 */
export function portSet(expr: PortExpr): Result<Interval<number>[], ResolveError> {
  const r = evalPort(expr);
  if (!r.ok) return r;
  return { ok: true, value: normalize(r.value).map(([lo, hi]): Interval<number> => [Number(lo), Number(hi)]) };
}

function fromBig(v: bigint, bytes: number): number[] {
  const out: number[] = new Array(bytes).fill(0);
  for (let i = bytes - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/**
 * Cover interval sets with the minimal list of CIDR blocks (e.g. for `iptables -s`).
 * @param set - an address set
 * @returns CIDR strings per family
 */
export function addressSetToCidrs(set: AddressSet): { v4: string[]; v6: string[] } {
  const cover = (ivs: Interval<bigint>[], bits: number): string[] => {
    const out: string[] = [];
    for (const [lo0, hi] of ivs) {
      let lo = lo0;
      while (lo <= hi) {
        let size = 0;
        while (size < bits && (lo & ((1n << BigInt(size + 1)) - 1n)) === 0n && lo + (1n << BigInt(size + 1)) - 1n <= hi)
          size++;
        const addr = ipaddr.fromByteArray(fromBig(lo, bits / 8));
        out.push(`${bits === 128 ? (addr as ipaddr.IPv6).toRFC5952String() : addr.toString()}/${bits - size}`);
        lo += 1n << BigInt(size);
      }
    }
    return out;
  };
  return { v4: cover(set.v4, 32), v6: cover(set.v6, 128) };
}
