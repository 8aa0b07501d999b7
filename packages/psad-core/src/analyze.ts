import { type CsvField, matchCriterion } from "./csv.ts";
import { createDetector, type DetectorState, type ScanAlert } from "./detector.ts";
import type { PsadErrorCode } from "./errors.ts";
import { parseJournalLine } from "./journal.ts";
import { readLineBatches } from "./line-reader.ts";
import type { Packet } from "./packet.ts";
import { createLogLineParser } from "./parse-log-line.ts";
import type { DetectorSetup } from "./setup.ts";
import type { Diagnostic } from "./types.ts";

/** Options of {@link analyzeLog}. */
export interface AnalyzeOptions {
  /** Input format: syslog text, `journalctl -o json` lines, or per-line detection (default). */
  format?: "syslog" | "journal-json" | "auto";
  /** Reference clock (epoch seconds) for year-less syslog dates and time-less lines. */
  now?: () => number;
  /** psad -p N: stop after N iptables lines. */
  maxPackets?: number;
  /** Longest line kept (characters), default 65536. */
  maxLineLength?: number;
  /** Diagnostics kept in the result (the rest are only counted), default 1000. */
  maxDiagnostics?: number;
  /** psad --analysis-fields: packets failing any criterion are dropped before detection. */
  analysisFields?: CsvField[];
  /** Called for each accepted packet (CSV/gnuplot/DShield writers hook here). */
  onPacket?: (pkt: Packet, line: string, lineNo: number) => void;
  /** Keep per-batch chain/log-prefix counts for the alert e-mail (`renderEmailAlert`), default false. */
  alertDetail?: boolean;
  /** Called every 10,000 lines (progress). */
  onProgress?: (lines: number) => void;
}

/** Everything an `-A` analysis produced. */
export interface AnalysisResult {
  /** Total lines read. */
  lines: number;
  /** Lines that looked like iptables LOG lines (psad's "Found N iptables log messages"). */
  iptablesLines: number;
  /** Packets parsed and handed to the detector. */
  packets: number;
  /** Lines with a parse error, by code. */
  errors: Partial<Record<PsadErrorCode, number>>;
  /** The first `maxDiagnostics` problems, with line numbers. */
  diagnostics: Diagnostic[];
  /** Alerts of the single analysis batch. */
  alerts: ScanAlert[];
  /** Extra syslog lines (auto-assigned DL, thresholds). */
  syslogExtra: string[];
  /** Detector state for the report renderers. */
  state: DetectorState;
  setup: DetectorSetup;
}

/**
 * psad `-A -m FILE`: stream lines (from a file stream, stdin, an array …) through the tokenizer and
 * a single-batch detector. Never throws on content; unparseable lines are counted diagnostics.
 * @param input - bytes or text chunks (any sync/async iterable, e.g. `fs.createReadStream(file)`)
 * @param setup - compiled config and data files ({@link buildDetectorSetup} / `loadDetectorSetup`)
 * @param options - clock, `-p` limit, `--analysis-fields`, per-packet hook, progress
 * @returns counts, diagnostics, alerts (with their syslog lines) and the detector state for renderers
 * @example
 * const r = await analyzeLog(createReadStream("/var/log/kern.log"), setup, { now: () => Date.now() / 1000 });
 * renderSyslogMsgs(r);
 */
export async function analyzeLog(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  setup: DetectorSetup,
  options: AnalyzeOptions = {},
): Promise<AnalysisResult> {
  const nowFn = options.now ?? (() => Date.now() / 1000);
  const parser = createLogLineParser({
    snortSidStr: setup.config.SNORT_SID_STR,
    ignoreKernelTimestamp: setup.config.IGNORE_KERNEL_TIMESTAMP,
    referenceTime: nowFn(),
    maxLineLength: options.maxLineLength ?? 65536,
    psadCompat: setup.options.psadCompat ?? false,
  });
  const det = createDetector(setup, { singleBatch: true, now: nowFn, chainPrefixes: options.alertDetail ?? false });
  const format = options.format ?? "auto";
  const maxDiag = options.maxDiagnostics ?? 1000;
  const diagnostics: Diagnostic[] = [];
  const errors: Partial<Record<PsadErrorCode, number>> = {};
  let lines = 0;
  let ipt = 0;
  let packets = 0;
  const addErr = (code: PsadErrorCode, line: number, message: string) => {
    errors[code] = (errors[code] ?? 0) + 1;
    if (diagnostics.length < maxDiag) diagnostics.push({ code, severity: "warning", line, message });
  };
  let stop = false;
  for await (const batch of readLineBatches(input, options.maxLineLength ?? 65536)) {
    const arr = batch.lines;
    for (let li = 0; li < arr.length; li++) {
      const text = arr[li] as string;
      lines++;
      if (options.onProgress && lines % 10000 === 0) options.onProgress(lines);
      if (batch.truncated.size && batch.truncated.has(li)) {
        addErr("PSAD_LOG_LINE_TOO_LONG", lines, "line too long; truncated and skipped");
        continue;
      }
      if (text.length === 0) continue;
      const isJson = format === "journal-json" || (format === "auto" && text.charCodeAt(0) === 123);
      const r = isJson ? parseJournalLine(text, parser) : parser.parseLine(text);
      if (!r.ok) {
        // a line without "OUT=" is not a log line at all: skipped without a diagnostic (a parsed packet
        // always has " OUT=", so the check is needed on failures only)
        if (!isJson && text.indexOf("OUT=") < 0) continue;
        if (r.code !== "PSAD_LOG_NOT_IPTABLES" || !isJson) {
          if (r.code !== "PSAD_LOG_NOT_IPTABLES") ipt++;
          addErr(r.code, lines, r.reason);
        }
        continue;
      }
      ipt++;
      if (options.analysisFields && !options.analysisFields.every((f) => matchCriterion(r.packet, f))) continue;
      packets++;
      det.push(r.packet);
      options.onPacket?.(r.packet, text, lines);
      if (options.maxPackets !== undefined && ipt >= options.maxPackets) {
        stop = true;
        break;
      }
    }
    if (stop) break;
  }
  const alerts = det.flush();
  return {
    lines,
    iptablesLines: ipt,
    packets,
    errors,
    diagnostics,
    alerts,
    syslogExtra: det.drainSyslog(),
    state: det.state(),
    setup,
  };
}
