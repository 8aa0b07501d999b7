import ipaddr from "ipaddr.js";
import { emptyPacket, type NestedPacket, type Packet, TCP_FLAG } from "./packet.ts";

/** Why a line produced no packet. */
export type LineErrorCode = "PSAD_LOG_NOT_IPTABLES" | "PSAD_LOG_UNPARSEABLE" | "PSAD_LOG_LINE_TOO_LONG";

/** Result of tokenizing one log line. */
export type LineParse = { ok: true; packet: Packet } | { ok: false; code: LineErrorCode; reason: string };

/** Options of {@link createLogLineParser}. */
export interface LogLineParserOptions {
  /** fwsnort prefix token (psad's SNORT_SID_STR), default "SID". */
  snortSidStr?: string;
  /** Remove a `[ 123.456]` kernel uptime from the prefix (IGNORE_KERNEL_TIMESTAMP), default true. */
  ignoreKernelTimestamp?: boolean;
  /**
   * Reference time (epoch seconds) used to give year-less syslog dates a year: the date is put in the
   * reference's year, or the year before when that would land more than a day after the reference.
   * Without it, year-less dates get time NaN.
   */
  referenceTime?: number;
  /** Longest accepted line (characters), default 65536; longer lines are diagnostics, not packets. */
  maxLineLength?: number;
  /** Reproduce psad: AH/ESP, INCOMPLETE and non-first fragments are parse errors (bug P5). */
  psadCompat?: boolean;
}

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

const SP = 32;
const TAB = 9;

function isSpace(c: number): boolean {
  return c === SP || c === TAB;
}

/** Parse a non-negative decimal integer; -1 when `s` is not one. */
function toInt(s: string): number {
  const n = s.length;
  if (n === 0 || n > 15) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function hexInt(s: string): number {
  let i = s.length > 1 && s.charCodeAt(0) === 48 && (s.charCodeAt(1) | 32) === 120 ? 2 : 0;
  const n = s.length;
  if (n - i === 0 || n - i > 12) return -1;
  let v = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if ((c | 32) >= 97 && (c | 32) <= 102) d = (c | 32) - 87;
    else return -1;
    v = v * 16 + d;
  }
  return v;
}

function validIpv4(s: string): boolean {
  const n = s.length;
  if (n < 7 || n > 15) return false;
  let dots = 0;
  let val = 0;
  let digits = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0) return false;
      dots++;
      val = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      val = val * 10 + (c - 48);
      digits++;
      if (digits > 3 || val > 255) return false;
    } else return false;
  }
  return dots === 3 && digits > 0;
}

