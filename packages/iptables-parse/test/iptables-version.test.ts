import { describe, expect, it } from "vitest";
import { parseIptablesVersion } from "../src/iptables-version.ts";

describe("parseIptablesVersion", () => {
  it.each([
    // real output of the binaries on this machine (iptables 1.8.9, Debian 12)
    ["iptables v1.8.9 (nf_tables)\n", "1.8.9", "nf_tables", "iptables"],
    ["iptables v1.8.9 (legacy)\n", "1.8.9", "legacy", "iptables"],
    ["ip6tables v1.8.9 (nf_tables)\n", "1.8.9", "nf_tables", "ip6tables"],
    ["ip6tables v1.8.9 (legacy)\n", "1.8.9", "legacy", "ip6tables"],
    ["iptables v1.8.10 (nf_tables)", "1.8.10", "nf_tables", "iptables"],
    ["iptables v1.8.0", "1.8.0", "unknown", "iptables"],
  ] as const)("%j", (text, version, backend, program) => {
    const v = parseIptablesVersion(text);
    expect(v).toEqual({ version, backend, wait: true, waitSeconds: true, check: true, program });
  });

  it("applies the feature thresholds (-C 1.4.11, -w 1.4.20, -w N 1.4.22); old versions are legacy", () => {
    expect(parseIptablesVersion("iptables v1.4.10")).toMatchObject({
      backend: "legacy",
      check: false,
      wait: false,
      waitSeconds: false,
    });
    expect(parseIptablesVersion("iptables v1.4.11")).toMatchObject({ check: true, wait: false, waitSeconds: false });
    expect(parseIptablesVersion("iptables v1.4.20")).toMatchObject({ check: true, wait: true, waitSeconds: false });
    expect(parseIptablesVersion("iptables v1.4.21")).toMatchObject({ check: true, wait: true, waitSeconds: false });
    expect(parseIptablesVersion("iptables v1.4.22")).toMatchObject({ check: true, wait: true, waitSeconds: true });
    expect(parseIptablesVersion("iptables v1.6.1")).toMatchObject({
      version: "1.6.1",
      backend: "legacy",
      waitSeconds: true,
    });
    expect(parseIptablesVersion("iptables v1.3.8")).toMatchObject({ wait: false, check: false });
  });

  it("finds the version after the legacy-tables warning and ignores unrelated text", () => {
    const t =
      "# Warning: iptables-legacy tables present, use iptables-legacy to see them\niptables v1.8.9 (nf_tables)\n";
    expect(parseIptablesVersion(t).version).toBe("1.8.9");
    expect(parseIptablesVersion("")).toEqual({
      version: "",
      backend: "unknown",
      wait: false,
      waitSeconds: false,
      check: false,
      program: "",
    });
    expect(parseIptablesVersion("firewalld 1.3.3").version).toBe("");
    expect(parseIptablesVersion("Chain INPUT (policy ACCEPT)").version).toBe("");
  });
});
