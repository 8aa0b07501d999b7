import { type ChildProcess, spawn } from "node:child_process";
import { type FileHandle, open, stat } from "node:fs/promises";
import { PsadError } from "./errors.ts";

/** Options of {@link followFile}. */
export interface FollowFileOptions {
  /** Stops the iteration (cleanly: the generator returns, the file is closed). */
  signal?: AbortSignal;
  /** How often the file is checked for new data, rotation and truncation (ms), default 250. */
  pollMs?: number;
  /** Start at the beginning of the file instead of its end (default: end, as psad and `tail -f`). */
  fromStart?: boolean;
  /**
   * Longest line kept (characters), default 65536. A longer line is cut to `maxLineLength + 1` characters
   * (so the tokenizer reports it as PSAD_LOG_LINE_TOO_LONG) and the rest of it is dropped.
   */
  maxLineLength?: number;
  /** Bytes read per read call, default 1 MiB. */
  chunkSize?: number;
}

function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Splits decoded chunks into lines, keeping an unterminated tail (capped) for the next chunk. */
class LineSplitter {
  private carry = "";
  private dropping = false;
  constructor(private readonly max: number) {}

  push(s: string, out: string[]): void {
    let start = 0;
    for (;;) {
      const nl = s.indexOf("\n", start);
      if (nl < 0) {
        if (!this.dropping) {
          this.carry += s.slice(start);
          if (this.carry.length > this.max) {
            this.carry = this.carry.slice(0, this.max + 1);
            this.dropping = true;
          }
        }
        return;
      }
      let line = this.dropping ? this.carry : this.carry + s.slice(start, nl);
      if (line.length > this.max + 1) line = line.slice(0, this.max + 1);
      if (line.endsWith("\r")) line = line.slice(0, -1);
      out.push(line);
      this.carry = "";
      this.dropping = false;
      start = nl + 1;
    }
  }

  /** The unterminated tail, if any (at rotation: the old file's last line). */
  flush(out: string[]): void {
    if (this.carry.length) out.push(this.carry);
    this.carry = "";
    this.dropping = false;
  }

  reset(): void {
    this.carry = "";
    this.dropping = false;
  }
}

/**
 * Follow a log file like `tail -F`: yield each complete line appended to it, starting at its current end
 * (or its start with `fromStart`). Survives rotation (the file renamed or removed and a new one created
 * under the same name: the old file is read to its end first, then the new one from its start) and
 * truncation in place (`copytruncate`: reading restarts at offset 0). Bytes are decoded as latin1, so any
 * input is accepted. Ends when `signal` aborts.
 * @param path - the log file (it must exist when following starts)
 * @param options - abort signal, poll interval, start position, line cap
 * @returns an async iterable of lines (without the newline)
 * @throws {PsadError} PSAD_FOLLOW_FAILED when the file cannot be opened at the start
 * @example
 * const ac = new AbortController();
 * for await (const line of followFile("/var/log/kern.log", { signal: ac.signal })) handle(line);
 */
