import { readFileSync } from "node:fs";
import { createDetector } from "../src/detector.ts";
import { loadDetectorSetup } from "../src/io.ts";
import { createLogLineParser } from "../src/parse-log-line.ts";

const lines = readFileSync(process.argv[2]!, "latin1").split("\n");
const p = createLogLineParser({ referenceTime: 1.8e9 });
for (let k = 0; k < 3; k++) {
  const t0 = performance.now();
  let ok = 0;
  for (const l of lines) if (p.parseLine(l).ok) ok++;
  const ms = performance.now() - t0;
  process.stdout.write(`parse only: ${ok} ${((lines.length / ms) * 1000).toFixed(0)} lines/s\n`);
}
const setup = await loadDetectorSetup({
  configFile: "/work/shared/corpus/psad-test-conf/default_psad.conf",
  paths: { dataDir: "/etc/psad", snortRulesDirs: ["/work/shared/corpus/snort-2.3.3"] },
});
for (let k = 0; k < 3; k++) {
  const det = createDetector(setup, { singleBatch: true });
  const t0 = performance.now();
  for (const l of lines) {
    const r = p.parseLine(l);
    if (r.ok) det.push(r.packet);
  }
  det.flush();
  const ms = performance.now() - t0;
  process.stdout.write(`parse+detect: ${((lines.length / ms) * 1000).toFixed(0)} lines/s\n`);
}
