import { createReadStream } from "node:fs";
import { analyzeLog } from "../src/analyze.ts";
import { loadDetectorSetup } from "../src/io.ts";

const setup = await loadDetectorSetup({
  configFile: "/work/shared/corpus/psad-test-conf/default_psad.conf",
  paths: { dataDir: "/etc/psad", snortRulesDirs: ["/work/shared/corpus/snort-2.3.3"] },
});
const t0 = performance.now();
const r = await analyzeLog(createReadStream(process.argv[2]!), setup, { now: () => 1.8e9 });
const ms = performance.now() - t0;
process.stdout.write(
  `lines ${r.lines} ${ms.toFixed(0)}ms ${((r.lines / ms) * 1000).toFixed(0)} lines/s rss ${(process.memoryUsage().rss / 1e6).toFixed(0)}MB\n`,
);
