import { describe, expect, it } from "vitest";
import { parseManagedChainsConfig } from "../src/index.ts";

describe("parseManagedChainsConfig (zod at the boundary)", () => {
  it("accepts a valid policy", () => {
    const input = {
      chains: [
        {
          table: "filter",
          name: "FWKIT",
          rules: [["-s", "10.0.0.0/8", "-j", "DROP"]],
          jumps: [{ from: "INPUT", position: 2 }],
        },
        { table: "nat", name: "OLD", state: "absent" },
      ],
    };
    const r = parseManagedChainsConfig(input);
    expect(r).toEqual({ ok: true, value: input });
  });

  it.each([
    [{}, "chains"],
    [{ chains: [{ table: "bogus", name: "X" }] }, "chains.0.table"],
    [{ chains: [{ table: "filter", name: "X", extra: 1 }] }, "chains.0"],
    [{ chains: [{ table: "filter", name: "X", rules: [[]] }] }, "chains.0.rules.0"],
    [
      { chains: [{ table: "filter", name: "X", jumps: [{ from: "INPUT", position: 0 }] }] },
      "chains.0.jumps.0.position",
    ],
    [{ chains: [{ table: "filter", name: "X", state: "gone" }] }, "chains.0.state"],
  ])("rejects %j with CHAINMGR_CONFIG_INVALID at %s", (input, path) => {
    const r = parseManagedChainsConfig(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe("CHAINMGR_CONFIG_INVALID");
      expect((r.error.details.issues as { path: string }[]).map((i) => i.path)).toContain(path);
    }
  });

  it("runs the name and rulespec checks too", () => {
    const bad = parseManagedChainsConfig({ chains: [{ table: "filter", name: "-X" }] });
    expect(!bad.ok && bad.error.code).toBe("CHAINMGR_INVALID_NAME");
    const nl = parseManagedChainsConfig({ chains: [{ table: "filter", name: "X", rules: [["-j", "DROP\nCOMMIT"]] }] });
    expect(!nl.ok && nl.error.code).toBe("CHAINMGR_BAD_RULESPEC");
  });
});
