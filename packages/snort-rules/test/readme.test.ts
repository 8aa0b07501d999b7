/** Mirrors the README quick start (edit both together). */
import { expect, test } from "vitest";
import {
  addressSet,
  addressSetToCidrs,
  formatRule,
  parseFwsnortConf,
  parseRule,
  parseRuleset,
  payloadMatches,
  resolveAddressExpr,
  selectRules,
  variableTable,
} from "../src/index.ts";

test("README quick start", () => {
  // --- quick start begins
  const text = [
    'alert tcp $EXTERNAL_NET any -> $HOME_NET 80 (msg:"WEB-MISC /etc/passwd"; flow:to_server,established; uricontent:"/etc/passwd"; nocase; classtype:attempted-recon; sid:1122; rev:5;)',
    '# alert tcp $EXTERNAL_NET any -> $HOME_NET 21 (msg:"FTP off"; content:"SITE"; sid:1;)',
    'alert tcp any any -> any 80 (msg:"broken"; content:"|0|"; sid:2;)',
  ].join("\n");
  const { rules, rejected, diagnostics } = parseRuleset(text, { file: "web-misc.rules" });
  // rules: 2 (one disabled); rejected: 1, with diagnostic SNORT_BAD_CONTENT at web-misc.rules:3

  const rule = rules[0]!.rule;
  rule.sid; // 1122
  payloadMatches(rule).map((m) => m.buffer); // ["http_uri"]
  formatRule(rule, { dialect: "snort3" });
  // 'alert tcp $EXTERNAL_NET any -> $HOME_NET 80 (msg:"WEB-MISC /etc/passwd"; flow:to_server,established;
  //  http_uri; content:"/etc/passwd",nocase; classtype:attempted-recon; sid:1122; rev:5;)'

  // variables from fwsnort.conf (`NAME value;`), negation survives expansion
  const vars = variableTable(parseFwsnortConf("HOME_NET 192.168.10.0/24;\nEXTERNAL_NET !$HOME_NET;").variables);
  const src = resolveAddressExpr(rule.src!, vars);
  const cidrs = src.ok ? addressSet(src.value) : undefined;
  // addressSetToCidrs(cidrs.value).v4 -> ["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/9", …] (everything but 192.168.10.0/24)

  // what fwsnort's --snort-sid / --include-type / --exclude-regex need
  const picked = selectRules(rules, { sids: [1122], includeTypes: ["web-misc"], excludeRegex: /backdoor/i });

  // single rules: parseRule throws a SnortRulesError with a stable code
  const r = parseRule('alert tcp any any -> any any (content:"abc", offset 2, depth 10, nocase; sid:3;)');
  r.dialect; // "snort3"
  // --- quick start ends

  expect([rules.length, rules[1]?.rule.disabled, rejected.length]).toEqual([2, true, 1]);
  expect(diagnostics.filter((d) => d.severity === "error").map((d) => [d.code, d.file, d.line])).toEqual([
    ["SNORT_BAD_CONTENT", "web-misc.rules", 3],
  ]);
  expect(rule.sid).toBe(1122);
  expect(payloadMatches(rule).map((m) => m.buffer)).toEqual(["http_uri"]);
  expect(formatRule(rule, { dialect: "snort3" })).toBe(
    'alert tcp $EXTERNAL_NET any -> $HOME_NET 80 (msg:"WEB-MISC /etc/passwd"; flow:to_server,established; http_uri; content:"/etc/passwd",nocase; classtype:attempted-recon; sid:1122; rev:5;)',
  );
  expect(cidrs?.ok && addressSetToCidrs(cidrs.value).v4.slice(0, 3)).toEqual([
    "0.0.0.0/1",
    "128.0.0.0/2",
    "192.0.0.0/9",
  ]);
  expect(picked.map((e) => e.rule.sid)).toEqual([1122]);
  expect(r.dialect).toBe("snort3");
});
