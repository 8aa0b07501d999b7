import { describe, expect, it } from "vitest";
import {
  isSnortRulesError,
  parseRule,
  parseRuleset,
  parseRulesetWithIncludes,
  SNORT_RULES_ERROR_CODES,
  safeParseRule,
} from "../src/index.ts";
import { codes } from "./helpers.ts";

describe("parseRuleset: file structure", () => {
  it("handles comments, CRLF, BOM, var/include/ruletype/config lines", () => {
    const text = [
      "\uFEFF# header comment",
      "var HOME_NET 10.0.0.0/8",
      "include $RULE_PATH/web-cgi.rules",
      "ruletype redalert",
      "{",
      "  type alert",
      "}",
      "config classification: attempted-recon,Attempted Information Leak,2",
      "config reference: cve http://cve/",
      "preprocessor http_inspect: global",
      'redalert tcp any any -> any 80 (msg:"custom"; sid:7;)',
      "",
    ].join("\r\n");
    const rs = parseRuleset(text, { file: "snort.conf" });
    expect(rs.variables).toEqual([{ kind: "var", name: "HOME_NET", value: "10.0.0.0/8", line: 2, file: "snort.conf" }]);
    expect(rs.includes).toEqual([{ path: "$RULE_PATH/web-cgi.rules", line: 3, file: "snort.conf" }]);
    expect(rs.ruletypes).toEqual(["redalert"]);
    expect(rs.classifications.map((c) => c.name)).toEqual(["attempted-recon"]);
    expect(rs.referenceSystems.map((s) => s.name)).toEqual(["cve"]);
    expect(rs.rules.map((e) => [e.rule.action, e.rule.sid, e.source.line])).toEqual([["redalert", 7, 11]]);
    expect(rs.diagnostics).toEqual([]);
  });

  it("joins Snort 3 multi-line rules without backslashes", () => {
    const text =
      'alert tcp any any -> any 80\n(\n  msg:"multi";\n  content:"x", nocase;\n  sid:3;\n)\nalert tcp any any -> any any (sid:4;)';
    const rs = parseRuleset(text);
    expect(rs.rules.map((e) => [e.rule.sid, e.source.line, e.rule.dialect])).toEqual([
      [3, 1, "snort3"],
      [4, 7, "snort2"],
    ]);
  });

  it("reports rejected rules with file, line, column and sid", () => {
    const rs = parseRuleset('alert tcp any any -> any 80 (msg:"x"; content:"|0|"; sid:9;)', { file: "bad.rules" });
    expect(rs.rules).toEqual([]);
    expect(rs.rejected[0]?.diagnostics).toEqual([
      {
        code: "SNORT_BAD_CONTENT",
        severity: "error",
        message: "content: odd number of hex digits in |…| block",
        file: "bad.rules",
        line: 1,
        column: 39,
        sid: 9,
      },
    ]);
  });

  it("only comments that parse as rules become disabled rules", () => {
    const rs = parseRuleset(
      "# alert is a word in this sentence (really)\n#alert tcp any any -> any any (sid:1;)\n### alert tcp any any -> any any (sid:2;)",
    );
    expect(rs.rules.map((e) => [e.rule.sid, e.rule.disabled])).toEqual([[1, true]]);
  });

  it("flags keywords written in upper case", () => {
    const rs = parseRuleset('alert TCP any any -> any any (MSG:"x"; sid:1;)');
    expect(codes(rs.diagnostics)).toEqual(["SNORT_NON_LOWERCASE", "SNORT_NON_LOWERCASE"]);
    expect(rs.rules[0]?.rule.msg).toBe("x");
  });

  it("warns about duplicated single-valued options and keeps the first", () => {
    const rs = parseRuleset('alert tcp any any -> any any (msg:"a"; msg:"b"; sid:1; sid:2;)');
    expect(codes(rs.diagnostics)).toEqual(["SNORT_DUPLICATE_OPTION", "SNORT_DUPLICATE_OPTION"]);
    expect([rs.rules[0]?.rule.msg, rs.rules[0]?.rule.sid]).toEqual(["a", 1]);
  });

  it("keeps unmodeled options verbatim with an info diagnostic", () => {
    const rs = parseRuleset("alert tcp any any -> any any (asn1:bitstring_overflow,print; rpc:100000,*,*; sid:1;)");
    expect(rs.rules[0]?.rule.options.slice(0, 2)).toEqual([
      { kind: "raw", keyword: "asn1", value: "bitstring_overflow,print" },
      { kind: "raw", keyword: "rpc", value: "100000,*,*" },
    ]);
    expect(codes(rs.diagnostics, "info")).toEqual(["SNORT_UNMODELED_OPTION", "SNORT_UNMODELED_OPTION"]);
  });
});

