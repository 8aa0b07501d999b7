/**
 * `fwkit demo` without root (`--no-lab`): the toolkit end to end on the bundled sample data — fwsnort translation,
 * psad analysis of a log captured by the project's own lab, the HTML report, and an SPA round trip.
 */
import { join } from "node:path";
import type { Io } from "../io.ts";
import { readText } from "../options.ts";
import { analyzeKernLog, describeSources } from "./analysis.ts";
import { SAMPLE_FILES } from "./samples.ts";
import { spaRoundTrip } from "./spa.ts";
import { type StepLog, StepSkipped } from "./steps.ts";
import { renderHtml, translateRules } from "./toolkit.ts";

/** Inputs of the offline demo. */
export interface OfflineOptions {
  /** Directory with sample.rules, sample-scan.log, demo-pf.os. */
  dataDir: string;
  /** Where the outputs go (exists). */
  outDir: string;
  /** Wall clock, epoch milliseconds. */
  now: () => number;
}

/** Addresses used by the lab (and therefore in the recorded sample log). */
export const LAB_ADDRS = { target: "198.18.0.1", attacker: "198.18.0.2", prefixLen: 30 } as const;

/** Run the offline demo's steps on `log`. */
export async function runOfflineDemo(io: Io, log: StepLog, o: OfflineOptions): Promise<void> {
  const rulesPath = join(o.dataDir, SAMPLE_FILES.rules);
  const logPath = join(o.dataDir, SAMPLE_FILES.scanLog);
  const pfOsPath = join(o.dataDir, SAMPLE_FILES.pfOs);
  const rulesText = await readText(io, rulesPath);
  const nowSec = () => o.now() / 1000;

  await log.run("fwsnort", `fwsnort: translate ${rulesPath} into an iptables-save file`, async (s) => {
    const t = await translateRules(rulesText, rulesPath, { homeNet: "any" });
    const save = join(o.outDir, "fwsnort.save");
    await io.writeFile(save, t.save);
    s.line(t.summary);
    s.line(`iptables-restore check: parseSave reads ${t.parsedRules} rules in ${t.parsedChains.join(", ")}`);
    s.output(save);
    s.set({ translated: t.translated, skipped: t.skipped, parsedRules: t.parsedRules, chains: t.parsedChains });
  });

  const analysis = await log.run("psad", `psad: analyse ${logPath} (captured by fwkit's own lab)`, async (s) => {
    const logText = await readText(io, logPath);
    const pfOs = await io.readFile(pfOsPath).catch(() => undefined);
    const a = await analyzeKernLog(
      logText.split("\n"),
      { snortRules: [rulesText], ...(pfOs !== undefined ? { pfOs } : {}), now: nowSec },
      logPath,
    );
    s.line(`${a.result.iptablesLines} iptables log lines, ${a.result.packets} packets`);
    for (const l of describeSources(a.json)) s.line(l);
    for (const l of a.syslog) s.line(`syslog: ${l}`);
    const reportPath = join(o.outDir, "psad-report.txt");
    const jsonPath = join(o.outDir, "psad-analysis.json");
    await io.writeFile(reportPath, a.report);
    await io.writeFile(jsonPath, `${JSON.stringify(a.json, null, 2)}\n`);
    s.output(reportPath);
    s.output(jsonPath);
    s.set({
      iptablesLines: a.result.iptablesLines,
      sources: a.json.sources.map((x) => ({
        src: x.src,
        dl: x.dl,
        packets: x.packets,
        osGuesses: x.osGuesses,
        sids: [...new Set(x.destinations.flatMap((d) => d.signatures.map((g) => g.sid)))].sort((p, q) => p - q),
      })),
    });
    return a;
  });

  await log.run("html", "psad: HTML report (charts)", async (s) => {
    if (!analysis) throw new StepSkipped("no analysis (the psad step failed)");
    const html = await renderHtml(analysis, "fwkit demo: sample-scan.log", logPath, new Date(o.now()).toISOString());
    const htmlPath = join(o.outDir, "psad-report.html");
    await io.writeFile(htmlPath, html.html);
    s.line(`${html.html.length} bytes, ${html.charts} SVG charts`);
    s.output(htmlPath);
    s.set({ bytes: html.html.length, charts: html.charts });
  });

  await log.run("spa", "SPA: fwknop client packet → decode → fwknopd decision (fresh keys)", async (s) => {
    const r = await spaRoundTrip({ client: LAB_ADDRS.attacker, server: LAB_ADDRS.target }, nowSec);
    s.line(`client: ${r.wireLength}-character SPA packet for "${r.message}" (user ${r.username}, ${r.digestType})`);
    s.line(`server: ${r.outcome}; the same packet again: ${r.replayOutcome} (${r.replayCode})`);
    s.line(`a packet with the wrong HMAC key: rejected (${r.wrongKeyCode})`);
    for (const rule of r.rules) s.line(`rule: ${rule}`);
    const path = join(o.outDir, "spa-roundtrip.json");
    await io.writeFile(path, `${JSON.stringify(r, null, 2)}\n`);
    s.output(path);
    s.set({ ...r });
  });
}
