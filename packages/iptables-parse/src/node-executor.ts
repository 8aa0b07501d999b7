/**
 * The default {@link Executor}: the only place in @fwkit/iptables-parse that starts a process.
 * `child_process.spawn(file, args, { shell: false, detached: true })` — an argv array, never a shell string — with
 * `LC_ALL=C` so iptables' messages stay in English. The child leads its own process group, so a timeout kills the
 * whole group (SIGTERM, then SIGKILL after a grace period): unlike Perl's `kill TERM $pid`, no grandchild survives.
 * Never rejects for a non-zero exit status; rejects only when the binary cannot be started.
 */
import { spawn } from "node:child_process";
import { StringDecoder } from "node:string_decoder";
import { IptablesParseError } from "./errors.ts";
import type { Executor, RunOptions, RunOutcome } from "./types.ts";

/** Default cap on captured stdout + stderr (bytes); more output kills the process group. */
export const DEFAULT_MAX_BUFFER = 256 * 1024 * 1024;
/** Default milliseconds between SIGTERM and SIGKILL after a timeout. */
export const DEFAULT_KILL_GRACE_MS = 1000;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Collects one output stream, either as buffers joined at the end (system style) or decoded as it streams (popen). */
class Collector {
  private readonly chunks: Buffer[] = [];
  private readonly decoder = new StringDecoder("utf8");
  private text = "";
  bytes = 0;
  constructor(private readonly stream: boolean) {}
  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.stream) this.text += this.decoder.write(chunk);
    else this.chunks.push(chunk);
  }
  result(): string {
    return this.stream ? this.text + this.decoder.end() : Buffer.concat(this.chunks).toString("utf8");
  }
}

/**
 * Spawn `file args…` and collect its output. Options: `timeoutMs` (kill the process group, resolve with
 * `timedOut: true` and the partial output), `input` (written to stdin), `stream` (popen style: decode stdout as it
 * arrives; same result), `env` (merged over the inherited environment; `LC_ALL=C` always), `signal` (abort = kill),
 * `maxBuffer`, `killGraceMs`.
 */
export const nodeExecutor: Executor = (file: string, args: readonly string[], opts: RunOptions = {}) =>
  new Promise<RunOutcome>((resolve, reject) => {
    const maxBuffer = opts.maxBuffer ?? DEFAULT_MAX_BUFFER;
    const grace = opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file, [...args], {
        shell: false,
        detached: true,
        env: { ...process.env, ...opts.env, LC_ALL: "C" },
        stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      });
    } catch (e) {
      reject(spawnError(file, e));
      return;
    }
    const out = new Collector(opts.stream === true);
    const err = new Collector(false);
    let timedOut = false;
    let overflow = false;
    let aborted = false;
    let settled = false;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    const timers: NodeJS.Timeout[] = [];

    const terminate = (): void => {
      killGroup(child.pid, "SIGTERM");
      timers.push(
        setTimeout(() => {
          killGroup(child.pid, "SIGKILL");
          // A process that escaped the group (setsid) may still hold our pipes: stop waiting for them.
          timers.push(
            setTimeout(() => {
              child.stdout?.destroy();
              child.stderr?.destroy();
              finish();
            }, grace),
          );
        }, grace),
      );
    };

    const onAbort = (): void => {
      aborted = true;
      terminate();
    };

    const finish = (): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      // After a timeout/abort, make sure nothing of the group outlives the result (no-op when all are gone).
      if (timedOut || aborted || overflow) killGroup(child.pid, "SIGKILL");
      opts.signal?.removeEventListener("abort", onAbort);
      if (aborted) {
        reject(new IptablesParseError("IPT_EXEC_FAILED", `[*] ${file} aborted.`, { argv: [file, ...args] }));
        return;
      }
      if (overflow) {
        reject(
          new IptablesParseError("IPT_EXEC_FAILED", `[*] ${file} output exceeds ${maxBuffer} bytes.`, {
            argv: [file, ...args],
            maxBuffer,
          }),
        );
        return;
      }
      resolve({
        stdout: out.result(),
        stderr: err.result(),
        exitCode,
        signal: exitSignal,
        timedOut,
        ...(child.pid === undefined ? {} : { pid: child.pid }),
      });
    };

    const onData = (c: Collector) => (chunk: Buffer) => {
      if (overflow) return;
      c.push(chunk);
      if (out.bytes + err.bytes > maxBuffer) {
        overflow = true;
        terminate();
      }
    };
    child.stdout?.on("data", onData(out));
    child.stderr?.on("data", onData(err));

    child.on("error", (e) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      reject(spawnError(file, e));
    });
    child.on("exit", (code, signal) => {
      exitCode = code;
      exitSignal = signal;
    });
    child.on("close", (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      finish();
    });

    if (opts.input !== undefined && child.stdin) {
      child.stdin.on("error", () => {
        // EPIPE: the child exited without reading its input; its exit status tells the story.
      });
      child.stdin.end(opts.input);
    }
    if (opts.timeoutMs !== undefined && opts.timeoutMs > 0) {
      timers.push(
        setTimeout(() => {
          timedOut = true;
          terminate();
        }, opts.timeoutMs),
      );
    }
    if (opts.signal) {
      if (opts.signal.aborted) onAbort();
      else opts.signal.addEventListener("abort", onAbort, { once: true });
    }
  });

function spawnError(file: string, e: unknown): IptablesParseError {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === "ENOENT") {
    return new IptablesParseError("IPT_BINARY_NOT_FOUND", `[*] ${file} incorrect path.`, { file, errno: code }, e);
  }
  if (code === "EACCES" || code === "ENOEXEC" || code === "EISDIR") {
    return new IptablesParseError("IPT_BINARY_NOT_EXECUTABLE", `[*] ${file} not executable.`, { file, errno: code }, e);
  }
  return new IptablesParseError(
    "IPT_EXEC_FAILED",
    `[*] Could not execute ${file}: ${(e as Error)?.message ?? String(e)}`,
    { file, errno: code },
    e,
  );
}
