import { describe, expect, it } from "vitest";
import { quoteSaveWord, tokenizeSaveLine } from "../src/tokenize-save.ts";

describe("tokenizeSaveLine (iptables-restore word splitting)", () => {
  it.each([
    ["-A INPUT -j ACCEPT", ["-A", "INPUT", "-j", "ACCEPT"]],
    ['--comment "ssh from lan"', ["--comment", "ssh from lan"]],
    ['--log-prefix "it\\\'s \\"quoted\\" "', ["--log-prefix", 'it\'s "quoted" ']],
    ['--comment "has \\"dq\\" and \\\\\\\\ back"', ["--comment", 'has "dq" and \\\\ back']],
    ['--comment ""', ["--comment", ""]],
    ["a\\b  \t c", ["a\\b", "c"]],
    ['x"y z"w', ["xy zw"]],
  ])("%s", (line, want) => {
    expect(tokenizeSaveLine(line).tokens.map((t) => t.value)).toEqual(want);
  });
  it("reports an unterminated quote and keeps the rest as one word", () => {
    const r = tokenizeSaveLine('--comment "abc def');
    expect(r.unterminatedQuote).toBe(true);
    expect(r.tokens.map((t) => t.value)).toEqual(["--comment", "abc def"]);
  });
  it("marks quoted words and columns", () => {
    expect(tokenizeSaveLine('a "-b"').tokens).toEqual([
      { value: "a", quoted: false, column: 0 },
      { value: "-b", quoted: true, column: 2 },
    ]);
  });
});

describe("quoteSaveWord", () => {
  it.each([
    ["plain", false, "plain"],
    ["plain", true, '"plain"'],
    ["a b", false, '"a b"'],
    ['it\'s "q" \\', false, '"it\\\'s \\"q\\" \\\\"'],
    ["", false, '""'],
  ])("%j force=%s", (v, force, want) => {
    expect(quoteSaveWord(v, force)).toBe(want);
    expect(tokenizeSaveLine(want).tokens[0]?.value).toBe(v);
  });
});
