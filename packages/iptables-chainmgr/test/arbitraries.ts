/**
 * fast-check generators for the differential test: random but valid iptables rulesets (a "safe grammar" that
 * iptables 1.8.9 accepts on both backends), rendered as iptables-restore text with chainmgr's own quoting.
 */
import fc from "fast-check";
import { quoteRestoreArg } from "../src/index.ts";

export type Fam = "ipv4" | "ipv6";

/** A generated ruleset: per table, user chains and rules (argv after `-A CHAIN`). */
export interface GenRuleset {
  tables: { table: string; userChains: string[]; rules: { chain: string; argv: string[] }[] }[];
}

const TABLE_CHAINS: Record<string, string[]> = {
  filter: ["INPUT", "FORWARD", "OUTPUT"],
  mangle: ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
  nat: ["PREROUTING", "OUTPUT", "POSTROUTING"],
  raw: ["PREROUTING", "OUTPUT"],
};
const IN_OK = new Set(["INPUT", "FORWARD", "PREROUTING"]);
const OUT_OK = new Set(["OUTPUT", "FORWARD", "POSTROUTING"]);

const octet = fc.integer({ min: 0, max: 255 });
const v4host = fc.tuple(octet, octet, octet, octet).map((o) => o.join("."));
const v4net = fc.oneof(
  v4host,
  fc.tuple(v4host, fc.integer({ min: 0, max: 32 })).map(([h, p]) => `${h}/${p}`),
);
const hextet = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
const v6host = fc.oneof(
  fc.array(hextet, { minLength: 8, maxLength: 8 }).map((h) => h.join(":")),
  fc.tuple(hextet, hextet).map(([a, b]) => `2001:db8::${a}:${b}`),
  fc.constant("fe80::1"),
  fc.tuple(octet, octet).map(([a, b]) => `::ffff:10.0.${a}.${b}`),
);
const v6net = fc.oneof(
  v6host,
  fc.tuple(v6host, fc.integer({ min: 0, max: 128 })).map(([h, p]) => `${h}/${p}`),
);
const port = fc.integer({ min: 1, max: 65535 });
const portSpec = fc.oneof(
  port.map(String),
  fc.tuple(port, port).map(([a, b]) => `${Math.min(a, b)}:${Math.max(a, b)}`),
);
const states = fc.subarray(["NEW", "ESTABLISHED", "RELATED", "INVALID"], { minLength: 1 }).map((s) => s.join(","));
// Texts may start with "-" (iptables-save then prints `--comment -u` unquoted; an early parseSave lost those).
const safeText = fc.stringMatching(/^[A-Za-z0-9 _.:=+-]{1,20}$/).filter((s) => s.trim() === s);
const iface = fc.constantFrom("eth0", "eth+", "lo", "veth1");
const neg = fc.boolean();
const mac = fc
  .array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 })
  .map((b) => b.map((x) => x.toString(16).padStart(2, "0")).join(":"));

/** Present about one time in three (keeps rules realistic rather than packed with every match). */
function maybe<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
}

/** `! -s x/0` is refused by iptables-nft (RULE_APPEND failed: Invalid argument): never negate a /0. */
function negNet(v: [boolean, string]): [boolean, string] {
  return v[1].endsWith("/0") ? [false, v[1]] : v;
}

