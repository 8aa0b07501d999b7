import { createReadStream, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { corpusPath } from "@fwkit/test-utils";
import { type AnalysisResult, analyzeLog } from "../src/analyze.ts";
import { loadDetectorSetup } from "../src/io.ts";
import type { DetectorOptions, DetectorSetup } from "../src/setup.ts";

/** Reference clock used by every corpus test (the spec's runs were made on a Nov 2026 clock). */
export const NOW = Date.parse("2026-11-22T00:00:00Z") / 1000;

const capDir = corpusPath("psad-captures");
const confDir = corpusPath("psad-test-conf");
const snortDir = corpusPath("snort-2.3.3");
export const capturesDir: string | undefined = capDir && existsSync(capDir) ? capDir : undefined;
export const testConfDir: string | undefined = confDir && existsSync(confDir) ? confDir : undefined;
/** psad's data files (signatures, pf.os, posf, icmp types …) as installed by the Debian psad package. */
export const psadDataDir: string | undefined = existsSync("/etc/psad/signatures") ? "/etc/psad" : undefined;

/** One-line reason why corpus-based tests cannot run, or null. */
export function corpusMissing(): string | null {
  if (!capturesDir || !testConfDir) return "needs ../shared/corpus/psad-captures and psad-test-conf";
  if (!psadDataDir) return "needs psad's data files in /etc/psad (Debian package psad)";
  return null;
}

export function captures(): string[] {
  return capturesDir ? readdirSync(capturesDir).sort() : [];
}

export function capturePath(name: string): string {
  return join(capturesDir as string, name);
}

export function confPath(name: string): string {
  return join(testConfDir as string, name);
}

const setupCache = new Map<string, Promise<DetectorSetup>>();

/** Setup from a corpus config (default_psad.conf) with /etc/psad data files and the corpus Snort rules. */
export function corpusSetup(
  opts: { conf?: string; options?: DetectorOptions; autoDl?: string; signatures?: string } = {},
): Promise<DetectorSetup> {
  const key = JSON.stringify(opts);
  let p = setupCache.get(key);
  if (!p) {
    p = loadDetectorSetup({
      configFile: confPath(opts.conf ?? "default_psad.conf"),
      paths: {
        dataDir: psadDataDir as string,
        snortRulesDirs: snortDir ? [snortDir] : [],
        ...(opts.autoDl ? { autoDl: confPath(opts.autoDl) } : {}),
        ...(opts.signatures ? { signatures: confPath(opts.signatures) } : {}),
      },
      options: opts.options ?? {},
    });
    setupCache.set(key, p);
  }
  return p;
}

/** Analyse one corpus capture. */
export async function analyzeCapture(
  name: string,
  opts: Parameters<typeof corpusSetup>[0] = {},
): Promise<AnalysisResult> {
  const setup = await corpusSetup(opts);
  return analyzeLog(createReadStream(capturePath(name)), setup, { now: () => NOW });
}
