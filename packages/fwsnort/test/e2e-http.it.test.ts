/**
 * Real kernel, real packets (issue 4 "Must show"): an HTTP server in namespace A with fwsnort's web rules loaded,
 * a client in namespace B. A request containing `nmap%20` (SID 1361) produces the `SID1361` LOG line in the kernel
 * log, a benign request does not; with `--ipt-drop` the first request gets no answer while the benign one does.
 * The rules here are fwsnort 1.6.8's own output for web-attacks.rules (fixtures), loaded with applyTranslation;
 * cli/test/fwsnort-e2e.it.test.ts runs the same scenario through `fwkit fwsnort` and our translator.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChainMgr } from "@fwkit/iptables-chainmgr";
import { IptablesParse } from "@fwkit/iptables-parse";
import { corpusPath, makeWrappers, missingFor, run, skipWithReason } from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTranslation, flushFwsnort } from "../src/apply.ts";
import { translationFromSave } from "./support/from-save.ts";
import { createHttpRig, type HttpRig } from "./support/http-netns.ts";

const corpus = corpusPath("snort-2.3.3");
const reason = missingFor(["iptables-nft", "curl", "dmesg"]) ?? (corpus ? null : "needs ../shared/corpus/snort-2.3.3");
const fx = (name: string) => readFileSync(new URL(`fixtures/artefacts/${name}`, import.meta.url), "utf8");
const files = ["mysql.rules", "web-attacks.rules", "x11.rules"].map((n) => join(corpus ?? "", n));

describe.skipIf(skipWithReason("fwsnort real-kernel e2e (netns, kernel log)", reason))(
  "SID 1361 on real packets",
  () => {
    let rig: HttpRig;
    let dir: string;
    let mgr: ChainMgr;
    let oldLogAll: string | undefined;
    beforeAll(async () => {
      oldLogAll = (await run("sysctl", ["-n", "net.netfilter.nf_log_all_netns"])).stdout.trim();
      await run("sysctl", ["-w", "net.netfilter.nf_log_all_netns=1"]);
      rig = await createHttpRig();
      dir = mkdtempSync(join(tmpdir(), "fwsnort-e2e-"));
      const w = makeWrappers(rig.server, "nft", dir);
      mgr = new ChainMgr(await IptablesParse.create({ iptables: w.v4 }));
    });
    afterAll(async () => {
      await rig?.destroy();
      if (dir) rmSync(dir, { recursive: true, force: true });
      if (oldLogAll && oldLogAll !== "1") await run("sysctl", ["-w", `net.netfilter.nf_log_all_netns=${oldLogAll}`]);
    });

    it("LOG: the SID1361 line appears for the nmap%20 request only", async () => {
      const r = await applyTranslation(mgr, translationFromSave(fx("small.fwsnort.save"), files));
      expect(r.ok, r.stderr.join("\n")).toBe(true);
      expect(await rig.get("/index.html")).toBe(200);
      await new Promise((res) => setTimeout(res, 300));
      expect(await rig.kernelLog("SID1361")).toEqual([]);
      expect(await rig.get("/cgi-bin/x?cmd=nmap%20-sS")).toBe(200);
      let lines: string[] = [];
      for (let i = 0; i < 20 && lines.length === 0; i++) {
        await new Promise((res) => setTimeout(res, 100));
        lines = await rig.kernelLog("SID1361");
      }
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `\\[\\d+\\] SID1361 ESTAB IN=\\S+ OUT= .*SRC=${rig.clientIp} DST=${rig.serverIp} .*PROTO=TCP .*DPT=80 `,
        ),
      );
      process.stderr.write(`[e2e] kernel log: ${lines[0]?.trim()}\n`);
      expect(await rig.get("/index.html?again")).toBe(200);
      await new Promise((res) => setTimeout(res, 300));
      expect(await rig.kernelLog("SID1361")).toHaveLength(lines.length);
    });

    it("--ipt-drop: the nmap%20 request is dropped (no answer), the benign one is served", async () => {
      const r = await applyTranslation(
        mgr,
        translationFromSave(fx("small-drop.fwsnort.save"), files, { target: "drop" }),
      );
      expect(r.ok, r.stderr.join("\n")).toBe(true);
      expect(await rig.get("/ok.html")).toBe(200);
      expect(await rig.get("/x?nmap%20-O", 2)).toBe(0);
      let lines: string[] = [];
      for (let i = 0; i < 20 && lines.length === 0; i++) {
        await new Promise((res) => setTimeout(res, 100));
        lines = await rig.kernelLog("DRP SID1361");
      }
      expect(lines.length).toBeGreaterThanOrEqual(1);
      process.stderr.write(`[e2e] kernel log: ${lines[0]?.trim()}\n`);
      expect(await rig.get("/fine.html")).toBe(200);
      expect((await flushFwsnort(mgr)).ok).toBe(true);
      expect(await rig.get("/x?nmap%20-O")).toBe(200);
    });
  },
);
