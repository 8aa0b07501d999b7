import { describe, expect, it } from "vitest";
import { parseListing } from "../src/parse-listing.ts";
import { chainPolicy, comparableRule, findChain, listTableChains } from "../src/policy-query.ts";
import { fixture, perlGolden } from "./support/golden.ts";

describe("policy queries equal Perl's list_table_chains / chain_policy (spec §7.5)", () => {
  for (const [file, table] of [
    ["spec-filter-v4.vnL-ln.txt", "filter"],
    ["spec-nat-v4.vnL-ln.txt", "nat"],
    ["spec-basic_ipv4.rules.txt", "filter"],
  ] as const) {
    it(file, () => {
      const p = parseListing(fixture(file), { table });
      const perl = perlGolden(file);
      expect(listTableChains(p, table)).toEqual(perl.chains);
      for (const c of perl.chains) expect(chainPolicy(p, table, c)).toBe(perl.policies[c]);
    });
  }
  it("unknown tables and chains", () => {
    const p = parseListing(fixture("spec-filter-v4.vnL-ln.txt"));
    expect(listTableChains(p, "nat")).toEqual([]);
    expect(chainPolicy(p, "filter", "NOPE")).toBe("");
    expect(findChain(p, "filter", "input")).toBeUndefined();
    expect(findChain(p, "filter", "INPUT")?.rules).toHaveLength(14);
  });
});

describe("comparableRule", () => {
  it("keeps the 20 comparable keys and drops raw, extended, packets, bytes and details", () => {
    const r = findChain(parseListing(fixture("spec-filter-v4.vnL-ln.txt")), "filter", "INPUT")?.rules[1];
    if (r === undefined) throw new Error("no rule");
    const c = comparableRule(r);
    expect(Object.keys(c)).toHaveLength(20);
    for (const k of ["raw", "extended", "packets", "bytes", "details"]) expect(c).not.toHaveProperty(k);
    expect(c).toMatchObject({ rule_num: 2, ctstate: "RELATED,ESTABLISHED", protocol: "all" });
  });
});
