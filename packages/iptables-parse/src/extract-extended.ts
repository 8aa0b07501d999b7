import { markNegated, splitNatTo } from "./rule-builder.ts";
import type { RuleDetails } from "./types.ts";

/**
 * The Perl rule keys an `iptables -L` extended text fills, `''` when absent (the listing parser reuses one
 * record for every rule and copies the values into the rule literal, so the rule is built in one allocation).
 */
export interface ListingExtended {
  s_port: string;
  d_port: string;
  to_ip: string;
  to_port: string;
  mac_source: string;
  state: string;
  ctstate: string;
  comment: string;
  string: string;
  length: string;
  /** Which multiport lists the text has (`MP_PORTS` | `MP_SPORTS` | `MP_DPORTS`); 0 when none. */
  multiport: number;
}

/** Bits of {@link ListingExtended.multiport}. */
export const MP_PORTS = 1;
export const MP_SPORTS = 2;
export const MP_DPORTS = 4;

/** Reset every key of `out` to `''`. */
export function clearListingExtended(out: ListingExtended): void {
  out.s_port = "";
  out.d_port = "";
  out.to_ip = "";
  out.to_port = "";
  out.mac_source = "";
  out.state = "";
  out.ctstate = "";
  out.comment = "";
  out.string = "";
  out.length = "";
  out.multiport = 0;
}

/** Space, tab or carriage return (the blanks iptables output can contain). */
function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

/**
 * Read an iptables-printed double-quoted string starting at `open` (the `"`), honouring the `\"` and `\\`
 * escapes of `STRING match`. Returns the value and the index after the closing quote.
 */
function readEscapedQuoted(s: string, open: number): { value: string; end: number } {
  let out = "";
  let i = open + 1;
  let seg = i;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 92 /* \ */ && i + 1 < s.length) {
      out += s.slice(seg, i) + s[i + 1];
      i += 2;
      seg = i;
      continue;
    }
    if (c === 34 /* " */) return { value: out + s.slice(seg, i), end: i + 1 };
    i++;
  }
  return { value: out + s.slice(seg), end: s.length };
}

/** Scanner state (module-level to avoid per-call closures; the scanner is synchronous and not re-entrant). */
let X = "";
let XN = 0;
let XI = 0;
let WS = 0;
let WE = 0;
/**
 * The code units of the text `X` lives in, and where `X` starts there: the hot loops read characters from
 * this typed array (one load) instead of `X.charCodeAt` (a string-representation dispatch on every call, as
 * `X` is a slice of the listing). `C[XB + i]` is `X.charCodeAt(i)` for `0 <= i < XN`.
 */
let C: Uint16Array = new Uint16Array(0);
let XB = 0;

/** Advance to the next word; false at the end. */
function next(): boolean {
  const n = XN;
  let i = XI;
  const c = C;
  const b = XB;
  while (i < n && isWs(c[b + i] as number)) i++;
  if (i >= n) {
    XI = i;
    return false;
  }
  WS = i;
  i++;
  while (i < n && !isWs(c[b + i] as number)) i++;
  WE = i;
  XI = i;
  return true;
}

/** The current word. */
function word(): string {
  return X.slice(WS, WE);
}

/**
 * The code units of a short string (keywords, shared column values).
 *
 * @param s - the string
 * @returns a typed array `u` with `u[i] === s.charCodeAt(i)`
 */
export function codesOf(s: string): Uint16Array {
  const u = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return u;
}

