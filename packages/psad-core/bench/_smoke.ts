import { createReadStream } from "node:fs";
import { analyzeLog } from "../src/analyze.ts";
import { loadDetectorSetup } from "../src/io.ts";

const cap = process.argv[2]!;
const compat = process.argv[3] === "compat";
const setup = await loadDetectorSetup({
  configFile: "/work/shared/corpus/psad-test-conf/default_psad.conf",
  paths: { dataDir: "/tmp/psadsb/root/etc/psad" },
  options: { psadCompat: compat },
});
for (const d of setup.diagnostics.slice(0, 5)) process.stdout.write(`diag ${d.message}\n`);
const t0 = performance.now();
const r = await analyzeLog(createReadStream(`/work/shared/corpus/psad-captures/${cap}`), setup, {
  now: () => Date.parse("2026-11-22T00:00:00Z") / 1000,
});
const ms = performance.now() - t0;
for (const a of r.alerts) for (const l of a.syslog) process.stdout.write(`[+] syslog msg: ${l}\n`);
for (const l of r.syslogExtra) process.stdout.write(`extra: ${l}\n`);
process.stdout.write(
  `lines ${r.lines} ipt ${r.iptablesLines} pkts ${r.packets} errs ${JSON.stringify(r.errors)} ign ${JSON.stringify(r.state.counters.ignored)} ${ms.toFixed(1)}ms\n`,
);
for (const [src, s] of r.state.sources)
  process.stdout.write(
    `SRC ${src} DL ${s.dl} dsts ${s.dsts.size} pkts ${s.pkts} os ${[...s.p0f].join("|")} ${s.posf?.guess ?? ""}\n`,
  );
for (const d of r.diagnostics.slice(0, 5)) process.stdout.write(`D ${d.line} ${d.code} ${d.message}\n`);
