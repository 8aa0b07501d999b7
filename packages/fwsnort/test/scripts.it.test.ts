/**
 * The three artefacts agree on a real kernel: running our fwsnort_iptcmds.sh (one iptables call per rule) in one
 * namespace, and fwsnort.sh (which feeds fwsnort.save to iptables-restore) in another, yield the same filter table.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corpusPath, createNetns, makeWrappers, missingFor, type Netns, skipWithReason } from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderIptCmds } from "../src/render-iptcmds.ts";
import { renderSave } from "../src/render-save.ts";
import { renderFwsnortSh } from "../src/render-sh.ts";
import { translateRuleset } from "../src/translate.ts";

const corpus = corpusPath("snort-2.3.3");
const reason = missingFor(["iptables-nft", "ip6tables-nft"]) ?? (corpus ? null : "needs ../shared/corpus/snort-2.3.3");

describe.skipIf(skipWithReason("fwsnort scripts (netns)", reason))(
  "fwsnort_iptcmds.sh and fwsnort.sh load the same rules",
  () => {
    let dir: string;
    const spaces: Netns[] = [];
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "fwsnort-scripts-"));
    });
    afterAll(async () => {
      for (const n of spaces) await n.destroy();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it.each([4, 6] as const)("IPv%i", async (family) => {
      const names =
        family === 4
          ? ["mysql.rules", "x11.rules", "web-attacks.rules"]
          : ["mysql.rules", "x11.rules", "backdoor.rules"];
      const files = names.map((n) => ({
        path: join(corpus ?? "", n),
        text: readFileSync(join(corpus ?? "", n), "utf8"),
      }));
      const t = translateRuleset(files, { family });
      expect(t.translated.length).toBeGreaterThan(family === 4 ? 40 : 5);
      const a = await createNetns("fsa");
      const b = await createNetns("fsb");
      spaces.push(a, b);
      const wa = makeWrappers(a, "nft", mkdtempSync(join(dir, "a")));
      const wb = makeWrappers(b, "nft", mkdtempSync(join(dir, "b")));
      const ipt = (w: typeof wa) => (family === 6 ? w.v6 : w.v4);
      const banner = { argv: ["--snort-rfile", "…"], hostname: "test", now: new Date(0) };
      const cmds = join(dir, `cmds${family}.sh`);
      writeFileSync(cmds, renderIptCmds(t, { ...banner, file: cmds, iptables: ipt(wa), echo: "true" }));
      execFileSync("/bin/sh", [cmds], { stdio: "pipe" });
      const save = join(dir, `fwsnort${family}.save`);
      writeFileSync(save, renderSave(t));
      const sh = join(dir, `fwsnort${family}.sh`);
      writeFileSync(sh, renderFwsnortSh(t, { ...banner, file: sh, saveFile: save, restore: `${ipt(wb)}-restore` }));
      const out = execFileSync("/bin/sh", [sh], { encoding: "utf8" });
      expect(out).toContain(`[+] Splicing fwsnort ${t.translated.length} rules into the iptables policy...`);
      const dump = async (n: Netns, w: typeof wa) =>
        (await n.execOk(`${ipt(w)}-save`, ["-t", "filter"]))
          .split("\n")
          .filter((l) => l.startsWith("-A ") || l.startsWith(":"));
      const viaCmds = await dump(a, wa);
      const viaSave = await dump(b, wb);
      expect(viaCmds.filter((l) => l.includes("SID")).length).toBe(
        t.translated.reduce((n, r) => n + r.rules.length, 0),
      );
      expect(viaCmds).toEqual(viaSave);
    });
  },
);
