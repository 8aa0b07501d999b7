/**
 * Parse the Snort 2.3.3 and the Snort 3 community rule sets (read from ../shared/corpus) and print rules/s and MB/s.
 * There is no original tool to compare with for this package (fwsnort's parser is fused with its translator).
 * Run: `cd /work/main && npx -y pnpm@10 exec vitest bench --run --project snort-rules`
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { corpusPath, recordBenchResult } from "@fwkit/test-utils";
import { afterAll, bench, describe } from "vitest";
import { formatRule, parseRuleset } from "../src/index.ts";

interface Corpus {
  name: string;
  files: { path: string; text: string }[];
  bytes: number;
  rules: number;
}

function load(name: string): Corpus | undefined {
  const dir = corpusPath(name);
  if (!dir || !existsSync(dir)) return undefined;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".rules"))
    .sort()
    .map((f) => ({ path: f, text: readFileSync(join(dir, f), "latin1") }));
  const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.text, "latin1"), 0);
  const rules = files.reduce((n, f) => n + parseRuleset(f.text).rules.length, 0);
  return { name, files, bytes, rules };
}

const corpora = ["snort-2.3.3", "snort3-community"].map(load).filter((c): c is Corpus => c !== undefined);
if (corpora.length === 0) process.stderr.write("[skip] snort-rules bench: ../shared/corpus absent\n");

const parseAll = (c: Corpus) => {
  for (const f of c.files) parseRuleset(f.text, { file: f.path });
};

describe("parseRuleset", () => {
  for (const c of corpora)
    bench(`${c.name}: ${c.rules} rules, ${(c.bytes / 1e6).toFixed(2)} MB`, () => parseAll(c), { time: 2000 });
});

describe("formatRule", () => {
  for (const c of corpora) {
    const rules = c.files.flatMap((f) => parseRuleset(f.text).rules.map((e) => e.rule));
    bench(`${c.name}: format ${rules.length} rules`, () => {
      for (const r of rules) formatRule(r);
    });
  }
});

afterAll(() => {
  // a plain timing loop, reported as rules/s and MB/s (stdout; vitest's table shows ops/s = whole corpora/s)
  const lines = ["", "snort-rules parse throughput (median of 7 runs after 3 warm-ups):"];
  for (const c of corpora) {
    for (let i = 0; i < 3; i++) parseAll(c);
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      parseAll(c);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const s = (times[3] as number) / 1000;
    recordBenchResult({
      package: "snort-rules",
      name: `parse ${c.name} (${c.rules} rules)`,
      ours: c.rules / s,
      original: null,
      unit: "rules/s",
      note: "no original: fwsnort's parser is fused with its translator",
    });
    lines.push(
      `  ${c.name.padEnd(18)} ${String(c.rules).padStart(5)} rules ${(c.bytes / 1e6).toFixed(2)} MB  ` +
        `${(s * 1000).toFixed(1).padStart(7)} ms  ${Math.round(c.rules / s)
          .toLocaleString("en-US")
          .padStart(8)} rules/s  ${(c.bytes / 1e6 / s).toFixed(1)} MB/s`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}, 300_000); // 10 timed passes over both corpora: well over vitest's 10 s hook default on a loaded machine
