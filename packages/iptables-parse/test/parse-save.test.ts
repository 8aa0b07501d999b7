import { describe, expect, it } from "vitest";
import { parseListing } from "../src/parse-listing.ts";
import { parseSave } from "../src/parse-save.ts";
import { comparableRule, findChain, listTableChains } from "../src/policy-query.ts";
import type { ParsedPolicy, ParsedRule } from "../src/types.ts";
import { fixture, perlGolden, perlView } from "./support/golden.ts";

function rules(p: ParsedPolicy, table: string, chain: string): ParsedRule[] {
  const c = findChain(p, table, chain);
  if (c === undefined) throw new Error(`no chain ${table}/${chain}`);
  return c.rules;
}

describe("save and -L parses of the same ruleset agree on comparableRule (real iptables 1.8.9 output)", () => {
  for (const [bin, family] of [
    ["iptables", "ipv4"],
    ["ip6tables", "ipv6"],
  ] as const) {
    const saves = {
      "save -c": parseSave(fixture(`real/${bin}.save-c.txt`)),
      save: parseSave(fixture(`real/${bin}.save.txt`)),
    };
    for (const [sname, save] of Object.entries(saves)) {
      it(`${bin} ${sname}: clean parse`, () => {
        expect(save.diagnostics).toEqual([]);
        expect(save.format).toBe("save");
        expect(save.family).toBe(family);
      });
      for (const t of save.tables) {
        it(`${bin} ${sname} table ${t.name} = -v -n -L --line-numbers, -v -x and -S`, () => {
          const l = parseListing(fixture(`real/${bin}.${t.name}.vnL-ln.txt`), { table: t.name });
          const lx = parseListing(fixture(`real/${bin}.${t.name}.vxnL-ln.txt`), { table: t.name });
          const s = parseSave(fixture(`real/${bin}.${t.name}.S.txt`), { table: t.name, family });
          expect(s.format).toBe("rules");
          expect(listTableChains(l, t.name)).toEqual(t.chains.map((c) => c.name));
          expect(listTableChains(s, t.name)).toEqual(t.chains.map((c) => c.name));
          for (const ch of t.chains) {
            const want = ch.rules.map(comparableRule);
            expect(rules(l, t.name, ch.name).map(comparableRule)).toEqual(want);
            expect(rules(lx, t.name, ch.name).map(comparableRule)).toEqual(want);
            expect(rules(s, t.name, ch.name).map(comparableRule)).toEqual(want);
            expect(findChain(l, t.name, ch.name)?.policy).toBe(ch.policy);
            expect(findChain(s, t.name, ch.name)?.policy).toBe(ch.policy);
          }
        });
      }
    }
  }
  it("exact counters from save -c equal the -x listing's", () => {
    const save = parseSave(fixture("real/iptables.save-c.txt"));
    const lx = parseListing(fixture("real/iptables.filter.vxnL-ln.txt"));
    const a = rules(save, "filter", "INPUT")[1] as ParsedRule;
    const b = rules(lx, "filter", "INPUT")[1] as ParsedRule;
    expect([a.packets, a.bytes, a.details.packetsExact, a.details.bytesExact]).toEqual([
      b.packets,
      b.bytes,
      b.details.packetsExact,
      b.details.bytesExact,
    ]);
  });
});

