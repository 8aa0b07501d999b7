import type { Family, NegatableField, ParsedRule, RuleDetails } from "./types.ts";

/** A fresh rule with all 24 Perl keys set to `''` (Perl's "absent"), `rule_num` and `raw` filled. */
export function emptyRule(raw: string, ruleNum: number): ParsedRule {
  return {
    rule_num: ruleNum,
    raw,
    packets: "",
    bytes: "",
    target: "",
    protocol: "",
    proto: "",
    intf_in: "",
    intf_out: "",
    src: "",
    dst: "",
    extended: "",
    s_port: "",
    sport: "",
    d_port: "",
    dport: "",
    to_ip: "",
    to_port: "",
    mac_source: "",
    state: "",
    ctstate: "",
    comment: "",
    string: "",
    length: "",
    details: {},
  };
}

/** Record a negation flag in `details.negated`. */
export function markNegated(details: RuleDetails, field: NegatableField): void {
  if (details.negated === undefined) details.negated = {};
  details.negated[field] = true;
}

/** The "any" address of a family as iptables prints it. */
export function anyAddress(family: Family): string {
  return family === "ipv6" ? "::/0" : "0.0.0.0/0";
}

/** Strip a host prefix length (`/32` for IPv4, `/128` for IPv6) as `iptables -L` does. */
export function stripHostMask(addr: string): string {
  if (addr.endsWith("/32") && !addr.includes(":")) return addr.slice(0, -3);
  if (addr.endsWith("/128") && addr.includes(":")) return addr.slice(0, -4);
  return addr;
}

/** Split a NAT target value (`1.2.3.4:80-90`, `[fd00::1]:8080`, `2001:db8::9`, `:80`) into Perl's to_ip / to_port. */
export function splitNatTo(value: string): { ip: string; port: string } {
  let ip = value;
  let portPart = "";
  if (value.startsWith("[")) {
    const close = value.indexOf("]");
    if (close > 0) {
      ip = value.slice(1, close);
      const rest = value.slice(close + 1);
      portPart = rest.startsWith(":") ? rest.slice(1) : "";
    }
  } else {
    const colons = countChar(value, ":");
    if (colons === 1) {
      const c = value.indexOf(":");
      ip = value.slice(0, c);
      portPart = value.slice(c + 1);
    }
    // 0 colons: IPv4 (range) only; >1 colons: bare IPv6 address without port.
  }
  let port = portPart;
  const dash = port.indexOf("-");
  if (dash >= 0) port = port.slice(0, dash);
  if (!isDigits(port)) port = "";
  return { ip, port };
}

function countChar(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i >= 0; i = s.indexOf(ch, i + 1)) n++;
  return n;
}

/** True when `s` is a non-empty run of ASCII digits. */
export function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Exact counter value of a printed counter (`429` → 429n); `undefined` for scaled values like `141K`. */
export function exactCounter(s: string): bigint | undefined {
  if (!isDigits(s) || s.length >= 30) return undefined;
  // Doubles are exact up to 2^53: parsing the number first is several times faster than BigInt(string).
  return s.length <= 15 ? BigInt(Number(s)) : BigInt(s);
}

/**
 * Final touches shared by both parsers: Perl's tcp/udp port defaulting (`0` = any) — except for a direction
 * covered by a multiport match — and the duplicate keys (`proto`, `sport`, `dport`).
 */
export function finishRule(rule: ParsedRule): void {
  const d = rule.details;
  if (rule.protocol === "tcp" || rule.protocol === "udp") {
    const mpAny = d.multiportPorts !== undefined;
    if (rule.s_port === "" && !mpAny && d.multiportSports === undefined) rule.s_port = 0;
    if (rule.d_port === "" && !mpAny && d.multiportDports === undefined) rule.d_port = 0;
  }
  rule.proto = rule.protocol;
  rule.sport = rule.s_port;
  rule.dport = rule.d_port;
}
