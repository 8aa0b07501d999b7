/**
 * The main job (`npm start` → `fwkit demo --no-lab`): runs on the bundled sample data and every output file is
 * checked — the fwsnort save file parses, the psad JSON has the lab's scan, the HTML report has its charts, the SPA
 * round trip was granted and its replay refused.
 */
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { parseSave } from "@fwkit/iptables-parse";
import { skipWithReason } from "@fwkit/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import type { DemoReport } from "../src/commands/demo.ts";
import type { Io } from "../src/io.ts";
import { run } from "../src/run.ts";

const tmp = mkdtempSync(join(tmpdir(), "fwkit-demo-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** An Io that writes files for real and captures stdout/stderr. */
function diskIo(): Io & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stdout(t: string) {
      io.out += t;
    },
    stderr(t: string) {
      io.err += t;
    },
    readFile: (p: string) => readFile(p, "utf8"),
    readDir: async (p: string) => ((await stat(p)).isDirectory() ? (await readdir(p)).sort() : undefined),
    writeFile: (p: string, d: string) => writeFile(p, d),
    env: {},
    cwd: process.cwd(),
    isTTY: false,
  };
  return io;
}

/** Check every output of one offline demo run. */
function checkOutputs(report: DemoReport, dir: string): void {
  expect(report.mode).toBe("offline");
  expect(report.outputDir).toBe(dir);
  for (const s of report.steps) expect(s.status, `${s.id}: ${s.reason ?? ""}`).toBe("ok");
  const fw = report.steps.find((s) => s.id === "fwsnort");
  expect(fw?.data.parsedRules).toBeGreaterThan(5);
  expect(fw?.data.translated).toBe(9);
  checkFiles(dir);
  // every output listed exists
  expect(report.outputs.map((p) => p.slice(dir.length + 1)).sort()).toEqual([
    "fwsnort.save",
    "psad-analysis.json",
    "psad-report.html",
    "psad-report.txt",
    "spa-roundtrip.json",
  ]);
  for (const p of report.outputs) expect(existsSync(p), p).toBe(true);
}

/** Check the five output files of an offline demo in `dir`. */
function checkFiles(dir: string): void {
  // fwsnort: the save file loads (iptables-parse reads every line of it) and has the demo's SIDs
  const save = readFileSync(join(dir, "fwsnort.save"), "utf8");
  expect(save.startsWith("*filter\n")).toBe(true);
  const parsed = parseSave(save);
  expect(parsed.diagnostics).toEqual([]);
  const chains = parsed.tables.find((t) => t.name === "filter")?.chains ?? [];
  const estab = chains.find((c) => c.name === "FWSNORT_INPUT_ESTAB");
  expect(estab?.rules.some((r) => /SID1000001 ESTAB/.test(JSON.stringify(r)))).toBe(true);

  // psad: the JSON report has the lab's scan at DL 3, the OS guess and the web attack's SID
  const analysis = JSON.parse(readFileSync(join(dir, "psad-analysis.json"), "utf8"));
  const attacker = analysis.sources.find((s: { src: string }) => s.src === "198.18.0.2");
  expect(attacker.dl).toBe(3);
  expect(attacker.packets).toBeGreaterThanOrEqual(150);
  expect(attacker.osGuesses.some((g: string) => g.startsWith("Linux"))).toBe(true);
  expect(analysis.syslog.some((l: string) => /scan detected .* 198\.18\.0\.2 -> 198\.18\.0\.1 .*DL: 3/.test(l))).toBe(
    true,
  );
  const text = readFileSync(join(dir, "psad-report.txt"), "utf8");
  expect(text).toMatch(/198\.18\.0\.2\s+DL: 3/);
  // the web attack the lab sent: fwsnort's SID 1000001 with the rule's msg
  expect(analysis.topSignatures).toContainEqual(
    expect.objectContaining({ sid: 1000001, msg: "FWKIT-DEMO WEB passwd file access", count: 1 }),
  );

  // the HTML report exists and has its SVG charts
  const html = readFileSync(join(dir, "psad-report.html"), "utf8");
  expect(html.startsWith("<!DOCTYPE html>") || html.startsWith("<!doctype html>")).toBe(true);
  expect((html.match(/<svg\b/g) ?? []).length).toBeGreaterThanOrEqual(2);
  expect(html).toContain("198.18.0.2");

  // SPA round trip: granted, replay refused, forged HMAC refused
  const spa = JSON.parse(readFileSync(join(dir, "spa-roundtrip.json"), "utf8"));
  expect(spa.message).toBe("198.18.0.2,tcp/22");
  expect(spa.outcome).toBe("granted");
  expect(spa.replayCode).toBe("SPA_REPLAY");
  expect(spa.wrongKeyCode).toBe("SPA_BAD_MAC");
  expect(spa.rules[0]).toMatch(/-A FWKNOP_INPUT -p 6 -s 198\.18\.0\.2 .*--dport 22 .*-j ACCEPT/);
}

