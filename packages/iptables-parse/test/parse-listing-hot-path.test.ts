/**
 * The listing parser's hot path reuses module-level scratch state (word boundaries, a typed array of the
 * text's code units, the extended-field record, caches of shared strings). These tests pin down that none of
 * that is observable: every rule has the same keys in the same order, values do not leak from one rule or one
 * call to the next, and a line parses the same wherever it sits in the text.
 */
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { parseListing } from "../src/parse-listing.ts";
import { emptyRule } from "../src/rule-builder.ts";
import type { ParsedRule } from "../src/types.ts";
import { fixture } from "./support/golden.ts";

const PERL_KEYS = Object.keys(emptyRule("", 1));

const HEADER = "num   pkts bytes target     prot opt in     out     source               destination         ";

function listing(lines: string[], header = HEADER): string {
  return ["Chain INPUT (policy DROP 0 packets, 0 bytes)", header, ...lines].join("\n");
}

function rulesOf(text: string): ParsedRule[] {
  return parseListing(text).tables[0]?.chains.flatMap((c) => c.rules) ?? [];
}

/** JSON with bigints, so key order and values are both compared. */
function json(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? `${v}n` : v));
}

describe("rule objects of the listing hot path", () => {
  it("have exactly the 24 Perl keys, raw, rule_num and details, in emptyRule's order, for every fixture rule", () => {
    for (const f of ["spec-filter-v4.vnL-ln.txt", "spec-nat-v6.vnL-ln.txt", "old-filter-v6.nL.txt"]) {
      for (const r of rulesOf(fixture(f))) {
        expect(Object.keys(r)).toEqual(PERL_KEYS);
        expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
        expect(Object.getPrototypeOf(r.details)).toBe(Object.prototype);
      }
    }
  });

  it("keeps the details keys in the order the fields appear (counters, negations, then the extended text)", () => {
    const [r] = rulesOf(
      listing([
        '1       12  3456 LOG        !6   !f  !eth0   *       !10.0.0.0/8          0.0.0.0/0            tcp dpt:22 limit: avg 3/min burst 5 LOG flags 0 level 4 prefix "x "',
      ]),
    );
    expect(Object.keys(r?.details ?? {})).toEqual([
      "packetsExact",
      "bytesExact",
      "negated",
      "fragment",
      "limit",
      "logLevel",
      "logPrefix",
    ]);
    expect(Object.keys(r?.details.negated ?? {})).toEqual(["protocol", "fragment", "intf_in", "src"]);
    // (`!tcp` is not `tcp`: no port default, as before)
    expect(r).toMatchObject({ protocol: "!tcp", d_port: "22", s_port: "", intf_in: "!eth0", src: "!10.0.0.0/8" });
  });

  it("does not carry extended fields or details from one rule to the next", () => {
    const rules = rulesOf(
      listing([
        '1     0     0 ACCEPT     6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp spt:1 dpt:22 state NEW ctstate NEW MAC 00:11:22:33:44:55 length 10 /* c */ STRING match "s" to:1.2.3.4:5 multiport dports 80',
        "2     0     0 ACCEPT     6    --  *      *       0.0.0.0/0            0.0.0.0/0           ",
        "3     0     0 ACCEPT     17   --  *      *       0.0.0.0/0            0.0.0.0/0            udp",
        "4     0     0 ACCEPT     6    --  *      *       0.0.0.0/0            0.0.0.0/0            multiport ports 1,2",
        "5     0     0 ACCEPT     6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:9",
      ]),
    );
    expect(rules).toHaveLength(5);
    const [r1, r2, r3, r4, r5] = rules;
    expect(r1).toMatchObject({ s_port: "1", d_port: "22", state: "NEW", ctstate: "NEW", comment: "c", string: "s" });
    expect(r1).toMatchObject({ to_ip: "1.2.3.4", to_port: "5", mac_source: "00:11:22:33:44:55", length: "10" });
    expect(r1?.details.multiportDports).toEqual(["80"]);
    for (const r of [r2, r3]) {
      expect(r).toMatchObject({ s_port: 0, sport: 0, d_port: 0, dport: 0, state: "", ctstate: "", comment: "" });
      expect(r).toMatchObject({
        to_ip: "",
        to_port: "",
        mac_source: "",
        string: "",
        length: "",
        extended: r?.extended,
      });
      expect(r?.details).toEqual({ packetsExact: 0n, bytesExact: 0n });
    }
    // multiport ports covers both directions: no `0` default; the next rule gets its defaults back.
    expect(r4).toMatchObject({ s_port: "", d_port: "" });
    expect(r5).toMatchObject({ s_port: 0, d_port: "9" });
  });

  it("gives the same rules when called again, and when calls for different texts are interleaved", () => {
    const a = fixture("spec-filter-v4.vnL-ln.txt");
    const b = fixture("old-filter-v6.nL.txt");
    const first = json(parseListing(a));
    const other = json(parseListing(b));
    expect(json(parseListing(a))).toBe(first);
    expect(json(parseListing(b))).toBe(other);
    expect(json(parseListing(a))).toBe(first);
  });

  it("shares repeated strings without mixing up values (many distinct targets and protocols)", () => {
    const lines: string[] = [];
    for (let i = 1; i <= 60; i++) {
      const target = i % 3 === 0 ? `chain_${i}` : i % 3 === 1 ? `very_long_chain_name_${i}` : "ACCEPT";
      const prot = String(i % 7 === 0 ? 200 + i : [0, 6, 17, 1, 47, 132][i % 6]);
      lines.push(
        `${String(i).padEnd(4)}    0     0 ${target.padEnd(10)} ${prot.padEnd(4)} --  *      *       0.0.0.0/0            ::/0                `,
      );
    }
    const rules = rulesOf(listing(lines));
    expect(rules.map((r) => r.target)).toEqual(lines.map((l) => l.split(/\s+/)[3]));
    expect(rules.map((r) => r.protocol)).toEqual(
      lines.map((l) => {
        const p = Number(l.split(/\s+/)[4]);
        return { 0: "all", 6: "tcp", 17: "udp", 1: "icmp", 47: "gre", 132: "sctp" }[p] ?? String(p);
      }),
    );
    expect(new Set(rules.map((r) => r.dst))).toEqual(new Set(["::/0"]));
  });

  it("reads characters beyond Latin-1 correctly (the scanner works on UTF-16 code units)", () => {
    const [r] = rulesOf(
      listing([
        "1     0     0 ACCEPT     6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:22 /* héllo ✓ 日本\u2003語 */ state NEW",
        // U+0120 and U+0109 have the low bytes of a space and a tab: they are not blanks.
        "2     0     0 ACCEPT     6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:1\u0120\u0109 spt:2",
      ]),
    );
    expect(r).toMatchObject({ comment: "héllo ✓ 日本\u2003語", state: "NEW", d_port: "22" });
    const r2 = rulesOf(
      listing([
        "2     0     0 ACCEPT     6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:1\u0120\u0109 spt:2",
      ]),
    )[0];
    expect(r2).toMatchObject({ d_port: "1\u0120\u0109", s_port: "2" });
  });
});

/** Rule lines of real and spec listings (the `-v -n -L --line-numbers` layout). */
const ruleLines = [
  ...fixture("spec-filter-v4.vnL-ln.txt").split("\n"),
  ...fixture("spec-nat-v4.vnL-ln.txt").split("\n"),
  ...fixture("real/iptables.filter.vnL-ln.txt").split("\n"),
].filter((l) => /^\d+\s/.test(l));

describe("position independence", () => {
  test.prop(
    [
      fc.constantFrom(...ruleLines),
      fc.array(fc.constantFrom(...ruleLines, "", "   ", "# note"), { maxLength: 6 }),
      fc.constantFrom("\n", "\r\n"),
    ],
    { numRuns: 200 },
  )("a rule line parses the same alone and after other lines, with LF or CRLF", (line, before, eol) => {
    const alone = rulesOf(listing([line]))[0];
    const text = listing([...before, line])
      .split("\n")
      .join(eol);
    const rules = rulesOf(text);
    const last = rules[rules.length - 1];
    expect(last).toBeDefined();
    expect(json({ ...last, rule_num: 0 })).toBe(json({ ...alone, rule_num: 0 }));
  });
});
