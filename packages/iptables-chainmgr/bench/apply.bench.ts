/**
 * pnpm bench: apply 5,000 rules with ChainMgr's batch (`sync` = iptables-save + plan + one
 * `iptables-restore --noflush`) vs Perl IPTables::ChainMgr `append_ip_rule` one rule at a time (list + insert
 * per rule, as the original works), both in a throwaway namespace on iptables-nft 1.8.9.
 * Perl is timed on PERL_N rules and extrapolated linearly to 5,000 — a conservative estimate in Perl's favour,
 * since each append_ip_rule lists the whole chain first and so gets slower as the chain grows.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNetns, missingFor, type Netns, recordBenchResult } from "@fwkit/test-utils";
import { bench, describe } from "vitest";
import { ChainMgr, type ManagedChains } from "../src/index.ts";

const N = 5000;
const PERL_N = 500;
const BIN = "/usr/sbin/iptables-nft";

function perlAvailable(): boolean {
  try {
    execFileSync("perl", ["-MIPTables::ChainMgr", "-e", "1"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

const reason =
  missingFor(["iptables-nft", "iptables-nft-restore", "perl"]) ??
  (perlAvailable() ? null : "needs Perl IPTables::ChainMgr");
const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const timings: Record<string, number> = {};

/** The namespace and wrapper binaries, created once (lazily: bench hooks are not reliable across tasks). */
let env: Promise<{ ns: Netns; wrapper: string; dir: string }> | undefined;
function setup() {
  env ??= (async () => {
    const ns = await createNetns("cmbench");
    const dir = mkdtempSync(join(tmpdir(), "fwkit-bench-"));
    for (const n of ["iptables-nft", "iptables-nft-save", "iptables-nft-restore"]) {
      writeFileSync(join(dir, n), `#!/bin/sh\nexec ip netns exec ${ns.name} /usr/sbin/${n} "$@"\n`, { mode: 0o755 });
    }
    return { ns, wrapper: join(dir, "iptables-nft"), dir };
  })();
  return env;
}

async function teardownAndReport(): Promise<void> {
  const e = await setup();
  await e.ns.destroy();
  rmSync(e.dir, { recursive: true, force: true });
  const ours = timings.ours;
  const perl = timings.perl;
  if (ours === undefined || perl === undefined) return;
  const perl5000 = (perl / PERL_N) * N;
  process.stdout.write(
    [
      "",
      `ChainMgr batch (sync -> one iptables-restore --noflush): ${N} rules in ${ours.toFixed(0)} ms`,
      `Perl IPTables::ChainMgr append_ip_rule one by one:      ${PERL_N} rules in ${perl.toFixed(0)} ms` +
        ` -> ${N} rules ~ ${(perl5000 / 1000).toFixed(1)} s (linear extrapolation from ${PERL_N}; the real cost grows faster)`,
      `ratio: ${(perl5000 / ours).toFixed(0)}x faster (target >= 100x)`,
      "",
    ].join("\n"),
  );
  recordBenchResult({
    package: "iptables-chainmgr",
    name: `apply ${N} rules (sync: one iptables-restore)`,
    ours,
    original: perl5000,
    unit: "ms",
    originalTool: "Perl IPTables::ChainMgr append_ip_rule",
    target: ">= 100x",
    note: `Perl extrapolated linearly from ${PERL_N} rules`,
  });
}

describe.skipIf(reason !== null)(`apply ${N} rules (netns, iptables-nft)`, () => {
  bench(
    `ChainMgr.sync: ${N} rules in one iptables-restore`,
    async () => {
      const { wrapper } = await setup();
      const mgr = await ChainMgr.create({ iptables: wrapper });
      const desired: ManagedChains = {
        chains: [
          {
            table: "filter",
            name: "BENCH",
            rules: Array.from({ length: N }, (_, i) => [
              "-s",
              ip(i + 1),
              "-p",
              "tcp",
              "--dport",
              String(1 + (i % 65000)),
              "-j",
              "DROP",
            ]),
            jumps: [{ from: "INPUT" }],
          },
        ],
      };
      const t0 = performance.now();
      const r = await mgr.sync(desired);
      timings.ours = performance.now() - t0;
      if (r.rv !== 1) throw new Error(`sync failed: ${r.err.join("\n")}`);
      const count = (await mgr.parseObj.chainRules("filter", "BENCH")).length;
      if (count !== N) throw new Error(`expected ${N} rules, found ${count}`);
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );

  bench(
    `Perl append_ip_rule: ${PERL_N} rules one by one`,
    async () => {
      const script = `
use IPTables::ChainMgr; use Time::HiRes qw(time);
my $m = IPTables::ChainMgr->new(iptables => '${BIN}');
$m->create_chain('filter', 'PERLBENCH');
my $t0 = time;
for my $i (1..${PERL_N}) {
  my $ip = join('.', 10, ($i >> 16) & 255, ($i >> 8) & 255, $i & 255);
  my ($rv, $o, $e) = $m->append_ip_rule($ip, '0.0.0.0/0', 'filter', 'PERLBENCH', 'DROP', {protocol => 'tcp', d_port => $i});
  die "append failed: @$e" unless $rv;
}
printf "%.3f\\n", (time - $t0) * 1000;`;
      const { ns } = await setup();
      const out = execFileSync("ip", ["netns", "exec", ns.name, "perl", "-e", script], { encoding: "utf8" });
      timings.perl = Number(out.trim().split("\n").pop());
      await teardownAndReport();
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
