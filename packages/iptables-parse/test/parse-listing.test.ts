import { describe, expect, it } from "vitest";
import { parseListing } from "../src/parse-listing.ts";
import { findChain } from "../src/policy-query.ts";
import type { ParsedPolicy, ParsedRule } from "../src/types.ts";
import { fixture, type PerlRule, perlGolden, perlRules, perlView } from "./support/golden.ts";

function rules(p: ParsedPolicy, chain: string): ParsedRule[] {
  const c = findChain(p, p.tables[0]?.name ?? "filter", chain);
  if (c === undefined) throw new Error(`no chain ${chain}`);
  return c.rules;
}

/** Perl's protocol numbers (1.8.9 listings) as names: the documented deviation D1. */
const NUM_TO_NAME: Record<string, string> = { "0": "all", "1": "icmp", "6": "tcp", "17": "udp", "58": "ipv6-icmp" };

/**
 * Perl's hash with the systematic deviations applied: D1 protocol names; D2 the tcp/udp port default `0`
 * that Perl itself applies to old-format listings (it misses it on 1.8.9 only because of the numbers).
 */
function withNames(p: PerlRule): PerlRule {
  const out = { ...p };
  const proto = String(p.protocol);
  const name = NUM_TO_NAME[proto] ?? proto;
  out.protocol = name;
  out.proto = name;
  if ((name === "tcp" || name === "udp") && proto !== name) {
    if (out.s_port === "") out.s_port = out.sport = 0;
    if (out.d_port === "") out.d_port = out.dport = 0;
  }
  return out;
}

/** Explicit per-rule deviations (DIFFERENCES.md rows D3, D4). */
interface Deviation {
  id: string;
  chain: string;
  rule: number;
  field: keyof PerlRule & string;
  /** Perl's value after {@link withNames}. */
  perl: string | number;
  ours: string | number;
}

const V4_DEVIATIONS: Record<string, Deviation[]> = {
  "spec-filter-v4.vnL-ln.txt": [
    // multiport dports: Perl (old format) says d_port 0 = any; the list lives in details.multiportDports.
    { id: "D3", chain: "INPUT", rule: 5, field: "d_port", perl: 0, ours: "" },
    { id: "D3", chain: "INPUT", rule: 5, field: "dport", perl: 0, ours: "" },
  ],
  "old-filter-v4.vnL-ln.txt": [
    { id: "D3", chain: "INPUT", rule: 5, field: "d_port", perl: 0, ours: "" },
    { id: "D3", chain: "INPUT", rule: 5, field: "dport", perl: 0, ours: "" },
  ],
  "spec-nat-v4.vnL-ln.txt": [
    { id: "D4", chain: "PREROUTING", rule: 2, field: "to_ip", perl: "", ours: "192.168.1.11" },
    { id: "D4", chain: "POSTROUTING", rule: 2, field: "to_ip", perl: "", ours: "203.0.113.9" },
  ],
  "old-nat-v4.vnL-ln.txt": [
    { id: "D4", chain: "PREROUTING", rule: 2, field: "to_ip", perl: "", ours: "192.168.1.11" },
    { id: "D4", chain: "POSTROUTING", rule: 2, field: "to_ip", perl: "", ours: "203.0.113.9" },
  ],
  "spec-mangle-v4.vnL-ln.txt": [],
  "spec-basic_ipv4.rules.txt": [],
};

describe("golden: IPv4 listings equal IPTables::Parse 1.6 output except the documented deviations", () => {
  for (const [file, devs] of Object.entries(V4_DEVIATIONS)) {
    const table = file.includes("nat") ? "nat" : file.includes("mangle") ? "mangle" : "filter";
    const ours = parseListing(fixture(file), { table });
    const perl = perlGolden(file);
    it(`${file}: same chains, policies and no diagnostics`, () => {
      expect(ours.tables[0]?.chains.map((c) => c.name)).toEqual(perl.chains);
      for (const c of perl.chains) expect(findChain(ours, table, c)?.policy).toBe(perl.policies[c]);
      expect(ours.diagnostics).toEqual([]);
    });
    for (const chain of perl.chains) {
      it(`${file}: ${chain} rules`, () => {
        const expected = perlRules(perl, chain).map(withNames);
        for (const d of devs.filter((x) => x.chain === chain)) {
          const e = expected[d.rule - 1] as PerlRule;
          expect(e[d.field], `${d.id} Perl value`).toBe(d.perl);
          e[d.field] = d.ours;
        }
        expect(rules(ours, chain).map(perlView)).toEqual(expected);
      });
    }
  }
});

