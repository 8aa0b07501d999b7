/**
 * `pnpm bench`: translate the Snort 2.3.3 set with fwkit (default and compat mode, in-process) and with the real
 * fwsnort 1.6.8 `--no-ipt-test` (private config, outputs in a temp dir, nothing applied) in one run, and print both
 * times and the ratio; also time the Snort 3 community set.
 *
 * What is timed (same input, same default config):
 * - fwkit: read the `*.rules` files + `translateRuleset` (which parses them) + `renderSave` (the fwsnort.save text),
 *   in-process, after one warm-up run;
 * - fwsnort: the whole `fwsnort --no-ipt-test` process wall time (Perl start-up included, as a user runs it).
 * The machine is shared, so both are sampled in the same run and reported as best and median; the ratio is computed
 * best/best and median/median.
 */
import { readFileSync } from "node:fs";
import { corpusPath, recordBenchResult, which } from "@fwkit/test-utils";
import { afterAll, bench, describe } from "vitest";
import { renderSave } from "../src/render-save.ts";
import { translateRuleset } from "../src/translate.ts";
import { readRulesDir, runFwsnort } from "../test/support/conformance.ts";

const c2 = corpusPath("snort-2.3.3");
const c3 = corpusPath("snort3-community/snort3-community.rules");
const files3 = c3 ? [{ path: c3, text: readFileSync(c3, "latin1") }] : [];
const t: Record<string, number[]> = { ours: [], compat: [], s3: [], fwsnort: [] };
const opts = { iterations: 15, time: 0, warmupIterations: 2 };

describe("translate Snort 2.3.3 (2,836 rules): fwkit vs fwsnort 1.6.8", () => {
  bench(
    "fwkit read + translateRuleset + renderSave (default mode)",
    () => {
      if (!c2) return;
      const t0 = performance.now();
      renderSave(translateRuleset(readRulesDir(c2)));
      t.ours?.push(performance.now() - t0);
    },
    opts,
  );
  bench(
    "fwsnort 1.6.8 --no-ipt-test (process)",
    async () => {
      if (!c2 || !which("fwsnort")) return;
      t.fwsnort?.push((await runFwsnort(c2)).ms);
    },
    { iterations: 5, time: 0, warmupIterations: 0 },
  );
  bench(
    "fwkit read + translateRuleset + renderSave (compat mode)",
    () => {
      if (!c2) return;
      const t0 = performance.now();
      renderSave(translateRuleset(readRulesDir(c2), { compat: true }));
      t.compat?.push(performance.now() - t0);
    },
    opts,
  );
  bench(
    "fwkit: Snort 3 community set (default mode)",
    () => {
      const t0 = performance.now();
      renderSave(translateRuleset(files3));
      t.s3?.push(performance.now() - t0);
    },
    opts,
  );
});

afterAll(() => {
  const sorted = (xs: number[] | undefined) => [...(xs ?? [])].sort((a, b) => a - b);
  const best = (xs: number[] | undefined) => sorted(xs)[0];
  const med = (xs: number[] | undefined) => sorted(xs)[(xs?.length ?? 0) >> 1];
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const f = (n: number | undefined) => (n === undefined ? "-" : n.toFixed(1));
  const ours = med(t.ours);
  if (ours === undefined) return out("[bench] corpus not available; skipped");
  out(`[bench] fwkit default mode: snort-2.3.3 best ${f(best(t.ours))} ms, median ${f(ours)} ms`);
  out(`[bench] fwkit compat mode:  snort-2.3.3 best ${f(best(t.compat))} ms, median ${f(med(t.compat))} ms`);
  out(`[bench] fwkit Snort 3 community (${files3.length ? "1 file" : "absent"}): median ${f(med(t.s3))} ms`);
  const fw = med(t.fwsnort);
  if (fw === undefined) {
    out("[bench] fwsnort not installed: no ratio");
    recordBenchResult({
      package: "fwsnort",
      name: "translate snort-2.3.3 (read + translate + render save)",
      ours,
      original: null,
      unit: "ms",
      originalTool: "fwsnort 1.6.8 --no-ipt-test",
      target: ">= 20x",
      note: "fwsnort not installed",
    });
    return;
  }
  const fwBest = best(t.fwsnort) as number;
  const oursBest = best(t.ours) as number;
  out(
    `[bench] fwsnort 1.6.8 --no-ipt-test: best ${f(fwBest)} ms, median ${f(fw)} ms wall -> ratio ` +
      `${(fwBest / oursBest).toFixed(1)}x best/best, ${(fw / ours).toFixed(1)}x median/median (target >= 20x)`,
  );
  recordBenchResult({
    package: "fwsnort",
    name: "translate snort-2.3.3 (read + translate + render save)",
    ours,
    original: fw,
    unit: "ms",
    originalTool: "fwsnort 1.6.8 --no-ipt-test",
    target: ">= 20x",
    note: `medians; best/best ${(fwBest / oursBest).toFixed(1)}x; fwsnort = process wall time, fwkit in-process`,
  });
});
