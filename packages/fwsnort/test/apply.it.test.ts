/**
 * `--ipt-apply` / `--ipt-flush` / `--ipt-list` against real iptables 1.8.9 (nf_tables) in a throwaway namespace
 * that already has a policy of its own: only fwsnort's chains and jumps change, atomically.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChainMgr } from "@fwkit/iptables-chainmgr";
import { IptablesParse } from "@fwkit/iptables-parse";
import {
  corpusPath,
  createNetns,
  makeWrappers,
  missingFor,
  type Netns,
  skipWithReason,
  type Wrappers,
} from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTranslation, flushFwsnort, listFwsnort } from "../src/apply.ts";
import type { Translation } from "../src/types.ts";
import { translationFromSave } from "./support/from-save.ts";

const corpus = corpusPath("snort-2.3.3");
const reason = missingFor(["iptables-nft", "ip6tables-nft"]) ?? (corpus ? null : "needs ../shared/corpus/snort-2.3.3");
const fx = (name: string) => readFileSync(new URL(`fixtures/artefacts/${name}`, import.meta.url), "utf8");
const ruleFiles = ["mysql.rules", "web-attacks.rules", "x11.rules"].map((f) => join(corpus ?? "", f));

describe.skipIf(skipWithReason("fwsnort apply/flush (netns)", reason))("applyTranslation into a live policy", () => {
  let ns: Netns;
  let dir: string;
  let w: Wrappers;

  beforeAll(async () => {
    ns = await createNetns("fws");
    dir = mkdtempSync(join(tmpdir(), "fwsnort-it-"));
    w = makeWrappers(ns, "nft", dir);
  });
  afterAll(async () => {
    await ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe.each([4, 6] as const)("IPv%i", (family) => {
    const bin = () => (family === 6 ? w.v6 : w.v4);
    const save = async () => (await ns.execOk(`${bin()}-save`, ["-t", "filter"])).replace(/^#.*\n/gm, "");
    const notFwsnort = (text: string) => text.split("\n").filter((l) => !l.includes("FWSNORT"));
    const mgr = async () =>
      new ChainMgr(await IptablesParse.create(family === 6 ? { iptables: w.v6, useIpv6: true } : { iptables: w.v4 }));
    const translation = (): Translation => {
      const t = translationFromSave(fx(family === 6 ? "small-v6.fwsnort.save" : "small.fwsnort.save"), ruleFiles, {
        family,
      });
      return family === 6 ? { ...t, layout: { ...t.layout, whitelist: ["2001:db8::1"] } } : t;
    };

    beforeAll(async () => {
      const other = family === 6 ? "2001:db8:5::/48" : "10.5.0.0/16";
      await ns.execOk(bin(), ["-A", "INPUT", "-i", "lo", "-j", "ACCEPT"]);
      await ns.execOk(bin(), ["-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "ACCEPT"]);
      await ns.execOk(bin(), ["-N", "OTHER"]);
      await ns.execOk(bin(), ["-A", "OTHER", "-s", other, "-j", "DROP"]);
      await ns.execOk(bin(), ["-A", "FORWARD", "-j", "OTHER"]);
      await ns.execOk(bin(), ["-A", "OUTPUT", "-p", "udp", "--dport", "53", "-j", "ACCEPT"]);
    });

    it("loads fwsnort's chains and jumps; the existing rules stay; re-applying is idempotent", async () => {
      const before = await save();
      const m = await mgr();
      const r = await applyTranslation(m, translation());
      expect(r.ok, r.stderr.join("\n")).toBe(true);
      // 102 signature rules (51 sids × FORWARD/INPUT), 3 conntrack jumps, 4 whitelist rules per address
      expect(r.rules).toBe(102 + 3 + 4 * (family === 6 ? 1 : 2));
      const after = await save();
      expect(notFwsnort(after)).toEqual(notFwsnort(before));
      for (const c of [
        "FWSNORT_INPUT",
        "FWSNORT_INPUT_ESTAB",
        "FWSNORT_FORWARD",
        "FWSNORT_FORWARD_ESTAB",
        "FWSNORT_OUTPUT",
        "FWSNORT_OUTPUT_ESTAB",
      ]) {
        expect(after).toContain(`:${c} - [0:0]`);
      }
      const lines = after.split("\n");
      expect(lines.filter((l) => l.startsWith("-A INPUT "))[0]).toBe("-A INPUT ! -i lo -j FWSNORT_INPUT");
      expect(lines.filter((l) => l.startsWith("-A OUTPUT "))[0]).toBe("-A OUTPUT ! -o lo -j FWSNORT_OUTPUT");
      expect(lines.filter((l) => l.includes("SID1361")).length).toBe(2);
      expect(lines.filter((l) => l.startsWith("-A FWSNORT_")).length).toBe(r.rules);
      const again = await applyTranslation(m, translation());
      expect(again.ok).toBe(true);
      expect(await save()).toBe(after);
      const listing = await listFwsnort(m);
      expect(listing.jumps).toEqual([
        "-A INPUT ! -i lo -j FWSNORT_INPUT",
        "-A FORWARD ! -i lo -j FWSNORT_FORWARD",
        "-A OUTPUT ! -o lo -j FWSNORT_OUTPUT",
      ]);
      expect(listing.chains.map((c) => c.name).sort()).toHaveLength(6);
    });

    it("a payload with one rule iptables rejects changes nothing", async () => {
      const before = await save();
      const t = translation();
      const bad: Translation = {
        ...t,
        translated: [
          ...t.translated,
          {
            ...(t.translated[0] as Translation["translated"][0]),
            sid: 1,
            rules: [{ chain: "FWSNORT_INPUT", args: ["-m", "nosuchmatch", "-j", "LOG"] }],
          },
        ],
      };
      const r = await applyTranslation(await mgr(), bad);
      expect(r.ok).toBe(false);
      expect(r.stderr.join("\n")).toMatch(/nosuchmatch|restore/i);
      expect(await save()).toBe(before);
    });

    it("flush removes only fwsnort's chains and jumps", async () => {
      const before = await save();
      const r = await flushFwsnort(await mgr());
      expect(r.ok, r.stderr.join("\n")).toBe(true);
      const after = await save();
      expect(after).not.toContain("FWSNORT");
      expect(after.split("\n")).toEqual(notFwsnort(before));
      expect((await flushFwsnort(await mgr())).payload).toBe("");
    });
  });
});