/** Keywords as code units (compared against the typed array without calling into the string). */
const K_COMMENT_OPEN = codesOf("/*");
const K_LOG = codesOf("LOG");
const K_MAC = codesOf("MAC");
const K_MARK = codesOf("MARK");
const K_STRING = codesOf("STRING");
const K_GOTO = codesOf("[goto]");
const K_AVG = codesOf("avg");
const K_BURST = codesOf("burst");
const K_CODE = codesOf("code");
const K_CTSTATE = codesOf("ctstate");
const K_DPT_COLON = codesOf("dpt:");
const K_DPTS_COLON = codesOf("dpts:");
const K_FLAGS = codesOf("flags");
const K_FLAGS_COLON = codesOf("flags:");
const K_ICMP = codesOf("icmp");
const K_ICMPTYPE = codesOf("icmptype");
const K_IPV6_ICMP = codesOf("ipv6-icmp");
const K_IPV6_ICMPTYPE = codesOf("ipv6-icmptype");
const K_LENGTH = codesOf("length");
const K_LEVEL = codesOf("level");
const K_LIMIT_COLON = codesOf("limit:");
const K_MARK_LC = codesOf("mark");
const K_MASQ = codesOf("masq");
const K_MATCH = codesOf("match");
const K_MULTIPORT = codesOf("multiport");
const K_NFLOG_PREFIX = codesOf("nflog-prefix");
const K_PORTS = codesOf("ports");
const K_PORTS_COLON = codesOf("ports:");
const K_PREFIX = codesOf("prefix");
const K_REDIR = codesOf("redir");
const K_REJECT_WITH = codesOf("reject-with");
const K_SPT_COLON = codesOf("spt:");
const K_SPTS_COLON = codesOf("spts:");
const K_STATE = codesOf("state");
const K_TO_COLON = codesOf("to:");

/** `X` has the keyword `w` at `i`. */
function hasAt(w: Uint16Array, i: number): boolean {
  const m = w.length;
  if (i + m > XN) return false;
  const c = C;
  const b = XB + i;
  for (let j = 0; j < m; j++) if (c[b + j] !== w[j]) return false;
  return true;
}

/** True when the current word is exactly `w`. */
function is(w: Uint16Array): boolean {
  return WE - WS === w.length && hasAt(w, WS);
}

/** The next word without consuming it. */
function peek(): string {
  const i = XI;
  const ws = WS;
  const we = WE;
  const w = next() ? word() : "";
  XI = i;
  WS = ws;
  WE = we;
  return w;
}

/**
 * Index of the ` *\/` that closes the comment opened at `open`. iptables does not escape comments, so a
 * comment may itself contain ` *\/`: take the last ` *\/` before the next comment (` /* `) or the LOG target
 * text, falling back to the first one (IPTables::Parse's choice) when there is none in that region.
 */
function commentEnd(ext: string, open: number): number {
  const first = ext.indexOf(" */", open + 2);
  if (first < 0) return -1;
  let limit = ext.length;
  const nextComment = ext.indexOf(" /* ", first + 3);
  if (nextComment >= 0) limit = nextComment;
  // The LOG target text is printed last: find it once per rule (keeps huge hostile lines linear).
  if (LOG_AT === -2) LOG_AT = ext.lastIndexOf(" LOG flags ");
  if (LOG_AT > first && LOG_AT < limit) limit = LOG_AT;
  const last = ext.lastIndexOf(" */", limit - 3);
  return Math.max(last, first);
}

/**
 * Which details fields this call has set (bits below). The first occurrence wins, so each field is set at
 * most once; testing a bit here instead of `d.field === undefined` keeps the checks off the details object,
 * whose shape differs from rule to rule (a megamorphic property load per check otherwise).
 */
let SEEN = 0;
const S_NAT = 1;
const S_LIMIT = 2;
const S_LOG_LEVEL = 4;
const S_MARK = 8;
const S_REDIRECT = 16;
const S_ICMP = 32;
const S_TCP_FLAGS = 64;
const S_LOG_PREFIX = 128;
const S_REJECT = 256;

/** Position of the LOG target text in the current extended text; -2 = not looked up yet. */
let LOG_AT = -2;

/** True when the next word is exactly `w` (nothing consumed, nothing allocated). */
function peekIs(w: Uint16Array): boolean {
  let i = XI;
  while (i < XN && isWs(C[XB + i] as number)) i++;
  const e = i + w.length;
  return hasAt(w, i) && (e >= XN || isWs(C[XB + e] as number));
}

/** Skip blanks at the cursor. */
function skipWs(): void {
  while (XI < XN && isWs(C[XB + XI] as number)) XI++;
}

