import fc from "fast-check";
import { quoteSaveWord } from "../src/tokenize-save.ts";

const BUILTIN: Record<string, string[]> = {
  filter: ["INPUT", "FORWARD", "OUTPUT"],
  nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
  mangle: ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
  raw: ["PREROUTING", "OUTPUT"],
};

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join("."));
/** An IPv4 network or host as iptables-save prints it (hosts with /32). */
const ipv4Net = fc.oneof(
  ipv4.map((a) => `${a}/32`),
  fc.tuple(ipv4, fc.integer({ min: 8, max: 24 })).map(([a, l]) => {
    const parts = a.split(".").map(Number);
    const n =
      ((((parts[0] as number) << 24) |
        ((parts[1] as number) << 16) |
        ((parts[2] as number) << 8) |
        (parts[3] as number)) >>>
        0) &
      (l === 0 ? 0 : (~0 << (32 - l)) >>> 0);
    return `${[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".")}/${l}`;
  }),
);
const hex = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
/** An IPv6 network or host as ip6tables-save prints it (hosts with /128, canonical compressed form). */
const ipv6Net = fc.oneof(
  fc.tuple(hex, hex).map(([a, b]) => `2001:db8:${a}::${b === "0" ? "1" : b}/128`),
  fc.tuple(hex, fc.constantFrom(32, 48, 64)).map(([a, l]) => (l === 32 ? "2001:db8::/32" : `2001:db8:${a}::/${l}`)),
  fc.constant("fe80::/10"),
);
const iface = fc.constantFrom("eth0", "eth1", "lo", "eth+", "wlan0", "br-1");
const port = fc.integer({ min: 1, max: 65535 }).map(String);
const portSpec = fc.oneof(
  port,
  fc.tuple(port, port).map(([a, b]) => `${Math.min(+a, +b)}:${Math.max(+a, +b)}`),
);
/** Free text for comments / prefixes: printable ASCII incl. quotes and backslashes, no newlines. */
const text = fc.string({ unit: fc.constantFrom(..." abcXYZ019-_:/.'\"\\*!"), minLength: 0, maxLength: 20 });
const chainName = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,10}$/).map((s) => `u${s}`);
const neg = fc.boolean().map((b) => (b ? "! " : ""));

