import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  parseAutoDl,
  parseIcmpTypes,
  parseIpOptions,
  parsePfOs,
  parsePosf,
  parseProtocols,
  parseSnortRuleDl,
} from "../src/data-files.ts";
import { decodeIpOptions, decodeTcpOptions } from "../src/options.ts";
import { parseIntRange, parseSignatures } from "../src/signatures.ts";
import { psadDataDir } from "./support.ts";

describe("option decoding (spec §2.8)", () => {
  const table = parseIpOptions(
    "0 1 eol End\n1 1 nop NOP\n7 -1 rr Record Route\n68 -1 ts Timestamp\n131 -1 lsrr Loose\n",
  ).options;
  it("correct TLV walk over IP options (psad reads the last byte of an option as a code)", () => {
    // NOP, RR (len 7), LSRR (len 3), EOL
    expect(decodeIpOptions("0107070000000000830300" + "00", table)).toEqual(["nop", "rr", "lsrr", "eol"]);
    expect(decodeIpOptions("07", table)).toEqual(["rr"]);
    expect(decodeIpOptions("ZZ", table)).toEqual([]);
  });
  it("TCP options keep every kind in position (psad drops unknown kinds)", () => {
    expect(decodeTcpOptions("020405B4")).toEqual([{ kind: 2, value: 1460 }]);
    expect(decodeTcpOptions("020405B40103030801010402")).toEqual([
      { kind: 2, value: 1460 },
      { kind: 1, value: 0 },
      { kind: 3, value: 8 },
      { kind: 1, value: 0 },
      { kind: 1, value: 0 },
      { kind: 4, value: 0 },
    ]);
    expect(decodeTcpOptions("1E0401020402")?.map((o) => o.kind)).toEqual([30, 4]);
    expect(decodeTcpOptions("0200")).toBeUndefined();
    expect(decodeTcpOptions("020")).toBeUndefined();
  });
});

describe("signature integer ranges", () => {
  it.each([
    ["5", { lo: 5, hi: 5, neg: false }],
    ["1:3", { lo: 1, hi: 3, neg: false }],
    ["<5", { lo: 0, hi: 4, neg: false }],
    [">=7", { lo: 7, hi: Number.MAX_SAFE_INTEGER, neg: false }],
    ["!0", { lo: 0, hi: 0, neg: true }],
  ])("%s", (t, r) => expect(parseIntRange(t)).toEqual(r));
});

describe("data files from text", () => {
  it("auto_dl: IPv4, CIDR, mask, IPv6 abbrev, criteria; hostnames are diagnostics", () => {
    const r = parseAutoDl(
      "10.0.0.1 5;\n10.0.0.0/255.255.255.0 2 tcp/22-25, udp;\n2001:DB8:0:F101::2 0;\nhost.example 3;\n10.1.1.1 7;\n",
    );
    expect(r.entries.map((e) => [e.net.prefix, e.dl])).toEqual([
      [32, 5],
      [24, 2],
      [128, 0],
    ]);
    expect(r.entries[1]?.protos?.get("tcp")).toEqual([{ lo: 22, hi: 25 }]);
    expect(r.diagnostics).toHaveLength(2);
  });
  it("signatures: $VAR, unsupported keywords and missing psad_id are diagnostics", () => {
    const t = [
      'alert tcp $EXTERNAL_NET any -> $HOME_NET $HTTP_PORTS (msg:"A"; flags:S; sid:1; psad_id:100001; psad_dl:2;)',
      'alert tcp any any -> any any (msg:"B"; content:"x"; sid:2; psad_id:100002;)',
      'alert tcp any any -> any any (msg:"C"; sid:3;)',
      "garbage",
    ].join("\n");
    const r = parseSignatures(t, { vars: { HOME_NET: "any", EXTERNAL_NET: "any", HTTP_PORTS: "80" } });
    expect(r.signatures.map((s) => [s.sid, s.dp.lo])).toEqual([[1, 80]]);
    expect(r.diagnostics.map((d) => d.line)).toEqual([2, 3, 4]);
  });
});

describe.skipIf(!psadDataDir)("psad's installed data files", () => {
  const read = (n: string) => readFileSync(`${psadDataDir}/${n}`, "latin1");
  it("signatures: 206 rules load cleanly with the test config's variables", () => {
    const vars = {
      HOME_NET: "any",
      EXTERNAL_NET: "any",
      HTTP_SERVERS: "any",
      SMTP_SERVERS: "any",
      DNS_SERVERS: "any",
      SQL_SERVERS: "any",
      TELNET_SERVERS: "any",
      HTTP_PORTS: "80",
      SHELLCODE_PORTS: "!80",
      ORACLE_PORTS: "1521",
      AIM_SERVERS: "[64.12.24.0/24]",
    };
    const r = parseSignatures(read("signatures"), { vars });
    expect(r.signatures).toHaveLength(206);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(Math.max(...r.signatures.map((s) => s.psadId)) + 1).toBe(100211);
  });
  it("pf.os, posf, icmp types, ip_options, protocols, snort_rule_dl", () => {
    expect(parsePfOs(read("pf.os")).sigs.length).toBeGreaterThan(200);
    expect(parsePosf(read("posf")).sigs).toHaveLength(11);
    const icmp = parseIcmpTypes(read("icmp_types")).types;
    expect(icmp.get(8)?.name).toBe("Echo");
    expect(icmp.get(8)?.codes.has(2)).toBe(false);
    expect(parseIcmpTypes(read("icmp6_types")).types.get(135)?.name).toBe("Neighbor Solicitation");
    expect(parseIpOptions(read("ip_options")).options.get(131)?.keyword).toBe("lsrr");
    expect(parseProtocols(read("protocols")).get(2)?.name).toBe("igmp");
    expect(parseSnortRuleDl(read("snort_rule_dl")) instanceof Map).toBe(true);
  });
});