describe("golden: IPv6 (D5 — Perl mis-parses the 1.8.9 `--` opt column)", () => {
  const cases = [
    ["spec-filter-v6.vnL-ln.txt", "old-filter-v6.vnL-ln.txt", "filter"],
    ["spec-nat-v6.vnL-ln.txt", "old-nat-v6.vnL-ln.txt", "nat"],
  ] as const;
  for (const [file, oldFile, table] of cases) {
    const perlNew = perlGolden(file);
    const perlOld = perlGolden(oldFile);
    const ours = parseListing(fixture(file), { table });
    const oursOld = parseListing(fixture(oldFile), { table });
    it(`${file}: Perl shifts every column (intf_in '--', src '*')`, () => {
      for (const c of perlNew.chains)
        for (const r of perlRules(perlNew, c)) {
          expect(r.intf_in).toBe("--");
          expect(["*", "eth0"]).toContain(r.src); // the out-interface column
        }
    });
    it(`${file}: ours equals what Perl returns for the old-format listing (apart from raw and D3/D4)`, () => {
      expect(ours.family).toBe("ipv6");
      for (const c of perlOld.chains) {
        const expected = perlRules(perlOld, c).map((r) => {
          const e: PerlRule = { ...r };
          // D3: multiport sports → s_port is the list, not 0 = any.
          if (String(e.extended).includes("multiport sports")) e.s_port = e.sport = "";
          // D4: IPv6 NAT target [addr]:port.
          if (String(e.extended).includes("to:[fd00::10]:8080")) {
            e.to_ip = "fd00::10";
            e.to_port = "8080";
          }
          return e;
        });
        const strip = (r: PerlRule): PerlRule => ({ ...r, raw: "" });
        expect(rules(ours, c).map(perlView).map(strip)).toEqual(expected.map(strip));
        expect(rules(oursOld, c).map(perlView)).toEqual(expected);
      }
    });
  }
});

describe("listing format variants (§2.5 / §7.9) give the same rules", () => {
  const base = parseListing(fixture("real/iptables.filter.vnL-ln.txt"));
  const key = (r: ParsedRule) => ({ ...perlView(r), raw: "", packets: "", bytes: "", intf_in: "", intf_out: "" });
  const variants = [
    ["-v -n -L", "real/iptables.filter.vnL.txt", "list-verbose"],
    ["-v -x -n -L --line-numbers", "real/iptables.filter.vxnL-ln.txt", "list-verbose"],
    ["-n -L (D6: no phantom header rule)", "real/iptables.filter.nL.txt", "list"],
    ["-n -L --line-numbers (D6: parsed, unlike Perl)", "real/iptables.filter.nL-ln.txt", "list"],
  ] as const;
  it.each(variants)("%s", (_name, file, format) => {
    const p = parseListing(fixture(file));
    expect(p.format).toBe(format);
    expect(p.diagnostics).toEqual([]);
    for (const c of base.tables[0]?.chains ?? []) {
      expect(rules(p, c.name).map(key)).toEqual(c.rules.map(key));
    }
  });
  it("non-verbose listings have no interfaces or counters ('' as Perl)", () => {
    const r = rules(parseListing(fixture("real/iptables.filter.nL.txt")), "INPUT")[0] as ParsedRule;
    expect([r.intf_in, r.intf_out, r.packets, r.bytes, r.rule_num]).toEqual(["", "", "", "", 1]);
  });
  it("-x gives exact counters; K/M counters have no exact value", () => {
    const exact = rules(parseListing(fixture("real/iptables.filter.vxnL-ln.txt")), "INPUT")[1] as ParsedRule;
    expect([exact.packets, exact.bytes, exact.details.packetsExact, exact.details.bytesExact]).toEqual([
      "123456",
      "98765432",
      123456n,
      98765432n,
    ]);
    const scaled = rules(base, "INPUT")[1] as ParsedRule;
    expect([scaled.packets, scaled.bytes, scaled.details.packetsExact]).toEqual(["123K", "99M", undefined]);
  });
  it("ip6tables variants (opt `--` column) agree too", () => {
    const v6 = parseListing(fixture("real/ip6tables.filter.vnL-ln.txt"));
    for (const f of [
      "real/ip6tables.filter.nL.txt",
      "real/ip6tables.filter.nL-ln.txt",
      "real/ip6tables.filter.vnL.txt",
    ]) {
      const p = parseListing(fixture(f));
      expect(p.family).toBe("ipv6");
      for (const c of v6.tables[0]?.chains ?? []) expect(rules(p, c.name).map(key)).toEqual(c.rules.map(key));
    }
  });
  it("Perl's phantom header rule and unparsed --line-numbers are not reproduced (D6)", () => {
    // Perl golden data, spec §7.9: -n -L gives 15 rules with {rule_num: 1} first; -n -L --line-numbers gives only {rule_num}.
    const p = parseListing(fixture("real/iptables.filter.nL.txt"));
    expect(rules(p, "INPUT")).toHaveLength(14);
    expect(rules(p, "INPUT")[0]?.target).toBe("ACCEPT");
  });
});

