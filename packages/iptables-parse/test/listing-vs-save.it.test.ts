/**
 * Differential test against real iptables 1.8.9 (in a throw-away network namespace): random rulesets are
 * loaded with iptables-restore, then `iptables -v -n -L T --line-numbers` and `iptables-save` are parsed and
 * must agree on every comparableRule key (the contract the later whole-toolkit differential test relies on).
 */
import { createNetns, missingFor, type Netns, skipWithReason } from "@fwkit/test-utils";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseListing } from "../src/parse-listing.ts";
import { parseSave } from "../src/parse-save.ts";
import { comparableRule, findChain } from "../src/policy-query.ts";
import type { Family } from "../src/types.ts";
import { rulespecArbitrary } from "./arbitraries.ts";

const reason = missingFor([
  "iptables",
  "ip6tables",
  "iptables-restore",
  "ip6tables-restore",
  "iptables-save",
  "ip6tables-save",
]);
const TARGETS = ["ACCEPT", "DROP", "RETURN", "LOG", "REJECT", ""] as const;

describe.skipIf(skipWithReason("iptables listing vs save differential", reason))(
  "real iptables: -v -n -L and iptables-save parse to the same rules",
  () => {
    let ns: Netns;
    beforeAll(async () => {
      ns = await createNetns("pcdiff");
    });
    afterAll(async () => {
      await ns?.destroy();
    });

    for (const [family, bin] of [
      ["ipv4", "iptables"],
      ["ipv6", "ip6tables"],
    ] as [Family, string][]) {
      it(`${bin}: 40 random rulesets of up to 12 rules`, async () => {
        const sets = fc.sample(fc.array(rulespecArbitrary(family, TARGETS), { minLength: 1, maxLength: 12 }), {
          numRuns: 40,
          seed: family === "ipv4" ? 4242 : 6262,
        });
        let loaded = 0;
        let compared = 0;
        for (const specs of sets) {
          const text = `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:T - [0:0]\n${specs.map((s) => `-A T ${s}`).join("\n")}\nCOMMIT\n`;
          const r = await ns.exec(`${bin}-restore`, [], { input: text });
          if (r.code !== 0) continue; // e.g. a combination iptables rejects; counted below
          loaded++;
          const save = parseSave(await ns.execOk(`${bin}-save`, ["-t", "filter"]), { family });
          const list = parseListing(await ns.execOk(bin, ["-t", "filter", "-v", "-n", "-L", "T", "--line-numbers"]), {
            family,
          });
          expect(save.diagnostics).toEqual([]);
          expect(list.diagnostics).toEqual([]);
          const a = findChain(save, "filter", "T")?.rules ?? [];
          const b = findChain(list, "filter", "T")?.rules ?? [];
          expect(b.map(comparableRule), text).toEqual(a.map(comparableRule));
          expect(a).toHaveLength(specs.length);
          compared += a.length;
        }
        expect(loaded).toBeGreaterThanOrEqual(20);
        expect(compared).toBeGreaterThan(50);
      });
    }
  },
);
