/**
 * The psad part of the demo: one psad.conf for the offline demo and the lab, and the analysis of kernel log lines
 * (scan report, OS guesses, fwsnort signature hits) with @fwkit/psad-core.
 */
import type { AnalysisJson, AnalysisResult, DetectorSetup, TrafficStats } from "@fwkit/psad-core";

/** psad danger-level thresholds (packets) of the demo config: psad's defaults. */
export const DEMO_DANGER_LEVELS = [5, 15, 150, 1500, 10000] as const;

/** Auto-blocking in the demo: from this danger level on, for {@link DEMO_BLOCK_TIMEOUT} seconds. */
export const DEMO_AUTO_IDS_DL = 3;
/** Seconds an auto-blocked attacker stays blocked in the demo (psad's default is 3600). */
export const DEMO_BLOCK_TIMEOUT = 4;

/**
 * The demo's psad.conf: psad's defaults except a short auto-block timeout, auto-blocking from DL 3 and the
 * "DROP" log prefix (FW_MSG_SEARCH) the lab's LOG rule uses.
 */
export function demoPsadConf(hostname = "fwkit-lab"): string {
  return [
    `HOSTNAME ${hostname};`,
    "FW_MSG_SEARCH DROP;",
    ...DEMO_DANGER_LEVELS.map((n, i) => `DANGER_LEVEL${i + 1} ${n};`),
    "ENABLE_AUTO_IDS Y;",
    `AUTO_IDS_DANGER_LEVEL ${DEMO_AUTO_IDS_DL};`,
    `AUTO_BLOCK_TIMEOUT ${DEMO_BLOCK_TIMEOUT};`,
    "",
  ].join("\n");
}

/** The danger level psad gives a scan of `packets` packets (no signature or auto_dl raises it). */
export function dangerLevelFor(packets: number, thresholds: readonly number[] = DEMO_DANGER_LEVELS): number {
  let dl = 0;
  thresholds.forEach((t, i) => {
    if (packets >= t) dl = i + 1;
  });
  return dl;
}

/** The inputs of one analysis. */
export interface AnalysisInputs {
  /** psad.conf text (default {@link demoPsadConf}). */
  psadConf?: string;
  /** pf.os text (p0f v1 fingerprints) for passive OS guesses. */
  pfOs?: string;
  /** Snort rule files whose SIDs fwsnort logs (for the signature messages). */
  snortRules: string[];
  /** Reference clock, epoch seconds. */
  now: () => number;
}

/** What the demo shows of an analysis. */
export interface DemoAnalysis {
  result: AnalysisResult;
  json: AnalysisJson;
  report: string;
  syslog: string[];
  /** Traffic counts for the HTML report's charts. */
  traffic: TrafficStats;
}

/** Build the psad-core detector setup for the demo. */
export async function demoSetup(inputs: AnalysisInputs): Promise<DetectorSetup> {
  const psad = await import("@fwkit/psad-core");
  const config = psad.parsePsadConfig(inputs.psadConf ?? demoPsadConf());
  if (!config.ok) throw config.error;
  return psad.buildDetectorSetup(config.value, {
    ...(inputs.pfOs !== undefined ? { pfOs: inputs.pfOs } : {}),
    snortRules: inputs.snortRules,
  });
}

/**
 * psad `-A` over kernel log lines: the report text, the JSON document and psad's syslog messages.
 * @param file - the name shown in the report ("Parsing FILE")
 */
export async function analyzeKernLog(
  lines: Iterable<string> | AsyncIterable<Uint8Array | string>,
  inputs: AnalysisInputs,
  file: string,
): Promise<DemoAnalysis> {
  const psad = await import("@fwkit/psad-core");
  const setup = await demoSetup(inputs);
  const input = Symbol.iterator in Object(lines) ? [[...(lines as Iterable<string>)].join("\n")] : lines;
  const traffic = psad.createTrafficCollector();
  const result = await psad.analyzeLog(input as Iterable<string>, setup, {
    now: inputs.now,
    onPacket: (p) => traffic.add(p),
  });
  return {
    traffic: traffic.stats(),
    result,
    json: psad.analysisToJson(result),
    report: psad.renderReport(result, { file }),
    syslog: psad.renderSyslogMsgs(result),
  };
}

/** One line per source for the step output: `SRC DL n, N packets, OS …, sids …`. */
export function describeSources(json: AnalysisJson): string[] {
  return json.sources.map((s) => {
    const sids = [...new Set(s.destinations.flatMap((d) => d.signatures.map((g) => g.sid)))].sort((a, b) => a - b);
    const ports = s.destinations.map(
      (d) =>
        `${d.dst} ${Object.entries(d.ports)
          .map(([p, r]) => `${p}/${r}`)
          .join(" ")}`,
    );
    return `${s.src}: DL ${s.dl}, ${s.packets} packets to ${ports.join("; ")}; OS guess: ${s.osGuesses.join(", ") || "none"}; signatures: ${sids.length ? sids.map((x) => `SID${x}`).join(", ") : "none"}`;
  });
}