/** Non-empty keys of a rule, without raw and the duplicate keys (the spec's notation). */
function short(r: ParsedRule): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(perlView(r)))
    if (v !== "" && !["raw", "proto", "sport", "dport", "packets", "bytes", "intf_in", "intf_out"].includes(k))
      o[k] = v;
  return o;
}

describe("§7.9 EDGE rules and other variants (real iptables 1.8.9 output)", () => {
  const edge = rules(parseListing(fixture("real/iptables.filter.vnL-ln.txt")), "EDGE");
  const any = { src: "0.0.0.0/0", dst: "0.0.0.0/0" };
  const table: [number, Record<string, unknown>, Partial<ParsedRule["details"]>][] = [
    [1, { ...any, target: "DROP", protocol: "all", rule_num: 1 }, { fragment: true }],
    [
      2,
      { ...any, target: "ACCEPT", protocol: "udp", rule_num: 2, s_port: 0, d_port: 0 },
      { fragment: true, negated: { fragment: true } },
    ],
    [3, { ...any, target: "ACCEPT", protocol: "!tcp", rule_num: 3 }, { negated: { protocol: true } }],
    [4, { src: "1.2.3.4", dst: "0.0.0.0/0", protocol: "all", rule_num: 4 }, {}],
    [5, { ...any, target: "ACCEPT", protocol: "sctp", rule_num: 5, d_port: "9", extended: "sctp dpt:9" }, {}],
    [6, { ...any, target: "ACCEPT", protocol: "gre", rule_num: 6 }, {}],
    [
      7,
      {
        ...any,
        target: "DROP",
        protocol: "tcp",
        rule_num: 7,
        s_port: 0,
        d_port: 0,
        string: "!x y",
        extended: 'STRING match ! "x y" ALGO name kmp',
      },
      { negated: { string: true } },
    ],
    [
      8,
      {
        ...any,
        target: "DROP",
        protocol: "all",
        rule_num: 8,
        mac_source: "!00:11:22:33:44:55",
        extended: "MAC ! 00:11:22:33:44:55",
      },
      { negated: { mac_source: true } },
    ],
    [
      9,
      {
        ...any,
        target: "LOG",
        protocol: "tcp",
        rule_num: 9,
        s_port: 0,
        d_port: "22",
        ctstate: "NEW",
        extended: expect.stringContaining("recent: SET"),
      },
      { logPrefix: 'it\'s "quoted" ', logLevel: "4" },
    ],
    [
      10,
      { ...any, target: "ACCEPT", protocol: "tcp", rule_num: 10, s_port: 0, extended: "multiport dports  !80,443" },
      { multiportDports: ["80", "443"], negated: { multiport: true } },
    ],
    [
      11,
      { ...any, target: "ACCEPT", protocol: "tcp", rule_num: 11, extended: "multiport ports 1,2" },
      { multiportPorts: ["1", "2"] },
    ],
    [
      12,
      {
        ...any,
        target: "ACCEPT",
        protocol: "tcp",
        rule_num: 12,
        s_port: "!1:1023",
        d_port: 0,
        extended: "tcp spts:!1:1023",
      },
      { negated: { s_port: true } },
    ],
    [
      13,
      { ...any, target: "ACCEPT", protocol: "icmp", rule_num: 13, extended: "icmptype 3 code 4" },
      { icmpType: "3/4" },
    ],
    [
      14,
      { ...any, target: "ACCEPT", protocol: "icmp", rule_num: 14, extended: "icmp !type 255" },
      { icmpType: "255", negated: { icmpType: true } },
    ],
    [
      15,
      { ...any, target: "NFLOG", protocol: "all", rule_num: 15, extended: 'nflog-prefix "nf pre" nflog-group 5' },
      { logPrefix: "nf pre" },
    ],
    [
      17,
      {
        ...any,
        target: "REJECT",
        protocol: "udp",
        rule_num: 17,
        s_port: 0,
        d_port: 0,
        extended: "reject-with icmp-host-prohibited",
      },
      { rejectWith: "icmp-host-prohibited" },
    ],
    [
      18,
      {
        ...any,
        target: "LOG",
        protocol: "all",
        rule_num: 18,
        extended: 'limit: avg 3/min burst 7 LOG flags 0 level 7 prefix "a b"',
      },
      { limit: { avg: "3/min", burst: "7" }, logLevel: "7", logPrefix: "a b" },
    ],
    [
      20,
      { ...any, target: "ACCEPT", protocol: "all", rule_num: 20, extended: "mark match ! 0x2/0xff" },
      { mark: "0x2/0xff", negated: { mark: true } },
    ],
    [
      21,
      { ...any, target: "DROP", protocol: "tcp", rule_num: 21, s_port: 0, d_port: 0, extended: "tcp flags:!0x03/0x01" },
      { tcpFlags: { mask: "0x03", comp: "0x01", negated: true }, negated: { tcpFlags: true } },
    ],
    [
      23,
      { src: "0.0.0.0/0", dst: "!10.0.0.0/8", target: "ACCEPT", protocol: "all", rule_num: 23 },
      { negated: { dst: true, intf_out: true } },
    ],
    [
      24,
      {
        ...any,
        target: "ACCEPT",
        protocol: "all",
        rule_num: 24,
        comment: 'has "dq" and \\\\ back',
        extended: '/* has "dq" and \\\\ back */',
      },
      {},
    ],
    [
      26,
      { ...any, target: "DROP", protocol: "all", rule_num: 26, length: "!100", extended: "length !100" },
      { negated: { length: true } },
    ],
    [
      27,
      {
        ...any,
        target: "ACCEPT",
        protocol: "all",
        rule_num: 27,
        state: "NEW,ESTABLISHED",
        extended: "state NEW,ESTABLISHED",
      },
      {},
    ],
  ];
  it.each(table)("EDGE rule %i", (n, keys, details) => {
    const r = edge[n - 1] as ParsedRule;
    expect(short(r)).toEqual(keys);
    expect(r.details).toMatchObject(details);
  });
  it("rule 23 keeps the negated out-interface inline", () => {
    expect(edge[22]?.intf_out).toBe("!eth1");
  });

  const nat = rules(parseListing(fixture("real/iptables.nat.vnL-ln.txt"), { table: "nat" }), "NEDGE");
  it.each([
    [1, "10.0.0.1-10.0.0.5", "80", { natTo: "10.0.0.1-10.0.0.5:80-90" }],
    [2, "", "", { redirectPorts: "8080-8090" }],
    [3, "1.2.3.4", "", { natTo: "1.2.3.4" }],
    [4, "", "", { redirectPorts: "1000-2000" }],
  ] as const)("NAT variant %i: to_ip %s to_port %s (D4)", (n, ip, port, details) => {
    const r = nat[n - 1] as ParsedRule;
    expect([r.to_ip, r.to_port]).toEqual([ip, port]);
    expect(r.details).toMatchObject(details);
  });
  it("IPv6 SNAT with and without port (D4)", () => {
    const post = rules(parseListing(fixture("real/ip6tables.nat.vnL-ln.txt"), { table: "nat" }), "POSTROUTING");
    expect(post.map((r) => [r.to_ip, r.to_port])).toEqual([
      ["", ""],
      ["2001:db8::9", ""],
      ["2001:db8::9", "1000"],
    ]);
  });
  it("IPv6 EDGE: negated protocol, icmpv6 type, reject-with", () => {
    const e6 = rules(parseListing(fixture("real/ip6tables.filter.vnL-ln.txt")), "EDGE");
    expect(e6.map((r) => [r.protocol, r.d_port, r.details.icmpType, r.details.rejectWith])).toEqual([
      ["tcp", "!80", undefined, undefined],
      ["ipv6-icmp", "", "128", undefined],
      ["!udp", "", undefined, undefined],
      ["all", "", undefined, "icmp6-adm-prohibited"],
    ]);
  });
  it("the spec's EDGE excerpt (numbers 1,2,3,5,7,8,9) parses with RULE_NUMBER_MISMATCH warnings, not a croak (D9)", () => {
    const text = `Chain EDGE (0 references)\nnum   pkts bytes target     prot opt in     out     source               destination\n${fixture("spec-edge-v4.vnL-ln.excerpt.txt")}`;
    const p = parseListing(text);
    const r = rules(p, "EDGE");
    expect(r.map((x) => x.rule_num)).toEqual([1, 2, 3, 5, 7, 8, 9]);
    expect(p.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ["IPT_PARSE_RULE_NUMBER_MISMATCH", 6],
      ["IPT_PARSE_RULE_NUMBER_MISMATCH", 7],
      ["IPT_PARSE_RULE_NUMBER_MISMATCH", 8],
      ["IPT_PARSE_RULE_NUMBER_MISMATCH", 9],
    ]);
    expect(r[6]?.details.logLevel).toBe("6");
  });
});