/** Parse a non-negative decimal integer in line[a, b); -1 when it is not one. */
function intAt(line: string, a: number, b: number): number {
  const n = b - a;
  if (n <= 0 || n > 15) return -1;
  let v = 0;
  for (let i = a; i < b; i++) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function hexAt(line: string, a: number, b: number): number {
  return hexInt(line.slice(a, b));
}

const K = {
  NONE: 0,
  IN: 1,
  OUT: 2,
  PHYSIN: 3,
  PHYSOUT: 4,
  MAC: 5,
  MACSRC: 6,
  MACDST: 7,
  MACPROTO: 8,
  SRC: 9,
  DST: 10,
  LEN: 11,
  TOS: 12,
  PREC: 13,
  TTL: 14,
  ID: 15,
  TC: 16,
  HOPLIMIT: 17,
  FLOWLBL: 18,
  PROTO: 19,
  UID: 20,
  GID: 21,
  MARK: 22,
  SPT: 23,
  DPT: 24,
  SEQ: 25,
  ACK: 26,
  WINDOW: 27,
  URGP: 28,
  TYPE: 29,
  CODE: 30,
  PARAMETER: 31,
  POINTER: 32,
  GATEWAY: 33,
  MTU: 34,
  SPI: 35,
  RES: 36,
} as const;

/**
 * Key id from the key length and its first four characters packed 7 bits each, the first in bits 21..27 (generated from
 * `K`; a switch on constants instead of a Map lookup in the tokenizer's innermost loop).
 */
function keyIdFromCode(len: number, code: number): number {
  switch (len) {
    case 2:
      switch (code) {
        case 154206208:
          return K.ID;
        case 154370048:
          return K.IN;
        case 177258496:
          return K.TC;
        default:
          return K.NONE;
      }
    case 3:
      switch (code) {
        case 137422208:
          return K.ACK;
        case 143927808:
          return K.DPT;
        case 143976960:
          return K.DST;
        case 150102528:
          return K.GID;
        case 160524032:
          return K.LEN;
        case 162554240:
          return K.MAC;
        case 162867840:
          return K.MTU;
        case 167078400:
          return K.OUT;
        case 173107584:
          return K.RES;
        case 175204480:
          return K.SEQ;
        case 175383680:
          return K.SPI;
        case 175385088:
          return K.SPT;
        case 175415680:
          return K.SRC;
        case 177465728:
          return K.TOS;
        case 177546752:
          return K.TTL;
        case 179462656:
          return K.UID;
        default:
          return K.NONE;
      }
    case 4:
      switch (code) {
        case 141812293:
          return K.CODE;
        case 162556235:
          return K.MARK;
        case 169124547:
          return K.PREC;
        case 177629253:
          return K.TYPE;
        case 179610576:
          return K.URGP;
        default:
          return K.NONE;
      }
    case 5:
      switch (code) {
        case 169125844:
          return K.PROTO;
        default:
          return K.NONE;
      }
    case 6:
      switch (code) {
        case 162554308:
          return K.MACDST;
        case 162554323:
          return K.MACSRC;
        case 168963283:
          return K.PHYSIN;
        case 183658308:
          return K.WINDOW;
        default:
          return K.NONE;
      }
    case 7:
      switch (code) {
        case 148056023:
          return K.FLOWLBL;
        case 149973573:
          return K.GATEWAY;
        case 168963283:
          return K.PHYSOUT;
        case 169075918:
          return K.POINTER;
        default:
          return K.NONE;
      }
    case 8:
      switch (code) {
        case 152299596:
          return K.HOPLIMIT;
        case 162554320:
          return K.MACPROTO;
        default:
          return K.NONE;
      }
    case 9:
      switch (code) {
        case 168847681:
          return K.PARAMETER;
        default:
          return K.NONE;
      }
    default:
      return K.NONE;
  }
}

/** True when line[a, b) contains a character that `/\s/` matches (then the slow replace is needed). */
function hasRegexSpace(line: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = line.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13) || c === 160 || c > 255) return true;
  }
  return false;
}

function flagBit(line: string, i: number): number {
  switch (line.charCodeAt(i)) {
    case 83:
      return line.startsWith("SYN", i) ? TCP_FLAG.SYN : 0;
    case 65:
      return line.startsWith("ACK", i) ? TCP_FLAG.ACK : 0;
    case 70:
      return line.startsWith("FIN", i) ? TCP_FLAG.FIN : 0;
    case 82:
      return line.startsWith("RST", i) ? TCP_FLAG.RST : 0;
    case 80:
      return line.startsWith("PSH", i) ? TCP_FLAG.PSH : 0;
    case 85:
      return line.startsWith("URG", i) ? TCP_FLAG.URG : 0;
    case 67:
      return line.startsWith("CWR", i) ? TCP_FLAG.CWR : 0;
    case 69:
      return line.startsWith("ECE", i) ? TCP_FLAG.ECE : 0;
    default:
      return 0;
  }
}

const PROTO_NUMBERS: string[] = Array.from({ length: 256 }, (_, i) => String(i));
function protoNumber(n: number): string {
  return PROTO_NUMBERS[n] as string;
}

const FULL_V6 = /^[0-9a-f]{4}(?::[0-9a-f]{4}){7}$/;

