import { anyAddress } from "./rule-builder.ts";
import { quoteSaveWord } from "./tokenize-save.ts";
import type { Family, ParsedPolicy, ParsedRule } from "./types.ts";

/**
 * Render a policy as iptables-restore input (`*table`, `:CHAIN POLICY [p:b]`, `[p:b] -A CHAIN …`, `COMMIT`).
 * Rules parsed from save / -S input are written from their `details.rulespec`, so
 * `parseSave(formatSave(p))` reproduces `p`'s rules; rules parsed from `-L` listings are rendered from their
 * keys and details (best effort: matches the listing does not model, e.g. `recent`, are not reproduced).
 *
 * @param policy - a parsed policy
 * @returns iptables-restore text, ending with a newline
 * @example formatSave(parseSave("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n"))
 */
export function formatSave(policy: ParsedPolicy): string {
  const out: string[] = [];
  for (const t of policy.tables) {
    out.push(`*${t.name}`);
    for (const c of t.chains) {
      const p = c.counters;
      out.push(`:${c.name} ${c.policy === "" ? "-" : c.policy} [${p ? p.packets : 0n}:${p ? p.bytes : 0n}]`);
    }
    for (const c of t.chains) {
      for (const r of c.rules) {
        const spec = r.details.rulespec ?? rulespecFromKeys(r, policy.family);
        const d = r.details;
        const counters = d.packetsExact !== undefined && d.bytesExact !== undefined;
        const line = `-A ${quoteSaveWord(c.name)}${spec === "" ? "" : ` ${spec}`}`;
        out.push(counters ? `[${d.packetsExact}:${d.bytesExact}] ${line}` : line);
      }
    }
    out.push("COMMIT");
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}

function neg(v: string): [boolean, string] {
  return v.startsWith("!") ? [true, v.slice(1)] : [false, v];
}

function opt(parts: string[], name: string, value: string, force = false): void {
  const [n, v] = neg(value);
  parts.push(`${n ? "! " : ""}${name} ${quoteSaveWord(v, force)}`);
}

/** Best-effort rulespec for a rule that came from an `-L` listing. */
function rulespecFromKeys(r: ParsedRule, family: Family): string {
  const d = r.details;
  const parts: string[] = [];
  const any = anyAddress(family);
  if (r.src !== "" && r.src !== any && r.src !== "0.0.0.0/0" && r.src !== "::/0") opt(parts, "-s", r.src);
  if (r.dst !== "" && r.dst !== any && r.dst !== "0.0.0.0/0" && r.dst !== "::/0") opt(parts, "-d", r.dst);
  if (r.intf_in !== "" && r.intf_in !== "*") opt(parts, "-i", r.intf_in);
  if (r.intf_out !== "" && r.intf_out !== "*") opt(parts, "-o", r.intf_out);
  const [pneg, proto] = neg(r.protocol);
  if (proto !== "" && !(proto === "all" && !pneg)) opt(parts, "-p", r.protocol);
  if (d.fragment) parts.push(d.negated?.fragment ? "! -f" : "-f");
  const portModule = proto === "tcp" || proto === "udp" || proto === "sctp" || proto === "dccp" ? proto : undefined;
  const sp = r.s_port === 0 ? "" : r.s_port;
  const dp = r.d_port === 0 ? "" : r.d_port;
  if (portModule !== undefined && !pneg && (sp !== "" || dp !== "")) {
    parts.push(`-m ${portModule}`);
    if (sp !== "") opt(parts, "--sport", sp);
    if (dp !== "") opt(parts, "--dport", dp);
  }
  const mp: [string, string[] | undefined][] = [
    ["--sports", d.multiportSports],
    ["--dports", d.multiportDports],
    ["--ports", d.multiportPorts],
  ];
  for (const [name, list] of mp) {
    if (list === undefined) continue;
    parts.push("-m multiport");
    opt(parts, name, `${d.negated?.multiport ? "!" : ""}${list.join(",")}`);
  }
  if (d.icmpType !== undefined && (proto === "icmp" || proto === "ipv6-icmp")) {
    parts.push(proto === "icmp" ? "-m icmp" : "-m icmp6");
    opt(parts, proto === "icmp" ? "--icmp-type" : "--icmpv6-type", `${d.negated?.icmpType ? "!" : ""}${d.icmpType}`);
  }
  if (r.mac_source !== "") {
    parts.push("-m mac");
    opt(parts, "--mac-source", r.mac_source);
  }
  if (r.state !== "") {
    parts.push("-m state");
    opt(parts, "--state", r.state);
  }
  if (r.ctstate !== "") {
    parts.push("-m conntrack");
    opt(parts, "--ctstate", r.ctstate);
  }
  if (r.length !== "") {
    parts.push("-m length");
    opt(parts, "--length", r.length);
  }
  if (r.string !== "") {
    parts.push("-m string");
    const [sn, sv] = d.negated?.string ? neg(r.string) : [false, r.string];
    parts.push(`${sn ? "! " : ""}--string ${quoteSaveWord(sv, true)} --algo bm`);
  }
  if (d.limit !== undefined) {
    parts.push(`-m limit --limit ${quoteSaveWord(d.limit.avg)}`);
    if (d.limit.burst !== undefined) parts.push(`--limit-burst ${quoteSaveWord(d.limit.burst)}`);
  }
  if (d.mark !== undefined) {
    parts.push("-m mark");
    opt(parts, "--mark", `${d.negated?.mark ? "!" : ""}${d.mark}`);
  }
  if (r.comment !== "") parts.push(`-m comment --comment ${quoteSaveWord(r.comment, true)}`);
  if (r.target !== "") {
    parts.push(`${d.goto ? "-g" : "-j"} ${quoteSaveWord(r.target)}`);
    if (d.rejectWith !== undefined && r.target === "REJECT") parts.push(`--reject-with ${quoteSaveWord(d.rejectWith)}`);
    if (d.logPrefix !== undefined && r.target === "LOG") parts.push(`--log-prefix ${quoteSaveWord(d.logPrefix, true)}`);
    if (d.logLevel !== undefined && r.target === "LOG" && d.logLevel !== "4")
      parts.push(`--log-level ${quoteSaveWord(d.logLevel)}`);
    if (d.logPrefix !== undefined && r.target === "NFLOG")
      parts.push(`--nflog-prefix ${quoteSaveWord(d.logPrefix, true)}`);
    if (d.natTo !== undefined && r.target === "DNAT") parts.push(`--to-destination ${quoteSaveWord(d.natTo)}`);
    if (d.natTo !== undefined && r.target === "SNAT") parts.push(`--to-source ${quoteSaveWord(d.natTo)}`);
    if (d.redirectPorts !== undefined && (r.target === "REDIRECT" || r.target === "MASQUERADE"))
      parts.push(`--to-ports ${quoteSaveWord(d.redirectPorts)}`);
  }
  return parts.join(" ");
}
