/**
 * Benchmark results for the root `pnpm bench` table: each package bench records its figure next to the original
 * tool's (same input, same run) with {@link recordBenchResult}; `scripts/bench-table.ts` (a vitest reporter) reads
 * them back with {@link readBenchResults} and prints {@link formatBenchTable}'s one table.
 * Results are small JSON files in `<repo>/bench-results/<package>/<benchmark>.json` (gitignored), one per result so
 * that bench files running in parallel workers never race on a shared file.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** One benchmark figure, ours and the original tool's. */
export interface BenchResult {
  /** Package directory name, e.g. `iptables-parse`. */
  package: string;
  /** What was measured, e.g. `parse a 20,000-rule -L listing`. */
  name: string;
  /** Our figure, in `unit`. */
  ours: number;
  /** The original tool's figure on the same input in the same run, or `null` when it could not run here. */
  original: number | null;
  /** Unit of both figures: a time (`ms`, `s`, `µs`: lower is better) or a rate (`…/s`: higher is better). */
  unit: string;
  /** How many times better ours is (> 1: ours is better); computed from the figures and the unit when omitted. */
  ratio?: number | null;
  /** The original tool, e.g. `IPTables::Parse 1.6`. */
  originalTool?: string;
  /** The goal, e.g. `>= 100x`. */
  target?: string;
  /** Anything the reader must know (extrapolation, why the original did not run). */
  note?: string;
}

/** A stored result: the input with its ratio resolved and the time it was recorded. */
export interface StoredBenchResult extends BenchResult {
  ratio: number | null;
  /** ISO time of recording. */
  at: string;
}

const here = dirname(fileURLToPath(import.meta.url));
/** Where results go by default: `<repo>/bench-results`. */
export const benchResultsDir: string = resolve(here, "../../..", "bench-results");

/** Whether larger figures are better for `unit` (rates such as `lines/s`, `pkt/s`, `MB/s`). */
export function higherIsBetter(unit: string): boolean {
  return /\/\s*(s|sec|second)$/i.test(unit.trim());
}

/** Ratio "times better" of ours over the original, or null when there is no original figure. */
export function benchRatio(r: Pick<BenchResult, "ours" | "original" | "unit" | "ratio">): number | null {
  if (r.ratio !== undefined) return r.ratio;
  if (r.original === null || !(r.original > 0) || !(r.ours > 0)) return null;
  return higherIsBetter(r.unit) ? r.ours / r.original : r.original / r.ours;
}

const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 80) || "result";

/**
 * Record one benchmark result for the root table (written atomically; a later call with the same package and
 * name replaces it).
 * @param result the figures
 * @param dir results directory (default `<repo>/bench-results`)
 * @returns the path written
 * @example
 * recordBenchResult({ package: "iptables-parse", name: "parse 20k rules", ours: 21, original: 2100, unit: "ms",
 *   originalTool: "IPTables::Parse 1.6", target: ">= 10x" });
 */
export function recordBenchResult(result: BenchResult, dir: string = benchResultsDir): string {
  const stored: StoredBenchResult = { ...result, ratio: benchRatio(result), at: new Date().toISOString() };
  const pkgDir = join(dir, slug(result.package));
  mkdirSync(pkgDir, { recursive: true });
  const path = join(pkgDir, `${slug(result.name)}.json`);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(stored, null, 2)}\n`);
  renameSync(tmp, path);
  return path;
}

/** Every recorded result under `dir`, sorted by package then name (unreadable files are skipped). */
export function readBenchResults(dir: string = benchResultsDir): StoredBenchResult[] {
  const out: StoredBenchResult[] = [];
  let pkgs: string[];
  try {
    pkgs = readdirSync(dir);
  } catch {
    return out;
  }
  for (const p of pkgs.sort()) {
    let files: string[];
    try {
      files = readdirSync(join(dir, p)).filter((f) => f.endsWith(".json"));
    } catch {
      continue;
    }
    for (const f of files.sort()) {
      try {
        const r = JSON.parse(readFileSync(join(dir, p, f), "utf8")) as StoredBenchResult;
        if (typeof r.package === "string" && typeof r.name === "string" && typeof r.ours === "number") out.push(r);
      } catch {
        /* a partial or foreign file: not a result */
      }
    }
  }
  return out.sort((a, b) => a.package.localeCompare(b.package) || a.name.localeCompare(b.name));
}

/** A figure with a sensible number of digits and thousands separators. */
function figure(n: number | null, unit: string): string {
  if (n === null || !Number.isFinite(n)) return "—";
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2;
  return `${n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${unit}`;
}

/**
 * The one table of every package's benchmark: ours, the original's figure and the ratio side by side. Packages in
 * `packages` without a result get a row saying so.
 * @param results recorded results
 * @param packages every package that should appear (default: those with results)
 * @returns the table text (ends with a newline)
 */
export function formatBenchTable(results: readonly StoredBenchResult[], packages: readonly string[] = []): string {
  const header = ["package", "benchmark", "fwkit", "original", "ratio", "target", "original tool / note"];
  const rows: string[][] = results.map((r) => [
    r.package,
    r.name,
    figure(r.ours, r.unit),
    figure(r.original, r.unit),
    r.ratio === null || r.ratio === undefined ? "—" : `${r.ratio >= 10 ? r.ratio.toFixed(0) : r.ratio.toFixed(1)}x`,
    r.target ?? "",
    [r.originalTool, r.note].filter(Boolean).join("; "),
  ]);
  const seen = new Set(results.map((r) => r.package));
  for (const p of packages)
    if (!seen.has(p)) rows.push([p, "(no result: bench skipped or none recorded)", "", "", "", "", ""]);
  rows.sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const right = new Set([2, 3, 4]);
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join(" | ")
      .trimEnd();
  return `${[line(header), widths.map((w) => "-".repeat(w)).join("-|-"), ...rows.map(line)].join("\n")}\n`;
}
