import { describe, expect, it } from "vitest";
import { isIptablesParseError } from "../src/errors.ts";
import {
  chainNameProblem,
  validateChainName,
  validateNewChainName,
  validateTableName,
  validateTargetName,
} from "../src/validate-names.ts";

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isIptablesParseError(e) ? e.code : "other";
  }
  return undefined;
}

describe("validateTableName", () => {
  it.each(["filter", "nat", "mangle", "raw", "security"])("accepts %s", (t) => expect(validateTableName(t)).toBe(t));
  it.each(["", "FILTER", "broute", "filter ", "-t", "nat;id"])("rejects %j", (t) =>
    expect(codeOf(() => validateTableName(t))).toBe("IPT_INVALID_NAME"),
  );
});

describe("validateChainName (iptables 1.8.9 assert_valid_chain_name rules, checked on both backends)", () => {
  // every accepted name here was accepted by `iptables-nft -N` and `iptables-legacy -N`
  it.each([
    "INPUT",
    "CUSTOM",
    "my-chain.1",
    "SC~!@#^%&$*-[]+={}-test", // IPTables::ChainMgr's upstream test chain
    "x".repeat(28),
    "ünï",
    "mark",
  ])("accepts %j", (c) => expect(validateChainName(c)).toBe(c));

  // every rejected name here was rejected by real iptables ("too long", "not allowed to start with", "Invalid chain name")
  it.each([
    ["x".repeat(29), "too long"],
    ["é".repeat(15), "too long"], // 30 bytes: iptables counts bytes
    ["!bang", "start with"],
    ["-dash", "start with"],
    ["a b", "invalid"],
    ["a\tb", "invalid"],
    ["", "empty"],
    ["a\0b", "invalid"],
  ])("rejects %j (%s)", (c, why) => {
    expect(chainNameProblem(c)).toContain(why);
    expect(codeOf(() => validateChainName(c))).toBe("IPT_INVALID_NAME");
    expect(codeOf(() => validateTargetName(c))).toBe("IPT_INVALID_NAME");
  });

  it("validateNewChainName also refuses the standard targets (iptables: may not clash with target name)", () => {
    for (const t of ["ACCEPT", "DROP", "QUEUE", "RETURN"]) {
      expect(codeOf(() => validateNewChainName(t))).toBe("IPT_INVALID_NAME");
      expect(validateChainName(t)).toBe(t);
    }
    expect(validateNewChainName("SC~!@#^%&$*-[]+={}-test")).toBe("SC~!@#^%&$*-[]+={}-test");
  });
});
