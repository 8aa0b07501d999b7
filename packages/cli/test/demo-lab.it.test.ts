/**
 * The live lab (`sudo fwkit demo --lab`), run as a separate process like a user runs it (the CLI bundled from the
 * current sources with esbuild, so no stale dist is tested): the scan is detected
 * at the danger level its packet count gives, the attacker is blocked then unblocked, the web attack is logged with
 * its SID, SPA opens tcp/22 and the access expires; and SIGINT in the middle of the lab tears everything down.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { missingFor, run, skipWithReason } from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DemoReport } from "../src/commands/demo.ts";

const root = resolve(__dirname, "../../..");
const esbuild = join(root, "node_modules/.bin/esbuild");

const skip = skipWithReason(
  "fwkit demo --lab",
  missingFor(["iptables", "iptables-restore", "nmap", "sysctl"]) ??
    (existsSync(esbuild) ? null : "needs esbuild (node_modules/.bin/esbuild) to bundle the fresh sources"),
);
let tmp = "";
/** The lab runs as `sudo fwkit demo --lab` does: a separate node process (real signals), built fresh from src. */
let bin = "";
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

beforeAll(async () => {
  if (skip) return;
  tmp = mkdtempSync(join(tmpdir(), "fwkit-lab-test-"));
  bin = join(tmp, "fwkit.mjs");
  const r = await run(esbuild, [
    join(root, "packages/cli/src/bin.ts"),
    "--bundle",
    "--platform=node",
    "--format=esm",
    "--target=node20",
    "--conditions=@fwkit/source",
    `--outfile=${bin}`,
    "--log-level=warning",
    "--banner:js=import { createRequire as __fwkitCreateRequire } from 'node:module'; const require = __fwkitCreateRequire(import.meta.url);",
  ]);
  if (r.code !== 0) throw new Error(`esbuild failed: ${r.stderr}`);
});

