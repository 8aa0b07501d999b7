/** Hostile input: every case yields diagnostics (never a throw or a hang) and finishes within a time bound. */
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  type AddrExpr,
  parseAddressExpr,
  parseRuleset,
  parseRuleWithDiagnostics,
  resolveAddressExpr,
  summarizeRuleset,
  variableTable,
} from "../src/index.ts";
import { codes, tcp } from "./helpers.ts";

const MB = 1024 * 1024;
const BOUND_MS = 5000;

/** Run `f`, assert it neither throws nor exceeds the bound, return its value. */
function bounded<T>(f: () => T): T {
  const t0 = performance.now();
  const v = f();
  expect(performance.now() - t0).toBeLessThan(BOUND_MS);
  return v;
}

const errorCodes = (text: string): string[] =>
  codes(bounded(() => parseRuleWithDiagnostics(text)).diagnostics, "error");

describe("hostile rule text", () => {
  it.each([
    ["unterminated quote", tcp('msg:"abc; sid:1;'), "SNORT_UNTERMINATED_QUOTE"],
    ["unterminated quote before the closing paren", tcp('msg:"a)"; content:"x; sid:1;'), "SNORT_UNTERMINATED_QUOTE"],
    ["no closing parenthesis", 'alert tcp any any -> any any (msg:"x"; sid:1;', "SNORT_UNTERMINATED_OPTIONS"],
    ["text after the closing parenthesis", `${tcp('msg:"x"; sid:1;')} trailing`, "SNORT_BAD_LINE"],
    ["NUL in the header", "alert tcp any\0 any -> any any (sid:1;)", "SNORT_BAD_ADDRESS"],
    ["unbalanced [ in header", "alert tcp [1.1.1.1 any -> any any (sid:1;)", "SNORT_BAD_HEADER"],
    ["unbalanced ] in header", "alert tcp 1.1.1.1] any -> any any (sid:1;)", "SNORT_BAD_HEADER"],
    ["port out of range", "alert tcp any 70000 -> any any (sid:1;)", "SNORT_BAD_PORT"],
    ["reversed port range", "alert tcp any 5:3 -> any any (sid:1;)", "SNORT_BAD_PORT"],
    ["bad IPv4", "alert tcp 300.1.1.1 any -> any any (sid:1;)", "SNORT_BAD_ADDRESS"],
    ["empty options keyword", tcp(":x; sid:1;"), "SNORT_UNKNOWN_OPTION"],
    ["removed content-list", tcp('content-list:"f"; sid:1;'), "SNORT_UNKNOWN_OPTION"],
    ["pcre without delimiter", tcp('pcre:"abc"; sid:1;'), "SNORT_BAD_PCRE"],
    ["pcre unknown flag", tcp('pcre:"/a/Ÿ"; sid:1;'), "SNORT_BAD_PCRE"],
    ["empty content", tcp('content:""; sid:1;'), "SNORT_BAD_CONTENT"],
    ["bad flags", tcp("flags:XYZ; sid:1;"), "SNORT_BAD_VALUE"],
    ["bad dsize", tcp("dsize:5<>3; sid:1;"), "SNORT_BAD_VALUE"],
    ["huge number", tcp("sid:99999999999999999999999;"), "SNORT_BAD_VALUE"],
  ])("%s", (_name, text, code) => {
    expect(errorCodes(text)).toContain(code);
  });

  it("accepts NUL bytes inside quoted values", () => {
    const r = bounded(() => parseRuleWithDiagnostics(tcp('msg:"a\0b"; content:"\0|00|"; sid:1;')));
    expect(codes(r.diagnostics, "error")).toEqual([]);
    expect(r.rule?.msg).toBe("a\0b");
  });

  it("parses a 1 MB content value", () => {
    const r = bounded(() => parseRuleWithDiagnostics(tcp(`msg:"big"; content:"${"A".repeat(MB)}"; sid:1;`)));
    expect(codes(r.diagnostics, "error")).toEqual([]);
    expect(r.rule?.options[1]?.kind === "content" && r.rule.options[1].bytes.length).toBe(MB);
  });

  it.each([
    ["1 MB of '('", "(".repeat(MB)],
    ["1 MB of ')'", ")".repeat(MB)],
    ["1 MB of '\"'", `alert tcp any any -> any any (${'"'.repeat(MB)})`],
    ["1 MB of backslashes", `alert tcp any any -> any any (msg:"${"\\".repeat(MB)})`],
    ["1 MB of ';'", `alert tcp any any -> any any (${";".repeat(MB)})`],
    ["1 MB of ':'", `alert tcp any any -> any any (${":".repeat(MB)})`],
    ["500 000 options", tcp("a;".repeat(MB / 2))],
    ["1 MB of '|' in content", tcp(`content:"${"|".repeat(MB - 1)}"; sid:1;`)],
    ["1 MB header token", `alert tcp ${"1".repeat(MB)} any -> any any (sid:1;)`],
    ["1 MB address list", `alert tcp [${"1.1.1.1,".repeat(MB / 8)}2.2.2.2] any -> any any (sid:1;)`],
    ["1 MB of '['", `alert tcp ${"[".repeat(MB)} any -> any any (sid:1;)`],
    ["1 MB of '!'", `alert tcp ${"!".repeat(MB)}1.1.1.1 any -> any any (sid:1;)`],
    ["1 MB of commas in flow", tcp(`flow:${",".repeat(MB)}; sid:1;`)],
    ["1 MB metadata", tcp(`metadata:${"a b,".repeat(MB / 4)}c d; sid:1;`)],
    ["1 MB threshold", tcp(`threshold:${" ".repeat(MB)}x; sid:1;`)],
    ["1 MB of blanks", " ".repeat(MB)],
    ["1 MB random binary", Array.from({ length: MB }, (_, i) => String.fromCharCode((i * 7919) % 256)).join("")],
  ])("%s: diagnostics, no throw, bounded time", (_name, text) => {
    const rs = bounded(() => parseRuleset(text));
    expect(rs.rules.length).toBeLessThanOrEqual(1);
    const single = bounded(() => parseRuleWithDiagnostics(text));
    expect(Array.isArray(single.diagnostics)).toBe(true);
  });

  it("rejects deeply nested lists with SNORT_LIMIT_EXCEEDED", () => {
    const deep = `${"[".repeat(100_000)}1.1.1.1${"]".repeat(100_000)}`;
    expect(errorCodes(`alert tcp ${deep} any -> any any (sid:1;)`)).toEqual(["SNORT_LIMIT_EXCEEDED"]);
    const deepPorts = `${"[".repeat(100_000)}80${"]".repeat(100_000)}`;
    expect(errorCodes(`alert tcp any ${deepPorts} -> any any (sid:1;)`)).toEqual(["SNORT_LIMIT_EXCEEDED"]);
    const ok = `${"[".repeat(32)}1.1.1.1${"]".repeat(32)}`;
    expect(errorCodes(`alert tcp ${ok} any -> any any (sid:1;)`)).toEqual([]);
  });

  it("bounds variable expansion: cycles and very deep chains", () => {
    const src = parseAddressExpr("$A");
    expect(src.ok).toBe(true);
    const expr = (src as { value: AddrExpr }).value;
    const cyc = bounded(() =>
      resolveAddressExpr(
        expr,
        variableTable([
          { kind: "var", name: "A", value: "[$B]" },
          { kind: "var", name: "B", value: "!$A" },
        ]),
      ),
    );
    expect(cyc.ok ? "ok" : cyc.error.code).toBe("SNORT_VARIABLE_CYCLE");
    const chain = Array.from({ length: 10_000 }, (_, i) => ({
      kind: "var" as const,
      name: i === 0 ? "A" : `V${i}`,
      value: `$V${i + 1}`,
    }));
    const deep = bounded(() => resolveAddressExpr(expr, variableTable(chain)));
    expect(deep.ok ? "ok" : deep.error.code).toBe("SNORT_LIMIT_EXCEEDED");
    // exponential fan-out: each level references the next one twice (2^20 leaves without the depth bound)
    const fan = Array.from({ length: 20 }, (_, i) => ({
      kind: "var" as const,
      name: i === 0 ? "A" : `F${i}`,
      value: `[$F${i + 1},$F${i + 1}]`,
    }));
    fan.push({ kind: "var", name: "F20", value: "1.1.1.1" });
    const fanned = bounded(() => resolveAddressExpr(expr, variableTable(fan)));
    expect(fanned.ok ? "ok" : fanned.error.code).toBe("SNORT_LIMIT_EXCEEDED");
  });

  it("an unclosed multi-line rule does not swallow the file", () => {
    const text = [
      tcp('msg:"ok"; sid:1;'),
      'alert tcp any any -> any any (msg:"open";',
      ...Array(20_000).fill("x"),
      tcp('msg:"ok2"; sid:2;'),
    ].join("\n");
    const rs = bounded(() => parseRuleset(text));
    expect(rs.rules.map((e) => e.rule.sid)).toEqual([1, 2]);
    expect(rs.rejected.length).toBeGreaterThanOrEqual(1);
  });

  it("a 100 000-line garbage file", () => {
    const text = Array.from({ length: 100_000 }, (_, i) =>
      i % 3 === 0 ? "alert" : i % 3 === 1 ? "var X" : "include",
    ).join("\n");
    const s = bounded(() => summarizeRuleset([{ path: "junk.rules", text }]));
    expect(s.ok).toBe(false);
    expect(Object.keys(s.codes).sort()).toEqual(["SNORT_BAD_CONFIG", "SNORT_BAD_HEADER"]);
  });
});

describe("fuzz", () => {
  test.prop([fc.string({ unit: "binary", maxLength: 400 })])("arbitrary text never throws", (s) => {
    const rs = parseRuleset(s);
    expect(rs.rules.length).toBeLessThanOrEqual(s.split("\n").length);
  });

  const base = tcp(
    'msg:"a (b)"; flow:to_server,established; content:"GET|20|"; nocase; depth:4; pcre:"/x\\;y/i"; byte_test:4,>,1,0,relative; sid:1; rev:2;',
  );
  test.prop([
    fc.integer({ min: 0, max: base.length }),
    fc.integer({ min: 0, max: base.length }),
    fc.string({ maxLength: 5 }),
  ])("mutated rules never throw", (a, b, insert) => {
    const text = base.slice(0, Math.min(a, b)) + insert + base.slice(Math.max(a, b));
    const r = parseRuleWithDiagnostics(text);
    expect(Array.isArray(r.diagnostics)).toBe(true);
  });
});
