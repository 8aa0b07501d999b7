/**
 * Conformance on the two real rule sets (read from ../shared/corpus, never copied into the package):
 * every rule parses without an error diagnostic, the counts of rules / protocols / option families equal the
 * figures recorded in the spec (§7), and every rule round-trips: parse(format(parse(x))) deep-equals parse(x).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { corpusPath, skipWithReason } from "@fwkit/test-utils";
import { describe, expect, it } from "vitest";
import {
  formatRule,
  optionFamilies,
  parseRuleset,
  parseRuleWithDiagnostics,
  payloadMatches,
  type Rule,
  type RuleEntry,
  type RulesetResult,
  summarizeRuleset,
} from "../src/index.ts";

const c233 = corpusPath("snort-2.3.3");
const c3 = corpusPath("snort3-community");
const missing =
  !c233 || !existsSync(c233) || !c3 || !existsSync(c3)
    ? "../shared/corpus/snort-2.3.3 or snort3-community absent"
    : null;

function load(dir: string): { path: string; text: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".rules"))
    .sort()
    .map((f) => ({ path: f, text: readFileSync(join(dir, f), "latin1") }));
}

function parseAll(files: { path: string; text: string }[]): { entries: RuleEntry[]; results: RulesetResult[] } {
  const results = files.map((f) => parseRuleset(f.text, { file: f.path }));
  return { results, entries: results.flatMap((r) => r.rules) };
}

function familyCounts(entries: RuleEntry[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const e of entries) for (const k of optionFamilies(e.rule)) c[k] = (c[k] ?? 0) + 1;
  return c;
}

function count<T>(xs: T[], key: (x: T) => string): Record<string, number> {
  const c: Record<string, number> = {};
  for (const x of xs) c[key(x)] = (c[key(x)] ?? 0) + 1;
  return c;
}

/** Content bytes, pcre bodies and their buffers: what a dialect conversion must preserve. */
function payloadSignature(r: Rule): string[] {
  return payloadMatches(r).map((m) => {
    const o = m.option;
    const detail =
      o.kind === "content"
        ? `${Buffer.from(o.bytes).toString("hex")}${o.negated ? "!" : ""}${JSON.stringify(o.modifiers.filter((x) => !x.name.startsWith("http_")))}`
        : o.kind === "pcre"
          ? `${o.negated ? "!" : ""}${o.pattern}`
          : JSON.stringify(o);
    return `${m.buffer} ${o.kind} ${detail}`;
  });
}

function roundTrip(entries: RuleEntry[]): { checked: number; failures: string[] } {
  const failures: string[] = [];
  for (const e of entries) {
    const a = parseRuleWithDiagnostics(e.source.raw, { disabled: e.rule.disabled }).rule as Rule;
    const text = formatRule(a, { commentDisabled: false });
    const b = parseRuleWithDiagnostics(text, { disabled: e.rule.disabled });
    if (!isDeepStrictEqual(b.rule, a) || b.diagnostics.some((d) => d.severity === "error")) {
      failures.push(`${e.source.file}:${e.source.line}`);
    }
  }
  return { checked: entries.length, failures };
}

describe.skipIf(skipWithReason("snort-rules corpus tests", missing))(
  "Snort 2.3.3 rule set (fwsnort deps/snort_rules)",
  () => {
    const files = load(c233 as string);
    const { entries, results } = parseAll(files);
    const enabled = entries.filter((e) => !e.rule.disabled);

    it("parses every rule without an error diagnostic", () => {
      expect(files.length).toBe(48);
      expect(results.flatMap((r) => r.rejected)).toEqual([]);
      expect(results.flatMap((r) => r.diagnostics).filter((d) => d.severity === "error")).toEqual([]);
      expect(enabled.length).toBe(3107);
      expect(enabled.filter((e) => e.source.file !== "deleted.rules").length).toBe(2836);
      // 99 `# alert …` / `#alert …` lines; the two `### alert` lines (no sid) are plain comments
      expect(entries.length - enabled.length).toBe(99);
    });

    it("matches the spec's header statistics (§7)", () => {
      expect(count(enabled, (e) => e.rule.protocol)).toEqual({ tcp: 2682, udp: 247, icmp: 133, ip: 45 });
      expect(count(enabled, (e) => e.rule.direction ?? "")).toEqual({ "->": 3086, "<>": 21 });
      expect(count(enabled, (e) => e.rule.action)).toEqual({ alert: 3107 });
      expect(count(enabled, (e) => e.rule.dialect)).toEqual({ snort2: 3107 });
    });

    it("matches the spec's keyword frequencies for every option family (§7)", () => {
      expect(familyCounts(enabled)).toEqual({
        msg: 3107,
        sid: 3107,
        rev: 3107,
        classtype: 3107,
        flow: 2682,
        reference: 2298,
        content: 2165,
        nocase: 1837,
        uricontent: 910,
        pcre: 876,
        depth: 767,
        offset: 655,
        distance: 624,
        within: 602,
        byte_test: 496,
        byte_jump: 441,
        flowbits: 369,
        itype: 131,
        isdataat: 106,
        icode: 80,
        dsize: 38,
        flags: 33,
        icmp_id: 17,
        ip_proto: 11,
        asn1: 10,
        threshold: 9,
        rawbytes: 8,
        icmp_seq: 6,
        ack: 6,
        fragbits: 5,
        ipopts: 5,
        id: 4,
        rpc: 4,
        ttl: 3,
        seq: 3,
        tag: 2,
        sameip: 1,
        window: 1,
      });
    });

    it("lists its warnings: all explained, none is an error", () => {
      const s = summarizeRuleset(files);
      expect(s.ok).toBe(true);
      expect(s.codes).toEqual({
        SNORT_DISABLED_RULE: 99,
        SNORT_PORTS_IGNORED: 22, // ip rules with ports (shellcode.rules, deleted.rules)
        SNORT_UNMODELED_OPTION: 14, // asn1 ×10, rpc ×4: kept verbatim
        SNORT_DUPLICATE_OPTION: 6, // deleted.rules:203 has seven ip_proto options
        SNORT_NON_LOWERCASE: 1, // policy.rules:32 flow:to_Server
      });
      expect(s.totals).toMatchObject({ rules: 3206, enabled: 3107, disabled: 99, rejected: 0, error: 0, warning: 29 });
    });

    it("round-trips every rule: parse(format(parse(x))) deep-equals parse(x)", () => {
      const r = roundTrip(entries);
      expect(r.checked).toBe(3206);
      expect(r.failures).toEqual([]);
    });

    it("converts every rule to Snort 3 syntax and back without changing a payload match or its buffer", () => {
      const bad: string[] = [];
      for (const e of entries) {
        const s3 = parseRuleWithDiagnostics(formatRule(e.rule, { dialect: "snort3", commentDisabled: false }), {
          dialect: "snort3",
        });
        if (
          s3.diagnostics.some((d) => d.severity === "error") ||
          payloadSignature(s3.rule as Rule).join("\n") !== payloadSignature(e.rule).join("\n")
        ) {
          bad.push(`${e.source.file}:${e.source.line}`);
        }
      }
      expect(bad).toEqual([]);
    });
  },
);

