import { addrWords, type Cidr, cidrContains, parseCidr } from "./cidr.ts";
import type { IpOptionTable } from "./data-files.ts";
import { decodeIpOptions } from "./options.ts";
import type { Packet } from "./packet.ts";
import { TCP_FLAG } from "./packet.ts";
import type { Diagnostic } from "./types.ts";

/** An integer test (`N`, `N:M`, `<N`, `>=N`, `!…`). */
export interface IntRange {
  lo: number;
  hi: number;
  neg: boolean;
}

/** Address side of a signature. */
export interface NetSpec {
  any: boolean;
  neg: boolean;
  nets: Cidr[];
}

/** Port side of a signature (`any` is 1-65535 as in psad). */
export interface PortSpec {
  lo: number;
  hi: number;
  neg: boolean;
}

/** A compiled psad signature. */
export interface Signature {
  /** The id psad reports: `sid`, or `psad_id` when the rule has no sid. */
  sid: number;
  psadId: number;
  /** True when the rule has no Snort sid (reported as psad_id). */
  isPsadId: boolean;
  msg: string;
  proto: "tcp" | "udp" | "icmp" | "ip";
  src: NetSpec;
  dst: NetSpec;
  sp: PortSpec;
  dp: PortSpec;
  bidirectional: boolean;
  dl: number;
  classtype: string;
  references: { type: string; id: string }[];
  derivedSids: number[];
  /** Required TCP flag bits and Snort modifier: exact, `+` (at least), `*` (any of), `!` (none of). */
  flags: { bits: number; mode: "exact" | "plus" | "any" | "not" } | undefined;
  ints: Record<IntKeyword, IntRange | undefined>;
  ipopts: string | undefined;
  sameip: boolean;
}

type IntKeyword =
  | "dsize"
  | "psad_dsize"
  | "psad_ip_len"
  | "ttl"
  | "id"
  | "seq"
  | "ack"
  | "window"
  | "itype"
  | "icode"
  | "icmp_id"
  | "icmp_seq";

const INT_KEYWORDS = new Set<string>([
  "dsize",
  "psad_dsize",
  "psad_ip_len",
  "ttl",
  "id",
  "seq",
  "ack",
  "window",
  "itype",
  "icode",
  "icmp_id",
  "icmp_seq",
]);
const UNSUPPORTED = new Set([
  "ip_proto",
  "content",
  "uricontent",
  "pcre",
  "fragbits",
  "content-list",
  "rpc",
  "byte_test",
  "byte_jump",
  "distance",
  "within",
  "flowbits",
  "rawbytes",
  "regex",
  "isdataat",
  "offset",
  "replace",
  "resp",
]);

/** Parse a psad integer keyword value. */
export function parseIntRange(text: string): IntRange | undefined {
  let t = text.trim();
  let neg = false;
  if (t.startsWith("!")) {
    neg = true;
    t = t.slice(1).trim();
  }
  const M = Number.MAX_SAFE_INTEGER;
  const rules: [RegExp, (a: number, b: number) => [number, number]][] = [
    [/^(\d+)$/, (a) => [a, a]],
    [/^(\d+)\s*:\s*(\d+)$/, (a, b) => [a, b]],
    [/^(\d+)\s*:$/, (a) => [a, M]],
    [/^:\s*(\d+)$/, (a) => [0, a]],
    [/^<=\s*(\d+)$/, (a) => [0, a]],
    [/^<\s*(\d+)$/, (a) => [0, a - 1]],
    [/^>=\s*(\d+)$/, (a) => [a, M]],
    [/^>\s*(\d+)$/, (a) => [a + 1, M]],
  ];
  for (const [re, f] of rules) {
    const m = re.exec(t);
    if (m) {
      const [lo, hi] = f(Number(m[1]), Number(m[2]));
      return { lo, hi, neg };
    }
  }
  return undefined;
}

function inRange(r: IntRange, v: number): boolean {
  const x = Math.max(v, 0);
  const inside = x >= r.lo && x <= r.hi;
  return r.neg ? !inside : inside;
}

