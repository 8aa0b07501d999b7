import { describe, expect, it } from "vitest";
import {
  findRulesBySid,
  formatFoundRules,
  formatSummary,
  optionFamilies,
  parseRule,
  ruleToJson,
  summarizeRuleset,
} from "../src/index.ts";

const files = [
  {
    path: "a.rules",
    text: [
      'alert tcp any any -> any 80 (msg:"one"; flow:to_server,established; content:"GET"; nocase; http_uri; sid:1; rev:1;)',
      '# alert tcp any any -> any 80 (msg:"off"; sid:2;)',
      'alert tcp any any -> any 80 (msg:"bad"; content:"|0|"; sid:3;)',
    ].join("\n"),
  },
  { path: "b.rules", text: 'alert http (msg:"s3"; http_uri; content:"/x",nocase; service:http; sid:4;)' },
];

describe("summarizeRuleset / formatSummary (fwkit snort check)", () => {
  const s = summarizeRuleset(files);

  it("counts rules, families and diagnostics, and is JSON-serialisable", () => {
    expect(s.totals).toEqual({ rules: 3, enabled: 2, disabled: 1, rejected: 1, error: 1, warning: 0, info: 1 });
    expect(s.ok).toBe(false);
    expect(s.files.map((f) => [f.path, f.rules, f.rejected, f.errors])).toEqual([
      ["a.rules", 2, 1, 1],
      ["b.rules", 1, 0, 0],
    ]);
    expect(s.optionFamilies).toMatchObject({ msg: 3, sid: 3, content: 2, nocase: 2, http_uri: 2, service: 1, flow: 1 });
    expect(s.dialects).toEqual({ snort2: 2, snort3: 1, suricata: 0 });
    expect(s.diagnostics.map((d) => [d.code, d.file, d.line, d.sid])).toEqual([["SNORT_BAD_CONTENT", "a.rules", 3, 3]]);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it("renders a human summary", () => {
    const text = formatSummary(s);
    expect(text).toContain("2 file(s): 3 rules (2 enabled, 1 disabled), 1 rejected; 1 error(s), 0 warning(s), 1 info");
    expect(text).toContain("a.rules:3:");
    expect(text).toMatch(/ {2}content +2\n/);
    expect(text.trimEnd().endsWith("FAILED: errors found")).toBe(true);
    expect(
      formatSummary(summarizeRuleset([files[1] as { path: string; text: string }]))
        .trimEnd()
        .endsWith("OK"),
    ).toBe(true);
  });
});

describe("findRulesBySid / ruleToJson (fwkit snort show)", () => {
  it("finds a rule and returns plain JSON with hex content bytes", () => {
    const found = findRulesBySid(files, 1);
    expect(found.map((f) => [f.file, f.line])).toEqual([["a.rules", 1]]);
    const c = found[0]?.rule.options.find((o) => (o as { kind: string }).kind === "content");
    expect(c).toEqual({
      kind: "content",
      keyword: "content",
      negated: false,
      text: "GET",
      modifiers: [{ name: "nocase" }, { name: "http_uri" }],
      bytesHex: "474554",
    });
    expect(JSON.parse(JSON.stringify(found))).toEqual(found);
    expect(formatFoundRules(found)).toContain('"bytesHex": "474554"');
    expect(findRulesBySid(files, 99)).toEqual([]);
    expect(findRulesBySid(files, 2).map((f) => f.rule.disabled)).toEqual([true]);
  });

  it("optionFamilies lists modifiers and buffers", () => {
    expect(
      optionFamilies(parseRule('alert tcp any any -> any any (file_data; content:"a",depth 3; dsize:>5; sid:1;)')),
    ).toEqual(["content", "depth", "dsize", "file_data", "sid"]);
    expect(ruleToJson(parseRule("alert tcp any any -> any any (sid:1;)")).options).toEqual([{ kind: "sid", value: 1 }]);
  });
});
