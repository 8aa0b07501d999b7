/**
 * Peak RSS of ours on a 2,004,000-line file (the spec's capture x 500), streamed (target < 200 MB), with
 * the full default setup (signatures, p0f). Reports the process's peak RSS (includes the vitest worker's
 * own baseline, printed too).
 */
import { createReadStream, rmSync } from "node:fs";
import { corpusPath } from "@fwkit/test-utils";
import { afterAll, bench, describe } from "vitest";
import { analyzeLog } from "../src/analyze.ts";
import { loadDetectorSetup } from "../src/io.ts";
import { benchFile2m } from "./support.ts";

const file = await benchFile2m();
const baseline = process.resourceUsage().maxRSS / 1024;
let result = "";

describe("memory", () => {
  bench(
    "analyzeLog 2,000,000 lines (streamed)",
    async () => {
      const conf = corpusPath("psad-test-conf/default_psad.conf");
      const snort = corpusPath("snort-2.3.3");
      if (!file || !conf) return;
      const setup = await loadDetectorSetup({
        configFile: conf,
        paths: { dataDir: "/etc/psad", ...(snort ? { snortRulesDirs: [snort] } : {}) },
      });
      const t0 = performance.now();
      const r = await analyzeLog(createReadStream(file), setup, { now: () => 1.8e9 });
      const ms = performance.now() - t0;
      result = `${r.lines} lines, ${r.state.sources.size} sources, ${Math.round((r.lines / ms) * 1000)} lines/s`;
    },
    { iterations: 1, time: 0 },
  );
});

afterAll(() => {
  if (file) rmSync(file, { force: true }); // ~520 MB
  const peak = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    `[bench] ${result}; peak RSS ${peak.toFixed(0)} MB (worker baseline before: ${baseline.toFixed(0)} MB)\n`,
  );
});
