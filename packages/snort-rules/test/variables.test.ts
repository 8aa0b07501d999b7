import { describe, expect, it } from "vitest";
import {
  type AddrExpr,
  addressSet,
  addressSetToCidrs,
  type PortExpr,
  parseAddressExpr,
  parseFwsnortConf,
  parsePortExpr,
  parseVariableLine,
  portSet,
  resolveAddressExpr,
  resolvePortExpr,
  variableTable,
} from "../src/index.ts";

const addr = (s: string): AddrExpr => {
  const r = parseAddressExpr(s);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const port = (s: string): PortExpr => {
  const r = parsePortExpr(s);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

// The variable block of fwsnort 1.6.8's shipped fwsnort.conf (spec fwsnort.md §3): AIM_SERVERS has a host-bits CIDR.
const FWSNORT_CONF = `
# comment
HOME_NET                any;
EXTERNAL_NET            any;
HTTP_SERVERS            $HOME_NET;
SSH_PORTS               22;
HTTP_PORTS              80;
SHELLCODE_PORTS         !80;
ORACLE_PORTS            1521;
AIM_SERVERS             [64.12.24.0/24, 64.12.25.0/24, 64.12.26.14/24, 64.12.28.0/24];
HOME_NET                10.0.0.0/8;
`;

describe("variable definitions", () => {
  it("reads fwsnort.conf (first definition wins)", () => {
    const { variables, diagnostics } = parseFwsnortConf(FWSNORT_CONF, "fwsnort.conf");
    expect(diagnostics).toEqual([]);
    const t = variableTable(variables);
    expect(t.get("HOME_NET")).toBe("any");
    expect(t.get("SHELLCODE_PORTS")).toBe("!80");
    const r = resolveAddressExpr(addr("$AIM_SERVERS"), t);
    expect(r.ok).toBe(true);
    const s = r.ok ? addressSet(r.value) : undefined;
    expect(s?.ok && addressSetToCidrs(s.value).v4).toEqual(["64.12.24.0/23", "64.12.26.0/24", "64.12.28.0/24"]);
  });

  it("reports malformed fwsnort.conf lines", () => {
    expect(parseFwsnortConf("HOME_NET any\n").diagnostics.map((d) => [d.code, d.line])).toEqual([
      ["SNORT_BAD_CONFIG", 1],
    ]);
  });

  it.each([
    [
      "var HOME_NET [10.0.0.0/8,192.168.0.0/16]",
      { kind: "var", name: "HOME_NET", value: "[10.0.0.0/8,192.168.0.0/16]" },
    ],
    ["ipvar HOME_NET any", { kind: "ipvar", name: "HOME_NET", value: "any" }],
    ["portvar HTTP_PORTS [80, 8080]", { kind: "portvar", name: "HTTP_PORTS", value: "[80, 8080]" }],
  ])("%s", (line, expected) => expect(parseVariableLine(line)).toEqual({ ok: true, value: expected }));

  it("rejects bad variable lines", () => {
    expect(parseVariableLine("var").ok).toBe(false);
    expect(parseVariableLine("var 1X any").ok).toBe(false);
  });

  it("resolves nested, negated and listed variables (snort.conf overrides fwsnort.conf)", () => {
    const fw = parseFwsnortConf(FWSNORT_CONF).variables;
    const snortConf = [
      { kind: "var" as const, name: "HOME_NET", value: "[10.0.0.0/8,!10.9.0.0/16]" },
      { kind: "var" as const, name: "EXTERNAL_NET", value: "!$HOME_NET" },
    ];
    const t = variableTable(fw, snortConf);
    const ext = resolveAddressExpr(addr("$EXTERNAL_NET"), t);
    const set = ext.ok ? addressSet(ext.value) : undefined;
    expect(set?.ok && addressSetToCidrs(set.value).v4.slice(0, 3)).toEqual(["0.0.0.0/5", "8.0.0.0/7", "10.9.0.0/16"]);
    const list = resolveAddressExpr(addr("[$HOME_NET,1.2.3.4]"), t);
    expect(list.ok && list.value.kind).toBe("list");
    expect(resolveAddressExpr(addr("$NOPE"), t)).toMatchObject({
      ok: false,
      error: { code: "SNORT_UNDEFINED_VARIABLE", variable: "NOPE" },
    });
    expect(resolveAddressExpr(addr("$SSH_PORTS"), t)).toMatchObject({
      ok: false,
      error: { code: "SNORT_BAD_ADDRESS" },
    });
    const sc = resolvePortExpr(port("$SHELLCODE_PORTS"), t);
    const ps = sc.ok ? portSet(sc.value) : undefined;
    expect(ps?.ok && ps.value).toEqual([
      [0, 79],
      [81, 65535],
    ]);
  });

  it("addressSet covers IPv4 and IPv6 for any, and leftover variables are reported", () => {
    const s = addressSet(addr("any"));
    expect(s.ok && addressSetToCidrs(s.value)).toEqual({ v4: ["0.0.0.0/0"], v6: ["::/0"] });
    expect(addressSet(addr("[1.1.1.1,$X]"))).toMatchObject({ ok: false, error: { code: "SNORT_UNDEFINED_VARIABLE" } });
    const v6 = addressSet(addr("![::/1]"));
    expect(v6.ok && addressSetToCidrs(v6.value).v6).toEqual(["8000::/1"]);
  });
});
