import type { LineParse, LogLineParser } from "./parse-log-line.ts";

/**
 * Tokenize one `journalctl -k -o json` line: MESSAGE (string or byte array), __REALTIME_TIMESTAMP (µs)
 * and _HOSTNAME. Returns PSAD_LOG_UNPARSEABLE for bad JSON and PSAD_LOG_NOT_IPTABLES for non-LOG messages.
 */
export function parseJournalLine(line: string, parser: LogLineParser): LineParse {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    return { ok: false, code: "PSAD_LOG_UNPARSEABLE", reason: "journal line is not JSON" };
  }
  if (typeof obj !== "object" || obj === null)
    return { ok: false, code: "PSAD_LOG_UNPARSEABLE", reason: "journal line is not an object" };
  const o = obj as Record<string, unknown>;
  let msg = o.MESSAGE;
  if (Array.isArray(msg)) {
    if (!msg.every((b) => typeof b === "number" && b >= 0 && b <= 255))
      return { ok: false, code: "PSAD_LOG_UNPARSEABLE", reason: "journal MESSAGE byte array is invalid" };
    msg = Buffer.from(msg as number[]).toString("latin1");
  }
  if (typeof msg !== "string")
    return { ok: false, code: "PSAD_LOG_UNPARSEABLE", reason: "journal line without MESSAGE" };
  const us = typeof o.__REALTIME_TIMESTAMP === "string" ? Number(o.__REALTIME_TIMESTAMP) : Number.NaN;
  const time = Number.isFinite(us) ? us / 1e6 : Number.NaN;
  const host = typeof o._HOSTNAME === "string" ? o._HOSTNAME : "unknown";
  const ts = Number.isFinite(time) ? new Date(time * 1000).toISOString() : "";
  return parser.parseMessage(msg, time, host, ts);
}
