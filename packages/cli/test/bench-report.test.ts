/** The root `pnpm bench` table helpers of @fwkit/test-utils (recordBenchResult → readBenchResults → formatBenchTable). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchRatio, formatBenchTable, readBenchResults, recordBenchResult } from "@fwkit/test-utils";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "fwkit-bench-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("bench results", () => {
  it.each([
    { unit: "ms", ours: 20, original: 2000, ratio: 100 },
    { unit: "lines/s", ours: 700_000, original: 7_000, ratio: 100 },
    { unit: "pkt/s", ours: 50, original: 100, ratio: 0.5 },
    { unit: "ms", ours: 20, original: null, ratio: null },
  ])("ratio of $ours vs $original $unit is $ratio (times better)", ({ unit, ours, original, ratio }) => {
    expect(benchRatio({ unit, ours, original })).toBe(ratio);
  });

  it("an explicit ratio wins", () => {
    expect(benchRatio({ unit: "ms", ours: 1, original: 2, ratio: 7 })).toBe(7);
  });

  it("records, replaces by name, reads back sorted, and prints one aligned table", () => {
    recordBenchResult({ package: "psad-core", name: "analyse", ours: 1, original: 1, unit: "lines/s" }, dir);
    recordBenchResult(
      {
        package: "psad-core",
        name: "analyse",
        ours: 690_000,
        original: 6_800,
        unit: "lines/s",
        originalTool: "psad 2.4.6",
        target: ">= 100x",
      },
      dir,
    );
    recordBenchResult(
      { package: "iptables-parse", name: "parse 20k", ours: 21.5, original: null, unit: "ms", note: "no perl" },
      dir,
    );
    const results = readBenchResults(dir);
    expect(results.map((r) => [r.package, r.ours])).toEqual([
      ["iptables-parse", 21.5],
      ["psad-core", 690_000],
    ]);
    const table = formatBenchTable(results, ["iptables-parse", "psad-core", "fwsnort"]);
    const lines = table.trimEnd().split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^package\s+\| benchmark\s+\|\s+fwkit \|\s+original \| ratio \| target/);
    expect(lines.find((l) => l.startsWith("psad-core"))).toMatch(
      /690,000 lines\/s \|\s+6,800 lines\/s \|\s+101x \| >= 100x \| psad 2\.4\.6$/,
    );
    expect(lines.find((l) => l.startsWith("iptables-parse"))).toMatch(/21\.5 ms \|\s+— \|\s+— \|\s+\| no perl$/);
    expect(lines.find((l) => l.startsWith("fwsnort"))).toContain("no result");
    // every row has the same column boundaries as the header
    const bars = (l: string) => [...l.matchAll(/ \| /g)].map((m) => m.index);
    for (const l of lines.slice(2)) expect(bars(l).slice(0, 4)).toEqual(bars(lines[0] as string).slice(0, 4));
  });

  it("reads nothing from a missing directory", () => {
    expect(readBenchResults(join(dir, "nope"))).toEqual([]);
  });
});
