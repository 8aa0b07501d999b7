import { describe, expect, it } from "vitest";
import { parseClassificationConfig, parseReferenceConfig, referenceUrl } from "../src/index.ts";

describe("classification.config / reference.config", () => {
  it("reads classifications and reports bad lines", () => {
    const text = [
      "# comment",
      "config classification: not-suspicious,Not Suspicious Traffic,3",
      "config classification: web-application-attack,Web Application Attack,1",
      "config classification: broken,No priority",
      "",
    ].join("\r\n");
    const r = parseClassificationConfig(text, "classification.config");
    expect(r.classifications).toEqual([
      { name: "not-suspicious", description: "Not Suspicious Traffic", priority: 3 },
      { name: "web-application-attack", description: "Web Application Attack", priority: 1 },
    ]);
    expect(r.diagnostics.map((d) => [d.code, d.line, d.file])).toEqual([
      ["SNORT_BAD_CONFIG", 4, "classification.config"],
    ]);
  });

  it("reads reference systems and builds URLs", () => {
    const r = parseReferenceConfig(
      "config reference: bugtraq   http://www.securityfocus.com/bid/\nconfig reference: cve http://cve.mitre.org/cgi-bin/cvename.cgi?name=\nbogus",
    );
    expect(r.systems.map((s) => s.name)).toEqual(["bugtraq", "cve"]);
    expect(r.diagnostics.map((d) => d.line)).toEqual([3]);
    expect(referenceUrl({ system: "bugtraq", id: "1234" }, r.systems)).toBe("http://www.securityfocus.com/bid/1234");
    expect(referenceUrl({ system: "url", id: "www.x.com/a" }, r.systems)).toBe("http://www.x.com/a");
    expect(referenceUrl({ system: "nessus", id: "1" }, r.systems)).toBeUndefined();
  });
});
