/**
 * The whole generated fwsnort.save (IPv4 and IPv6, default and compat modes) for both corpora loads into a fresh
 * network namespace with iptables-restore / ip6tables-restore (for real, then listed back).
 */
import { readFileSync } from "node:fs";
import { corpusPath, createNetns, missingFor, type Netns, skipWithReason } from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderSave } from "../src/render-save.ts";
import { type TranslateOptions, translateRuleset } from "../src/translate.ts";
import { readRulesDir } from "./support/conformance.ts";

const c2 = corpusPath("snort-2.3.3");
const c3 = corpusPath("snort3-community/snort3-community.rules");
const reason = !c2 || !c3 ? "needs ../shared/corpus" : missingFor(["iptables-restore", "ip6tables-restore"]);

describe.skipIf(skipWithReason("fwsnort.save restore", reason))(
  "fwsnort.save loads with iptables-restore in a netns",
  () => {
    let ns: Netns;
    beforeAll(async () => {
      ns = await createNetns("fwsr");
    });
    afterAll(async () => {
      await ns?.destroy();
    });
    const corpora = () => ({
      "snort-2.3.3": readRulesDir(c2 as string),
      "snort3-community": [{ path: c3 as string, text: readFileSync(c3 as string, "latin1") }],
    });
    const cases: [string, 4 | 6, TranslateOptions][] = [
      ["snort-2.3.3", 4, {}],
      ["snort-2.3.3", 6, {}],
      ["snort3-community", 4, {}],
      ["snort3-community", 6, {}],
    ];
    it.each(cases)("%s IPv%s %j", async (name, family, o) => {
      const files = corpora()[name as "snort-2.3.3"];
      const t = translateRuleset(files, { ...o, family });
      const save = renderSave(t);
      const n = save.split("\n").filter((l) => l.startsWith("-A FWSNORT_")).length;
      expect(t.translated.length).toBeGreaterThan(100);
      const bin = family === 6 ? "ip6tables-restore" : "iptables-restore";
      const r = await ns.exec(bin, [], { input: save, timeoutMs: 60_000 });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const listed = await ns.execOk(family === 6 ? "ip6tables-save" : "iptables-save", ["-t", "filter"]);
      expect(listed.split("\n").filter((l) => l.startsWith("-A FWSNORT_")).length).toBe(n);
      await ns.exec(bin, [], {
        input: "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n",
      });
    });
  },
);