describe("column detection corner cases", () => {
  it("blank target (rule without -j) in a verbose listing (D10)", () => {
    const r = rules(parseListing(fixture("real/iptables.filter.vnL-ln.txt")), "EDGE")[3] as ParsedRule;
    expect([r.target, r.protocol, r.src]).toEqual(["", "all", "1.2.3.4"]);
  });
  it("blank target and blank ip6tables opt column (pre-1.8.9), told apart by position", () => {
    // Real 1.8.9 lines (EDGE rule 4 has no target) rewritten to the old ip6tables style: names, blank opt.
    const real = fixture("real/iptables.filter.vnL-ln.txt").split("\n");
    const header = real.find((l) => l.startsWith("num")) as string;
    const blank = (real.find((l) => l.startsWith("4        0     0            0 ")) as string)
      .replace(" 0    --", " all    ")
      .replace("1.2.3.4 ", "::/0    ")
      .replace("0.0.0.0/0", "::/0     ");
    const tcp = (real.find((l) => l.startsWith("12       0     0 ACCEPT     6 ")) as string)
      .replace(" 6    --", " tcp    ")
      .replace("10.1.2.3 ", "2001:db8::3")
      .replace(/0\.0\.0\.0\/0/g, "::/0     ");
    const text = ["Chain X (0 references)", header, blank.replace(/^4 /, "1 "), tcp.replace(/^12/, "2 ")].join("\n");
    const p = parseListing(text);
    expect(rules(p, "X").map((r) => [r.target, r.protocol, r.intf_in, r.src, r.d_port])).toEqual([
      ["", "all", "*", "::/0", ""],
      ["ACCEPT", "tcp", "*", "2001:db8::3", "3306"],
    ]);
    expect(p.diagnostics).toEqual([]);
  });
  it("old backtick LOG prefix", () => {
    const text = [
      "Chain INPUT (policy ACCEPT)",
      "target     prot opt source               destination",
      "LOG        all  --  0.0.0.0/0            0.0.0.0/0           LOG flags 0 level 4 prefix `DROP '",
    ].join("\n");
    expect(rules(parseListing(text), "INPUT")[0]?.details.logPrefix).toBe("DROP ");
  });
  it("keywords inside a comment are not taken as matches (D11)", () => {
    const text = [
      "Chain INPUT (policy ACCEPT)",
      "target     prot opt source               destination",
      "ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            /* state NEW dpt:99 */ tcp dpt:22",
    ].join("\n");
    const r = rules(parseListing(text), "INPUT")[0] as ParsedRule;
    expect([r.state, r.d_port, r.comment]).toEqual(["", "22", "state NEW dpt:99"]);
  });
  it("negated state / ctstate are kept inline and flagged (D8; Perl drops the '!')", () => {
    const text = [
      "Chain X (0 references)",
      "target     prot opt source               destination",
      "DROP       0    --  0.0.0.0/0            0.0.0.0/0            ! state NEW",
      "DROP       0    --  0.0.0.0/0            0.0.0.0/0            ! ctstate INVALID,NEW",
    ].join("\n");
    const r = rules(parseListing(text), "X");
    expect(r.map((x) => [x.state, x.ctstate, x.details.negated])).toEqual([
      ["!NEW", "", { state: true }],
      ["", "!INVALID,NEW", { ctstate: true }],
    ]);
  });
  it("a comment containing ' */' (real 1.8.9 output; Perl cuts it at the first ' */') (D11)", () => {
    const text = [
      "Chain T (0 references)",
      "num   pkts bytes target     prot opt in     out     source               destination",
      "11       0     0 ACCEPT     0    --  *      *       0.0.0.0/0            0.0.0.0/0            /* a */ b */ /* c */",
      '12       0     0 LOG        6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:80 /* c1 */ LOG flags 0 level 4 prefix "p */ "',
    ].join("\n");
    const r = rules(parseListing(text), "T");
    expect(r.map((x) => [x.comment, x.details.logPrefix])).toEqual([
      ["a */ b", undefined],
      ["c1", "p */ "],
    ]);
  });
  it("STRING with escaped quotes (D12)", () => {
    const text = [
      "Chain X (0 references)",
      "target     prot opt source               destination",
      'DROP       6    --  0.0.0.0/0            0.0.0.0/0            STRING match  "a\\"b\\\\c" ALGO name bm',
    ].join("\n");
    expect(rules(parseListing(text), "X")[0]?.string).toBe('a"b\\c');
  });
  it("[goto] and unknown protocol numbers", () => {
    const text = [
      "Chain X (0 references)",
      "target     prot opt source               destination",
      "X2         0    --  0.0.0.0/0            0.0.0.0/0           [goto] ",
      "ACCEPT     200  --  0.0.0.0/0            0.0.0.0/0",
    ].join("\n");
    const r = rules(parseListing(text), "X");
    expect(r[0]?.details.goto).toBe(true);
    expect(r[1]?.protocol).toBe("200");
  });
  it("chain headers: policy, counters, references (10+ references too)", () => {
    const text = [
      "Chain INPUT (policy DROP 5 packets, 300 bytes)",
      "Chain FOO (12 references)",
      "Chain BAR (0 references)",
      "Chain BIG (policy ACCEPT 12K packets, 3M bytes)",
    ].join("\n\n");
    const p = parseListing(text);
    expect(p.tables[0]?.chains.map((c) => [c.name, c.policy, c.references, c.counters])).toEqual([
      ["INPUT", "DROP", undefined, { packets: 5n, bytes: 300n }],
      ["FOO", "", 12, undefined],
      ["BAR", "", 0, undefined],
      ["BIG", "ACCEPT", undefined, undefined],
    ]);
  });
  it("a chain name with regex metacharacters is taken literally", () => {
    const text = "Chain SC~!@#^%&$*-[]+={}-test (0 references)\n target     prot opt source destination\n";
    expect(parseListing(text).tables[0]?.chains[0]?.name).toBe("SC~!@#^%&$*-[]+={}-test");
  });
});

