import ipaddr from "ipaddr.js";

/** An IPv4 or IPv6 network with integer words for fast containment tests. */
export interface Cidr {
  v6: boolean;
  /** Network words: one 32-bit word for IPv4, four for IPv6 (most significant first). */
  words: number[];
  prefix: number;
  /** Text form as given (normalised). */
  text: string;
}

/** Integer words of an address in psad form (dotted IPv4 or 8x4 IPv6); undefined when invalid. */
export function addrWords(addr: string): { v6: boolean; words: number[] } | undefined {
  if (addr.indexOf(":") < 0) {
    const p = addr.split(".");
    if (p.length !== 4) return undefined;
    let w = 0;
    for (const s of p) {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0 || n > 255 || s === "") return undefined;
      w = w * 256 + n;
    }
    return { v6: false, words: [w >>> 0] };
  }
  try {
    const parts = (ipaddr.parse(addr) as ipaddr.IPv6).parts;
    if (parts.length !== 8) return undefined;
    const words: number[] = [];
    for (let i = 0; i < 8; i += 2) words.push((((parts[i] as number) << 16) | (parts[i + 1] as number)) >>> 0);
    return { v6: true, words };
  } catch {
    return undefined;
  }
}

function maskWord(w: number, bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return w >>> 0;
  return (w & (0xffffffff << (32 - bits))) >>> 0;
}

/** Parse `a.b.c.d`, `a.b.c.d/nn`, `a.b.c.d/m.m.m.m`, IPv6 and IPv6/len; undefined when invalid. */
export function parseCidr(text: string): Cidr | undefined {
  const t = text.trim();
  const slash = t.indexOf("/");
  const addr = slash < 0 ? t : t.slice(0, slash);
  const a = addrWords(addr);
  if (!a) return undefined;
  let prefix = a.v6 ? 128 : 32;
  if (slash >= 0) {
    const m = t.slice(slash + 1);
    if (/^\d+$/.test(m)) prefix = Number(m);
    else if (!a.v6) {
      const mw = addrWords(m);
      if (!mw) return undefined;
      const bits = (mw.words[0] as number).toString(2).replace(/0+$/, "");
      if (bits.includes("0")) return undefined;
      prefix = bits.length;
    } else return undefined;
    if (prefix < 0 || prefix > (a.v6 ? 128 : 32)) return undefined;
  }
  const words = a.words.map((w, i) => maskWord(w, prefix - i * 32));
  return { v6: a.v6, words, prefix, text: t };
}

/** True when the address words lie within `net` (same family only). */
export function cidrContains(net: Cidr, v6: boolean, words: number[]): boolean {
  if (net.v6 !== v6) return false;
  for (let i = 0; i < net.words.length; i++) {
    const bits = net.prefix - i * 32;
    if (bits <= 0) return true;
    if (maskWord(words[i] as number, bits) !== net.words[i]) return false;
  }
  return true;
}

/** Upper-case compressed IPv6 (NetAddr's `short()`, used by psad's reports); IPv4 unchanged. */
export function shortIpv6(addr: string): string {
  if (addr.indexOf(":") < 0) return addr;
  try {
    return ipaddr.parse(addr).toString().toUpperCase();
  } catch {
    return addr;
  }
}
