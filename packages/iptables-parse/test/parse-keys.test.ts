import { describe, expect, it } from "vitest";
import { PARSE_KEYS, SEARCH_KEYS } from "../src/parse-keys.ts";

describe("PARSE_KEYS (Perl parse_keys table, spec §2.4)", () => {
  it("has the Perl key groups and ipt_match strings", () => {
    expect(Object.keys(PARSE_KEYS.regular)).toEqual([
      "packets",
      "bytes",
      "target",
      "protocol",
      "proto",
      "intf_in",
      "intf_out",
      "src",
      "dst",
    ]);
    expect(Object.fromEntries(Object.entries(PARSE_KEYS.extended).map(([k, v]) => [k, v.iptMatch]))).toEqual({
      s_port: "--sport",
      sport: "--sport",
      d_port: "--dport",
      dport: "--dport",
      to_ip: "",
      to_port: "",
      mac_source: "-m mac --mac-source",
      state: "-m state --state",
      ctstate: "-m conntrack --ctstate",
      comment: "-m comment --comment",
      string: "-m string --algo bm --string",
      length: "-m length --length",
    });
    expect(PARSE_KEYS.extended.comment.useQuotes).toBe(true);
    expect(PARSE_KEYS.extended.string.useQuotes).toBe(true);
    expect(PARSE_KEYS.extended.length.useQuotes).toBeUndefined();
    expect(PARSE_KEYS.regular.protocol.iptMatch).toBe("-p");
  });
  it("SEARCH_KEYS are the 21 regular + extended keys; mark, rule_num, extended are not", () => {
    expect(SEARCH_KEYS).toHaveLength(21);
    expect(new Set(SEARCH_KEYS)).toEqual(
      new Set([...Object.keys(PARSE_KEYS.regular), ...Object.keys(PARSE_KEYS.extended)]),
    );
    for (const k of ["mark", "rule_num", "extended", "raw"]) expect(SEARCH_KEYS).not.toContain(k);
  });
  it("is frozen", () => {
    expect(Object.isFrozen(PARSE_KEYS)).toBe(true);
    expect(Object.isFrozen(SEARCH_KEYS)).toBe(true);
  });
});