function splitOptions(body: string): string[] {
  const out: string[] = [];
  let cur = "";
  let q = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === "\\" && i + 1 < body.length) {
      cur += c + body[i + 1];
      i++;
      continue;
    }
    if (c === '"') q = !q;
    if (c === ";" && !q) {
      if (cur.trim()) out.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function expandVar(v: string, vars: Record<string, string>): string | undefined {
  if (!v.includes("$")) return v;
  if ((v.match(/\$/g) ?? []).length > 1) return undefined;
  return v.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/, (_w, name: string) => vars[name] ?? `\u0000${name}`);
}

function parseNet(text: string, vars: Record<string, string>): NetSpec | string {
  const e = expandVar(text, vars);
  if (e === undefined) return `two variables in one address field: ${text}`;
  if (e.includes("\u0000")) return `undefined variable in ${text}`;
  let t = e.trim();
  let neg = false;
  if (t.startsWith("!")) {
    neg = true;
    t = t.slice(1);
  }
  t = t.replace(/^\[|\]$/g, "");
  if (t === "any" || t === "NOT_USED") return { any: true, neg: false, nets: [] };
  const nets: Cidr[] = [];
  for (const part of t.split(",")) {
    const p = part.trim();
    if (!p) continue;
    if (p === "any") return { any: true, neg: false, nets: [] };
    const c = parseCidr(p);
    if (!c) return `bad address ${p}`;
    nets.push(c);
  }
  return { any: false, neg, nets };
}

function parsePort(text: string, vars: Record<string, string>): PortSpec | string {
  const e = expandVar(text, vars);
  if (e === undefined || e.includes("\u0000")) return `bad port variable ${text}`;
  let t = e.trim();
  let neg = false;
  if (t.startsWith("!")) {
    neg = true;
    t = t.slice(1);
  }
  if (t === "any") return { lo: 1, hi: 65535, neg: false };
  const rules: [RegExp, (a: number, b: number) => [number, number]][] = [
    [/^(\d+)$/, (a) => [a, a]],
    [/^(\d+):(\d+)$/, (a, b) => [a, b]],
    [/^(\d+):$/, (a) => [a, 65535]],
    [/^:(\d+)$/, (a) => [0, a]],
  ];
  for (const [re, f] of rules) {
    const m = re.exec(t);
    if (m) {
      const [lo, hi] = f(Number(m[1]), Number(m[2]));
      return { lo, hi, neg };
    }
  }
  return `bad port ${text}`;
}

const FLAG_LETTER: Record<string, number> = {
  U: TCP_FLAG.URG,
  A: TCP_FLAG.ACK,
  P: TCP_FLAG.PSH,
  R: TCP_FLAG.RST,
  S: TCP_FLAG.SYN,
  F: TCP_FLAG.FIN,
};

function parseFlags(v: string): Signature["flags"] {
  const main = v.split(",")[0]?.trim() ?? "";
  let mode: "exact" | "plus" | "any" | "not" = "exact";
  let bits = 0;
  for (const ch of main) {
    if (ch === "+") mode = "plus";
    else if (ch === "*") mode = "any";
    else if (ch === "!") mode = "not";
    else if (FLAG_LETTER[ch] !== undefined) bits |= FLAG_LETTER[ch] as number;
    // 0 = no flags; 1 2 C E (reserved/ECN bits) are ignored like psad
  }
  return { bits, mode };
}

/** Options of {@link parseSignatures}. */
export interface ParseSignaturesOptions {
  /** psad.conf values used for `$VAR` (HOME_NET, EXTERNAL_NET, HTTP_PORTS …). */
  vars?: Record<string, string>;
  /** Reject rules with unsupported keywords or without psad_id (ENABLE_SNORT_SIG_STRICT), default true. */
  strict?: boolean;
}

/**
 * Parse psad's signatures file. Bad rules are skipped with a PSAD_SIGNATURE_INVALID diagnostic
 * (psad dies instead); with `strict` a rule using an unsupported keyword is skipped too.
 */
