import { execFile } from "node:child_process";
import { createSocket } from "node:dgram";
import { connect, isIP } from "node:net";
import { PsadError } from "./errors.ts";

/** Syslog wire format: BSD (RFC 3164) or RFC 5424. */
export type SyslogFormat = "rfc3164" | "rfc5424";

/** Header fields of a syslog message. */
export interface SyslogHeader {
  /** Facility number (psad: LOG_LOCAL0..7 = 16..23). */
  facility: number;
  /** Severity 0..7 (psad: SYSLOG_PRIORITY, LOG_INFO = 6). */
  severity: number;
  /** Tag / APP-NAME (psad: SYSLOG_IDENTITY). */
  tag: string;
  /** HOSTNAME field; omitted in RFC 3164 when empty (what glibc sends to /dev/log). */
  hostname?: string;
  /** PROCID (`tag[pid]` in RFC 3164); psad does not log its pid. */
  pid?: number;
  /** RFC 5424 MSGID. */
  msgId?: string;
  /** Offset of local time in minutes for the timestamp (default 0 = UTC). */
  tzOffsetMinutes?: number;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Replace CR/LF and other control characters (log injection) with spaces. */
export function sanitizeSyslogText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, " ");
}

/** RFC 5424 header fields: printable US-ASCII only, no spaces, bounded length, "-" when empty. */
function field(s: string | undefined, max: number): string {
  const v = (s ?? "").replace(/[^\x21-\x7e]/g, "").slice(0, max);
  return v || "-";
}

/**
 * Frame one message as RFC 3164 (`<PRI>Mmm dd hh:mm:ss [HOST ]TAG[[PID]]: MSG`) or RFC 5424
 * (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID - MSG`). Control characters in the message become spaces.
 * @param msg - the message text (psad's alert line)
 * @param time - epoch seconds
 * @param header - facility, severity, tag, host, pid
 * @param format - rfc3164 (default) or rfc5424
 * @returns the framed message (no trailing newline)
 * @example
 * formatSyslog("scan detected …", 0, { facility: 23, severity: 6, tag: "psad" }); // "<190>Jan  1 00:00:00 psad: scan detected …"
 */
export function formatSyslog(
  msg: string,
  time: number,
  header: SyslogHeader,
  format: SyslogFormat = "rfc3164",
): string {
  const pri = (Math.min(23, Math.max(0, header.facility | 0)) << 3) | Math.min(7, Math.max(0, header.severity | 0));
  const tz = header.tzOffsetMinutes ?? 0;
  const d = new Date((time + tz * 60) * 1000);
  const p2 = (n: number) => String(n).padStart(2, "0");
  const body = sanitizeSyslogText(msg);
  if (format === "rfc5424") {
    const sign = tz < 0 ? "-" : "+";
    const off = tz === 0 ? "Z" : `${sign}${p2(Math.floor(Math.abs(tz) / 60))}:${p2(Math.abs(tz) % 60)}`;
    const ts = `${d.toISOString().slice(0, 23)}${off}`;
    return `<${pri}>1 ${ts} ${field(header.hostname, 255)} ${field(header.tag, 48)} ${header.pid !== undefined ? field(String(header.pid), 128) : "-"} ${field(header.msgId, 32)} - ${body}`;
  }
  const ts = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  const host = header.hostname ? `${field(header.hostname, 255)} ` : "";
  const tag =
    sanitizeSyslogText(header.tag)
      .replace(/[\s:[\]]/g, "")
      .slice(0, 32) || "psad";
  return `<${pri}>${ts} ${host}${tag}${header.pid !== undefined ? `[${header.pid}]` : ""}: ${body}`;
}

/** Where syslog messages go. */
export type SyslogTarget =
  | { kind: "unix"; path?: string }
  | { kind: "udp"; host: string; port?: number }
  | { kind: "tcp"; host: string; port?: number; framing?: "octet-counting" | "lf" };

/** Options of {@link createSyslogSender}. */
export interface SyslogSenderOptions extends SyslogHeader {
  target: SyslogTarget;
  /** Wire format for udp/tcp (default rfc5424); the unix socket uses the local BSD format. */
  format?: SyslogFormat;
  /** Clock for the header timestamps (epoch seconds); default the wall clock. */
  now?: () => number;
  /** Socket / command timeout (default 5000 ms). */
  timeoutMs?: number;
  /** util-linux `logger` used for the local unix datagram socket (Node has no AF_UNIX datagrams). */
  loggerPath?: string;
}