/** One rule's argv (matches + target) for `chain` in `table`. */
function ruleArb(
  fam: Fam,
  table: string,
  chain: string,
  userChains: string[],
  builtin: boolean,
): fc.Arbitrary<string[]> {
  const net = fam === "ipv6" ? v6net : v4net;
  const icmp = fam === "ipv6" ? "ipv6-icmp" : "icmp";
  return fc
    .record({
      src: maybe(fc.tuple(neg, net)),
      dst: maybe(fc.tuple(neg, net)),
      inIf: maybe(fc.tuple(neg, iface)),
      outIf: maybe(fc.tuple(neg, iface)),
      proto: fc.constantFrom("all", "tcp", "udp", icmp, "!tcp", "sctp"),
      sport: maybe(fc.tuple(neg, portSpec)),
      dport: maybe(fc.tuple(neg, portSpec)),
      multiport: maybe(fc.array(portSpec, { minLength: 1, maxLength: 4 })),
      state: maybe(states),
      ctstate: maybe(states),
      comment: maybe(safeText),
      string: maybe(safeText),
      length: maybe(fc.tuple(fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 0, max: 1500 }))),
      mac: maybe(mac),
      limit: maybe(fc.integer({ min: 1, max: 100 })),
      target: fc.constantFrom("ACCEPT", "DROP", "RETURN", "LOG", "REJECT", "DNAT", "JUMP", "NONE"),
      logPrefix: safeText,
      dnatPort: maybe(port),
      jumpIdx: fc.nat(),
      dnatHost: fam === "ipv6" ? v6host : v4host,
    })
    .map((r) => {
      const a: string[] = [];
      const n = (b: boolean) => (b ? ["!"] : []);
      if (r.src) a.push(...n(negNet(r.src)[0]), "-s", r.src[1]);
      if (r.dst) a.push(...n(negNet(r.dst)[0]), "-d", r.dst[1]);
      if (r.inIf && (!builtin || IN_OK.has(chain))) a.push(...n(r.inIf[0]), "-i", r.inIf[1]);
      if (r.outIf && (!builtin || OUT_OK.has(chain))) a.push(...n(r.outIf[0]), "-o", r.outIf[1]);
      const ported = r.proto === "tcp" || r.proto === "udp" || r.proto === "sctp";
      if (r.proto !== "all") a.push(...(r.proto.startsWith("!") ? ["!", "-p", r.proto.slice(1)] : ["-p", r.proto]));
      if (ported) {
        if (r.sport) a.push(...n(r.sport[0]), "--sport", r.sport[1]);
        if (r.dport) a.push(...n(r.dport[0]), "--dport", r.dport[1]);
        if (r.multiport && r.proto !== "sctp") a.push("-m", "multiport", "--dports", r.multiport.join(","));
      }
      if (r.state) a.push("-m", "state", "--state", r.state);
      if (r.ctstate) a.push("-m", "conntrack", "--ctstate", r.ctstate);
      if (r.string) a.push("-m", "string", "--string", r.string, "--algo", "bm");
      if (r.length) a.push("-m", "length", "--length", `${Math.min(...r.length)}:${Math.max(...r.length)}`);
      if (r.mac && table === "filter" && (chain === "INPUT" || chain === "FORWARD"))
        a.push("-m", "mac", "--mac-source", r.mac);
      if (r.limit) a.push("-m", "limit", "--limit", `${r.limit}/sec`);
      if (r.comment) a.push("-m", "comment", "--comment", r.comment);
      let t = r.target;
      if (t === "DROP" && table === "nat") t = "ACCEPT";
      if (t === "REJECT" && table !== "filter") t = "DROP";
      if (t === "DROP" && table === "nat") t = "ACCEPT";
      if (t === "DNAT" && !(table === "nat" && (chain === "PREROUTING" || chain === "OUTPUT"))) t = "LOG";
      if (t === "RETURN" && builtin) t = "ACCEPT";
      if (t === "JUMP") t = builtin && userChains.length ? "JUMP" : "ACCEPT";
      switch (t) {
        case "LOG":
          a.push("-j", "LOG", "--log-prefix", `${r.logPrefix} `);
          break;
        case "REJECT":
          a.push("-j", "REJECT");
          break;
        case "DNAT": {
          const host = fam === "ipv6" && r.dnatPort && ported ? `[${r.dnatHost}]` : r.dnatHost;
          a.push("-j", "DNAT", "--to-destination", r.dnatPort && ported ? `${host}:${r.dnatPort}` : host);
          break;
        }
        case "JUMP":
          a.push("-j", userChains[r.jumpIdx % userChains.length] as string);
          break;
        case "NONE":
          break;
        default:
          a.push("-j", t);
      }
      return a;
    });
}

/** A ruleset over filter/mangle/nat/raw with up to two user chains per table (user chains never jump). */
export function rulesetArb(fam: Fam): fc.Arbitrary<GenRuleset> {
  const tables = Object.keys(TABLE_CHAINS);
  return fc.tuple(...tables.map((t) => fc.subarray(["USR1", "my-chain.2"]).map((u) => [t, u] as const))).chain((tu) =>
    fc
      .tuple(
        ...tu.map(([table, users]) => {
          const chains = [...(TABLE_CHAINS[table] ?? []), ...users];
          const ruleFor = fc
            .constantFrom(...chains)
            .chain((chain) =>
              ruleArb(fam, table, chain, users, !users.includes(chain)).map((argv) => ({ chain, argv })),
            );
          return fc.array(ruleFor, { maxLength: 6 }).map((rules) => ({ table, userChains: [...users], rules }));
        }),
      )
      .map((ts) => ({ tables: ts })),
  );
}

/** iptables-restore text for a generated ruleset (full replacement of the four tables). */
export function renderRuleset(r: GenRuleset): string {
  const out: string[] = [];
  for (const t of r.tables) {
    out.push(`*${t.table}`);
    for (const c of TABLE_CHAINS[t.table] ?? []) out.push(`:${c} ACCEPT [0:0]`);
    for (const u of t.userChains) out.push(`:${u} - [0:0]`);
    for (const rule of t.rules) out.push(`-A ${rule.chain} ${rule.argv.map(quoteRestoreArg).join(" ")}`);
    out.push("COMMIT");
  }
  return `${out.join("\n")}\n`;
}
