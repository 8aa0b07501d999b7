import { describe, expect, it } from "vitest";
import { formatOption, formatRule, parseRule, payloadMatches } from "../src/index.ts";
import { tcp } from "./helpers.ts";

describe("formatRule: canonical text", () => {
  it.each([
    ['alert tcp any any -> any 80 (msg:"x";sid:1;)', 'alert tcp any any -> any 80 (msg:"x"; sid:1;)'],
    ['alert tcp any any -> any 80 ( msg : "x" ; sid : 1 ; )', 'alert tcp any any -> any 80 (msg:"x"; sid:1;)'],
    ["alert tcp any any -> any 80 (flags:A+; sid:1;)", "alert tcp any any -> any 80 (flags:+A; sid:1;)"],
    ["alert tcp any any -> any 80 (flags:SF12; sid:1;)", "alert tcp any any -> any 80 (flags:SFCE; sid:1;)"],
    [
      'alert tcp any any -> any 80 (content:"a"; flow:established; nocase; sid:1;)',
      'alert tcp any any -> any 80 (content:"a"; nocase; flow:established; sid:1;)',
    ],
    ['alert tcp any any -> any 80 (msg:"a; b"; sid:1;)', 'alert tcp any any -> any 80 (msg:"a\\; b"; sid:1;)'],
    ["alert tcp any any -> any 80 (tos:0x10; sid:1;)", "alert tcp any any -> any 80 (tos:16; sid:1;)"],
    [
      "alert tcp any any -> any 80 (byte_test:1,!,0,0; sid:1;)",
      "alert tcp any any -> any 80 (byte_test:1,!=,0,0; sid:1;)",
    ],
    [
      "alert tcp ! 1.1.1.1 any -> [ 2.2.2.2 , 3.3.3.3 ] any (sid:1;)",
      "alert tcp !1.1.1.1 any -> [2.2.2.2,3.3.3.3] any (sid:1;)",
    ],
    ["alert tcp $(HOME_NET) any -> any any (sid:1;)", "alert tcp $HOME_NET any -> any any (sid:1;)"],
  ])("%s", (input, expected) => {
    expect(formatRule(parseRule(input))).toBe(expected);
    expect(formatRule(parseRule(expected))).toBe(expected);
  });

  it("formats single options", () => {
    expect(formatOption({ kind: "flowbits", op: "isset", names: ["a", "b"], joiner: "|" })).toBe("flowbits:isset,a|b");
    expect(formatOption({ kind: "threshold", type: "limit", track: "by_src", count: 1, seconds: 60 })).toBe(
      "threshold:type limit,track by_src,count 1,seconds 60",
    );
    expect(formatOption({ kind: "range", keyword: "urilen", range: { op: "<>", min: 1, max: 9 }, suffix: "raw" })).toBe(
      "urilen:1<>9,raw",
    );
  });
});

describe("formatRule: dialect conversion", () => {
  it("Snort 2 -> Snort 3: modifiers become suboptions, http modifiers sticky buffers, pkt_data restored", () => {
    const r = parseRule(
      tcp('content:"a"; nocase; http_uri; content:"b"; depth:5; pcre:"/c/R"; uricontent:"/d"; sid:1;'),
    );
    expect(formatRule(r, { dialect: "snort3" })).toBe(
      'alert tcp any any -> any any (http_uri; content:"a",nocase; pkt_data; content:"b",depth 5; pcre:"/c/R"; http_uri; content:"/d"; sid:1;)',
    );
  });

  it("Snort 3 -> Snort 2: sticky buffers become modifiers and pcre flags", () => {
    const r = parseRule(
      'alert tcp any any -> any 80 (http_uri; content:"/a",fast_pattern,nocase; pcre:"/x/i"; file_data; content:"b"; sid:1;)',
    );
    expect(r.dialect).toBe("snort3");
    const s2 = formatRule(r, { dialect: "snort2" });
    expect(s2).toBe(
      'alert tcp any any -> any 80 (content:"/a"; fast_pattern; nocase; http_uri; pcre:"/x/iU"; file_data; content:"b"; sid:1;)',
    );
    const back = parseRule(s2, { dialect: "snort2" });
    expect(payloadMatches(back).map((m) => m.buffer)).toEqual(payloadMatches(r).map((m) => m.buffer));
  });

  it("relative payload options follow the previous match's buffer in Snort 2", () => {
    const r = parseRule(
      tcp('content:"a"; http_uri; isdataat:5,relative; byte_test:1,>,2,0,relative; isdataat:9; sid:1;'),
    );
    expect(payloadMatches(r).map((m) => m.buffer)).toEqual(["http_uri", "http_uri", "http_uri", "pkt_data"]);
  });

  it("comments disabled rules unless asked not to", () => {
    const r = parseRule(tcp("sid:1;"), { disabled: true });
    expect(formatRule(r)).toBe("# alert tcp any any -> any any (sid:1;)");
    expect(formatRule(r, { commentDisabled: false })).toBe("alert tcp any any -> any any (sid:1;)");
  });
});