export function parseSignatures(
  text: string,
  options: ParseSignaturesOptions = {},
): { signatures: Signature[]; diagnostics: Diagnostic[] } {
  const vars = options.vars ?? {};
  const strict = options.strict ?? true;
  const signatures: Signature[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<number>();
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] as string).trim();
    if (!line || line.startsWith("#")) continue;
    const bad = (message: string) =>
      diagnostics.push({
        code: "PSAD_SIGNATURE_INVALID",
        severity: "error",
        line: n + 1,
        message: `line ${n + 1}: ${message}`,
      });
    const m =
      /^alert\s+(\S+)\s+(\S+|\[[^\]]*\])\s+(\S+)\s+(->|<-|<>)\s+(\S+|\[[^\]]*\])\s+(\S+)\s*\((.*)\)\s*;?\s*$/.exec(
        line,
      );
    if (!m) {
      bad("not a signature (alert <proto> <src> <sport> <dir> <dst> <dport> (…))");
      continue;
    }
    const proto = (m[1] as string).toLowerCase();
    if (proto !== "tcp" && proto !== "udp" && proto !== "icmp" && proto !== "ip") {
      bad(`unsupported protocol ${proto}`);
      continue;
    }
    let [srcT, spT, dstT, dpT] = [m[2] as string, m[3] as string, m[5] as string, m[6] as string];
    if (m[4] === "<-") [srcT, spT, dstT, dpT] = [dstT, dpT, srcT, spT];
    const src = parseNet(srcT, vars);
    const dst = parseNet(dstT, vars);
    const sp = parsePort(spT, vars);
    const dp = parsePort(dpT, vars);
    if (typeof src === "string" || typeof dst === "string" || typeof sp === "string" || typeof dp === "string") {
      bad([src, dst, sp, dp].find((x) => typeof x === "string") as string);
      continue;
    }
    const sig: Signature = {
      sid: 0,
      psadId: 0,
      isPsadId: false,
      msg: "",
      proto,
      src,
      dst,
      sp,
      dp,
      bidirectional: m[4] === "<>",
      dl: -1,
      classtype: "",
      references: [],
      derivedSids: [],
      flags: undefined,
      ints: {} as Signature["ints"],
      ipopts: undefined,
      sameip: false,
    };
    // every keyword present (undefined when unused): one object shape for fast, monomorphic matching
    sig.ints = {
      dsize: undefined,
      psad_dsize: undefined,
      psad_ip_len: undefined,
      ttl: undefined,
      id: undefined,
      seq: undefined,
      ack: undefined,
      window: undefined,
      itype: undefined,
      icode: undefined,
      icmp_id: undefined,
      icmp_seq: undefined,
    };
    let sid = 0;
    let unsupported = "";
    let errMsg = "";
    for (const opt of splitOptions(m[7] as string)) {
      const c = opt.indexOf(":");
      const k = (c < 0 ? opt : opt.slice(0, c)).trim();
      const v = c < 0 ? "" : opt.slice(c + 1).trim();
      if (k === "msg") sig.msg = v.replace(/^"|"$/g, "");
      else if (k === "sid") sid = Number(v);
      else if (k === "psad_id") sig.psadId = Number(v);
      else if (k === "psad_dl") sig.dl = Number(v);
      else if (k === "classtype") sig.classtype = v;
      else if (k === "reference") {
        const [type, ...id] = v.split(",");
        sig.references.push({ type: (type ?? "").trim(), id: id.join(",").trim() });
      } else if (k === "psad_derived_sids") sig.derivedSids = v.split(",").map((x) => Number(x.trim()));
      else if (k === "flags") sig.flags = parseFlags(v);
      else if (k === "flow") {
        if (/established/.test(v)) sig.flags = { bits: (sig.flags?.bits ?? 0) | TCP_FLAG.ACK, mode: "plus" };
      } else if (k === "ipopts") sig.ipopts = v.trim();
      else if (k === "sameip") sig.sameip = true;
      else if (INT_KEYWORDS.has(k)) {
        const r = parseIntRange(v);
        if (!r) errMsg = `bad ${k} value ${v}`;
        else sig.ints[k as IntKeyword] = r;
      } else if (UNSUPPORTED.has(k)) unsupported = k;
    }
    if (errMsg) {
      bad(errMsg);
      continue;
    }
    if (!sig.msg) {
      bad("missing msg");
      continue;
    }
    if (!sig.psadId && strict) {
      bad("missing psad_id");
      continue;
    }
    if (unsupported) {
      diagnostics.push({
        code: "PSAD_SIGNATURE_INVALID",
        severity: strict ? "error" : "warning",
        line: n + 1,
        message: `line ${n + 1}: unsupported keyword ${unsupported}; rule skipped`,
      });
      continue;
    }
    sig.sid = sid || sig.psadId;
    sig.isPsadId = !sid;
    if (sig.dl < 0) sig.dl = 2;
    if (seen.has(sig.sid)) {
      bad(`duplicate id ${sig.sid}`);
      continue;
    }
    seen.add(sig.sid);
    signatures.push(sig);
  }
  return { signatures, diagnostics };
}

