/**
 * Where the demo's bundled sample data lives: `examples/` of the fwkit repository (running from a clone), or the
 * `examples/` folder shipped inside the @fwkit/cli package.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The demo's input files, relative to the data directory. */
export const SAMPLE_FILES = {
  /** The demo's Snort rule set (local SIDs 1000001–1000011). */
  rules: "sample.rules",
  /** Kernel log lines captured by the lab (`fwkit demo --lab --record examples`). */
  scanLog: "sample-scan.log",
  /** p0f v1 fingerprints written for the demo (pf.os format). */
  pfOs: "demo-pf.os",
} as const;

/**
 * The first candidate directory that holds `sample.rules`, searched upwards from this module: the repository's
 * `examples/` (source or dist layout), then the package's own `examples/`.
 * @param from - the module URL to search from (default: this module)
 */
export function findSampleDir(from: string = import.meta.url): string | undefined {
  let dir = dirname(fileURLToPath(from));
  const candidates: string[] = [];
  for (let i = 0; i < 6; i++) {
    candidates.push(join(dir, "examples"));
    const up = resolve(dir, "..");
    if (up === dir) break;
    dir = up;
  }
  return candidates.find((c) => existsSync(join(c, SAMPLE_FILES.rules)));
}
