/**
 * Differential test: random rulesets (fast-check, test/arbitraries.ts) are loaded with iptables-restore into a fresh
 * namespace; then `iptables -t T -v -n -L --line-numbers` (per table) and `iptables-save -c` are parsed with
 * @fwkit/iptables-parse and must agree rule by rule on `comparableRule` (the 20 Perl keys both formats carry).
 */
import { createNetns, missingFor, skipWithReason } from "@fwkit/test-utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Fam, type GenRuleset, renderRuleset, rulesetArb } from "./arbitraries.ts";
import { comparableRule, findChain, parseListing, parseSave } from "./support/ipt.ts";
import type { Backend } from "./support/netns-ipt.ts";

const reason = missingFor(["iptables-nft", "iptables-legacy", "ip6tables-nft", "ip6tables-legacy"]);
const NUM_RUNS = 25;
const stats = { runs: 0, rules: 0, chains: 0 };

/** Hand-picked texts that stress quoting in both formats (run before the random rulesets). */
function edgeCases(fam: Fam): GenRuleset {
  const any = fam === "ipv6" ? "::/0" : "0.0.0.0/0";
  const texts = ["-u", 'it\'s "quoted"', "back\\slash", "a  b", "#hash", "$(x);|&*"];
  return {
    tables: [
      {
        table: "filter",
        userChains: ["USR1"],
        rules: [
          ...texts.map((t) => ({ chain: "INPUT", argv: ["-m", "comment", "--comment", t, "-j", "ACCEPT"] })),
          ...texts.map((t) => ({
            chain: "USR1",
            argv: ["-s", any, "-m", "string", "--string", t, "--algo", "bm", "-j", "LOG", "--log-prefix", t],
          })),
          { chain: "FORWARD", argv: ["!", "-i", "eth+", "-o", "lo", "-j", "USR1"] },
        ],
      },
    ],
  };
}

async function agree(fam: Fam, backend: Backend, rs: GenRuleset): Promise<void> {
  const bin = `/usr/sbin/${fam === "ipv6" ? "ip6tables" : "iptables"}-${backend}`;
  const ns = await createNetns("cmdf");
  try {
    const payload = renderRuleset(rs);
    const load = await ns.exec(`${bin}-restore`, [], { input: payload });
    expect(load.code, `restore failed:\n${load.stderr}\n${payload}`).toBe(0);
    const saveText = await ns.execOk(`${bin}-save`, ["-c"]);
    const saved = parseSave(saveText, { family: fam });
    expect(saved.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    for (const t of rs.tables) {
      const listText = await ns.execOk(bin, ["-t", t.table, "-v", "-n", "-L", "--line-numbers"]);
      const listed = parseListing(listText, { family: fam, table: t.table });
      const savedTable = saved.tables.find((x) => x.name === t.table);
      const listedTable = listed.tables.find((x) => x.name === t.table);
      expect(listedTable?.chains.map((c) => c.name).sort()).toEqual(savedTable?.chains.map((c) => c.name).sort());
      for (const chain of savedTable?.chains ?? []) {
        const a = (findChain(listed, t.table, chain.name)?.rules ?? []).map(comparableRule);
        const b = chain.rules.map(comparableRule);
        expect(a, `${t.table}/${chain.name}\n--- -L:\n${listText}\n--- save:\n${saveText}`).toEqual(b);
        stats.rules += b.length;
        stats.chains += 1;
      }
      // and the generator's rule count made it through
      const generated = t.rules.length;
      const parsed = (savedTable?.chains ?? []).reduce((n, c) => n + c.rules.length, 0);
      expect(parsed).toBe(generated);
    }
    stats.runs += 1;
  } finally {
    await ns.destroy();
  }
}

describe.skipIf(skipWithReason("chainmgr differential -L vs iptables-save (netns)", reason))(
  "differential: -v -n -L --line-numbers parse == iptables-save -c parse, rule by rule",
  () => {
    it.each([
      ["ipv4", "nft"],
      ["ipv6", "nft"],
      ["ipv4", "legacy"],
      ["ipv6", "legacy"],
    ] as const)("%s / %s", async (fam, backend) => {
      const before = { ...stats };
      await fc.assert(
        fc.asyncProperty(rulesetArb(fam), (rs) => agree(fam, backend, rs)),
        { numRuns: NUM_RUNS, seed: 20261122, endOnFailure: true, examples: [[edgeCases(fam)]] },
      );
      const runs = stats.runs - before.runs;
      const rules = stats.rules - before.rules;
      expect(runs).toBe(NUM_RUNS); // fast-check counts the edge-case example as one of the runs
      expect(rules).toBeGreaterThan(NUM_RUNS); // not vacuous
      process.stderr.write(`[differential] ${fam}/${backend}: ${runs} rulesets, ${rules} rules agreed\n`);
    });
  },
);