/** One canonical rulespec for `family` (the order and quoting iptables-save uses). */
export function rulespecArbitrary(family: "ipv4" | "ipv6", targets?: readonly string[]): fc.Arbitrary<string> {
  const net = family === "ipv6" ? ipv6Net : ipv4Net;
  return fc
    .record({
      src: fc.option(fc.tuple(neg, net), { nil: undefined }),
      dst: fc.option(fc.tuple(neg, net), { nil: undefined }),
      inIf: fc.option(fc.tuple(neg, iface), { nil: undefined }),
      outIf: fc.option(fc.tuple(neg, iface), { nil: undefined }),
      proto: fc.option(fc.constantFrom("tcp", "udp", "icmp", "gre", "sctp"), { nil: undefined }),
      sport: fc.option(fc.tuple(neg, portSpec), { nil: undefined }),
      dport: fc.option(fc.tuple(neg, portSpec), { nil: undefined }),
      multi: fc.option(fc.array(port, { minLength: 1, maxLength: 4 }), { nil: undefined }),
      state: fc.option(fc.constantFrom("NEW", "INVALID", "RELATED,ESTABLISHED"), { nil: undefined }),
      ctstate: fc.option(fc.constantFrom("NEW", "ESTABLISHED", "DNAT"), { nil: undefined }),
      mac: fc.option(fc.constantFrom("00:11:22:33:44:55", "aa:bb:cc:dd:ee:ff"), { nil: undefined }),
      length: fc.option(fc.tuple(neg, portSpec), { nil: undefined }),
      comment: fc.option(text, { nil: undefined }),
      str: fc.option(
        text.filter((s) => s.length > 0),
        { nil: undefined },
      ),
      target: fc.constantFrom(...(targets ?? ["ACCEPT", "DROP", "RETURN", "LOG", "REJECT", "DNAT", ""])),
      logPrefix: text,
      natTo: fc.tuple(ipv4, fc.option(port, { nil: undefined })),
    })
    .map((r) => {
      const p: string[] = [];
      if (r.src) p.push(`${r.src[0]}-s ${r.src[1]}`);
      if (r.dst) p.push(`${r.dst[0]}-d ${r.dst[1]}`);
      if (r.inIf) p.push(`${r.inIf[0]}-i ${r.inIf[1]}`);
      if (r.outIf) p.push(`${r.outIf[0]}-o ${r.outIf[1]}`);
      if (r.proto) p.push(`-p ${r.proto}`);
      if ((r.proto === "tcp" || r.proto === "udp") && (r.sport || r.dport)) {
        p.push(`-m ${r.proto}`);
        if (r.sport) p.push(`${r.sport[0]}--sport ${r.sport[1]}`);
        if (r.dport) p.push(`${r.dport[0]}--dport ${r.dport[1]}`);
      }
      if ((r.proto === "tcp" || r.proto === "udp") && r.multi) p.push(`-m multiport --dports ${r.multi.join(",")}`);
      if (r.state) p.push(`-m state --state ${r.state}`);
      if (r.ctstate) p.push(`-m conntrack --ctstate ${r.ctstate}`);
      if (r.mac) p.push(`-m mac --mac-source ${r.mac}`);
      if (r.length) p.push(`-m length ${r.length[0]}--length ${r.length[1]}`);
      if (r.comment !== undefined) p.push(`-m comment --comment ${quoteSaveWord(r.comment, true)}`);
      if (r.str !== undefined) p.push(`-m string --string ${quoteSaveWord(r.str, true)} --algo bm`);
      if (r.target !== "") p.push(`-j ${r.target}`);
      if (r.target === "LOG") p.push(`--log-prefix ${quoteSaveWord(r.logPrefix, true)}`);
      if (r.target === "REJECT")
        p.push(family === "ipv6" ? "--reject-with icmp6-port-unreachable" : "--reject-with icmp-port-unreachable");
      if (r.target === "DNAT")
        p.push(`--to-destination ${r.natTo[0]}${r.natTo[1] === undefined ? "" : `:${r.natTo[1]}`}`);
      return p.join(" ");
    });
}

/** {@link rulespecArbitrary} for IPv4 with every target. */
export const rulespecArb: fc.Arbitrary<string> = rulespecArbitrary("ipv4");

const counters = fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 15n }));

/** A whole canonical iptables-save document (1–3 tables, built-in + user chains, rules with/without counters). */
export const saveTextArb: fc.Arbitrary<string> = fc
  .record({
    tables: fc.subarray(Object.keys(BUILTIN), { minLength: 1 }),
    userChains: fc.uniqueArray(chainName, { maxLength: 3 }),
    withCounters: fc.boolean(),
    policies: fc.array(fc.constantFrom("ACCEPT", "DROP"), { minLength: 5, maxLength: 5 }),
    chainCounters: counters,
    rules: fc.array(fc.tuple(fc.nat(20), rulespecArb, counters), { maxLength: 12 }),
  })
  .map((g) => {
    const out: string[] = ["# Generated by fast-check"];
    for (const t of g.tables) {
      const builtins = BUILTIN[t] ?? [];
      const chains = [...builtins, ...g.userChains];
      out.push(`*${t}`);
      builtins.forEach((c, i) => {
        out.push(`:${c} ${g.policies[i] ?? "ACCEPT"} [${g.chainCounters[0]}:${g.chainCounters[1]}]`);
      });
      for (const u of g.userChains) out.push(`:${u} - [0:0]`);
      for (const [ci, spec, [pk, by]] of g.rules) {
        const c = chains[ci % chains.length] as string;
        const line = `-A ${c} ${spec}`.trimEnd();
        out.push(g.withCounters ? `[${pk}:${by}] ${line}` : line);
      }
      out.push("COMMIT");
    }
    // Rules are grouped per chain by iptables-save; keep input order as generated (restore accepts any order).
    return `${out.join("\n")}\n`;
  });
