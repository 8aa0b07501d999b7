/**
 * The kernel log as the lab sees it: records of `/dev/kmsg` (pure parsing and formatting) and a non-blocking reader
 * that starts at the current end of the ring buffer, so only records written during the lab are returned.
 */
import { closeSync, constants, openSync, readFileSync, readSync } from "node:fs";

/** One `/dev/kmsg` record (`prio,seq,usec,flags;message`). */
export interface KmsgRecord {
  /** syslog priority (facility × 8 + level). */
  prio: number;
  seq: number;
  /** Kernel timestamp in microseconds since boot. */
  usec: number;
  message: string;
}

/**
 * Parse one `/dev/kmsg` record; `undefined` when it is not one. Continuation lines (` KEY=value` dictionary) are
 * dropped; the kernel's `\xNN` escapes are kept as they are.
 */
export function parseKmsgRecord(raw: string): KmsgRecord | undefined {
  const semi = raw.indexOf(";");
  if (semi < 0) return undefined;
  const head = raw.slice(0, semi).split(",");
  const [prio, seq, usec] = head.map((x) => Number(x));
  if (head.length < 3 || !Number.isInteger(prio) || !Number.isInteger(seq) || !Number.isInteger(usec)) return undefined;
  const nl = raw.indexOf("\n", semi);
  const message = raw.slice(semi + 1, nl < 0 ? undefined : nl);
  return { prio: prio as number, seq: seq as number, usec: usec as number, message };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/**
 * Format a kernel message the way rsyslog writes it to kern.log on Debian 12 (RFC 3339 time, UTC):
 * `2026-11-22T04:50:01.123456+00:00 HOST kernel: MESSAGE`.
 * @param epochUsec - wall-clock time of the record, microseconds since the epoch
 */
export function formatKernLogLine(epochUsec: number, host: string, message: string): string {
  const d = new Date(Math.floor(epochUsec / 1000));
  const frac = pad(Math.floor(epochUsec % 1_000_000), 6);
  const stamp = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${frac}+00:00`;
  return `${stamp} ${host} kernel: ${message}`;
}

/** Reads `/dev/kmsg` without blocking: {@link KmsgReader.poll} returns the records written since the last call. */
export interface KmsgReader {
  /** New records since the previous poll (or since the reader was opened). */
  poll(): KmsgRecord[];
  /** Records lost because the ring buffer wrapped before they were read. */
  readonly lost: number;
  /** Sequence number of the last record that was already there when the reader was opened (-1: none). */
  readonly startSeq: number;
  /** Wall-clock microseconds since the epoch of a record's kernel timestamp. */
  epochUsec(rec: KmsgRecord): number;
  close(): void;
}

/**
 * Open `/dev/kmsg` (needs root or CAP_SYSLOG) and skip everything already in the ring buffer.
 * @param now - wall clock in ms (injected), used with /proc/uptime to place kernel timestamps in time
 */
export function openKmsg(now: () => number, path = "/dev/kmsg"): KmsgReader {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const buf = Buffer.alloc(16 * 1024);
  let lost = 0;
  let lastSeq = -1;
  const uptimeSec = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
  const bootEpochUsec = Math.round((now() / 1000 - uptimeSec) * 1_000_000);
  const readAll = (): KmsgRecord[] => {
    const out: KmsgRecord[] = [];
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") break;
        if (code === "EPIPE") {
          // the ring buffer overwrote records we had not read yet; the next read continues after them
          lost++;
          continue;
        }
        if (code === "EINVAL") continue; // a record longer than the buffer
        throw e;
      }
      if (n <= 0) break;
      const rec = parseKmsgRecord(buf.toString("utf8", 0, n));
      if (rec) {
        if (lastSeq >= 0 && rec.seq > lastSeq + 1) lost += rec.seq - lastSeq - 1;
        lastSeq = rec.seq;
        out.push(rec);
      }
    }
    return out;
  };
  readAll(); // the start offset: records from before the lab are skipped
  lost = 0;
  const startSeq = lastSeq;
  return {
    startSeq,
    poll: readAll,
    get lost() {
      return lost;
    },
    epochUsec: (rec) => bootEpochUsec + rec.usec,
    close: () => closeSync(fd),
  };
}