describe("parseSave: the 24 keys from options (D16; Perl returns [] for save files)", () => {
  it("Perl returns nothing for an iptables-save file", () => {
    expect(perlGolden("spec-save-c-v4.txt").chains).toEqual([]);
  });
  const p = parseSave(fixture("spec-save-c-v4.txt"));
  const input = rules(p, "filter", "INPUT");
  it("tables and chains in order, policies ('' for user chains)", () => {
    expect(p.tables.map((t) => t.name)).toEqual(["mangle", "filter", "nat"]);
    expect(listTableChains(p, "filter")).toEqual(["INPUT", "FORWARD", "OUTPUT", "CUSTOM", "my-chain.1"]);
    expect(findChain(p, "filter", "CUSTOM")?.policy).toBe("");
    expect(findChain(p, "filter", "INPUT")?.counters).toEqual({ packets: 0n, bytes: 0n });
  });
  it("rule 4: hosts, ports, comment, rulespec, extended = options text (D17)", () => {
    const r = input[3] as ParsedRule;
    expect(perlView(r)).toEqual({
      rule_num: 4,
      raw: '[0:0] -A INPUT -s 192.168.10.0/24 -p tcp -m tcp --dport 22 -m comment --comment "ssh from lan" -j ACCEPT',
      packets: "0",
      bytes: "0",
      target: "ACCEPT",
      protocol: "tcp",
      proto: "tcp",
      intf_in: "*",
      intf_out: "*",
      src: "192.168.10.0/24",
      dst: "0.0.0.0/0",
      extended: '-m tcp --dport 22 -m comment --comment "ssh from lan"',
      s_port: 0,
      sport: 0,
      d_port: "22",
      dport: "22",
      to_ip: "",
      to_port: "",
      mac_source: "",
      state: "",
      ctstate: "",
      comment: "ssh from lan",
      string: "",
      length: "",
    });
    expect(r.details.rulespec).toBe(
      '-s 192.168.10.0/24 -p tcp -m tcp --dport 22 -m comment --comment "ssh from lan" -j ACCEPT',
    );
  });
  it("/32 hosts stripped, negations inline and flagged", () => {
    expect([input[6]?.dst, input[6]?.d_port, input[6]?.details.negated]).toEqual([
      "203.0.113.5",
      "!25",
      { d_port: true },
    ]);
    expect([input[5]?.src, input[5]?.details.negated]).toEqual(["!10.0.0.0/8", { src: true }]);
  });
  it("NAT targets: to_ip / to_port (D4)", () => {
    expect(rules(p, "nat", "PREROUTING").map((r) => [r.to_ip, r.to_port])).toEqual([
      ["192.168.1.10", "80"],
      ["192.168.1.11", ""],
      ["192.168.1.12", "8000"],
    ]);
    expect(rules(p, "nat", "OUTPUT")[0]?.details.redirectPorts).toBe("3128");
    const v6 = parseSave(fixture("spec-save-c-v6.txt"));
    expect(v6.family).toBe("ipv6");
    const dnat = rules(v6, "nat", "PREROUTING")[0] as ParsedRule;
    expect([dnat.to_ip, dnat.to_port, dnat.dst, dnat.src]).toEqual(["fd00::10", "8080", "2001:db8::10", "::/0"]);
  });
  it("typed details: multiport, icmp, limit, LOG, reject, target options", () => {
    expect(input[4]?.details.multiportDports).toEqual(["80", "443", "8000:8080"]);
    expect(input[4]?.d_port).toBe("");
    expect(input[9]?.details).toMatchObject({ icmpType: "8", limit: { avg: "5/sec" } });
    expect(input[13]?.details.logPrefix).toBe("DROP ");
    expect(input[6]?.details.rejectWith).toBe("tcp-reset");
    expect(rules(p, "mangle", "PREROUTING")[0]?.details.targetOptions).toEqual(["--set-xmark 0x1/0xffffffff"]);
    expect(rules(p, "mangle", "POSTROUTING")[0]?.details.tcpFlags).toEqual({
      mask: "SYN,RST",
      comp: "SYN",
      negated: false,
    });
  });
  it("quoting and escapes as written by iptables-save", () => {
    const save = parseSave(fixture("real/iptables.save.txt"));
    const edge = rules(save, "filter", "EDGE");
    expect(edge[8]?.details.logPrefix).toBe('it\'s "quoted" ');
    expect(edge[23]?.comment).toBe('has "dq" and \\\\ back');
    expect(edge[6]?.string).toBe("!x y");
  });
});