describe("diagnostics", () => {
  it("unparseable rule lines still yield a rule with raw and rule_num, plus an error diagnostic", () => {
    const text =
      "Chain INPUT (policy ACCEPT)\ntarget     prot opt source               destination\ngarbage\nACCEPT all -- 0.0.0.0/0 0.0.0.0/0\n";
    const p = parseListing(text);
    const r = rules(p, "INPUT");
    expect(perlView(r[0] as ParsedRule)).toMatchObject({ rule_num: 1, raw: "garbage", target: "", protocol: "" });
    expect(r[1]?.rule_num).toBe(2);
    expect(p.diagnostics).toEqual([
      expect.objectContaining({ code: "IPT_PARSE_UNRECOGNISED_LINE", severity: "error", line: 3 }),
    ]);
  });
  it("lines outside any chain, comments, missing header", () => {
    const text =
      "stray\n# Warning: iptables-legacy tables present\nChain X (1 references)\nACCEPT     all  --  0.0.0.0/0            0.0.0.0/0\n";
    const p = parseListing(text);
    expect(p.diagnostics.map((d) => [d.code, d.severity, d.line])).toEqual([
      ["IPT_PARSE_UNRECOGNISED_LINE", "warning", 1],
      ["IPT_PARSE_UNRECOGNISED_LINE", "info", 2],
      ["IPT_PARSE_UNRECOGNISED_LINE", "warning", 4],
    ]);
    expect(rules(p, "X")[0]?.target).toBe("ACCEPT");
  });
  it("empty input", () => {
    expect(parseListing("").diagnostics.map((d) => d.code)).toEqual(["IPT_PARSE_EMPTY_INPUT"]);
  });
  it("CRLF line ends", () => {
    const p = parseListing(fixture("real/iptables.filter.vnL-ln.txt").replace(/\n/g, "\r\n"));
    expect(p.diagnostics).toEqual([]);
    expect(rules(p, "INPUT")[3]?.comment).toBe("ssh from lan");
  });
});
