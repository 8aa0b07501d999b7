import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { defaultDrop } from "../src/default-drop.ts";
import { defaultLog } from "../src/default-log.ts";
import { formatSave } from "../src/format-save.ts";
import { parseListing } from "../src/parse-listing.ts";
import { parsePolicy } from "../src/parse-policy.ts";
import { parseSave } from "../src/parse-save.ts";
import type { ParsedPolicy } from "../src/types.ts";
import { fixture } from "./support/golden.ts";

const CODES = /^IPT_PARSE_[A-Z_]+$/;

/** Every consumer of a policy runs without throwing, and every diagnostic has a stable code and a line. */
function exercise(p: ParsedPolicy, lines: number): void {
  for (const d of p.diagnostics) {
    expect(d.code).toMatch(CODES);
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(Math.max(1, lines));
  }
  for (const t of p.tables)
    for (const c of t.chains) {
      defaultDrop(p, t.name, c.name);
      defaultLog(p, t.name, c.name);
    }
  formatSave(p);
}

const realLines = [
  ...fixture("real/iptables.filter.vnL-ln.txt").split("\n"),
  ...fixture("real/ip6tables.nat.nL.txt").split("\n"),
  ...fixture("real/iptables.save-c.txt").split("\n"),
];
/** Lines from real listings, mangled: truncated, spliced, with NULs and quotes. */
const mangledLine = fc.oneof(
  fc.constantFrom(...realLines),
  fc.tuple(fc.constantFrom(...realLines), fc.nat(200)).map(([l, n]) => l.slice(0, n)),
  fc
    .tuple(
      fc.constantFrom(...realLines),
      fc.constantFrom("\0", '"', "\\", "!", "/*", "`", "[", "\u00ff", "\u{1F600}"),
      fc.nat(200),
    )
    .map(([l, ch, n]) => l.slice(0, n) + ch + l.slice(n)),
  fc.string({ maxLength: 80 }),
);
const doc = fc.array(mangledLine, { maxLength: 40 }).map((ls) => ls.join("\n"));

describe("hostile input never throws", () => {
  test.prop([fc.string({ maxLength: 2000 })])("random strings (all parsers)", (s) => {
    const n = s.split("\n").length;
    exercise(parseListing(s), n);
    exercise(parseSave(s), n);
    exercise(parsePolicy(s), n);
  });
  test.prop([doc])("mangled real listings and save files", (s) => {
    const n = s.split("\n").length;
    exercise(parseListing(s), n);
    exercise(parseSave(s), n);
    exercise(parsePolicy(s), n);
  });
  it("a huge line, NUL bytes and a million blanks finish quickly", () => {
    const header = "Chain INPUT (policy ACCEPT)\ntarget     prot opt source               destination\n";
    const huge = `ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            ${"/* x */ ".repeat(200_000)}STRING match  "${"\\".repeat(100_000)}`;
    const t0 = performance.now();
    const a = parseListing(header + huge);
    const b = parseSave(`*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "${"a".repeat(1_000_000)}\n`);
    const c = parsePolicy(`\0\0\0${" ".repeat(1_000_000)}\n\0Chain \0 (\n`);
    const d = parseListing(
      `${header}${'ACCEPT all -- 0.0.0.0/0 0.0.0.0/0 LOG flags 0 level 4 prefix "'.repeat(20_000)}`,
    );
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(a.tables[0]?.chains[0]?.rules[0]?.target).toBe("ACCEPT");
    expect(b.diagnostics.map((x) => x.code)).toEqual(["IPT_PARSE_BAD_QUOTING", "IPT_PARSE_MISSING_COMMIT"]);
    expect(c.diagnostics.length).toBeGreaterThan(0);
    expect(d.tables[0]?.chains[0]?.rules).toHaveLength(1);
  });
});
