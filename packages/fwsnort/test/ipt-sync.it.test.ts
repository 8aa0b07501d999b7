/**
 * `--ipt-sync` against a real running policy (iptables 1.8.9 nf_tables, throwaway namespace) reproducing spec §11:
 * INPUT policy DROP + ACCEPT tcp/80 and udp/53. Ours keeps the web signatures in INPUT; the real fwsnort 1.6.8
 * (run in the same namespace when installed) keeps none of its INPUT rules because `iptables -nL` prints `6`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IptablesParse } from "@fwkit/iptables-parse";
import {
  corpusPath,
  createNetns,
  makeWrappers,
  missingFor,
  type Netns,
  skipWithReason,
  type Wrappers,
  which,
} from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { iptSync } from "../src/ipt-sync.ts";
import { translationFromSave } from "./support/from-save.ts";

const corpus = corpusPath("snort-2.3.3");
const reason = missingFor(["iptables-nft"]) ?? (corpus ? null : "needs ../shared/corpus/snort-2.3.3");
const fx = (name: string) => readFileSync(new URL(`fixtures/artefacts/${name}`, import.meta.url), "utf8");
const names = ["mysql.rules", "web-attacks.rules", "x11.rules"];

describe.skipIf(skipWithReason("fwsnort ipt-sync (netns)", reason))("iptSync against a live policy", () => {
  let ns: Netns;
  let dir: string;
  let w: Wrappers;
  beforeAll(async () => {
    ns = await createNetns("fsy");
    dir = mkdtempSync(join(tmpdir(), "fwsnort-sync-"));
    w = makeWrappers(ns, "nft", dir);
    await ns.execOk(w.v4, ["-P", "INPUT", "DROP"]);
    await ns.execOk(w.v4, ["-A", "INPUT", "-p", "tcp", "--dport", "80", "-j", "ACCEPT"]);
    await ns.execOk(w.v4, ["-A", "INPUT", "-p", "udp", "--dport", "53", "-j", "ACCEPT"]);
  });
  afterAll(async () => {
    await ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the web rules (INPUT accepts tcp/80) and drops mysql/x11 from INPUT", async () => {
    const t = translationFromSave(
      fx("small.fwsnort.save"),
      names.map((n) => join(corpus ?? "", n)),
    );
    const policy = await (await IptablesParse.create({ iptables: w.v4 })).policy("filter");
    const { translation: s } = iptSync(t, policy);
    const inputSids = (file: string) =>
      s.translated
        .filter((r) => r.file === file && r.rules.some((x) => x.chain.startsWith("FWSNORT_INPUT")))
        .map((r) => r.sid);
    expect(inputSids("web-attacks.rules")).toHaveLength(46);
    expect(inputSids("web-attacks.rules")).toContain(1361);
    expect(inputSids("mysql.rules")).toEqual([]);
    expect(inputSids("x11.rules")).toEqual([]);
    // the listing fwsnort/IPTables::Parse reads shows numeric protocols on iptables 1.8 nft
    expect(await ns.execOk(w.v4, ["-n", "-L", "INPUT"])).toMatch(/ACCEPT\s+6\s/);
  });

  it.skipIf(!which("fwsnort"))("the real fwsnort 1.6.8 --ipt-sync keeps no INPUT signature rule at all", async () => {
    const root = join(dir, "root");
    const rules = join(dir, "rules");
    mkdirSync(join(root, "etc/fwsnort"), { recursive: true });
    mkdirSync(join(root, "var/log"), { recursive: true });
    mkdirSync(join(root, "var/lib"), { recursive: true });
    mkdirSync(rules);
    mkdirSync(join(dir, "home"));
    for (const n of names) writeFileSync(join(rules, n), readFileSync(join(corpus ?? "", n)));
    const conf = readFileSync("/etc/fwsnort/fwsnort.conf", "utf8").replace(
      /^INSTALL_ROOT\s.*$/m,
      `INSTALL_ROOT ${root};`,
    );
    writeFileSync(join(root, "etc/fwsnort/fwsnort.conf"), conf);
    const r = await ns.exec("fwsnort", [
      "-c",
      join(root, "etc/fwsnort/fwsnort.conf"),
      "--snort-rdir",
      rules,
      "--Home-dir",
      join(dir, "home"),
      "--ipt-sync",
      "--no-ipt-test",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const save = readFileSync(join(root, "var/lib/fwsnort/fwsnort.save"), "utf8");
    expect(save.split("\n").filter((l) => /^-A FWSNORT_INPUT.*SID/.test(l))).toEqual([]);
  });
});
