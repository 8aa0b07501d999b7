import { markNegated, splitNatTo } from "./rule-builder.ts";
import type { ParsedRule } from "./types.ts";

/** Character codes used by the scanner. */
const SPACE = 32;
const TAB = 9;

function isWs(c: number): boolean {
  return c === SPACE || c === TAB || c === 13;
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
/** The text has no tab / CR: words end at the next space (found natively). */
let XFAST = true;

/** Advance to the next word; false at the end. */
function next(): boolean {
  const s = X;
  const n = XN;
  let i = XI;
  while (i < n && isWs(s.charCodeAt(i))) i++;
  if (i >= n) {
    XI = i;
    return false;
  }
  WS = i;
  if (XFAST) {
    const e = s.indexOf(" ", i);
    i = e < 0 ? n : e;
  } else {
    while (i < n && !isWs(s.charCodeAt(i))) i++;
  }
  WE = i;
  XI = i;
  return true;
}

/** The current word. */
function word(): string {
  return X.slice(WS, WE);
}

/** True when the current word is exactly `w`. */
function is(w: string): boolean {
  return WE - WS === w.length && X.startsWith(w, WS);
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

/** Position of the LOG target text in the current extended text; -2 = not looked up yet. */
let LOG_AT = -2;

/** True when the next word is exactly `w` (nothing consumed, nothing allocated). */
function peekIs(w: string): boolean {
  let i = XI;
  while (i < XN && isWs(X.charCodeAt(i))) i++;
  const e = i + w.length;
  return X.startsWith(w, i) && (e >= XN || isWs(X.charCodeAt(e)));
}

/** Skip blanks at the cursor. */
function skipWs(): void {
  while (XI < XN && isWs(X.charCodeAt(XI))) XI++;
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
 * @param rule - the rule to fill (keys are only set when still `''`: the first occurrence wins, as in Perl)
 * @param blanksOnly - the caller knows `ext` has no tab / CR (words are separated by spaces only)
 */
export function extractListingExtended(ext: string, rule: ParsedRule, blanksOnly?: boolean): void {
  const d = rule.details;
  X = ext;
  XN = ext.length;
  XI = 0;
  LOG_AT = -2;
  XFAST = blanksOnly ?? (ext.indexOf("\t") < 0 && ext.indexOf("\r") < 0);
  const n = XN;
  let neg = false;
  let inLog = false;

  while (next()) {
    const c0 = ext.charCodeAt(WS);
    if (c0 === 33 /* ! */ && WE - WS === 1) {
      neg = true;
      continue;
    }
    const wasNeg = neg;
    neg = false;

    switch (c0) {
      case 115 /* s */:
        {
          if (ext.startsWith("spt:", WS) || ext.startsWith("spts:", WS)) {
            if (rule.s_port === "") {
              rule.s_port = ext.slice(ext.indexOf(":", WS) + 1, WE);
              if (rule.s_port.startsWith("!")) markNegated(d, "s_port");
            }
          } else if (is("state")) {
            if (next() && rule.state === "") {
              rule.state = wasNeg ? `!${word()}` : word();
              if (wasNeg) markNegated(d, "state");
            }
          }
          break;
        }
      case 100 /* d */:
        {
          if (ext.startsWith("dpt:", WS) || ext.startsWith("dpts:", WS)) {
            if (rule.d_port === "") {
              rule.d_port = ext.slice(ext.indexOf(":", WS) + 1, WE);
              if (rule.d_port.startsWith("!")) markNegated(d, "d_port");
            }
          }
          break;
        }
      case 116 /* t */:
        {
          if (ext.startsWith("to:", WS) && d.natTo === undefined) {
            const v = ext.slice(WS + 3, WE);
            d.natTo = v;
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
          if (is("ctstate")) {
            if (next() && rule.ctstate === "") {
              rule.ctstate = wasNeg ? `!${word()}` : word();
              if (wasNeg) markNegated(d, "ctstate");
            }
          }
          break;
        }
      case 77 /* M */:
        {
          if (is("MAC")) {
            if (!next()) break;
            let v = word();
            if (v === "!") {
              if (!next()) break;
              v = `!${word()}`;
            }
            if (rule.mac_source === "") {
              rule.mac_source = v;
              if (v.startsWith("!")) markNegated(d, "mac_source");
            }
          } else if (is("MARK")) {
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
          if (is("length")) {
            if (next() && rule.length === "") {
              rule.length = wasNeg ? `!${word()}` : word();
              if (rule.length.startsWith("!")) markNegated(d, "length");
            }
          } else if (is("limit:")) {
            // limit: avg 5/sec burst 5
            let avg = "";
            let burst: string | undefined;
            if (peekIs("avg") && next() && next()) avg = word();
            if (peekIs("burst") && next() && next()) burst = word();
            if (d.limit === undefined && avg !== "") d.limit = burst === undefined ? { avg } : { avg, burst };
          } else if (inLog && is("level")) {
            if (next() && d.logLevel === undefined) d.logLevel = word();
          }
          break;
        }
      case 47 /* / */:
        {
          if (ext.startsWith("/*", WS)) {
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
          if (is("STRING") && peekIs("match")) {
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
          if (is("multiport")) {
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
            if (v.startsWith("!")) {
              mneg = true;
              v = v.slice(1);
            }
            const list = v.split(",");
            if (kind === "dports") d.multiportDports ??= list;
            else if (kind === "sports") d.multiportSports ??= list;
            else if (kind === "ports") d.multiportPorts ??= list;
            if (mneg) markNegated(d, "multiport");
          } else if (is("mark") && peekIs("match")) {
            next();
            if (!next()) break;
            let v = word();
            let mneg = false;
            if (v === "!") {
              mneg = true;
              if (!next()) break;
              v = word();
            }
            if (d.mark === undefined) {
              d.mark = v;
              if (mneg) markNegated(d, "mark");
            }
          } else if (is("masq") && peekIs("ports:")) {
            next();
            if (next() && d.redirectPorts === undefined) d.redirectPorts = word();
          }
          break;
        }
      case 105 /* i */:
        {
          if (is("icmptype") || is("ipv6-icmptype")) {
            if (!next()) break;
            let t = word();
            let ineg = false;
            if (t.startsWith("!")) {
              ineg = true;
              t = t.slice(1);
            }
            if (peekIs("code") && next() && next()) t = `${t}/${word()}`;
            if (d.icmpType === undefined) {
              d.icmpType = t;
              if (ineg) markNegated(d, "icmpType");
            }
          } else if (is("icmp") || is("ipv6-icmp")) {
            // `icmp !type 255` (negated form)
            const p = peek();
            if (p === "!type" || p === "type") {
              next();
              if (!next()) break;
              let t = word();
              if (peekIs("code") && next() && next()) t = `${t}/${word()}`;
              if (d.icmpType === undefined) {
                d.icmpType = t;
                if (p === "!type") markNegated(d, "icmpType");
              }
            }
          }
          break;
        }
      case 102 /* f */:
        {
          if (ext.startsWith("flags:", WS)) {
            let v = ext.slice(WS + 6, WE);
            let fneg = false;
            if (v.startsWith("!")) {
              fneg = true;
              v = v.slice(1);
            }
            const slash = v.indexOf("/");
            if (d.tcpFlags === undefined && slash > 0) {
              d.tcpFlags = { mask: v.slice(0, slash), comp: v.slice(slash + 1), negated: fneg };
              if (fneg) markNegated(d, "tcpFlags");
            }
          }
          break;
        }
      case 76 /* L */:
        {
          if (is("LOG") && peekIs("flags")) inLog = true;
          break;
        }
      case 112 /* p */:
        {
          if (inLog && is("prefix")) {
            skipWs();
            const i = XI;
            const q = ext.charCodeAt(i);
            if (q === 34 /* " */) {
              // Modern form: prefix "X" — iptables does not escape quotes inside, so it runs to the last quote.
              const close = ext.lastIndexOf('"');
              if (close > i && d.logPrefix === undefined) d.logPrefix = ext.slice(i + 1, close);
              XI = close > i ? close + 1 : n;
            } else if (q === 96 /* ` */) {
              // Old form: prefix `X'
              const close = ext.lastIndexOf("'");
              if (close > i && d.logPrefix === undefined) d.logPrefix = ext.slice(i + 1, close);
              XI = close > i ? close + 1 : n;
            }
          }
          break;
        }
      case 110 /* n */:
        {
          if (is("nflog-prefix")) {
            skipWs();
            const i = XI;
            if (ext.charCodeAt(i) === 34) {
              let close = ext.indexOf('" nflog-', i + 1);
              if (close < 0) close = ext.lastIndexOf('"');
              if (close > i && d.logPrefix === undefined) d.logPrefix = ext.slice(i + 1, close);
              XI = close > i ? close + 1 : n;
            }
          }
          break;
        }
      case 114 /* r */:
        {
          if (is("reject-with")) {
            if (next() && d.rejectWith === undefined) d.rejectWith = word();
          } else if (is("redir") && peekIs("ports")) {
            next();
            if (next() && d.redirectPorts === undefined) d.redirectPorts = word();
          }
          break;
        }
      case 91 /* [ */:
        {
          if (is("[goto]")) d.goto = true;
          break;
        }
      default:
        break;
    }
  }
  X = "";
}