/** Sends syslog messages; every call opens and closes its own socket (survives server restarts). */
export interface SyslogSender {
  /** Send the messages in order; rejects with PSAD_ALERT_DELIVERY_FAILED. */
  send(messages: readonly string[]): Promise<void>;
}

const FACILITY_NAMES = [
  "kern",
  "user",
  "mail",
  "daemon",
  "auth",
  "syslog",
  "lpr",
  "news",
  "uucp",
  "cron",
  "authpriv",
  "ftp",
];
const SEVERITY_NAMES = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

function fail(target: SyslogTarget, message: string, cause?: unknown): PsadError {
  return new PsadError("PSAD_ALERT_DELIVERY_FAILED", `syslog (${target.kind}): ${message}`, { target }, { cause });
}

/**
 * Syslog transport: the local socket (`/dev/log`, unix datagrams, through util-linux `logger -u` with the
 * messages on stdin, argv only), or a remote collector over UDP or TCP (RFC 6587 octet counting or LF
 * framing) in RFC 5424 or RFC 3164 format.
 * @param options - target, header (facility/severity/tag from psad's SYSLOG_* keys), format, clock
 * @returns `{ send(messages) }`
 * @example
 * const s = createSyslogSender({ target: { kind: "udp", host: "10.0.0.5" }, facility: 23, severity: 6, tag: "psad" });
 * await s.send(plan.syslog);
 */
export function createSyslogSender(options: SyslogSenderOptions): SyslogSender {
  const t = options.target;
  const timeout = options.timeoutMs ?? 5000;
  const now = options.now ?? (() => Date.now() / 1000);
  const format = options.format ?? "rfc5424";

  async function sendUnix(messages: readonly string[], path: string): Promise<void> {
    const fac = options.facility >= 16 ? `local${options.facility - 16}` : (FACILITY_NAMES[options.facility] ?? "user");
    const sev = SEVERITY_NAMES[options.severity] ?? "info";
    const tag = sanitizeSyslogText(options.tag).replace(/\s/g, "") || "psad";
    const args = ["--socket-errors=on", "-u", path, "-t", tag, "-p", `${fac}.${sev}`, "-S", "8192"];
    if (options.pid !== undefined) args.push(`--id=${options.pid}`);
    const input = `${messages.map((m) => sanitizeSyslogText(m) || " ").join("\n")}\n`;
    await new Promise<void>((resolve, reject) => {
      const child = execFile(options.loggerPath ?? "logger", args, { timeout }, (err, _stdout, stderr) => {
        if (err) reject(fail(t, String(stderr).trim() || err.message, err));
        else resolve();
      });
      child.stdin?.on("error", () => {
        /* reported through the exit status */
      });
      child.stdin?.end(input);
    });
  }

  async function sendUdp(messages: readonly string[], host: string, port: number): Promise<void> {
    const sock = createSocket(isIP(host) === 6 ? "udp6" : "udp4");
    try {
      for (const m of messages) {
        const buf = Buffer.from(formatSyslog(m, now(), options, format));
        await new Promise<void>((resolve, reject) => {
          sock.send(buf, port, host, (err) => (err ? reject(fail(t, err.message, err)) : resolve()));
        });
      }
    } finally {
      sock.close();
    }
  }

  async function sendTcp(messages: readonly string[], host: string, port: number, octet: boolean): Promise<void> {
    const payload = messages
      .map((m) => {
        const line = formatSyslog(m, now(), options, format);
        return octet ? `${Buffer.byteLength(line)} ${line}` : `${line}\n`;
      })
      .join("");
    await new Promise<void>((resolve, reject) => {
      const sock = connect({ host, port });
      sock.setTimeout(timeout, () => sock.destroy(fail(t, `timeout after ${timeout} ms`)));
      sock.once("error", (err) => reject(err instanceof PsadError ? err : fail(t, err.message, err)));
      sock.once("connect", () => sock.end(payload));
      sock.once("close", (hadError) => {
        if (!hadError) resolve();
      });
    });
  }

  return {
    async send(messages) {
      if (!messages.length) return;
      if (t.kind === "unix") return sendUnix(messages, t.path ?? "/dev/log");
      if (t.kind === "udp") return sendUdp(messages, t.host, t.port ?? 514);
      return sendTcp(messages, t.host, t.port ?? 514, (t.framing ?? "octet-counting") === "octet-counting");
    },
  };
}
