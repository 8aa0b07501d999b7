import { describe, expect, it } from "vitest";
import { isChainMgrError, validateChainName, validateTable } from "../src/index.ts";

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isChainMgrError(e) ? e.code : "other";
  }
}

describe("name validation (before any exec)", () => {
  it.each(["filter", "nat", "mangle", "raw", "security"])("accepts table %s", (t) => {
    expect(codeOf(() => validateTable(t))).toBeUndefined();
  });
  it.each(["", "Filter", "filter;rm", "nat ", "broute"])("rejects table %j", (t) => {
    expect(codeOf(() => validateTable(t))).toBe("CHAINMGR_INVALID_NAME");
  });
  it.each(["CHAINMGR", "SC~!@#^%&$*-[]+={}-test", "my-chain.1", "a".repeat(28), "x'y"])("accepts chain %j", (c) => {
    expect(codeOf(() => validateChainName(c))).toBeUndefined();
  });
  it.each(["", "a".repeat(29), "-A", "!x", "a b", "a\nb", "tab\there"])("rejects chain %j", (c) => {
    expect(codeOf(() => validateChainName(c))).toBe("CHAINMGR_INVALID_NAME");
  });
  it("refuses quotes and backslashes only for restore payloads", () => {
    expect(codeOf(() => validateChainName("x'y", "chain", true))).toBe("CHAINMGR_INVALID_NAME");
    expect(codeOf(() => validateChainName('x"y', "chain", true))).toBe("CHAINMGR_INVALID_NAME");
  });
});