function startLab(args: string[]): {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  code: Promise<number>;
} {
  const child = spawn(process.execPath, [bin, "demo", "--lab", "--data-dir", join(root, "examples"), ...args], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const code = new Promise<number>((res) => child.on("exit", (c, s) => res(c ?? (s ? 128 : 1))));
  return { child, out: () => out, err: () => err, code };
}

async function namespaces(): Promise<string> {
  return (await run("ip", ["netns", "list"])).stdout;
}

describe.skipIf(skip)("the live lab", () => {
  it("detects, blocks, unblocks, logs the web attack's SID and opens then closes tcp/22 by SPA", async () => {
    const dir = join(tmp, "lab");
    const rec = join(tmp, "rec");
    const lab = startLab(["--json", "-o", dir, "--record", rec]);
    const code = await lab.code;
    const report = JSON.parse(lab.out()) as DemoReport;
    const step = (id: string) => {
      const s = report.steps.find((x) => x.id === id);
      if (!s) throw new Error(`no step ${id}`);
      return s;
    };
    for (const s of report.steps) expect(s.status, `${s.id}: ${s.reason ?? ""}`).not.toBe("failed");
    expect(code, lab.err()).toBe(0);
    expect(report.mode).toBe("lab");

    // the scan: psad-core's DL is the one the logged packet count gives (≥ 150 packets → DL 3)
    const psad = step("lab-psad").data as {
      expectedDl: number;
      droppedLogged: number;
      attacker: { dl: number; sids: number[]; osGuesses: string[] } | null;
      syslog: string[];
    };
    expect(psad.droppedLogged).toBeGreaterThanOrEqual(150);
    expect(psad.expectedDl).toBe(3);
    expect(psad.attacker?.dl).toBe(psad.expectedDl);
    expect(
      psad.syslog.some((l) => /scan detected \(Nmap -sT or -sS scan\): 198\.18\.0\.2 -> 198\.18\.0\.1/.test(l)),
    ).toBe(true);
    expect(psad.attacker?.osGuesses.some((g) => g.startsWith("Linux"))).toBe(true);

    // the web attack: fwsnort's LOG rule fired for SID 1000001 and psad-core attributes it to the attacker
    expect(step("lab-fwsnort").status).toBe("ok");
    expect(step("lab-fwsnort").data.applied).toBeGreaterThan(5);
    expect(step("lab-web").data.response).toBe("HTTP/1.1 200 OK");
    expect(step("lab-psad").data.sidLines).toBe(1);
    expect(psad.attacker?.sids).toEqual([1000001]);
    expect(psad.syslog).toContainEqual(
      expect.stringMatching(/signature match: "FWKIT-DEMO WEB passwd file access" \(sid: 1000001\) tcp port: 80/),
    );
    expect(readFileSync(join(dir, "lab-kern.log"), "utf8")).toMatch(/\[1\] SID1000001 ESTAB IN=fwl[0-9a-f]{6}t /);

    // auto-block: blocked (no answer on :80), then the timeout removes the block (:80 answers again)
    const block = step("lab-block");
    expect(block.status).toBe("ok");
    expect(block.data.blocked).toEqual(["198.18.0.2"]);
    expect(block.data.whileBlocked).toBe("filtered");
    expect(block.data.unblocked).toEqual(["198.18.0.2"]);
    expect(block.data.afterUnblock).toMatch(/^open/);

    // SPA: closed, SPA packet, open (the banner is read), expired, closed again
    const spa = step("lab-spa");
    expect(spa.status).toBe("ok");
    expect(spa.data.before).toBe("filtered");
    expect(spa.data.after).toBe("open SSH-2.0-fwkit_lab");
    expect(spa.data.expired).toBe("filtered");
    expect(spa.data.grantLog).toMatch(/Added access rule to FWKNOP_INPUT for 198\.18\.0\.2 -> tcp\/22/);

    // teardown: the namespaces are gone
    const names = step("lab-netns").data.namespaces as string[];
    expect(names).toHaveLength(2);
    const left = await namespaces();
    for (const n of names) expect(left).not.toContain(n);
    expect(step("lab-teardown").lines.filter((l) => / deleted$/.test(l))).toHaveLength(2);
    expect(existsSync(join(dir, "psad-report.html"))).toBe(true);

    // --record: the sanitised capture holds only the lab's two addresses and stable names
    const recorded = readFileSync(join(rec, "sample-scan.log"), "utf8").trim().split("\n");
    expect(recorded.length).toBe(step("lab-psad").data.sanitisedLines);
    expect(recorded.length).toBeGreaterThan(150);
    for (const l of recorded) {
      expect(l).toMatch(
        / fwkit-lab kernel: (DROP|\[1\] SID1000001 ESTAB) IN=eth0 OUT= MAC=02:00:5e:12:00:01:02:00:5e:12:00:02:08:00 /,
      );
      expect([...l.matchAll(/(?:SRC|DST)=(\S+)/g)].map((m) => m[1]).sort()).toEqual(["198.18.0.1", "198.18.0.2"]);
    }
  }, 120_000);

  it("tears everything down on SIGINT in the middle of the lab (exit 130)", async () => {
    const lab = startLab(["-o", join(tmp, "sigint")]);
    const started = Date.now();
    while (!/== attacker: nmap/.test(lab.out()) && Date.now() - started < 60_000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const names = [...lab.out().matchAll(/(fwkit-lab-[0-9a-f]{6}-[ta])/g)].map((m) => m[1] as string);
    expect(names.length).toBeGreaterThanOrEqual(2);
    const during = await namespaces();
    for (const n of new Set(names)) expect(during).toContain(n);
    lab.child.kill("SIGINT");
    const code = await lab.code;
    expect(code, lab.err()).toBe(130);
    expect(lab.out()).toContain("interrupted by SIGINT");
    expect(lab.out()).toMatch(/== lab: teardown[\s\S]*namespace fwkit-lab-[0-9a-f]{6}-t deleted/);
    const after = await namespaces();
    for (const n of new Set(names)) expect(after).not.toContain(n);
    // no process of the lab survives (the target's services ran inside the namespace)
    const ps = await run("ps", ["-eo", "args"]);
    expect(ps.stdout).not.toMatch(/ready"\); \};|fwkit_lab/);
  }, 90_000);
});