/** IPv6 (or odd IPv4) path of address normalisation; "" when invalid. */
function normAddrSlow(s: string): string {
  return normalizeAddress(s)?.addr ?? "";
}

/** Normalise an address to psad's form: dotted IPv4, or full lower-case 8x4 IPv6. "" when invalid. */
export function normalizeAddress(s: string): { addr: string; v6: boolean } | undefined {
  if (validIpv4(s)) return { addr: s, v6: false };
  if (s.indexOf(":") < 0) return undefined;
  if (s.length === 39 && FULL_V6.test(s)) return { addr: s, v6: true };
  try {
    const a = ipaddr.parse(s);
    if (a.kind() === "ipv6") {
      const parts = (a as ipaddr.IPv6).parts;
      return { addr: parts.map((p) => p.toString(16).padStart(4, "0")).join(":"), v6: true };
    }
    return { addr: a.toString(), v6: false };
  } catch {
    return undefined;
  }
}

/**
 * Fast check of a kernel uptime `[ 12345.678901]` between p[a, b): 1 when it is spaces, 1-15 digits, a dot,
 * 1-15 digits, spaces (strip it); 0 when it certainly is not one; -1 when other whitespace makes the exact
 * (trim-based) check necessary.
 */
function uptimeShape(p: string, a: number, b: number): number {
  let i = a;
  while (i < b && p.charCodeAt(i) === SP) i++;
  const d0 = i;
  while (i < b && p.charCodeAt(i) >= 48 && p.charCodeAt(i) <= 57) i++;
  const intDigits = i - d0;
  if (i >= b || p.charCodeAt(i) !== 46) return slowOrNo(p, a, b);
  i++;
  const f0 = i;
  while (i < b && p.charCodeAt(i) >= 48 && p.charCodeAt(i) <= 57) i++;
  const fracDigits = i - f0;
  while (i < b && p.charCodeAt(i) === SP) i++;
  if (i !== b) return slowOrNo(p, a, b);
  return intDigits >= 1 && intDigits <= 15 && fracDigits >= 1 && fracDigits <= 15 ? 1 : 0;
}

/** -1 when p[a, b) holds a non-space whitespace character (trim could change the answer), else 0. */
function slowOrNo(p: string, a: number, b: number): number {
  for (let i = a; i < b; i++) {
    const c = p.charCodeAt(i);
    if ((c >= 9 && c <= 13) || c === 160 || c > 255) return -1;
  }
  return 0;
}

/** A reusable, stateful (time cache only) tokenizer for iptables LOG lines. */
export interface LogLineParser {
  /** Tokenize one full syslog line (classic, RFC 3339, journald short, or header-less). */
  parseLine(line: string): LineParse;
  /**
   * Tokenize a bare kernel message (`[uptime] PREFIX IN=… `) whose time and host came from elsewhere
   * (journald JSON). `time` is epoch seconds.
   */
  parseMessage(message: string, time: number, host: string, timestamp: string): LineParse;
}

