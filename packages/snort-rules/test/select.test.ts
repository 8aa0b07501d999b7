import { describe, expect, it } from "vitest";
import { buildSidIndex, parseClassificationConfig, parseRuleset, ruleFileType, selectRules } from "../src/index.ts";

const web = parseRuleset(
  [
    'alert tcp any any -> any 80 (msg:"WEB-CGI a"; classtype:web-application-attack; sid:10; rev:2;)',
    'alert tcp any any -> any 80 (msg:"WEB-CGI b"; classtype:attempted-recon; priority:4; sid:11;)',
    '# alert tcp any any -> any 80 (msg:"WEB-CGI off"; classtype:attempted-recon; sid:12;)',
  ].join("\n"),
  { file: "/rules/web-cgi.rules" },
).rules;
const ddos = parseRuleset('alert udp any any -> any any (msg:"DDOS x"; gid:3; classtype:attempted-dos; sid:10;)', {
  file: "/rules/ddos.rules",
}).rules;
const all = [...web, ...ddos];
const sids = (xs: typeof all) => xs.map((e) => `${e.rule.gid}:${e.rule.sid}`);

describe("selectRules", () => {
  it.each([
    [{}, ["1:10", "1:11", "3:10"]],
    [{ state: "all" as const }, ["1:10", "1:11", "1:12", "3:10"]],
    [{ state: "disabled" as const }, ["1:12"]],
    [{ sids: [10] }, ["1:10", "3:10"]],
    [{ excludeSids: [10] }, ["1:11"]],
    [{ gids: [3] }, ["3:10"]],
    [{ includeTypes: ["ddos"] }, ["3:10"]],
    [{ excludeTypes: ["ddos"] }, ["1:10", "1:11"]],
    [{ includeClasstypes: ["attempted-recon"], state: "all" as const }, ["1:11", "1:12"]],
    [{ excludeClasstypes: ["attempted-recon"] }, ["1:10", "3:10"]],
    [{ includeRegex: /web-application/ }, ["1:10"]],
    [{ excludeRegex: /WEB-CGI/, includeRegex: /WEB-CGI/ }, []],
    [{ msgRegex: /^DDOS/ }, ["3:10"]],
    [{ files: ["/rules/web-cgi.rules"] }, ["1:10", "1:11"]],
  ])("%o", (sel, expected) => expect(sids(selectRules(all, sel))).toEqual(expected));

  it("derives the rule type from the file name", () => {
    expect(ruleFileType("/etc/fwsnort/snort_rules/web-cgi.rules")).toBe("web-cgi");
    expect(ruleFileType("snort.conf")).toBeUndefined();
  });
});

describe("buildSidIndex (psad: sid -> msg/classtype/priority)", () => {
  it("uses explicit priority, else the classtype's priority", () => {
    const { classifications } = parseClassificationConfig(
      "config classification: web-application-attack,Web Application Attack,1\nconfig classification: attempted-recon,Attempted Information Leak,2",
    );
    const { bySid, byGidSid } = buildSidIndex(all, classifications);
    expect(bySid.get(10)).toEqual({
      sid: 10,
      gid: 1,
      rev: 2,
      msg: "WEB-CGI a",
      classtype: "web-application-attack",
      priority: 1,
      file: "/rules/web-cgi.rules",
    });
    expect(bySid.get(11)?.priority).toBe(4);
    expect(byGidSid.get("3:10")?.msg).toBe("DDOS x");
    expect(bySid.get(10)?.gid).toBe(1);
  });
});
