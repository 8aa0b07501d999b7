/**
 * The demo's exec layer: argv arrays only (execFile / spawn, never a shell), `LC_ALL=C`, timeouts, and long-running
 * children in their own process group so that teardown can stop them and everything they started.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** Outcome of one command. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit status (1 when the command could not be run or was killed). */
  code: number;
  timedOut: boolean;
}

/** Options of one {@link Exec} call. */
export interface ExecOptions {
  timeoutMs?: number;
  input?: string;
  /** Aborting it kills the command (SIGKILL). */
  signal?: AbortSignal;
}

/** Run `file args…` to completion; never throws for a failing command. */
export type Exec = (file: string, args: readonly string[], opts?: ExecOptions) => Promise<ExecResult>;

/** Environment of every child: the caller's, with a C locale (parsable messages). */
function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: "C" };
}

/** The real {@link Exec}: `execFile` with an argv array, a timeout (default 30 s) and a C locale. */
export const nodeExec: Exec = (file, args, opts = {}) =>
  new Promise((resolve) => {
    const child = execFile(
      file,
      [...args],
      {
        timeout: opts.timeoutMs ?? 30_000,
        maxBuffer: 64 * 1024 * 1024,
        env: childEnv(),
        killSignal: "SIGKILL",
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: unknown; killed?: boolean }) | null;
        resolve({
          stdout: String(stdout),
          stderr: String(stderr) || (e && typeof e.code !== "number" ? e.message : ""),
          code: e ? (typeof e.code === "number" ? e.code : 1) : 0,
          timedOut: Boolean(e?.killed),
        });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });

/** The argv prefix that runs a command inside network namespace `ns`. */
export function netnsArgv(ns: string, file: string, args: readonly string[]): [string, string[]] {
  return ["ip", ["netns", "exec", ns, file, ...args]];
}

/** An {@link Exec} whose commands are killed when `signal` aborts. */
export function execWithSignal(exec: Exec, signal: AbortSignal): Exec {
  return (file, args, opts) => exec(file, args, { ...opts, signal });
}

/** An {@link Exec} whose commands run inside network namespace `ns` (`ip netns exec NS …`). */
export function execIn(exec: Exec, ns: string): Exec {
  return (file, args, opts) => {
    const [f, a] = netnsArgv(ns, file, args);
    return exec(f, a, opts);
  };
}

/** A long-running child started by {@link startChild}. */
export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** Everything the child wrote so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit status once the child has exited. */
  readonly exited: Promise<number>;
  /** Resolve when `re` matches the child's output (stdout + stderr), reject on exit or after `timeoutMs`. */
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** SIGTERM to the whole process group, SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Start a long-running child (argv, no shell) in its own process group.
 * @param name - label used in messages
 */
export function startChild(name: string, file: string, args: readonly string[]): Child {
  const proc = spawn(file, [...args], { env: childEnv(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of [...listeners]) l();
  };
  proc.stdout?.on("data", (d: Buffer) => {
    out += d.toString("utf8");
    notify();
  });
  proc.stderr?.on("data", (d: Buffer) => {
    err += d.toString("utf8");
    notify();
  });
  let exitCode: number | undefined;
  const exited = new Promise<number>((resolve) => {
    proc.on("error", (e) => {
      err += `${e.message}\n`;
      exitCode = 127;
      notify();
      resolve(127);
    });
    proc.on("exit", (code, signal) => {
      exitCode = code ?? (signal ? 128 : 1);
      notify();
      resolve(exitCode);
    });
  });
  const killGroup = (sig: NodeJS.Signals) => {
    if (proc.pid === undefined || exitCode !== undefined) return;
    try {
      process.kill(-proc.pid, sig);
    } catch {
      /* already gone */
    }
  };
  return {
    name,
    process: proc,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(re, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(`${out}\n${err}`);
          if (m) {
            done();
            resolve(m);
          } else if (exitCode !== undefined) {
            done();
            reject(
              new Error(`${name} exited (${exitCode}) before ${re}: ${err.trim().split("\n").slice(-3).join(" | ")}`),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${name}: no ${re} within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async stop(graceMs = 2000) {
      if (exitCode !== undefined || proc.pid === undefined) return;
      killGroup("SIGTERM");
      const t = setTimeout(() => killGroup("SIGKILL"), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Sleep `ms`, or less when `signal` aborts (then it rejects with the abort reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Whether `name` is an executable on PATH (or in /usr/sbin, /sbin). */
export function onPath(name: string): boolean {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin", "/usr/bin", "/bin"];
  return dirs.some((d) => {
    if (!d) return false;
    try {
      accessSync(join(d, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