describe("-S and hand-written restore files", () => {
  it("-S -v counters (-c p b) and -P/-N lines", () => {
    const p = parseSave("-P INPUT DROP -c 5 600\n-N X\n-A INPUT -i lo -c 7 800 -j ACCEPT\n-A X -j RETURN\n", {
      table: "filter",
    });
    expect(p.format).toBe("rules");
    expect(findChain(p, "filter", "INPUT")).toMatchObject({ policy: "DROP", counters: { packets: 5n, bytes: 600n } });
    const r = rules(p, "filter", "INPUT")[0] as ParsedRule;
    expect([r.packets, r.bytes, r.details.packetsExact, r.details.rulespec]).toEqual([
      "7",
      "800",
      7n,
      "-i lo -j ACCEPT",
    ]);
    expect(p.diagnostics).toEqual([]);
  });
  it("long option names, old-style negation, implicit port match, goto, protocol numbers", () => {
    const p = parseSave(
      "*filter\n:INPUT ACCEPT [0:0]\n:X - [0:0]\n-A INPUT --source 10.0.0.1/32 --protocol 6 --dport ! 22 --jump ACCEPT\n-A INPUT -s ! 1.2.3.4 -g X\nCOMMIT\n",
    );
    const [a, b] = rules(p, "filter", "INPUT");
    expect([a?.src, a?.protocol, a?.d_port, a?.s_port, a?.target]).toEqual(["10.0.0.1", "tcp", "!22", 0, "ACCEPT"]);
    expect([b?.src, b?.target, b?.details.goto]).toEqual(["!1.2.3.4", "X", true]);
    expect(p.diagnostics).toEqual([]);
  });
  it("IPv6 family given explicitly fills ::/0 for rules without addresses", () => {
    const p = parseSave("-A INPUT -j ACCEPT\n", { family: "ipv6" });
    expect([rules(p, "filter", "INPUT")[0]?.src, p.family]).toEqual(["::/0", "ipv6"]);
  });
});

describe("parseSave diagnostics (never throws)", () => {
  const codes = (t: string) => parseSave(t).diagnostics.map((d) => [d.code, d.line]);
  it.each([
    ["missing COMMIT", "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\n", [["IPT_PARSE_MISSING_COMMIT", 1]]],
    [
      "rule outside table",
      "*filter\nCOMMIT\n-A INPUT -j DROP\n",
      [
        ["IPT_PARSE_RULE_OUTSIDE_TABLE", 3],
        ["IPT_PARSE_UNKNOWN_CHAIN", 3],
      ],
    ],
    ["unknown chain", "*filter\n-A NOPE -j DROP\nCOMMIT\n", [["IPT_PARSE_UNKNOWN_CHAIN", 2]]],
    [
      "unterminated quote",
      '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "x -j DROP\nCOMMIT\n',
      [["IPT_PARSE_BAD_QUOTING", 3]],
    ],
    [
      "bad counters",
      "*filter\n:INPUT ACCEPT [x:0]\n[1:] -A INPUT -j DROP\nCOMMIT\n",
      [
        ["IPT_PARSE_BAD_SAVE_LINE", 2],
        ["IPT_PARSE_BAD_SAVE_LINE", 3],
      ],
    ],
    [
      "unsupported command",
      "*filter\n:INPUT ACCEPT [0:0]\n-I INPUT 1 -j DROP\nCOMMIT\n",
      [["IPT_PARSE_BAD_SAVE_LINE", 3]],
    ],
    [
      "option without argument",
      "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s\nCOMMIT\n",
      [["IPT_PARSE_BAD_SAVE_LINE", 3]],
    ],
    ["empty", "", [["IPT_PARSE_EMPTY_INPUT", 1]]],
    ["COMMIT without table", "COMMIT\n", [["IPT_PARSE_BAD_SAVE_LINE", 1]]],
  ] as const)("%s", (_n, text, want) => {
    expect(codes(text)).toEqual(want);
  });
  it("a rule with a bad option is still returned with raw and rule_num", () => {
    const p = parseSave("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s\nCOMMIT\n");
    expect(rules(p, "filter", "INPUT")[0]).toMatchObject({ rule_num: 1, raw: "-A INPUT -s" });
  });
});
