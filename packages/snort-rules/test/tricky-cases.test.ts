/** Every row of the spec's §6 tricky-case table (H1–H26 header, O1–O57 options) as a table-driven test. */
import { describe, expect, it } from "vitest";
import {
  type AddrExpr,
  addressSet,
  formatRule,
  type PortExpr,
  parseAddressExpr,
  parseRuleset,
  payloadMatches,
  pcreFlagBuffer,
  portSet,
  type Rule,
  rangeBounds,
  resolveAddressExpr,
  resolvePortExpr,
  variableTable,
} from "../src/index.ts";
import { codes, contents, hex, optionsOf, parse, tcp } from "./helpers.ts";

const v4 = (s: string): bigint => s.split(".").reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n);
function inSet(expr: AddrExpr | undefined, ip: string): boolean {
  const r = addressSet(expr as AddrExpr);
  if (!r.ok) throw new Error(r.error.message);
  const x = v4(ip);
  return r.value.v4.some(([lo, hi]) => lo <= x && x <= hi);
}
function ports(expr: PortExpr | undefined): [number, number][] {
  const r = portSet(expr as PortExpr);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
const noErrors = (d: Parameters<typeof codes>[0]) => expect(codes(d, "error")).toEqual([]);

interface Row {
  id: string;
  input: string;
  check: (input: string) => void;
}

const header: Row[] = [
  {
    id: "H1",
    input: 'alert tcp any any -> any any (msg:"x"; sid:1;)',
    check: (t) => {
      const { rule, diagnostics } = parse(t);
      noErrors(diagnostics);
      expect(rule).toMatchObject({
        action: "alert",
        protocol: "tcp",
        direction: "->",
        src: { kind: "any" },
        dstPort: { kind: "any" },
      });
    },
  },
  {
    id: "H2",
    input: 'alert tcp !10.0.0.0/8 any -> any any (msg:"x"; sid:1;)',
    check: (t) => {
      const { rule } = parse(t);
      expect(rule.src).toEqual({ kind: "ip", negated: true, text: "10.0.0.0/8" });
      expect(inSet(rule.src, "10.9.9.9")).toBe(false);
      expect(inSet(rule.src, "11.0.0.1")).toBe(true);
    },
  },
  {
    id: "H3",
    input: 'alert tcp ![10.0.0.0/8,192.168.0.0/16] any -> any any (msg:"x"; sid:1;)',
    check: (t) => {
      const { rule } = parse(t);
      expect(rule.src?.kind === "list" && rule.src.negated).toBe(true);
      expect(inSet(rule.src, "10.1.1.1")).toBe(false);
      expect(inSet(rule.src, "192.168.3.3")).toBe(false);
      expect(inSet(rule.src, "8.8.8.8")).toBe(true);
    },
  },
  {
    id: "H4",
    input: 'alert tcp [10.0.0.0/8,!10.1.0.0/16] any -> any any (msg:"x"; sid:1;)',
    check: (t) => {
      const { rule } = parse(t);
      expect(inSet(rule.src, "10.2.0.1")).toBe(true);
      expect(inSet(rule.src, "10.1.0.5")).toBe(false);
      expect(inSet(rule.src, "11.0.0.1")).toBe(false);
    },
  },
  {
    id: "H5",
    input: 'alert tcp [[10.0.0.0/8,!10.1.0.0/16],172.16.0.0/12] any -> any any (msg:"x"; sid:1;)',
    check: (t) => {
      const { rule } = parse(t);
      expect(rule.src?.kind === "list" && rule.src.items[0]?.kind).toBe("list");
      expect(inSet(rule.src, "172.16.0.1")).toBe(true);
      expect(inSet(rule.src, "10.0.0.1")).toBe(true);
      expect(inSet(rule.src, "10.1.0.1")).toBe(false);
    },
  },
  {
    id: "H6",
    input: 'alert tcp $HOME_NET any -> !$HOME_NET any (msg:"x"; sid:1;)',
    check: (t) => {
      const { rule } = parse(t);
      expect(rule.src).toEqual({ kind: "var", negated: false, name: "HOME_NET" });
      expect(rule.dst).toEqual({ kind: "var", negated: true, name: "HOME_NET" });
      const r = resolveAddressExpr(
        rule.dst as AddrExpr,
        variableTable([{ kind: "var", name: "HOME_NET", value: "10.0.0.0/8" }]),
      );
      expect(r.ok && inSet(r.value, "10.0.0.1")).toBe(false);
      expect(r.ok && inSet(r.value, "1.1.1.1")).toBe(true);
    },
  },
  {
    id: "H7",
    input: 'alert tcp any any -> any [80,8080,8000:8100] (msg:"x"; sid:1;)',
    check: (t) =>
      expect(ports(parse(t).rule.dstPort)).toEqual([
        [80, 80],
        [8000, 8100],
      ]),
  },
  {
    id: "H8",
    input: 'alert tcp any any -> any 1024: (msg:"x"; sid:1;)',
    check: (t) => {
      expect(ports(parse(t).rule.dstPort)).toEqual([[1024, 65535]]);
      expect(ports(parse(t.replace("1024:", ":1023")).rule.dstPort)).toEqual([[0, 1023]]);
    },
  },
  {
    id: "H9",
    input: 'alert tcp any any -> any ![80,443] (msg:"x"; sid:1;)',
    check: (t) =>
      expect(ports(parse(t).rule.dstPort)).toEqual([
        [0, 79],
        [81, 442],
        [444, 65535],
      ]),
  },
  {
    id: "H10",
    input: 'alert tcp any any -> any [1:80,![2,4]] (msg:"x"; sid:1;)',
    check: (t) =>
      expect(ports(parse(t).rule.dstPort)).toEqual([
        [1, 1],
        [3, 3],
        [5, 80],
      ]),
  },
  {
    id: "H11",
    input: 'alert tcp any any <> any 23 (msg:"x"; sid:1;)',
    check: (t) => expect(parse(t).rule.direction).toBe("<>"),
  },
  {
    id: "H12",
    input: 'alert tcp any any <- any any (msg:"x"; sid:1;)',
    check: (t) => expect(codes(parse(t).diagnostics, "error")).toEqual(["SNORT_BAD_HEADER"]),
  },
  {
    id: "H13",
    input: 'alert tcp [10.0.0.1, 10.0.0.2] any -> $HOME_NET 80 (msg:"x"; sid:1;)',
    check: (t) => {
      const { rule, diagnostics } = parse(t);
      noErrors(diagnostics);
      expect(rule.src).toEqual({
        kind: "list",
        negated: false,
        items: [
          { kind: "ip", negated: false, text: "10.0.0.1" },
          { kind: "ip", negated: false, text: "10.0.0.2" },
        ],
      });
      expect(rule.dstPort).toEqual({ kind: "port", negated: false, port: 80 });
    },
  },
  {
    id: "H14",
    input: 'alert tcp any any -> any 80(msg:"x"; sid:1;)',
    check: (t) => {
      const { rule, diagnostics } = parse(t);
      noErrors(diagnostics);
      expect(rule.dstPort).toEqual({ kind: "port", negated: false, port: 80 });
      expect(rule.msg).toBe("x");
    },
  },
  {
    id: "H15",
    input: 'portvar HTTP_PORTS [80,8080]\nalert tcp any any -> any $HTTP_PORTS (msg:"x"; sid:1;)',
    check: (t) => {
      const rs = parseRuleset(t);
      const r = resolvePortExpr(rs.rules[0]?.rule.dstPort as PortExpr, variableTable(rs.variables));
      expect(r.ok && ports(r.value)).toEqual([
        [80, 80],
        [8080, 8080],
      ]);
    },
  },
  {
    id: "H16",
    input: 'alert ip any any -> [2001:db8::/32,::1] any (msg:"x"; sid:1;)',
    check: (t) => {
      const { rule, diagnostics } = parse(t);
      noErrors(diagnostics);
      const s = addressSet(rule.dst as AddrExpr);
      expect(s.ok && s.value.v6).toEqual([
        [1n, 1n],
        [0x20010db8n << 96n, ((0x20010db8n + 1n) << 96n) - 1n],
      ]);
      expect(s.ok && s.value.v4).toEqual([]);
    },
  },
  {
    id: "H17",
    input: 'alert http any any -> any any (msg:"x"; sid:1;)',
    check: (t) => {
      const { rule, diagnostics } = parse(t);
      noErrors(diagnostics);
      expect([rule.protocol, rule.dialect]).toEqual(["http", "suricata"]);
      expect(codes(parse(t, { dialect: "snort2" }).diagnostics, "error")).toEqual(["SNORT_UNKNOWN_PROTOCOL"]);
    },
  },
  {
    id: "H18",
    input: 'alert http (msg:"x"; sid:1;)',
    check: (t) => {
      const { rule, diagnostics } = parse(t);
      noErrors(diagnostics);
      expect(rule.dialect).toBe("snort3");
      expect(rule.src).toBeUndefined();
      expect(formatRule(rule)).toBe(t);
    },
  },
  {
    id: "H19",
    input:
      'var HOME_NET 192.168.0.0/16\nvar EXTERNAL_NET !$HOME_NET\nalert tcp $EXTERNAL_NET any -> $HOME_NET 80 (msg:"x"; sid:1;)',
    check: (t) => {
      const rs = parseRuleset(t);
      const vars = variableTable(rs.variables);
      const src = resolveAddressExpr(rs.rules[0]?.rule.src as AddrExpr, vars);
      expect(src.ok && inSet(src.value, "192.168.1.1")).toBe(false);
      expect(src.ok && inSet(src.value, "8.8.8.8")).toBe(true);
      // HOME_NET any => EXTERNAL_NET = !any: reported, not an empty set
      const anyVars = variableTable(rs.variables, [{ kind: "var", name: "HOME_NET", value: "any" }]);
      const bad = resolveAddressExpr(rs.rules[0]?.rule.src as AddrExpr, anyVars);
      expect(bad.ok ? "ok" : bad.error.code).toBe("SNORT_EMPTY_SET");
    },
  },
  {
    id: "H20",
    input: 'alert tcp !any any -> any any (msg:"x"; sid:1;)',
    check: (t) => expect(codes(parse(t).diagnostics, "error")).toEqual(["SNORT_BAD_ADDRESS"]),
  },
  {
    id: "H21",
    input: 'alert tcp 64.12.26.14/24 any -> any any (msg:"x"; sid:1;)',
    check: (t) => {
      const { rule } = parse(t);
      expect(rule.src).toEqual({ kind: "ip", negated: false, text: "64.12.26.14/24" });
      const s = addressSet(rule.src as AddrExpr);
      expect(s.ok && s.value.v4).toEqual([[v4("64.12.26.0"), v4("64.12.26.255")]]);
      expect(formatRule(rule)).toContain("64.12.26.14/24");
    },
  },
  {
    id: "H22",
    input: '   alert tcp any any -> any any (msg:"x"; sid:1;)',
    check: (t) => expect(parseRuleset(t).rules.map((e) => e.rule.sid)).toEqual([1]),
  },
  {
    id: "H23",
    input: 'alert tcp any any -> any any \\\n    (msg:"x"; sid:1;)',
    check: (t) => {
      const rs = parseRuleset(t);
      expect(rs.rules.map((e) => [e.rule.sid, e.source.line])).toEqual([[1, 1]]);
      expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    },
  },
  {
    id: "H24",
    input: '# alert tcp any any -> any 80 (msg:"x"; sid:1;)',
    check: (t) => {
      const rs = parseRuleset(t);
      expect(rs.rules.map((e) => [e.rule.disabled, e.rule.sid])).toEqual([[true, 1]]);
      expect(codes(rs.diagnostics)).toEqual(["SNORT_DISABLED_RULE"]);
      expect(formatRule(rs.rules[0]?.rule as Rule)).toBe('# alert tcp any any -> any 80 (msg:"x"; sid:1;)');
    },
  },
  {
    id: "H25",
    input: 'drop tcp any any -> any 80 (msg:"x"; sid:1;)',
    check: (t) => {
      for (const a of ["drop", "sdrop", "reject"]) {
        const { rule, diagnostics } = parse(t.replace("drop", a));
        noErrors(diagnostics);
        expect(rule.action).toBe(a);
      }
      expect(codes(parse(t.replace("drop", "frobnicate")).diagnostics, "error")).toEqual(["SNORT_UNKNOWN_ACTION"]);
    },
  },
  {
    id: "H26",
    input: 'alert icmp any any -> any 80 (msg:"x"; sid:1;)',
    check: (t) => {
      const { diagnostics } = parse(t);
      noErrors(diagnostics);
      expect(codes(diagnostics, "warning")).toEqual(["SNORT_PORTS_IGNORED"]);
    },
  },
];

const opts: Row[] = [
  { id: "O1", input: 'msg:"a\\; b"; sid:1;', check: (t) => expect(parse(tcp(t)).rule.msg).toBe("a; b") },
  {
    id: "O2",
    input: 'msg:"a; b"; sid:1;',
    check: (t) => {
      const { rule, diagnostics } = parse(tcp(t));
      expect(rule.msg).toBe("a; b");
      expect(codes(diagnostics)).toEqual(["SNORT_UNESCAPED_SEMICOLON"]);
      expect(codes(parse(tcp(t), { strict: true }).diagnostics, "error")).toEqual(["SNORT_UNESCAPED_SEMICOLON"]);
    },
  },
  {
    id: "O3",
    input: 'msg:"x (y) z"; content:"q"; sid:1;',
    check: (t) => {
      const { rule, diagnostics } = parse(tcp(t));
      noErrors(diagnostics);
      expect(rule.msg).toBe("x (y) z");
      expect(hex(contents(rule)[0]?.bytes as Uint8Array)).toBe("71");
    },
  },
  {
    id: "O4",
    input: 'content:"a\\;b"; sid:1;',
    check: (t) => expect(hex(contents(parse(tcp(t)).rule)[0]?.bytes as Uint8Array)).toBe("613b62"),
  },
  {
    id: "O5",
    input: 'content:"a\\"b"; sid:1;',
    check: (t) => expect(hex(contents(parse(tcp(t)).rule)[0]?.bytes as Uint8Array)).toBe("612262"),
  },
  {
    id: "O6",
    input: 'content:"a\\\\b"; sid:1;',
    check: (t) => expect(hex(contents(parse(tcp(t)).rule)[0]?.bytes as Uint8Array)).toBe("615c62"),
  },
  {
    id: "O7",
    input: 'content:"|00 01 0a|"; sid:1;',
    check: (t) => expect(hex(contents(parse(tcp(t)).rule)[0]?.bytes as Uint8Array)).toBe("00010a"),
  },
  {
    id: "O8",
    input: 'content:"ab|0d 0a|cd"; nocase; sid:1;',
    check: (t) => {
      const c = contents(parse(tcp(t)).rule)[0];
      expect(hex(c?.bytes as Uint8Array)).toBe("61620d0a6364");
      expect(c?.modifiers).toEqual([{ name: "nocase" }]);
    },
  },
  {
    id: "O9",
    input: 'content:"|4A 4b|"; sid:1;',
    check: (t) => {
      const c = contents(parse(tcp(t)).rule)[0];
      expect(hex(c?.bytes as Uint8Array)).toBe("4a4b");
      expect(c?.text).toBe("|4A 4b|");
    },
  },
  {
    id: "O10",
    input: 'content:"|0|"; sid:1;',
    check: (t) => expect(codes(parse(tcp(t)).diagnostics, "error")).toEqual(["SNORT_BAD_CONTENT"]),
  },
  {
    id: "O11",
    input: 'content:"abc|00"; sid:1;',
    check: (t) => expect(codes(parse(tcp(t)).diagnostics, "error")).toEqual(["SNORT_BAD_CONTENT"]),
  },
  {
    id: "O12",
    input: 'content:!"GET"; depth:3; sid:1;',
    check: (t) => {
      const c = contents(parse(tcp(t)).rule)[0];
      expect([c?.negated, c?.modifiers]).toEqual([true, [{ name: "depth", value: 3 }]]);
      expect(contents(parse(tcp('content: !"GET"; sid:1;')).rule)[0]?.negated).toBe(true);
    },
  },
  {
    id: "O13",
    input: 'content:"x"; depth:3; offset:1; sid:1;',
    check: (t) => {
      const mods = contents(parse(tcp(t)).rule)[0]?.modifiers ?? [];
      expect(mods).toContainEqual({ name: "offset", value: 1 });
      expect(mods).toContainEqual({ name: "depth", value: 3 });
    },
  },
  {
    id: "O14",
    input: 'content:"x"; offset:1; offset:2; sid:1;',
    check: (t) => expect(codes(parse(tcp(t)).diagnostics, "error")).toEqual(["SNORT_DUPLICATE_MODIFIER"]),
  },
  {
    id: "O15",
    input: 'nocase; content:"x"; sid:1;',
    check: (t) => expect(codes(parse(tcp(t)).diagnostics, "error")).toEqual(["SNORT_MODIFIER_WITHOUT_CONTENT"]),
  },
  {
    id: "O16",
    input: 'content:"abcdef"; depth:3; sid:1;',
    check: (t) => expect(codes(parse(tcp(t)).diagnostics, "error")).toEqual(["SNORT_DEPTH_TOO_SMALL"]),
  },
  {
    id: "O17",
    input: 'content:"A"; content:"B"; distance:0; within:5; sid:1;',
    check: (t) => {
      const cs = contents(parse(tcp(t)).rule);
      expect(cs[1]?.modifiers).toEqual([
        { name: "distance", value: 0 },
        { name: "within", value: 5 },
      ]);
      expect(cs[0]?.modifiers).toEqual([]);
    },
  },
  {
    id: "O18",
    input: 'uricontent:"/x"; nocase; sid:1;',
    check: (t) => {
      const { rule } = parse(tcp(t));
      expect(payloadMatches(rule).map((m) => m.buffer)).toEqual(["http_uri"]);
      expect(contents(rule)[0]?.modifiers).toEqual([{ name: "nocase" }]);
      expect(formatRule(rule, { dialect: "snort3" })).toBe(
        'alert tcp any any -> any any (http_uri; content:"/x",nocase; sid:1;)',
      );
    },
  },
  {
    id: "O19",
    input: 'content:"/a"; http_uri; content:"b"; http_header; sid:1;',
    check: (t) => expect(payloadMatches(parse(tcp(t)).rule).map((m) => m.buffer)).toEqual(["http_uri", "http_header"]),
  },
  {
    id: "O20",
    input: 'http.uri; content:"/a"; content:"b"; sid:1;',
    check: (t) => {
      const { rule } = parse(tcp(t));
      expect(rule.dialect).toBe("suricata");
      expect(payloadMatches(rule).map((m) => m.buffer)).toEqual(["http.uri", "http.uri"]);
    },
  },
  {
    id: "O21",
    input: 'content:"abc", offset 2, depth 10, nocase; sid:1;',
    check: (t) => {
      const { rule, diagnostics } = parse(tcp(t));
      noErrors(diagnostics);
      expect(rule.dialect).toBe("snort3");
      expect(contents(rule)[0]?.modifiers).toEqual([
        { name: "offset", value: 2 },
        { name: "depth", value: 10 },
        { name: "nocase" },
      ]);
      expect(codes(parse(tcp(t), { dialect: "snort2" }).diagnostics, "error")).toEqual(["SNORT_BAD_CONTENT"]);
    },
  },
  {
    id: "O22",
    input: 'pcre:"/foo\\;bar/i"; sid:1;',
    check: (t) =>
      expect(optionsOf(parse(tcp(t)).rule, "pcre")[0]).toMatchObject({
        pattern: "foo;bar",
        flags: "i",
        negated: false,
      }),
  },
  {
    id: "O23",
    input: 'pcre:!"/x/R"; sid:1;',
    check: (t) =>
      expect(optionsOf(parse(tcp(t)).rule, "pcre")[0]).toMatchObject({ pattern: "x", flags: "R", negated: true }),
  },
  {
    id: "O24",
    input: 'pcre:"m#^/a#U"; sid:1;',
    check: (t) => {
      const p = optionsOf(parse(tcp(t)).rule, "pcre")[0];
      expect(p).toMatchObject({ m: true, delimiter: "#", pattern: "^/a", flags: "U" });
      expect(p && pcreFlagBuffer(p)).toBe("http_uri");
    },
  },
  {
    id: "O25",
    input: 'pcre:"/UNION.+SELECT/i"; sid:1;',
    check: (t) =>
      expect(optionsOf(parse(tcp(t)).rule, "pcre")[0]).toMatchObject({ pattern: "UNION.+SELECT", flags: "i" }),
  },
  {
    id: "O26",
    input: 'pcre:"/User-Agent\\:[^\\n]+spyaxe/"; sid:1;',
    check: (t) => expect(optionsOf(parse(tcp(t)).rule, "pcre")[0]?.pattern).toBe("User-Agent\\:[^\\n]+spyaxe"),
  },
  {
    id: "O27",
    input: "flags:SF,12; sid:1;",
    check: (t) => expect(optionsOf(parse(tcp(t)).rule, "flags")[0]).toEqual({ kind: "flags", flags: "SF", mask: "CE" }),
  },
  {
    id: "O28",
    input: "flags:A+; sid:1;",
    check: (t) =>
      expect(optionsOf(parse(tcp(t)).rule, "flags")[0]).toEqual({ kind: "flags", modifier: "+", flags: "A" }),
  },
  {
    id: "O29",
    input: "flags:!A; sid:1;",
    check: (t) =>
      expect(optionsOf(parse(tcp(t)).rule, "flags")[0]).toEqual({ kind: "flags", modifier: "!", flags: "A" }),
  },
  {
    id: "O30",
    input: "flags:SF*; sid:1;",
    check: (t) => {
      const a = optionsOf(parse(tcp(t)).rule, "flags")[0];
      expect(a).toEqual({ kind: "flags", modifier: "*", flags: "SF" });
      expect(optionsOf(parse(tcp("flags:*SF; sid:1;")).rule, "flags")[0]).toEqual(a);
    },
  },
  {
    id: "O31",
    input: "flags:0; sid:1;",
    check: (t) => expect(optionsOf(parse(tcp(t)).rule, "flags")[0]).toEqual({ kind: "flags", flags: "0" }),
  },
  {
    id: "O32",
    input: "dsize:300<>400; sid:1;",
    check: (t) => {
      const r = optionsOf(parse(tcp(t)).rule, "range")[0];
      expect(r && rangeBounds(r.keyword, r.range, "snort2")).toEqual({ lo: 300, hi: 400 });
      expect(formatRule(parse(tcp(t)).rule, { dialect: "snort3" })).toContain("dsize:300<=>400;");
    },
  },
  {
    id: "O33",
    input: "dsize:>1500; sid:1;",
    check: (t) => {
      const r = optionsOf(parse(tcp(t)).rule, "range")[0];
      expect(r?.range).toEqual({ op: ">", value: 1500 });
      expect(r && rangeBounds(r.keyword, r.range).lo).toBe(1501);
    },
  },
  {
    id: "O34",
    input: "ttl:<5; sid:1;",
    check: (t) => {
      expect(optionsOf(parse(tcp(t)).rule, "range")[0]?.range).toEqual({ op: "<", value: 5 });
      expect(optionsOf(parse(tcp("ttl:10-20; sid:1;")).rule, "range")[0]?.range).toEqual({ op: "-", min: 10, max: 20 });
    },
  },
  {
    id: "O35",
    input: "itype:>30; sid:1;",
    check: (t) => {
      expect(optionsOf(parse(tcp(t)).rule, "range")[0]?.range).toEqual({ op: ">", value: 30 });
      const r = optionsOf(parse(tcp("itype:5<>10; sid:1;")).rule, "range")[0];
      expect(r && rangeBounds(r.keyword, r.range, "snort2")).toEqual({ lo: 6, hi: 9 });
    },
  },
  {
    id: "O36",
    input: "icode:3; sid:1;",
    check: (t) =>
      expect(optionsOf(parse(tcp(t)).rule, "range")).toEqual([
        { kind: "range", keyword: "icode", range: { op: "=", value: 3 } },
      ]),
  },
  {
    id: "O37",
    input: "ip_proto:!6; sid:1;",
    check: (t) => {
      expect(optionsOf(parse(tcp(t)).rule, "ip_proto")[0]).toEqual({ kind: "ip_proto", op: "!", proto: 6 });
      expect(optionsOf(parse(tcp("ip_proto:igmp; sid:1;")).rule, "ip_proto")[0]).toEqual({
        kind: "ip_proto",
        proto: "igmp",
      });
    },
  },
  {
    id: "O38",
    input: "flow:to_server,established; sid:1;",
    check: (t) => expect(optionsOf(parse(tcp(t)).rule, "flow")[0]?.flags).toEqual(["to_server", "established"]),
  },
  {
    id: "O39",
    input: "flow:not_established; sid:1;",
    check: (t) => {
      const f = optionsOf(parse(tcp(t)).rule, "flow")[0]?.flags;
      expect(f).toEqual(["not_established"]);
      expect(f).not.toContain("established");
      expect(codes(parse(tcp("flow:established,not_established; sid:1;")).diagnostics, "error")).toEqual([
        "SNORT_BAD_VALUE",
      ]);
    },
  },
  {
    id: "O40",
    input: "flowbits:set,foo; flowbits:noalert; sid:1;",
    check: (t) =>
      expect(optionsOf(parse(tcp(t)).rule, "flowbits")).toEqual([
        { kind: "flowbits", op: "set", names: ["foo"] },
        { kind: "flowbits", op: "noalert", names: [] },
      ]),
  },
  {
    id: "O41",
    input: "reference:url,support.microsoft.com/default.aspx?scid=kb\\;EN-US\\;q138268; sid:1;",
    check: (t) =>
      expect(parse(tcp(t)).rule.references).toEqual([
        { system: "url", id: "support.microsoft.com/default.aspx?scid=kb;EN-US;q138268" },
      ]),
  },
  {
    id: "O42",
    input: "metadata:policy balanced-ips drop, service http; sid:1;",
    check: (t) =>
      expect(parse(tcp(t)).rule.metadata).toEqual([
        ["policy", "balanced-ips drop"],
        ["service", "http"],
      ]),
  },
  {
    id: "O43",
    input: "byte_test:4,>,1000,0,relative,little; sid:1;",
    check: (t) =>
      expect(optionsOf(parse(tcp(t)).rule, "byte_test")[0]).toEqual({
        kind: "byte_test",
        bytes: 4,
        negated: false,
        operator: ">",
        value: 1000,
        offset: 0,
        flags: ["relative", "little"],
      }),
  },
  {
    id: "O44",
    input: "byte_jump:4,12,relative,align; sid:1;",
    check: (t) =>
      expect(optionsOf(parse(tcp(t)).rule, "byte_jump")[0]).toEqual({
        kind: "byte_jump",
        bytes: 4,
        offset: 12,
        flags: ["relative", "align"],
      }),
  },
  {
    id: "O45",
    input: "isdataat:!10,relative; sid:1;",
    check: (t) =>
      expect(optionsOf(parse(tcp(t)).rule, "isdataat")[0]).toEqual({
        kind: "isdataat",
        negated: true,
        value: 10,
        relative: true,
        rawbytes: false,
      }),
  },
  {
    id: "O46",
    input: "threshold:type limit, track by_src, count 1, seconds 60; sid:1;",
    check: (t) =>
      expect(optionsOf(parse(tcp(t)).rule, "threshold")[0]).toEqual({
        kind: "threshold",
        type: "limit",
        track: "by_src",
        count: 1,
        seconds: 60,
      }),
  },
  {
    id: "O47",
    input: "tag:session,10,packets; sid:1;",
    check: (t) =>
      expect(optionsOf(parse(tcp(t)).rule, "tag")[0]).toEqual({ kind: "tag", args: ["session", "10", "packets"] }),
  },
  {
    id: "O48",
    input: "resp:rst_all; sid:1;",
    check: (t) => {
      expect(optionsOf(parse(tcp(t)).rule, "resp")[0]).toEqual({ kind: "resp", args: ["rst_all"] });
      expect(optionsOf(parse(tcp("react:block; sid:1;")).rule, "react")[0]).toEqual({ kind: "react", args: ["block"] });
    },
  },
  {
    id: "O49",
    input: 'content : "x" ; sid : 5 ;',
    check: (t) => {
      const { rule, diagnostics } = parse(tcp(t));
      noErrors(diagnostics);
      expect(rule.sid).toBe(5);
      expect(contents(rule)[0]?.text).toBe("x");
    },
  },
  {
    id: "O50",
    input: 'msg:"x"; sid:1',
    check: (t) => {
      const { rule, diagnostics } = parse(tcp(t));
      expect(rule.sid).toBe(1);
      expect(codes(diagnostics)).toEqual(["SNORT_MISSING_SEMICOLON"]);
    },
  },
  {
    id: "O51",
    input: "gid:1; sid:5;",
    check: (t) => expect([parse(tcp(t)).rule.gid, parse(tcp(t)).rule.sid]).toEqual([1, 5]),
  },
  {
    id: "O52",
    input: 'content:"a"; fast_pattern:only; content:"b"; fast_pattern:5,10; sid:1;',
    check: (t) => {
      const cs = contents(parse(tcp(t)).rule);
      expect(cs[0]?.modifiers).toEqual([{ name: "fast_pattern", only: true }]);
      expect(cs[1]?.modifiers).toEqual([{ name: "fast_pattern", offset: 5, length: 10 }]);
    },
  },
  {
    id: "O53",
    input: "foo:bar; sid:1;",
    check: (t) => {
      const { rule, diagnostics } = parse(tcp(t));
      expect(codes(diagnostics)).toEqual(["SNORT_UNKNOWN_OPTION"]);
      expect(rule.options[0]).toEqual({ kind: "raw", keyword: "foo", value: "bar" });
      expect(codes(parse(tcp(t), { strict: true }).diagnostics, "error")).toEqual(["SNORT_UNKNOWN_OPTION"]);
    },
  },
  {
    id: "O54",
    input: 'content:"a"; http_header; pkt_data; content:"b"; sid:1;',
    check: (t) => {
      const { rule, diagnostics } = parse(tcp(t));
      expect(diagnostics).toEqual([]);
      expect(payloadMatches(rule).map((m) => m.buffer)).toEqual(["http_header", "pkt_data"]);
    },
  },
  {
    id: "O55",
    input: 'content:"$IFS"; content:"`id`"; sid:1;',
    check: (t) => expect(contents(parse(tcp(t)).rule).map((c) => hex(c.bytes))).toEqual(["24494653", "60696460"]),
  },
  {
    id: "O56",
    input: "sid:1;",
    check: (t) => {
      const { rule, diagnostics } = parse(tcp(t));
      expect(rule.rev).toBeUndefined();
      expect(diagnostics).toEqual([]);
    },
  },
  {
    id: "O57",
    input: 'msg:"no sid";',
    check: (t) => {
      expect(parse(tcp(t)).diagnostics.map((d) => [d.code, d.severity])).toEqual([["SNORT_MISSING_SID", "warning"]]);
      expect(parse(`alert http (${t})`).diagnostics.map((d) => [d.code, d.severity])).toEqual([
        ["SNORT_MISSING_SID", "error"],
      ]);
    },
  },
];

describe("spec §6.1 header cases", () => {
  it.each(header)("$id: $input", (row) => row.check(row.input));
});

describe("spec §6.2 option cases", () => {
  it.each(opts)("$id: $input", (row) => row.check(row.input));
});

describe("more option validation (spec §4.2.2, §3.1)", () => {
  it("rejects offset/depth mixed with distance/within on one content", () => {
    expect(codes(parse(tcp('content:"a"; content:"b"; offset:1; distance:2; sid:1;')).diagnostics, "error")).toEqual([
      "SNORT_MIXED_RELATIVE_ABSOLUTE",
    ]);
    expect(codes(parse(tcp('content:"a"; content:"b"; within:4; distance:2; sid:1;')).diagnostics, "error")).toEqual(
      [],
    );
  });

  it("backslash-r and backslash-n inside content are the letters r and n, not CR/LF", () => {
    expect(hex(contents(parse(tcp('content:"a\\r\\n"; sid:1;')).rule)[0]?.bytes as Uint8Array)).toBe("61726e");
  });

  it("checks header variables against a table when one is given", () => {
    const vars = variableTable([{ kind: "var", name: "HOME_NET", value: "10.0.0.0/8" }]);
    const t = 'alert tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (msg:"x"; sid:1;)';
    expect(codes(parse(t, { variables: vars }).diagnostics, "error")).toEqual([
      "SNORT_UNDEFINED_VARIABLE",
      "SNORT_UNDEFINED_VARIABLE",
    ]);
    expect(codes(parse(t).diagnostics, "error")).toEqual([]);
  });
});

describe("address expression parsing", () => {
  it.each([
    ["300.1.1.1", false],
    ["10.0.0.0/33", false],
    ["10.0.0.0/255.255.0.0", true],
    ["10.0.0.0/255.0.255.0", false],
    ["::1/129", false],
    ["$(HOME_NET)", true],
    ["[1.1.1.1,[2.2.2.2]]", true],
    ["[1.1.1.1", false],
    ["!!1.1.1.1", false],
  ])("%s valid=%s", (text, ok) => expect(parseAddressExpr(text).ok).toBe(ok));
});
