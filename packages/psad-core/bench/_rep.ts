import { createReadStream } from "node:fs";
import { analyzeLog } from "../src/analyze.ts";
import { loadDetectorSetup } from "../src/io.ts";
import { renderReport } from "../src/report.ts";

const setup = await loadDetectorSetup({
  configFile: "/work/shared/corpus/psad-test-conf/default_psad.conf",
  paths: { dataDir: "/etc/psad", snortRulesDirs: ["/work/shared/corpus/snort-2.3.3"] },
  options: { psadCompat: process.argv[3] === "compat" },
});
const r = await analyzeLog(createReadStream(`/work/shared/corpus/psad-captures/${process.argv[2]}`), setup, {
  now: () => Date.parse("2026-11-22T00:00:00Z") / 1000,
});
process.stdout.write(renderReport(r));