describe("parseRule / safeParseRule", () => {
  it("throws a SnortRulesError carrying the first error code", () => {
    try {
      parseRule("alert tcp any any <- any any (sid:1;)");
      expect.unreachable();
    } catch (e) {
      expect(isSnortRulesError(e) && e.code).toBe("SNORT_BAD_HEADER");
    }
    const r = safeParseRule("not a rule");
    expect(r.ok ? "ok" : r.error.code).toBe("SNORT_BAD_HEADER");
    expect(isSnortRulesError(new Error("x"))).toBe(false);
  });

  it("every diagnostic code is listed once", () => {
    expect(new Set(SNORT_RULES_ERROR_CODES).size).toBe(SNORT_RULES_ERROR_CODES.length);
    expect(SNORT_RULES_ERROR_CODES.every((c) => /^SNORT_[A-Z_]+$/.test(c))).toBe(true);
  });
});

describe("parseRulesetWithIncludes", () => {
  const files = new Map<string, string>([
    [
      "/etc/snort/snort.conf",
      "var RULE_PATH rules\nruletype redalert { type alert }\ninclude $RULE_PATH/a.rules\ninclude missing.rules\ninclude $NOPE/x.rules",
    ],
    ["/etc/snort/rules/a.rules", "alert tcp any any -> any any (sid:1;)\ninclude ../b.rules"],
    ["/etc/snort/b.rules", "redalert tcp any any -> any any (sid:2;)\ninclude rules/a.rules"],
  ]);
  const r = parseRulesetWithIncludes("/etc/snort/snort.conf", (p) => files.get(p));

  it("follows includes with variables and relative paths", () => {
    expect(r.rules.map((e) => [e.rule.sid, e.source.file])).toEqual([
      [1, "/etc/snort/rules/a.rules"],
      [2, "/etc/snort/b.rules"],
    ]);
  });

  it("reports cycles, missing files and undefined variables", () => {
    expect(r.diagnostics.map((d) => [d.code, d.file, d.line])).toEqual([
      ["SNORT_INCLUDE_CYCLE", "/etc/snort/b.rules", 2],
      ["SNORT_INCLUDE_NOT_FOUND", "/etc/snort/snort.conf", 4],
      ["SNORT_UNDEFINED_VARIABLE", "/etc/snort/snort.conf", 5],
    ]);
  });
});

describe("diagnostic positions", () => {
  it.each([
    ["alert tcp 300.1.1.1 any -> any any (sid:1;)", "SNORT_BAD_ADDRESS", 11],
    ["alert tcp any 70000 -> any any (sid:1;)", "SNORT_BAD_PORT", 15],
    ["alert tcp any any <- any any (sid:1;)", "SNORT_BAD_HEADER", 19],
    ["  frob tcp any any -> any any (sid:1;)", "SNORT_UNKNOWN_ACTION", 3],
    ['alert tcp any any -> any any (msg:"x"; nocase; sid:1;)', "SNORT_MODIFIER_WITHOUT_CONTENT", 40],
  ])("%s -> %s at column %i", (text, code, column) => {
    const rs = parseRuleset(`# first line\n${text}`, { file: "x.rules" });
    const d = rs.diagnostics.find((x) => x.severity === "error");
    expect(d).toMatchObject({ code, file: "x.rules", line: 2, column });
  });
});

describe("line continuation", () => {
  it("keeps the blank before the backslash and joins inside the header", () => {
    const rs = parseRuleset('alert tcp any any \\\n  -> any 80 \\   \n (msg:"x"; \\\n sid:1;)');
    expect(rs.rules.map((e) => [e.rule.sid, e.rule.msg, e.source.line])).toEqual([[1, "x", 1]]);
    expect(rs.diagnostics).toEqual([]);
  });
});
