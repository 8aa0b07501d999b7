/**
 * Parse speed vs the original: a 20,000-rule `iptables -v -n -L INPUT --line-numbers` listing parsed by
 * parseListing, and by IPTables::Parse 1.6 (`chain_rules('filter','INPUT')` with `ipt_rules_file` +
 * `skip_ipt_exec_check`, timed inside Perl with Time::HiRes, so Perl's start-up is not counted) on the same
 * file in the same run. Run: `npx vitest bench --run --project iptables-parse`.
 *
 * The two are interleaved so that both see the same machine load: each round runs Perl once, then ours
 * {@link OURS_PER_ROUND} times (after a warm-up), and yields one ratio (Perl's time / our best time in that
 * round). The line printed reports the best and median per-round ratio, the best/best ratio over all rounds,
 * and the same for CPU time (Perl's `times` user+sys around chain_rules; ours process.cpuUsage(), which also
 * counts V8's GC helper threads), which is steadier than wall time when the machine is shared.
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
/** Rounds of (one Perl run, then OURS_PER_ROUND runs of ours). */
const ROUNDS = 5;
const OURS_PER_ROUND = 10;
const WARM_UP = 5;

const text = generateListing(N);
const dir = mkdtempSync(join(tmpdir(), "fwkit-bench-"));
const file = join(dir, "input.txt");
writeFileSync(file, text);
const saveText = formatSave(parseListing(text));

interface Timing {
  wall: number;
  cpu: number;
}

/** One full parse of the listing by ours, wall and CPU milliseconds. */
function oursOnce(): Timing {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const p = parseListing(text);
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (p.tables[0]?.chains[0]?.rules.length !== N) throw new Error("bad parse");
  return { wall, cpu: (c.user + c.system) / 1000 };
}

/** One Perl process; the time inside Perl around chain_rules (wall and CPU), or why Perl could not run. */
function perlOnce(): Timing | string {
  const code =
    "use IPTables::Parse; use Time::HiRes qw(time);" +
    "my $p = IPTables::Parse->new(ipt_rules_file => $ARGV[0], skip_ipt_exec_check => 1);" +
    "my @c0 = times; my $t0 = time; my $r = $p->chain_rules('filter', 'INPUT'); my $dt = time - $t0; my @c1 = times;" +
    "die 'bad' unless @$r == $ARGV[1]; print $dt * 1000, ' ', ($c1[0] + $c1[1] - $c0[0] - $c0[1]) * 1000;";
  try {
    const out = execFileSync("perl", ["-e", code, file, String(N)], { encoding: "utf8", timeout: 300_000 });
    const [wall, cpu] = out.trim().split(" ").map(Number);
    return { wall: wall as number, cpu: cpu as number };
  } catch (e) {
    return `Perl IPTables::Parse not available (${(e as Error).message.split("\n")[0]})`;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function min(xs: number[]): number {
  return Math.min(...xs);
}

for (let i = 0; i < WARM_UP; i++) oursOnce();
const oursWall: number[] = [];
const oursCpu: number[] = [];
const perlWall: number[] = [];
const perlCpu: number[] = [];
const roundWall: number[] = [];
const roundCpu: number[] = [];
let perlProblem: string | undefined;
for (let r = 0; r < ROUNDS; r++) {
  const perl = perlProblem === undefined ? perlOnce() : perlProblem;
  if (typeof perl === "string") perlProblem = perl;
  const w: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < OURS_PER_ROUND; i++) {
    const t = oursOnce();
    w.push(t.wall);
    c.push(t.cpu);
  }
  oursWall.push(...w);
  oursCpu.push(...c);
  if (typeof perl !== "string") {
    perlWall.push(perl.wall);
    perlCpu.push(perl.cpu);
    roundWall.push(perl.wall / min(w));
    roundCpu.push(perl.cpu / min(c));
  }
}

const f1 = (x: number) => x.toFixed(1);
const oursText = `parseListing wall best ${f1(min(oursWall))} ms (median ${f1(median(oursWall))}), cpu best ${f1(min(oursCpu))} ms`;
process.stdout.write(
  perlProblem === undefined
    ? `\n[parse-vs-perl] ${N} rules, ${ROUNDS} interleaved rounds: ${oursText}; IPTables::Parse chain_rules wall best ${f1(min(perlWall))} ms (median ${f1(median(perlWall))}), cpu best ${f1(min(perlCpu))} ms; ` +
        `ratio wall best/best ${f1(min(perlWall) / min(oursWall))}x, per-round best ${f1(Math.max(...roundWall))}x median ${f1(median(roundWall))}x; ` +
        `ratio cpu best/best ${f1(min(perlCpu) / min(oursCpu))}x, per-round median ${f1(median(roundCpu))}x\n`
    : `\n[parse-vs-perl] ${N} rules: ${oursText}; ${perlProblem}\n`,
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

// the root `pnpm bench` table (scripts/bench-table.ts)
(await import("@fwkit/test-utils")).recordBenchResult({
  package: "iptables-parse",
  name: `parse a ${N}-rule -v -n -L listing (CPU, best)`,
  ours: min(oursCpu),
  original: perlProblem === undefined ? min(perlCpu) : null,
  unit: "ms",
  originalTool: "IPTables::Parse 1.6 chain_rules",
  ...(perlProblem !== undefined ? { note: perlProblem } : {}),
});
