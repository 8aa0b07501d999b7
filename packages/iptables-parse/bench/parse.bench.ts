/**
 * Parse speed vs the original: a 20,000-rule `iptables -v -n -L INPUT --line-numbers` listing parsed by
 * parseListing, and by IPTables::Parse 1.6 (`chain_rules('filter','INPUT')` with `ipt_rules_file` +
 * `skip_ipt_exec_check`, timed inside Perl with Time::HiRes, so Perl's start-up is not counted) on the same
 * file in the same run. Prints both times and the ratio. Run: `npx vitest bench --run --project iptables-parse`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, bench, describe } from "vitest";
import { formatSave } from "../src/format-save.ts";
import { parseListing } from "../src/parse-listing.ts";
import { parseSave } from "../src/parse-save.ts";
import { generateListing } from "./generate.ts";

const N = 20_000;
const text = generateListing(N);
const dir = mkdtempSync(join(tmpdir(), "fwkit-bench-"));
const file = join(dir, "input.txt");
writeFileSync(file, text);
const saveText = formatSave(parseListing(text));

/** Best and median of `runs` timed parses (after warm-up). */
function oursMs(runs = 15): { min: number; median: number } {
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    const p = parseListing(text);
    const dt = performance.now() - t0;
    if (p.tables[0]?.chains[0]?.rules.length !== N) throw new Error("bad parse");
    if (i >= 3) times.push(dt);
  }
  times.sort((a, b) => a - b);
  return { min: times[0] as number, median: times[Math.floor(times.length / 2)] as number };
}

/** Perl's wall time for the whole `perl` process (start-up, module load, file read, parse), best of three. */
let perlProcessMs = Number.POSITIVE_INFINITY;

/** Best of three Perl runs (time inside Perl around chain_rules), or why Perl could not run. */
function perlMs(): number | string {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const t = perlOnce();
    perlProcessMs = Math.min(perlProcessMs, performance.now() - t0);
    if (typeof t === "string") return t;
    best = Math.min(best, t);
  }
  return best;
}

function perlOnce(): number | string {
  const code =
    "use IPTables::Parse; use Time::HiRes qw(time);" +
    "my $p = IPTables::Parse->new(ipt_rules_file => $ARGV[0], skip_ipt_exec_check => 1);" +
    "my $t0 = time; my $r = $p->chain_rules('filter', 'INPUT'); my $dt = time - $t0;" +
    "die 'bad' unless @$r == $ARGV[1]; print $dt * 1000;";
  try {
    return Number(execFileSync("perl", ["-e", code, file, String(N)], { encoding: "utf8", timeout: 300_000 }));
  } catch (e) {
    return `Perl IPTables::Parse not available (${(e as Error).message.split("\n")[0]})`;
  }
}

const ours = oursMs();
const perl = perlMs();
const oursText = `parseListing best ${ours.min.toFixed(1)} ms (median ${ours.median.toFixed(1)} ms)`;
process.stdout.write(
  typeof perl === "number"
    ? `\n[parse-vs-perl] ${N} rules: ${oursText}, IPTables::Parse chain_rules best ${perl.toFixed(1)} ms, ratio ${(perl / ours.min).toFixed(1)}x (best/best), ${(perl / ours.median).toFixed(1)}x (best/median); whole perl process ${perlProcessMs.toFixed(0)} ms = ${(perlProcessMs / ours.min).toFixed(1)}x\n`
    : `\n[parse-vs-perl] ${N} rules: ${oursText}; ${perl}\n`,
);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`${N}-rule listing`, () => {
  bench("parseListing (-v -n -L --line-numbers)", () => {
    parseListing(text);
  });
  bench("parseSave (same rules as iptables-restore text)", () => {
    parseSave(saveText);
  });
});
