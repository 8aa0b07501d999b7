import { describe, expect, it } from "vitest";
import { parsePolicy } from "../src/parse-policy.ts";
import { fixture } from "./support/golden.ts";

describe("parsePolicy detects the format", () => {
  it.each([
    ["real/iptables.filter.vnL-ln.txt", "list-verbose"],
    ["real/iptables.filter.nL.txt", "list"],
    ["real/iptables.save-c.txt", "save"],
    ["real/iptables.save.txt", "save"],
    ["real/iptables.filter.S.txt", "rules"],
    ["spec-basic_ipv4.rules.txt", "list-verbose"],
  ])("%s → %s", (f, format) => {
    const p = parsePolicy(fixture(f));
    expect(p.format).toBe(format);
    expect(p.diagnostics).toEqual([]);
  });
  it("passes options through", () => {
    const p = parsePolicy("-A INPUT -j ACCEPT\n", { family: "ipv6", table: "raw" });
    expect([p.family, p.tables[0]?.name, p.tables[0]?.chains[0]?.rules[0]?.src]).toEqual(["ipv6", "raw", "::/0"]);
  });
  it("empty input is an empty listing with a diagnostic", () => {
    expect(parsePolicy("\n\n").diagnostics.map((d) => d.code)).toEqual(["IPT_PARSE_EMPTY_INPUT"]);
  });
});
