/**
 * `pnpm bench` = `vitest bench --run --reporter=default --reporter=./scripts/bench-table.ts`: a vitest reporter that
 * clears `bench-results/` when the run starts and, when it ends, prints ONE table of every package's benchmark with
 * the original tool's figure and the ratio side by side (each bench records its figures with `recordBenchResult`
 * from @fwkit/test-utils).
 */
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Reporter } from "vitest/node";
import { benchResultsDir, formatBenchTable, readBenchResults, repoRoot } from "../tools/test-utils/src/index.ts";

/** Packages with a bench/ directory: each gets a row, with or without a result. */
function benchPackages(): string[] {
  const dir = join(repoRoot, "packages");
  return readdirSync(dir).filter((p) => {
    try {
      return readdirSync(join(dir, p, "bench")).some((f) => f.endsWith(".bench.ts"));
    } catch {
      return false;
    }
  });
}

export default class BenchTableReporter implements Reporter {
  onInit(): void {
    rmSync(benchResultsDir, { recursive: true, force: true });
  }

  onFinished(): void {
    const table = formatBenchTable(readBenchResults(), benchPackages());
    // after vitest's own output
    setTimeout(() => {
      process.stdout.write(
        `\nfwkit vs the original tools (same input, same run; ratio > 1: fwkit is better)\n\n${table}`,
      );
    }, 0);
  }
}
