import { describe, expect, it } from "vitest";
import { stateCompare } from "../src/index.ts";

describe("stateCompare (Perl state_compare)", () => {
  it.each([
    ["ESTABLISHED,RELATED", "RELATED,ESTABLISHED", true],
    ["NEW", "NEW", true],
    ["ESTABLISHED", "RELATED,ESTABLISHED", false],
    ["RELATED,ESTABLISHED", "ESTABLISHED", false],
    ["NEW,INVALID", "INVALID,NEW", true],
    ["NEW", "new", false],
  ])("%s vs %s -> %s", (a, b, want) => {
    expect(stateCompare(a, b)).toBe(want);
  });
});
