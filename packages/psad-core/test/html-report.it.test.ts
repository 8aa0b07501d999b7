/**
 * The HTML report of corpus captures, opened in headless Chromium (Debian `chromium`): the DOM after
 * rendering must hold every chart with marks, and a screenshot is written to test-artifacts/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { run, skipWithReason, which } from "@fwkit/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { analyzeLog } from "../src/analyze.ts";
import { renderHtmlReport } from "../src/html-report.ts";
import { createTrafficCollector } from "../src/traffic-stats.ts";
import { capturePath, corpusMissing, corpusSetup, NOW } from "./support.ts";

const chromium = which("chromium") ?? which("chromium-browser");
const reason = corpusMissing() ?? (chromium ? null : "needs headless Chromium (Debian package chromium)");
const artifacts = resolve(import.meta.dirname, "../test-artifacts");
// most captures hold one scanner: mix the multi-destination SYN scan with captures of other sources
const CAPTURES = [
  "syn_scan_1000_1500_multi_dst",
  "syn_sweep",
  "fin_scan_1000_1150",
  "xmas_scan_1000_1150",
  "proto_scan",
  "reputation_scan",
];

describe.skipIf(skipWithReason("HTML report in headless Chromium", reason))("HTML report in Chromium", () => {
  const profile = mkdtempSync(join(tmpdir(), "fwkit-chromium-"));
  afterAll(() => rmSync(profile, { recursive: true, force: true }));
  const flags = ["--headless", "--no-sandbox", "--disable-gpu", `--user-data-dir=${profile}`, "--hide-scrollbars"];

  it("renders every chart with marks; screenshot written", async () => {
    const setup = await corpusSetup();
    const text = CAPTURES.map((c) => readFileSync(capturePath(c), "utf8")).join("\n");
    const traffic = createTrafficCollector();
    const r = await analyzeLog([text], setup, { now: () => NOW, onPacket: (p) => traffic.add(p) });
    const html = renderHtmlReport(r, {
      traffic: traffic.stats(),
      file: CAPTURES.join(" + "),
      generatedAt: "2026-11-22 00:00 UTC",
    });
    mkdirSync(artifacts, { recursive: true });
    const page = join(artifacts, "psad-report.html");
    const png = join(artifacts, "psad-report.png");
    writeFileSync(page, html);
    rmSync(png, { force: true });

    const dom = await run(chromium as string, [...flags, "--dump-dom", `file://${page}`], { timeoutMs: 90_000 });
    expect(dom.code).toBe(0);
    const count = (chart: string) => {
      const m = new RegExp(`<svg[^>]*data-chart="${chart}"[^>]*>([\\s\\S]*?)</svg>`).exec(dom.stdout);
      return m ? (m[1]?.match(/class="mark/g) ?? []).length : -1;
    };
    // what the captures contain: 5 sources; SYN 1000-1500 ×4 dsts, a sweep of 11 dsts, FIN/XMAS 1000-1150…
    expect(count("scatter")).toBeGreaterThan(500);
    expect(count("graph")).toBeGreaterThan(6);
    expect(count("ports-time")).toBe(6);
    expect(count("attackers-time")).toBe(5);
    expect(count("danger-levels")).toBe(5);
    expect(count("top-ports")).toBe(15);
    expect(dom.stdout).toContain("192.168.10.55");

    const shot = await run(
      chromium as string,
      [...flags, `--screenshot=${png}`, "--window-size=1280,2000", `file://${page}`],
      {
        timeoutMs: 90_000,
      },
    );
    expect(shot.code).toBe(0);
    const buf = readFileSync(png);
    expect(buf.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect([buf.readUInt32BE(16), buf.readUInt32BE(20)]).toEqual([1280, 2000]);
    // a blank page compresses to a few KB; charts and tables make it far larger
    expect(statSync(png).size).toBeGreaterThan(60_000);
  });
});