/** A signature hit on one packet. */
export interface SignatureHit {
  sig: Signature;
  dl: number;
}

/** Precompiled matcher over a signature set. */
export interface SignatureMatcher {
  /** Every signature matching the packet (several per packet are possible); the array is reused by the next call. */
  match(pkt: Packet): Signature[];
}

function netMatch(spec: NetSpec, v6: boolean, words: number[] | undefined): boolean {
  if (spec.any) return true;
  if (!words) return false;
  let hit = false;
  for (const n of spec.nets)
    if (cidrContains(n, v6, words)) {
      hit = true;
      break;
    }
  return spec.neg ? !hit : hit;
}

function portMatch(p: PortSpec, v: number): boolean {
  const inside = v >= p.lo && v <= p.hi;
  return p.neg ? !inside : inside;
}

function flagsMatch(f: NonNullable<Signature["flags"]>, bits: number): boolean {
  const b = bits & 0x3f;
  switch (f.mode) {
    case "exact":
      return b === f.bits;
    case "plus":
      return (b & f.bits) === f.bits;
    case "any":
      return (b & f.bits) !== 0;
    case "not":
      return (b & f.bits) === 0;
  }
}

/** Build a matcher: per-protocol lists indexed by destination port, nets tested with integer math. */
export function createSignatureMatcher(
  signatures: readonly Signature[],
  ipOptions: IpOptionTable,
  options: { psadCompat?: boolean } = {},
): SignatureMatcher {
  // ICMP payload size: psad subtracts a 4-byte ICMP header; the real header (and Snort's dsize) is 8 bytes
  const icmpHdr = options.psadCompat ? 24 : 28;
  const byProto: Record<string, Signature[]> = { tcp: [], udp: [], icmp: [], ip: [] };
  for (const s of signatures) (byProto[s.proto] as Signature[]).push(s);
  const portCache: Record<string, Map<number, Signature[]>> = { tcp: new Map(), udp: new Map() };
  const candidates = (proto: "tcp" | "udp", sp: number, dp: number, bits: number): Signature[] => {
    const key = (dp * 65536 + sp) * 64 + (bits & 0x3f);
    const cache = portCache[proto] as Map<number, Signature[]>;
    let c = cache.get(key);
    if (!c) {
      c = (byProto[proto] as Signature[]).filter(
        (s) =>
          (s.flags === undefined || flagsMatch(s.flags, bits)) &&
          ((portMatch(s.sp, sp) && portMatch(s.dp, dp)) ||
            (s.bidirectional && portMatch(s.sp, dp) && portMatch(s.dp, sp))),
      );
      if (cache.size > 200_000) cache.clear();
      cache.set(key, c);
    }
    return c;
  };
  let lastSrc = "";
  let lastSrcWords: number[] | undefined;
  let lastDst = "";
  let lastDstWords: number[] | undefined;

  function ipKeywords(s: Signature, pkt: Packet): boolean {
    const ints = s.ints;
    if (ints.ttl && !inRange(ints.ttl, pkt.is_ipv6 ? pkt.hop_limit : pkt.ttl)) return false;
    if (ints.id && (pkt.is_ipv6 || !inRange(ints.id, pkt.ip_id))) return false;
    if (ints.psad_ip_len && !inRange(ints.psad_ip_len, pkt.ip_len)) return false;
    if (s.sameip && (pkt.intf === "lo" || pkt.src !== pkt.dst)) return false;
    if (s.ipopts !== undefined) {
      if (!pkt.ip_opts || pkt.is_ipv6) return false;
      if (s.ipopts !== "any" && !decodeIpOptions(pkt.ip_opts, ipOptions).includes(s.ipopts)) return false;
    }
    return true;
  }

  function transport(s: Signature, pkt: Packet): boolean {
    const ints = s.ints;
    if (s.proto === "tcp") {
      if (s.flags && !flagsMatch(s.flags, pkt.flag_bits)) return false;
      const hdr = 40 + (pkt.flag_bits & TCP_FLAG.SYN ? 44 : 0);
      const dsize = pkt.ip_len - hdr;
      if (ints.dsize && !inRange(ints.dsize, dsize)) return false;
      if (ints.psad_dsize && !inRange(ints.psad_dsize, dsize)) return false;
      if (ints.window && !inRange(ints.window, pkt.win)) return false;
      if (ints.seq && !inRange(ints.seq, pkt.tcp_seq)) return false;
      if (ints.ack && !inRange(ints.ack, pkt.tcp_ack)) return false;
    } else if (s.proto === "udp") {
      const dsize = pkt.udp_len - 8;
      if (ints.dsize && !inRange(ints.dsize, dsize)) return false;
      if (ints.psad_dsize && !inRange(ints.psad_dsize, dsize)) return false;
    } else if (s.proto === "icmp") {
      const dsize = pkt.ip_len - icmpHdr;
      if (ints.dsize && !inRange(ints.dsize, dsize)) return false;
      if (ints.psad_dsize && !inRange(ints.psad_dsize, dsize)) return false;
      if (ints.itype && !inRange(ints.itype, pkt.itype)) return false;
      if (ints.icode && !inRange(ints.icode, pkt.icode)) return false;
      if (ints.icmp_seq && !inRange(ints.icmp_seq, pkt.icmp_seq)) return false;
      if (ints.icmp_id && !inRange(ints.icmp_id, pkt.icmp_id)) return false;
    }
    return true;
  }

  const out: Signature[] = [];
  function check(s: Signature, pkt: Packet): void {
    if (s.flags !== undefined && !flagsMatch(s.flags, pkt.flag_bits)) return;
    const v6 = pkt.is_ipv6;
    const fwd = netMatch(s.src, v6, lastSrcWords) && netMatch(s.dst, v6, lastDstWords);
    const rev = s.bidirectional && netMatch(s.src, v6, lastDstWords) && netMatch(s.dst, v6, lastSrcWords);
    if (!fwd && !rev) return;
    if (!ipKeywords(s, pkt)) return;
    if (!transport(s, pkt)) return;
    out.push(s);
  }
  const ipList = byProto.ip as Signature[];

  return {
    /** Matching signatures; the returned array is reused by the next call. */
    match(pkt: Packet): Signature[] {
      out.length = 0;
      let list: Signature[] | undefined;
      const p = pkt.proto;
      if (p === "tcp" || p === "udp") {
        if (pkt.frag_offset <= 0 && !pkt.incomplete) list = candidates(p, pkt.sp, pkt.dp, pkt.flag_bits);
      } else if (p === "icmp") list = byProto.icmp;
      if ((!list || list.length === 0) && ipList.length === 0) return out;
      if (pkt.src !== lastSrc) {
        lastSrc = pkt.src;
        lastSrcWords = addrWords(pkt.src)?.words;
      }
      if (pkt.dst !== lastDst) {
        lastDst = pkt.dst;
        lastDstWords = addrWords(pkt.dst)?.words;
      }
      if (list) for (const s of list) check(s, pkt);
      for (const s of ipList) check(s, pkt);
      return out;
    },
  };
}