/**
 * Extract the Perl extended keys and the typed details from the extended text of one `iptables -L` rule
 * (everything after the destination column), in one left-to-right pass over its words.
 *
 * Understood: `spt:`/`spts:`/`dpt:`/`dpts:` (tcp, udp, sctp, dccp), `multiport [d|s]ports`, `to:` (DNAT/SNAT,
 * IPv4, ranges, `[IPv6]:port`), `MAC`, `[!] state`, `[!] ctstate`, `length`, `/* comment *\/`,
 * `STRING match [!] "…"`, `icmptype`/`ipv6-icmptype`, tcp `flags:`, `limit: avg … burst …`, `mark match`,
 * `LOG … level … prefix "…"` (and the old backtick form), `nflog-prefix`, `reject-with`, `redir ports`,
 * `masq ports:`, `[goto]`. Words inside comments and quoted prefixes are never taken as keywords.
 *
 * @param ext - the extended text
 * @param rule - the Perl keys to fill, all `''` on entry (keys are only set when still `''`: the first
 *   occurrence wins, as in Perl)
 * @param d - the rule's typed details
 * @param codes - the code units of a string that contains `ext` (e.g. the whole listing)
 * @param base - where `ext` starts in `codes`
 */
export function extractListingExtended(
  ext: string,
  rule: ListingExtended,
  d: RuleDetails,
  codes: Uint16Array,
  base: number,
): void {
  X = ext;
  XN = ext.length;
  XI = 0;
  LOG_AT = -2;
  C = codes;
  XB = base;
  SEEN = 0;
  const n = XN;
  let neg = false;
  let inLog = false;

  while (next()) {
    const c0 = C[XB + WS] as number;
    if (c0 === 33 /* ! */ && WE - WS === 1) {
      neg = true;
      continue;
    }
    const wasNeg = neg;
    neg = false;

    switch (c0) {
      case 115 /* s */:
        {
          if (hasAt(K_SPT_COLON, WS) || hasAt(K_SPTS_COLON, WS)) {
            if (rule.s_port === "") {
              rule.s_port = ext.slice(C[XB + WS + 3] === 58 ? WS + 4 : WS + 5, WE);
              if (rule.s_port.charCodeAt(0) === 33) markNegated(d, "s_port");
            }
          } else if (is(K_STATE)) {
            if (next() && rule.state === "") {
              rule.state = wasNeg ? `!${word()}` : word();
              if (wasNeg) markNegated(d, "state");
            }
          }
          break;
        }
      case 100 /* d */:
        {
          if (hasAt(K_DPT_COLON, WS) || hasAt(K_DPTS_COLON, WS)) {
            if (rule.d_port === "") {
              rule.d_port = ext.slice(C[XB + WS + 3] === 58 ? WS + 4 : WS + 5, WE);
              if (rule.d_port.charCodeAt(0) === 33) markNegated(d, "d_port");
            }
          }
          break;
        }
      case 116 /* t */:
        {
          if (hasAt(K_TO_COLON, WS) && (SEEN & S_NAT) === 0) {
            const v = ext.slice(WS + 3, WE);
            d.natTo = v;
            SEEN |= S_NAT;
            const { ip, port } = splitNatTo(v);
            if (rule.to_ip === "" && rule.to_port === "") {
              rule.to_ip = ip;
              rule.to_port = port;
            }
          }
          break;
        }
      case 99 /* c */:
        {
          if (is(K_CTSTATE)) {
            if (next() && rule.ctstate === "") {
              rule.ctstate = wasNeg ? `!${word()}` : word();
              if (wasNeg) markNegated(d, "ctstate");
            }
          }
          break;
        }
      case 77 /* M */:
        {
          if (is(K_MAC)) {
            if (!next()) break;
            let v = word();
            if (v === "!") {
              if (!next()) break;
              v = `!${word()}`;
            }
            if (rule.mac_source === "") {
              rule.mac_source = v;
              if (v.charCodeAt(0) === 33) markNegated(d, "mac_source");
            }
          } else if (is(K_MARK)) {
            // "MARK set 0x1", "MARK xset 0x1/0xff", "MARK and 0x..." — keep the option text.
            const start = XI;
            if (next() && next()) {
              d.targetOptions ??= [];
              d.targetOptions.push(`MARK ${ext.slice(start, WE).trim()}`);
            }
          }
          break;
        }
      case 108 /* l */:
        {
          if (is(K_LENGTH)) {
            if (next() && rule.length === "") {
              rule.length = wasNeg ? `!${word()}` : word();
              if (rule.length.charCodeAt(0) === 33) markNegated(d, "length");
            }
          } else if (is(K_LIMIT_COLON)) {
            // limit: avg 5/sec burst 5
            let avg = "";
            let burst: string | undefined;
            if (peekIs(K_AVG) && next() && next()) avg = word();
            if (peekIs(K_BURST) && next() && next()) burst = word();
            if ((SEEN & S_LIMIT) === 0 && avg !== "") {
              d.limit = burst === undefined ? { avg } : { avg, burst };
              SEEN |= S_LIMIT;
            }
          } else if (inLog && is(K_LEVEL)) {
            if (next() && (SEEN & S_LOG_LEVEL) === 0) {
              d.logLevel = word();
              SEEN |= S_LOG_LEVEL;
            }
          }
          break;
        }
      case 47 /* / */:
        {
          if (hasAt(K_COMMENT_OPEN, WS)) {
            const bodyStart = WS + 3;
            const close = commentEnd(ext, WS);
            if (close < 0) {
              XI = n;
              break;
            }
            if (rule.comment === "") rule.comment = close >= bodyStart ? ext.slice(bodyStart, close) : "";
            XI = close + 3;
          }
          break;
        }
      case 83 /* S */:
        {
          if (is(K_STRING) && peekIs(K_MATCH)) {
            next();
            let sneg = false;
            skipWs();
            if (ext.charCodeAt(XI) === 33 /* ! */) {
              sneg = true;
              XI++;
              skipWs();
            }
            if (ext.charCodeAt(XI) === 34) {
              const q = readEscapedQuoted(ext, XI);
              XI = q.end;
              if (rule.string === "") {
                rule.string = sneg ? `!${q.value}` : q.value;
                if (sneg) markNegated(d, "string");
              }
            }
          }
          break;
        }
      case 109 /* m */:
        {
          if (is(K_MULTIPORT)) {
            if (!next()) break;
            const kind = word();
            if (!next()) break;
            let v = word();
            let mneg = false;
            if (v === "!") {
              mneg = true;
              if (!next()) break;
              v = word();
            }
            if (v.charCodeAt(0) === 33) {
              mneg = true;
              v = v.slice(1);
            }
            const list = v.split(",");
            if (kind === "dports") {
              if ((rule.multiport & MP_DPORTS) === 0) d.multiportDports = list;
              rule.multiport |= MP_DPORTS;
            } else if (kind === "sports") {
              if ((rule.multiport & MP_SPORTS) === 0) d.multiportSports = list;
              rule.multiport |= MP_SPORTS;
            } else if (kind === "ports") {
              if ((rule.multiport & MP_PORTS) === 0) d.multiportPorts = list;
              rule.multiport |= MP_PORTS;
            }
            if (mneg) markNegated(d, "multiport");
          } else if (is(K_MARK_LC) && peekIs(K_MATCH)) {
            next();
            if (!next()) break;
            let v = word();
            let mneg = false;
            if (v === "!") {
              mneg = true;
              if (!next()) break;
              v = word();
            }
            if ((SEEN & S_MARK) === 0) {
              d.mark = v;
              SEEN |= S_MARK;
              if (mneg) markNegated(d, "mark");
            }
          } else if (is(K_MASQ) && peekIs(K_PORTS_COLON)) {
            next();
            if (next() && (SEEN & S_REDIRECT) === 0) {
              d.redirectPorts = word();
              SEEN |= S_REDIRECT;
            }
          }
          break;
        }
      case 105 /* i */:
        {
          if (is(K_ICMPTYPE) || is(K_IPV6_ICMPTYPE)) {
            if (!next()) break;
            let t = word();
            let ineg = false;
            if (t.charCodeAt(0) === 33) {
              ineg = true;
              t = t.slice(1);
            }
            if (peekIs(K_CODE) && next() && next()) t = `${t}/${word()}`;
            if ((SEEN & S_ICMP) === 0) {
              d.icmpType = t;
              SEEN |= S_ICMP;
              if (ineg) markNegated(d, "icmpType");
            }
          } else if (is(K_ICMP) || is(K_IPV6_ICMP)) {
            // `icmp !type 255` (negated form)
            const p = peek();
            if (p === "!type" || p === "type") {
              next();
              if (!next()) break;
              let t = word();
              if (peekIs(K_CODE) && next() && next()) t = `${t}/${word()}`;
              if ((SEEN & S_ICMP) === 0) {
                d.icmpType = t;
                SEEN |= S_ICMP;
                if (p === "!type") markNegated(d, "icmpType");
              }
            }
          }
          break;
        }
      case 102 /* f */:
        {
          if (hasAt(K_FLAGS_COLON, WS)) {
            let v = ext.slice(WS + 6, WE);
            let fneg = false;
            if (v.charCodeAt(0) === 33) {
              fneg = true;
              v = v.slice(1);
            }
            const slash = v.indexOf("/");
            if ((SEEN & S_TCP_FLAGS) === 0 && slash > 0) {
              d.tcpFlags = { mask: v.slice(0, slash), comp: v.slice(slash + 1), negated: fneg };
              SEEN |= S_TCP_FLAGS;
              if (fneg) markNegated(d, "tcpFlags");
            }
          }
          break;
        }
      case 76 /* L */:
        {
          if (is(K_LOG) && peekIs(K_FLAGS)) inLog = true;
          break;
        }
      case 112 /* p */:
        {
          if (inLog && is(K_PREFIX)) {
            skipWs();
            const i = XI;
            const q = ext.charCodeAt(i);
            if (q === 34 /* " */) {
              // Modern form: prefix "X" — iptables does not escape quotes inside, so it runs to the last quote.
              const close = ext.lastIndexOf('"');
              if (close > i && (SEEN & S_LOG_PREFIX) === 0) {
                d.logPrefix = ext.slice(i + 1, close);
                SEEN |= S_LOG_PREFIX;
              }
              XI = close > i ? close + 1 : n;
            } else if (q === 96 /* ` */) {
              // Old form: prefix `X'
              const close = ext.lastIndexOf("'");
              if (close > i && (SEEN & S_LOG_PREFIX) === 0) {
                d.logPrefix = ext.slice(i + 1, close);
                SEEN |= S_LOG_PREFIX;
              }
              XI = close > i ? close + 1 : n;
            }
          }
          break;
        }
      case 110 /* n */:
        {
          if (is(K_NFLOG_PREFIX)) {
            skipWs();
            const i = XI;
            if (ext.charCodeAt(i) === 34) {
              let close = ext.indexOf('" nflog-', i + 1);
              if (close < 0) close = ext.lastIndexOf('"');
              if (close > i && (SEEN & S_LOG_PREFIX) === 0) {
                d.logPrefix = ext.slice(i + 1, close);
                SEEN |= S_LOG_PREFIX;
              }
              XI = close > i ? close + 1 : n;
            }
          }
          break;
        }
      case 114 /* r */:
        {
          if (is(K_REJECT_WITH)) {
            if (next() && (SEEN & S_REJECT) === 0) {
              d.rejectWith = word();
              SEEN |= S_REJECT;
            }
          } else if (is(K_REDIR) && peekIs(K_PORTS)) {
            next();
            if (next() && (SEEN & S_REDIRECT) === 0) {
              d.redirectPorts = word();
              SEEN |= S_REDIRECT;
            }
          }
          break;
        }
      case 91 /* [ */:
        {
          if (is(K_GOTO)) d.goto = true;
          break;
        }
      default:
        break;
    }
  }
  X = "";
  C = EMPTY;
}

const EMPTY = new Uint16Array(0);

/**
 * The UTF-16 code units of `text` (what `charCodeAt` returns), via Node's native encoder when available.
 *
 * @param text - any string
 * @returns a typed array `u` with `u[i] === text.charCodeAt(i)`
 */
export function codeUnits(text: string): Uint16Array {
  const n = text.length;
  if (typeof Buffer === "function" && LITTLE_ENDIAN) {
    const buf = Buffer.from(text, "utf16le");
    if (buf.byteOffset % 2 === 0) return new Uint16Array(buf.buffer, buf.byteOffset, n);
  }
  const u = new Uint16Array(n);
  for (let i = 0; i < n; i++) u[i] = text.charCodeAt(i);
  return u;
}

/** Uint16Array reads little-endian memory correctly (Buffer's utf16le is little-endian). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