export async function* followFile(path: string, options: FollowFileOptions = {}): AsyncGenerator<string> {
  const pollMs = options.pollMs ?? 250;
  const signal = options.signal;
  const chunk = Buffer.allocUnsafe(options.chunkSize ?? 1 << 20);
  const splitter = new LineSplitter(options.maxLineLength ?? 65536);
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (e) {
    throw new PsadError("PSAD_FOLLOW_FAILED", `cannot open ${path}: ${(e as Error).message}`, { path }, { cause: e });
  }
  let st = await fh.stat();
  let pos = options.fromStart ? 0 : st.size;
  const out: string[] = [];
  /** Read fh from pos to its current end into `out`. */
  const drain = async (): Promise<void> => {
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
      if (bytesRead <= 0) return;
      pos += bytesRead;
      splitter.push(chunk.toString("latin1", 0, bytesRead), out);
      if (out.length >= 10_000) return;
    }
  };
  try {
    while (!signal?.aborted) {
      st = await fh.stat();
      if (st.size < pos) {
        // truncated in place (copytruncate): start over
        pos = 0;
        splitter.reset();
      }
      if (st.size > pos) await drain();
      if (out.length === 0) {
        // nothing new: has the name been rotated to a new file?
        let named: Awaited<ReturnType<typeof stat>> | undefined;
        try {
          named = await stat(path);
        } catch {
          named = undefined; // removed/renamed, new file not there yet: keep the old one
        }
        if (named && (named.ino !== st.ino || named.dev !== st.dev)) {
          await drain(); // whatever was written to the old file before the switch
          if (out.length < 10_000) {
            splitter.flush(out);
            let next: FileHandle | undefined;
            try {
              next = await open(path, "r");
            } catch {
              next = undefined; // vanished again between stat and open: retry on the next poll
            }
            if (next) {
              await fh.close();
              fh = next;
              pos = 0;
            }
          }
        }
      }
      if (out.length) {
        const lines = out.splice(0, out.length);
        for (const l of lines) {
          if (signal?.aborted) return;
          yield l;
        }
        continue;
      }
      await abortableSleep(pollMs, signal);
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** Options of {@link followJournal}. */
export interface FollowJournalOptions {
  /** Stops the iteration (journalctl is killed, the generator returns). */
  signal?: AbortSignal;
  /** journalctl binary, default "journalctl" (looked up on PATH). */
  command?: string;
  /** Its arguments, default `["-kf", "-o", "json", "-n", "0"]` (kernel messages, follow, JSON, no backlog). */
  args?: readonly string[];
  /** Environment of the child (default: inherited). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Longest line kept (characters), default 1 MiB (journal JSON lines are longer than log lines). */
  maxLineLength?: number;
}

/**
 * Follow the kernel journal: spawn `journalctl -kf -o json -n 0` (an argv array, no shell) and yield its
 * output lines, to be tokenized with {@link parseJournalLine}. Ends when `signal` aborts (journalctl is
 * killed) or when journalctl exits.
 * @param options - abort signal, command, arguments, environment
 * @returns an async iterable of JSON lines
 * @throws {PsadError} PSAD_FOLLOW_FAILED when journalctl cannot be started or exits with a non-zero status
 * @example
 * for await (const line of followJournal({ signal })) { const r = parseJournalLine(line, parser); … }
 */
export async function* followJournal(options: FollowJournalOptions = {}): AsyncGenerator<string> {
  const command = options.command ?? "journalctl";
  const args = [...(options.args ?? ["-kf", "-o", "json", "-n", "0"])];
  const signal = options.signal;
  if (signal?.aborted) return;
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.env ? { env: options.env as NodeJS.ProcessEnv } : {}),
    });
  } catch (e) {
    throw new PsadError("PSAD_FOLLOW_FAILED", `cannot start ${command}: ${(e as Error).message}`, { command, args });
  }
  const splitter = new LineSplitter(options.maxLineLength ?? 1 << 20);
  const queue: string[] = [];
  let stderr = "";
  let ended = false;
  let failure: PsadError | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  child.stdout?.setEncoding("latin1");
  child.stdout?.on("data", (s: string) => {
    splitter.push(s, queue);
    if (queue.length > 10_000) child.stdout?.pause(); // back-pressure: resumed once the consumer caught up
    notify();
  });
  child.stderr?.setEncoding("latin1");
  child.stderr?.on("data", (s: string) => {
    if (stderr.length < 4096) stderr += s;
  });
  child.on("error", (e) => {
    failure = new PsadError("PSAD_FOLLOW_FAILED", `cannot start ${command}: ${e.message}`, { command, args });
    ended = true;
    notify();
  });
  child.on("close", (code, sig) => {
    splitter.flush(queue);
    if (!signal?.aborted && code !== 0 && !failure)
      failure = new PsadError("PSAD_FOLLOW_FAILED", `${command} exited with ${code ?? sig}: ${stderr.trim()}`, {
        command,
        args,
        exitCode: code,
        stderr: stderr.trim(),
      });
    ended = true;
    notify();
  });
  const onAbort = () => {
    child.kill("SIGTERM");
    notify();
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      if (signal?.aborted) return;
      if (queue.length) {
        const lines = queue.splice(0, queue.length);
        for (const l of lines) {
          if (signal?.aborted) return;
          yield l;
        }
        if (child.stdout?.isPaused()) child.stdout.resume();
        continue;
      }
      if (ended) {
        if (failure) throw failure;
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  }
}