describe("fwkit demo --no-lab (the main job)", () => {
  it("runs every step on the bundled data and writes checkable outputs (--json)", async () => {
    const dir = join(tmp, "run-json");
    const io = diskIo();
    const code = await run(["demo", "--no-lab", "--output-dir", dir, "--json"], io);
    const report = JSON.parse(io.out) as DemoReport;
    expect(code, io.err).toBe(0);
    expect(report.ok).toBe(true);
    expect(io.err).toContain("== psad: analyse");
    checkOutputs(report, dir);
  }, 30_000);

  it("prints each step and where the outputs are (text)", async () => {
    const dir = join(tmp, "run-text");
    const io = diskIo();
    const code = await run(["demo", "--no-lab", "-o", dir], io);
    expect(code).toBe(0);
    expect(io.out).toMatch(/== fwsnort: translate .*sample\.rules/);
    expect(io.out).toMatch(/198\.18\.0\.2: DL 3, \d+ packets/);
    expect(io.out).toContain("server: granted; the same packet again: rejected (SPA_REPLAY)");
    expect(io.out).toContain(`outputs in ${dir}:`);
    expect(io.out).toContain(`-> ${join(dir, "psad-report.html")}`);
    expect(io.err).toBe("");
  }, 30_000);

  it("refuses --record without the lab and a missing data dir", async () => {
    const io = diskIo();
    expect(await run(["demo", "--no-lab", "--record", join(tmp, "x")], io)).toBe(2);
    expect(io.err).toContain("fwkit: CLI_USAGE: --record needs the lab");
    const io2 = diskIo();
    expect(await run(["demo", "--no-lab", "--data-dir", join(tmp, "none"), "-o", join(tmp, "y")], io2)).toBe(1);
    expect(io2.err).toMatch(/fwkit: CLI_IO: cannot read .*sample\.rules/);
  });
});

const root = resolve(__dirname, "../../..");
const bin = resolve(__dirname, "../dist/bin.js");

/** Newest mtime of the .ts files under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : e.name.endsWith(".ts") ? statSync(p).mtimeMs : 0);
  }
  return t;
}

/** Why the built dist cannot stand for the sources (missing or older than a package's src), or null. */
function distProblem(): string | null {
  for (const pkg of readdirSync(join(root, "packages"))) {
    const dist = join(root, "packages", pkg, "dist");
    if (!existsSync(join(root, "packages", pkg, "src"))) continue;
    if (!existsSync(dist)) return `packages/${pkg}/dist is not built (run pnpm build)`;
    const built = Math.min(
      ...readdirSync(dist)
        .filter((f) => f.endsWith(".js"))
        .map((f) => statSync(join(dist, f)).mtimeMs),
    );
    if (newest(join(root, "packages", pkg, "src")) > built) return `packages/${pkg}/dist is older than its src`;
  }
  return null;
}

const skipBin = skipWithReason("fwkit demo through the built bin", distProblem());

describe.skipIf(skipBin)("fwkit demo --no-lab through the built bin", () => {
  it("writes the same checkable outputs", async () => {
    const dir = join(tmp, "run-bin");
    const { stdout } = await promisify(execFile)(process.execPath, [bin, "demo", "--no-lab", "-o", dir, "--json"], {
      env: { ...process.env, NO_COLOR: "1" },
    });
    checkOutputs(JSON.parse(stdout) as DemoReport, dir);
  }, 30_000);

  it.skipIf(process.getuid?.() !== 0)(
    "without root, plain `fwkit demo` runs on the bundled data (spawned as uid 65534)",
    async () => {
      const dir = join(tmp, "nobody");
      chmodSync(tmp, 0o755);
      mkdirSync(dir, { mode: 0o777 });
      chmodSync(dir, 0o777);
      const { stdout } = await promisify(execFile)(process.execPath, [bin, "demo", "-o", dir, "--json"], {
        cwd: dir,
        uid: 65534,
        gid: 65534,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, NO_COLOR: "1" },
      });
      checkOutputs(JSON.parse(stdout) as DemoReport, dir);
    },
    30_000,
  );

  it("scripts/demo.sh (what `npm start` runs after install + build) ends with fwkit demo and its outputs", async () => {
    const { stdout } = await promisify(execFile)("bash", [join(root, "scripts/demo.sh")], {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1" },
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(stdout).toContain("== fwkit demo --no-lab");
    expect(stdout).toMatch(/done: 4 ok, 0 skipped, 0 failed/);
    checkFiles(join(root, "out/demo/fwkit-demo"));
  }, 60_000);
});
