import type { Family } from "./types.ts";

/**
 * IP protocol numbers and the names iptables prints for them (`/etc/protocols` of Debian netbase, which is what
 * iptables-save uses via getprotobynumber), with `0` as `all` like iptables.
 */
const NUMBER_TO_NAME: ReadonlyMap<number, string> = new Map<number, string>([
  [0, "all"],
  [1, "icmp"],
  [2, "igmp"],
  [3, "ggp"],
  [4, "ipencap"],
  [5, "st"],
  [6, "tcp"],
  [8, "egp"],
  [9, "igp"],
  [12, "pup"],
  [17, "udp"],
  [20, "hmp"],
  [22, "xns-idp"],
  [27, "rdp"],
  [29, "iso-tp4"],
  [33, "dccp"],
  [36, "xtp"],
  [37, "ddp"],
  [38, "idpr-cmtp"],
  [41, "ipv6"],
  [43, "ipv6-route"],
  [44, "ipv6-frag"],
  [45, "idrp"],
  [46, "rsvp"],
  [47, "gre"],
  [50, "esp"],
  [51, "ah"],
  [57, "skip"],
  [58, "ipv6-icmp"],
  [59, "ipv6-nonxt"],
  [60, "ipv6-opts"],
  [73, "rspf"],
  [81, "vmtp"],
  [88, "eigrp"],
  [89, "ospf"],
  [93, "ax.25"],
  [94, "ipip"],
  [97, "etherip"],
  [98, "encap"],
  [103, "pim"],
  [108, "ipcomp"],
  [112, "vrrp"],
  [115, "l2tp"],
  [124, "isis"],
  [132, "sctp"],
  [133, "fc"],
  [135, "mobility-header"],
  [136, "udplite"],
  [137, "mpls-in-ip"],
  [138, "manet"],
  [139, "hip"],
  [140, "shim6"],
  [141, "wesp"],
  [142, "rohc"],
  [143, "ethernet"],
  [262, "mptcp"],
]);

const NAME_TO_NUMBER: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  for (const [num, name] of NUMBER_TO_NAME) m.set(name, num);
  // Aliases iptables accepts on input (xtables_chain_protos and /etc/protocols aliases).
  m.set("icmpv6", 58);
  m.set("ipv6-mh", 135);
  m.set("mh", 135);
  m.set("ip", 0);
  m.set("hopopt", 0);
  return m;
})();

function isDigits(s: string): boolean {
  if (s.length === 0 || s.length > 5) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Name of a protocol token as printed by `iptables -n -L` (numbers since 1.8.9, names before) or given to `-p`.
 * Numbers map to the names iptables-save prints (`6` → `tcp`, `0` → `all`, `58` → `ipv6-icmp`); names are
 * lower-cased and pass through (aliases like `icmpv6` become `ipv6-icmp`); a leading `!` is kept (`!6` → `!tcp`).
 * Numbers without a name stay numbers (`200`).
 *
 * @param token - protocol column / `-p` value
 * @param family - address family (reserved: the table is the same for both families, as in iptables)
 * @returns the protocol name
 * @example protocolName("6", "ipv4") // "tcp"
 */
export function protocolName(token: string, family: Family = "ipv4"): string {
  void family;
  const cached = MEMO.get(token);
  if (cached !== undefined) return cached;
  const name = computeName(token);
  if (MEMO.size < 1024) MEMO.set(token, name);
  return name;
}

/** Protocol tokens seen so far (a listing has only a handful of distinct ones). */
const MEMO = new Map<string, string>();

function computeName(token: string): string {
  if (token.startsWith("!")) {
    const rest = token.slice(1).trimStart();
    return `!${computeName(rest)}`;
  }
  if (isDigits(token)) {
    const n = Number(token);
    return NUMBER_TO_NAME.get(n) ?? String(n);
  }
  const lower = token.toLowerCase();
  if (lower === "icmpv6") return "ipv6-icmp";
  if (lower === "ipv6-mh" || lower === "mh") return "mobility-header";
  return lower;
}

/**
 * Protocol number of a name (`tcp` → 6, `all` → 0) or of a numeric string; `undefined` when unknown.
 *
 * @param name - protocol name or number (no negation)
 * @returns the IANA protocol number
 * @example protocolNumber("udp") // 17
 */
export function protocolNumber(name: string): number | undefined {
  if (isDigits(name)) {
    const n = Number(name);
    return n <= 255 || NUMBER_TO_NAME.has(n) ? n : undefined;
  }
  return NAME_TO_NUMBER.get(name.toLowerCase());
}
