import { analyzeLog } from "../src/analyze.ts";
import { parsePsadConfig } from "../src/config.ts";
import { buildDetectorSetup } from "../src/setup.ts";

const c = parsePsadConfig("");
if (!c.ok) throw c.error;
const setup = buildDetectorSetup(c.value, {}, { maxSources: Number(process.argv[2] ?? 200000) });
function* gen() {
  for (let i = 0; i < 1_000_000; i++) {
    yield `Mar 11 20:35:11 fw kernel: DROP IN=eth0 OUT= SRC=10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} DST=192.168.1.1 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=1 PROTO=TCP SPT=40000 DPT=${i % 1000} WINDOW=1024 RES=0x00 SYN URGP=0 \n`;
  }
}
const t0 = performance.now();
const r = await analyzeLog(gen(), setup, { now: () => 1.8e9 });
const ms = performance.now() - t0;
global.gc?.();
const mu = process.memoryUsage();
process.stdout.write(
  `lines ${r.lines} sources ${r.state.sources.size} evicted ${r.state.counters.evictedSources} ${ms.toFixed(0)}ms heap ${(mu.heapUsed / 1e6).toFixed(0)}MB rss ${(mu.rss / 1e6).toFixed(0)}MB\n`,
);