/** Create a log-line tokenizer. Pure apart from a small cache of parsed timestamps. */
export function createLogLineParser(options: LogLineParserOptions = {}): LogLineParser {
  const sidStr = options.snortSidStr ?? "SID";
  const stripUptime = options.ignoreKernelTimestamp ?? true;
  const ref = options.referenceTime;
  const maxLen = options.maxLineLength ?? 65536;
  const compat = options.psadCompat ?? false;
  const timeCache = new Map<string, number>();

  let lastTs = "";
  let lastTsTime = Number.NaN;
  function resolveTime(ts: string): number {
    if (ts === lastTs) return lastTsTime;
    const t = resolveTimeUncached(ts);
    lastTs = ts;
    lastTsTime = t;
    return t;
  }

  function resolveTimeUncached(ts: string): number {
    const cached = timeCache.get(ts);
    if (cached !== undefined) return cached;
    let t = Number.NaN;
    const c0 = ts.charCodeAt(0);
    if (c0 >= 48 && c0 <= 57) {
      // RFC 3339 / ISO (journalctl -o short-iso prints +0000 without a colon)
      const fixed = ts.replace(/([+-]\d\d)(\d\d)$/, "$1:$2");
      const p = Date.parse(fixed);
      if (!Number.isNaN(p)) t = p / 1000;
    } else {
      const m = /^([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})/.exec(ts);
      const mon = m ? MONTHS[m[1] as string] : undefined;
      if (m && mon !== undefined && ref !== undefined) {
        const refYear = new Date(ref * 1000).getFullYear();
        const mk = (y: number) =>
          new Date(y, mon, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])).getTime() / 1000;
        t = mk(refYear);
        if (t > ref + 86400) t = mk(refYear - 1);
      }
    }
    if (timeCache.size > 4096) timeCache.clear();
    timeCache.set(ts, t);
    return t;
  }

  function parsePrefix(pkt: Packet, raw: string): void {
    let p = raw;
    if (stripUptime) {
      // "[ 12345.678901]" (a bracket with a dot); fwsnort's "[1]" has no dot and survives
      let i = 0;
      while (i < p.length && isSpace(p.charCodeAt(i))) i++;
      if (p.charCodeAt(i) === 91) {
        const close = p.indexOf("]", i);
        const fast = close > 0 ? uptimeShape(p, i + 1, close) : 0;
        if (fast === 1) p = p.slice(close + 1);
        else if (fast === -1) {
          const inner = p.slice(i + 1, close).trim();
          const dot = inner.indexOf(".");
          if (dot > 0 && toInt(inner.slice(0, dot)) >= 0 && toInt(inner.slice(dot + 1)) >= 0) p = p.slice(close + 1);
        }
      }
    }
    p = p.trim();
    pkt.log_prefix = p;
    if (p.length === 0) return;
    const si = p.indexOf(sidStr);
    if (si >= 0) {
      let j = si + sidStr.length;
      let v = 0;
      let d = 0;
      while (j < p.length) {
        const c = p.charCodeAt(j) - 48;
        if (c < 0 || c > 9) break;
        v = v * 10 + c;
        d++;
        j++;
      }
      if (d > 0 && d < 10) {
        pkt.fwsnort_sid = v;
        const rm = /\[(\d+)\]/.exec(p);
        if (rm) pkt.fwsnort_rnum = Number(rm[1]);
        if (p.indexOf("ESTAB") >= 0) pkt.fwsnort_estab = true;
      }
    }
  }

  /** Find the `IN=` that starts the kernel fields (must be followed by `<v> OUT=`). */
  function findIn(line: string): number {
    let from = 0;
    for (;;) {
      const i = line.indexOf("IN=", from);
      if (i < 0) return -1;
      // must not be PHYSIN=
      const prev = i > 0 ? line.charCodeAt(i - 1) : SP;
      const okPrev = !(prev >= 65 && prev <= 90); // an upper-case letter means PHYSIN= etc.
      if (okPrev) {
        let j = i + 3;
        while (j < line.length && line.charCodeAt(j) !== SP) j++;
        if (line.startsWith(" OUT=", j)) return i;
      }
      from = i + 3;
    }
  }

  function fields(pkt: Packet, line: string, start: number): LineParse | undefined {
    const n = line.length;
    let i = start;
    let l4 = false;
    let sawSrc = false;
    let sawDst = false;
    let sawSpt = false;
    let sawDpt = false;
    let flagBits = 0;
    let optRun = 0;
    let maxOptRun = 0;
    let hasOut = false;
    while (i < n) {
      let c = line.charCodeAt(i);
      while (isSpace(c)) {
        i++;
        c = line.charCodeAt(i);
      }
      if (i >= n) break;
      if (c === 91) {
        // nested packet dump "[SRC=… ]" (ICMP errors) or "[65535 bytes]" after INCOMPLETE
        let depth = 0;
        let k = i;
        for (; k < n; k++) {
          const ck = line.charCodeAt(k);
          if (ck === 91) depth++;
          else if (ck === 93) {
            depth--;
            if (depth === 0) break;
          }
        }
        if (k >= n) return { ok: false, code: "PSAD_LOG_UNPARSEABLE", reason: "unterminated [ in packet fields" };
        const inner = line.slice(i + 1, k);
        if (inner.startsWith("SRC=")) pkt.nested = parseNested(inner);
        i = k + 1;
        continue;
      }
      // key: scan to the first '=' or space, packing the first four characters on the way (no Map, no
      // second pass); the value's end is found by the native indexOf
      let j = i;
      let code = 0;
      let eq = -1;
      for (; j < n; j++) {
        const cj = line.charCodeAt(j);
        if (cj === 61) {
          eq = j;
          j = line.indexOf(" ", j + 1);
          if (j < 0) j = n;
          break;
        }
        if (cj === SP) break;
        const d = j - i;
        if (d < 4) code |= (cj & 127) << (21 - 7 * d);
      }
      if (eq < 0) {
        // bare word
        const wl = j - i;
        if (wl === 3 && line.startsWith("OPT", i) && line.charCodeAt(j + 1) === 40) {
          const close = line.indexOf(")", j + 2);
          if (close < 0) return { ok: false, code: "PSAD_LOG_UNPARSEABLE", reason: "unterminated OPT (" };
          const hex = hasRegexSpace(line, j + 2, close)
            ? line.slice(j + 2, close).replace(/\s+/g, "")
            : line.slice(j + 2, close);
          if (l4 && pkt.proto === "tcp") pkt.tcp_opts = hex;
          else if (pkt.is_ipv6) {
            pkt.ip6_opt_groups++;
            pkt.ip6_opts += hex;
            if (hex.length === 0) {
              optRun++;
              if (optRun > maxOptRun) maxOptRun = optRun;
            } else optRun = 0;
          } else if (!l4) pkt.ip_opts = hex.toUpperCase();
          i = close + 1;
          continue;
        }
        optRun = 0;
        if (l4 && pkt.proto === "tcp" && wl === 3) {
          const bit = flagBit(line, i);
          if (bit) flagBits |= bit;
        } else if (wl === 2 && line.startsWith("DF", i)) pkt.frag_bit = true;
        else if (wl === 2 && line.startsWith("MF", i)) pkt.mf = true;
        else if (wl === 2 && line.startsWith("CE", i)) pkt.ce = true;
        else if (wl === 10 && line.startsWith("INCOMPLETE", i)) pkt.incomplete = true;
        else if (wl > 5 && line.startsWith("FRAG:", i)) pkt.frag_offset = intAt(line, i + 5, j);
        i = j;
        continue;
      }
      optRun = 0;
      const k = eq - i > 9 ? K.NONE : keyIdFromCode(eq - i, code);
      const vs = eq + 1;
      i = j;
      if (!l4) {
        switch (k) {
          case K.IN:
            pkt.in_if = line.slice(vs, j);
            break;
          case K.OUT:
            pkt.out_if = line.slice(vs, j);
            hasOut = true;
            break;
          case K.PHYSIN:
            pkt.physin = line.slice(vs, j);
            break;
          case K.PHYSOUT:
            pkt.physout = line.slice(vs, j);
            break;
          case K.MAC:
            if (j - vs >= 35) {
              pkt.dst_mac = line.slice(vs, vs + 17);
              pkt.src_mac = line.slice(vs + 18, vs + 35);
            }
            break;
          case K.MACSRC:
            pkt.src_mac = line.slice(vs, j);
            break;
          case K.MACDST:
            pkt.dst_mac = line.slice(vs, j);
            break;
          case K.MACPROTO:
            pkt.mac_proto = line.slice(vs, j);
            break;
          case K.SRC: {
            const val = line.slice(vs, j);
            const a = validIpv4(val) ? val : normAddrSlow(val);
            if (!a) return { ok: false, code: "PSAD_LOG_UNPARSEABLE", reason: `bad SRC address ${val.slice(0, 64)}` };
            pkt.src = a;
            pkt.is_ipv6 = a.length > 15;
            sawSrc = true;
            break;
          }
          case K.DST: {
            const val = line.slice(vs, j);
            const a = validIpv4(val) ? val : normAddrSlow(val);
            if (!a) return { ok: false, code: "PSAD_LOG_UNPARSEABLE", reason: `bad DST address ${val.slice(0, 64)}` };
            pkt.dst = a;
            sawDst = true;
            break;
          }
          case K.LEN:
            pkt.ip_len = intAt(line, vs, j);
            break;
          case K.TOS:
            pkt.tos = hexAt(line, vs, j);
            break;
          case K.PREC:
            pkt.prec = hexAt(line, vs, j);
            break;
          case K.TTL:
            pkt.ttl = intAt(line, vs, j);
            break;
          case K.ID:
            pkt.ip_id = intAt(line, vs, j);
            break;
          case K.TC:
            pkt.tc = intAt(line, vs, j);
            break;
          case K.HOPLIMIT:
            pkt.hop_limit = intAt(line, vs, j);
            break;
          case K.FLOWLBL:
            pkt.flow_label = intAt(line, vs, j);
            break;
          case K.PROTO: {
            l4 = true;
            const n = j - vs;
            if (n === 3 && line.startsWith("TCP", vs)) pkt.proto = "tcp";
            else if (n === 3 && line.startsWith("UDP", vs)) pkt.proto = "udp";
            else if (n === 4 && line.startsWith("ICMP", vs)) pkt.proto = "icmp";
            else if (n === 6 && line.startsWith("ICMPv6", vs)) pkt.proto = "icmp6";
            else if (n === 7 && line.startsWith("UDPLITE", vs)) pkt.proto = "udplite";
            else if (n === 2 && line.startsWith("AH", vs)) pkt.proto = "ah";
            else if (n === 3 && line.startsWith("ESP", vs)) pkt.proto = "esp";
            else {
              const num = intAt(line, vs, j);
              if (num < 0 || num > 255)
                return {
                  ok: false,
                  code: "PSAD_LOG_UNPARSEABLE",
                  reason: `unknown PROTO=${line.slice(vs, Math.min(j, vs + 32))}`,
                };
              pkt.proto = protoNumber(num);
            }
            break;
          }
          case K.UID:
            pkt.uid = intAt(line, vs, j);
            break;
          case K.GID:
            pkt.gid = intAt(line, vs, j);
            break;
          case K.MARK:
            pkt.mark = line.slice(vs, j);
            break;
          default:
            break;
        }
      } else {
        switch (k) {
          case K.SPT:
            pkt.sp = intAt(line, vs, j);
            sawSpt = pkt.sp >= 0;
            break;
          case K.DPT:
            pkt.dp = intAt(line, vs, j);
            sawDpt = pkt.dp >= 0;
            break;
          case K.SEQ:
            if (pkt.proto === "tcp") pkt.tcp_seq = intAt(line, vs, j);
            else pkt.icmp_seq = intAt(line, vs, j);
            break;
          case K.ACK:
            pkt.tcp_ack = intAt(line, vs, j);
            break;
          case K.WINDOW:
            pkt.win = intAt(line, vs, j);
            break;
          case K.URGP:
            pkt.urgp = intAt(line, vs, j);
            break;
          case K.LEN:
            pkt.udp_len = intAt(line, vs, j);
            break;
          case K.TYPE:
            pkt.itype = intAt(line, vs, j);
            break;
          case K.CODE:
            pkt.icode = intAt(line, vs, j);
            break;
          case K.ID:
            pkt.icmp_id = intAt(line, vs, j);
            break;
          case K.PARAMETER:
            pkt.icmp_parameter = intAt(line, vs, j);
            break;
          case K.POINTER:
            pkt.icmp_parameter = hexAt(line, vs, j);
            break;
          case K.GATEWAY:
            pkt.icmp_gateway = line.slice(vs, j);
            break;
          case K.MTU:
            pkt.icmp_mtu = intAt(line, vs, j);
            break;
          case K.SPI:
            pkt.spi = line.slice(vs, j);
            break;
          case K.UID:
            pkt.uid = intAt(line, vs, j);
            break;
          case K.GID:
            pkt.gid = intAt(line, vs, j);
            break;
          case K.MARK:
            pkt.mark = line.slice(vs, j);
            break;
          default:
            break;
        }
      }
    }
    if (!hasOut) return { ok: false, code: "PSAD_LOG_NOT_IPTABLES", reason: "no OUT= field" };
    if (pkt.in_if && !pkt.out_if) {
      pkt.chain = "INPUT";
      pkt.intf = pkt.in_if;
    } else if (pkt.in_if && pkt.out_if) {
      pkt.chain = "FORWARD";
      pkt.intf = pkt.in_if;
    } else if (!pkt.in_if && pkt.out_if) {
      pkt.chain = "OUTPUT";
      pkt.intf = pkt.out_if;
    } else return { ok: false, code: "PSAD_LOG_UNPARSEABLE", reason: "both IN= and OUT= are empty" };
    if (!sawSrc || !sawDst) return { ok: false, code: "PSAD_LOG_UNPARSEABLE", reason: "missing SRC= or DST=" };
    if (!pkt.proto) return { ok: false, code: "PSAD_LOG_UNPARSEABLE", reason: "missing PROTO=" };
    const fragment = pkt.frag_offset > 0 || pkt.incomplete;
    if (compat && (fragment || pkt.proto === "ah" || pkt.proto === "esp"))
      return { ok: false, code: "PSAD_LOG_UNPARSEABLE", reason: "psad compat: AH/ESP/INCOMPLETE/fragment" };
    if (pkt.proto === "tcp") {
      if (!fragment && (!sawSpt || !sawDpt))
        return { ok: false, code: "PSAD_LOG_UNPARSEABLE", reason: "TCP line without SPT/DPT" };
      pkt.flag_bits = flagBits;
      pkt.flags = fragment && flagBits === 0 ? "" : flagString(flagBits);
      if (pkt.is_ipv6 && maxOptRun >= 7) pkt.is_topera = true;
    } else if (pkt.proto === "udp" || pkt.proto === "udplite") {
      if (!fragment && (!sawSpt || !sawDpt))
        return { ok: false, code: "PSAD_LOG_UNPARSEABLE", reason: "UDP line without SPT/DPT" };
    } else if (pkt.proto === "icmp" || pkt.proto === "icmp6") {
      if (!fragment && (pkt.itype < 0 || pkt.icode < 0))
        return { ok: false, code: "PSAD_LOG_UNPARSEABLE", reason: "ICMP line without TYPE/CODE" };
    }
    return undefined;
  }

  function parseFrom(pkt: Packet, line: string, inPos: number, noHeader: boolean): LineParse {
    if (!noHeader) {
      const k = line.lastIndexOf("kernel:", inPos);
      if (k >= 0) {
        let e = k;
        while (e > 0 && isSpace(line.charCodeAt(e - 1))) e--;
        let hs = e;
        while (hs > 0 && !isSpace(line.charCodeAt(hs - 1))) hs--;
        pkt.syslog_host = line.slice(hs, e);
        let te = hs;
        while (te > 0 && isSpace(line.charCodeAt(te - 1))) te--;
        let tb = 0;
        while (tb < te && isSpace(line.charCodeAt(tb))) tb++;
        pkt.timestamp = te > tb ? line.slice(tb, te) : "";
        pkt.time = pkt.timestamp ? resolveTime(pkt.timestamp) : Number.NaN;
        parsePrefix(pkt, line.slice(k + 7, inPos));
      } else {
        const header = line.slice(0, inPos);
        // no kernel: token (ulogd LOGEMU, other tags): try a leading timestamp, no prefix (as psad)
        const m = /^\s*([A-Z][a-z]{2}\s+\d{1,2}\s+\d{1,2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\S+)\s+(\S+)/.exec(header);
        if (m) {
          pkt.timestamp = m[1] as string;
          pkt.time = resolveTime(pkt.timestamp);
        }
      }
    }
    const err = fields(pkt, line, inPos);
    if (err) return err;
    return { ok: true, packet: pkt };
  }

  return {
    parseLine(line: string): LineParse {
      if (line.length > maxLen)
        return { ok: false, code: "PSAD_LOG_LINE_TOO_LONG", reason: `line longer than ${maxLen} characters` };
      const inPos = findIn(line);
      if (inPos < 0) return { ok: false, code: "PSAD_LOG_NOT_IPTABLES", reason: "no IN=… OUT= fields" };
      const pkt = emptyPacket();
      return parseFrom(pkt, line, inPos, false);
    },
    parseMessage(message: string, time: number, host: string, timestamp: string): LineParse {
      if (message.length > maxLen)
        return { ok: false, code: "PSAD_LOG_LINE_TOO_LONG", reason: `line longer than ${maxLen} characters` };
      const inPos = findIn(message);
      if (inPos < 0) return { ok: false, code: "PSAD_LOG_NOT_IPTABLES", reason: "no IN=… OUT= fields" };
      const pkt = emptyPacket();
      pkt.time = time;
      pkt.syslog_host = host;
      pkt.timestamp = timestamp;
      parsePrefix(pkt, message.slice(0, inPos));
      return parseFrom(pkt, message, inPos, true);
    },
  };
}