describe.skipIf(skipWithReason("snort-rules corpus tests", missing))("Snort 3 community rule set", () => {
  const files = load(c3 as string);
  const { entries, results } = parseAll(files);

  it("parses every rule without an error diagnostic", () => {
    expect(entries.length).toBe(4022);
    expect(results.flatMap((r) => r.rejected)).toEqual([]);
    expect(results.flatMap((r) => r.diagnostics).filter((d) => d.severity !== "info")).toEqual([]);
    // 3794 use Snort 3-only syntax; the other 228 are also valid Snort 2 (no buffer keywords, no suboptions)
    expect(count(entries, (e) => e.rule.dialect)).toEqual({ snort3: 3794, snort2: 228 });
    expect(count(entries, (e) => e.rule.protocol)).toEqual({ tcp: 3654, udp: 211, icmp: 125, ip: 22, http: 8, ssl: 2 });
    expect(entries.filter((e) => e.rule.src === undefined).length).toBe(10);
  });

  it("counts every option family", () => {
    expect(familyCounts(entries)).toEqual({
      msg: 4022,
      sid: 4022,
      rev: 4022,
      classtype: 4022,
      metadata: 4022,
      content: 3903,
      flow: 3846,
      reference: 3244,
      service: 2947,
      nocase: 2750,
      fast_pattern: 2169,
      http_uri: 1693,
      pcre: 1031,
      depth: 803,
      distance: 595,
      http_header: 557,
      within: 491,
      offset: 350,
      file_data: 266,
      byte_test: 254,
      flowbits: 242,
      http_client_body: 237,
      isdataat: 209,
      http_raw_uri: 206,
      pkt_data: 197,
      bufferlen: 190,
      byte_jump: 173,
      itype: 124,
      http_method: 124,
      icode: 79,
      gid: 64,
      detection_filter: 33,
      http_cookie: 31,
      dsize: 23,
      icmp_id: 15,
      dce_iface: 15,
      dce_opnum: 15,
      flags: 14,
      dce_stub_data: 14,
      byte_extract: 9,
      raw_data: 7,
      ssl_state: 7,
      http_stat_code: 5,
      fast_pattern_length: 5,
      fast_pattern_offset: 5,
      ip_proto: 4,
      sip_stat_code: 4,
      icmp_seq: 3,
      fragbits: 3,
      id: 3,
      ack: 3,
      sip_method: 3,
      base64_data: 3,
      base64_decode: 3,
      http_raw_header: 3,
      http_stat_msg: 3,
      ttl: 2,
      ssl_version: 2,
      sip_header: 2,
      ber_data: 2,
      ber_skip: 2,
      seq: 1,
      tag: 1,
    });
  });

  it("round-trips every rule: parse(format(parse(x))) deep-equals parse(x)", () => {
    const r = roundTrip(entries);
    expect(r.checked).toBe(4022);
    expect(r.failures).toEqual([]);
  });

  it("converts every full-header rule to Snort 2 syntax without changing a payload match or its buffer", () => {
    const bad: string[] = [];
    const full = entries.filter((e) => e.rule.src !== undefined);
    for (const e of full) {
      const s2 = parseRuleWithDiagnostics(formatRule(e.rule, { dialect: "snort2" }), { dialect: "snort2" });
      if (
        s2.diagnostics.some((d) => d.severity === "error") ||
        payloadSignature(s2.rule as Rule).join("\n") !== payloadSignature(e.rule).join("\n")
      ) {
        bad.push(`${e.source.line}`);
      }
    }
    expect(full.length).toBe(4012);
    expect(bad).toEqual([]);
  });
});