const FLAG_ORDER: [number, string][] = [
  [TCP_FLAG.URG, "URG"],
  [TCP_FLAG.ACK, "ACK"],
  [TCP_FLAG.PSH, "PSH"],
  [TCP_FLAG.RST, "RST"],
  [TCP_FLAG.SYN, "SYN"],
  [TCP_FLAG.FIN, "FIN"],
];
const flagCache = new Map<number, string>();

/** psad's flag string for a bitmask, ignoring the ECN bits (CWR/ECE); "NULL" when no flag is set. */
export function flagString(bits: number): string {
  const b = bits & 0x3f;
  const c = flagCache.get(b);
  if (c !== undefined) return c;
  const parts: string[] = [];
  for (const [bit, name] of FLAG_ORDER) if (b & bit) parts.push(name);
  const s = parts.length ? parts.join(" ") : "NULL";
  flagCache.set(b, s);
  return s;
}

function parseNested(inner: string): NestedPacket {
  const r: NestedPacket = {
    src: "",
    dst: "",
    proto: "",
    ip_len: -1,
    ttl: -1,
    ip_id: -1,
    sp: -1,
    dp: -1,
    itype: -1,
    icode: -1,
  };
  let l4 = false;
  for (const tok of inner.split(/\s+/)) {
    const eq = tok.indexOf("=");
    if (eq < 0) continue;
    const k = tok.slice(0, eq);
    const v = tok.slice(eq + 1);
    switch (k) {
      case "SRC":
        r.src = normalizeAddress(v)?.addr ?? v;
        break;
      case "DST":
        r.dst = normalizeAddress(v)?.addr ?? v;
        break;
      case "LEN":
        if (!l4) r.ip_len = toInt(v);
        break;
      case "TTL":
        r.ttl = toInt(v);
        break;
      case "ID":
        if (!l4) r.ip_id = toInt(v);
        break;
      case "PROTO":
        l4 = true;
        r.proto = v === "ICMPv6" ? "icmp6" : v.toLowerCase();
        break;
      case "SPT":
        r.sp = toInt(v);
        break;
      case "DPT":
        r.dp = toInt(v);
        break;
      case "TYPE":
        r.itype = toInt(v);
        break;
      case "CODE":
        r.icode = toInt(v);
        break;
      default:
        break;
    }
  }
  return r;
}
