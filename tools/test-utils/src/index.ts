/**
 * Test helpers shared by the fwkit packages (private, raw TS).
 * Integration tests use these to run real iptables / reference tools inside throwaway network namespaces,
 * and to skip with a one-line reason when the machine lacks root, `ip netns` or a tool.
 */
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, chmodSync, constants, existsSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Outcome of running a command. */
export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Run `file args…` (no shell), never throwing on non-zero exit. */
export function run(
  file: string,
  args: readonly string[],
  opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const child = execFile(
      file,
      args as string[],
      {
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, LC_ALL: "C", ...opts.env },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolvePromise({ stdout: String(stdout), stderr: String(stderr), code });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Absolute path of `name` on PATH (plus /usr/sbin and /sbin), or undefined. */
export function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin", "/usr/bin", "/bin"];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

let netnsCache: string | null | undefined;

/** Why network-namespace tests cannot run here, or `null` when they can (root + working `ip netns`). */
export function netnsUnavailableReason(): string | null {
  if (netnsCache !== undefined) return netnsCache;
  if (process.getuid?.() !== 0) netnsCache = "needs root (ip netns)";
  else if (!which("ip")) netnsCache = "needs iproute2 (`ip`)";
  else {
    const name = `fwkit-probe-${randomBytes(3).toString("hex")}`;
    try {
      execFileSync("ip", ["netns", "add", name], { stdio: "pipe" });
      execFileSync("ip", ["netns", "del", name], { stdio: "pipe" });
      netnsCache = null;
    } catch (e) {
      netnsCache = `cannot create a network namespace: ${(e as Error).message.split("\n")[0]}`;
    }
  }
  return netnsCache;
}

/** Why a test needing netns and every binary in `tools` cannot run, or `null` when it can. */
export function missingFor(tools: readonly string[] = [], needNetns = true): string | null {
  if (needNetns) {
    const r = netnsUnavailableReason();
    if (r) return r;
  }
  const missing = tools.filter((t) => !which(t));
  return missing.length ? `needs ${missing.join(", ")} (not installed)` : null;
}

/**
 * Print the one-line skip reason (to stderr, outside library code) and return whether to skip.
 * Use as `describe.skipIf(skipWithReason("iptables netns tests", missingFor(["iptables"])))`.
 */
export function skipWithReason(what: string, reason: string | null): boolean {
  if (reason) process.stderr.write(`[skip] ${what}: ${reason}\n`);
  return reason !== null;
}

/** A throwaway network namespace. */
export interface Netns {
  readonly name: string;
  /** Run a command inside the namespace (argv, no shell). */
  exec(file: string, args: readonly string[], opts?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  /** Run and throw when the exit code is non-zero. */
  execOk(file: string, args: readonly string[], opts?: { input?: string; timeoutMs?: number }): Promise<string>;
  /** Delete the namespace (idempotent). */
  destroy(): Promise<void>;
}

/** Create a namespace `fwkit-<tag>-<rand>` with loopback up. Always `destroy()` it (afterAll/finally). */
export async function createNetns(tag = "t"): Promise<Netns> {
  const name = `fwkit-${tag}-${randomBytes(4).toString("hex")}`.slice(0, 40);
  const add = await run("ip", ["netns", "add", name]);
  if (add.code !== 0) throw new Error(`ip netns add ${name} failed: ${add.stderr}`);
  await run("ip", ["-n", name, "link", "set", "lo", "up"]);
  let destroyed = false;
  const ns: Netns = {
    name,
    exec: (file, args, opts) => run("ip", ["netns", "exec", name, file, ...args], opts),
    async execOk(file, args, opts) {
      const r = await ns.exec(file, args, opts);
      if (r.code !== 0) throw new Error(`${file} ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await run("ip", ["netns", "del", name]);
    },
  };
  return ns;
}

/** Backend of the real binaries. */
export type Backend = "nft" | "legacy";

/** Paths of the wrapper scripts for one namespace and backend. */
export interface Wrappers {
  v4: string;
  v6: string;
  lockFile: string;
}

/** Real binary names of the wrappers made by {@link makeWrappers}. */
const TOOLS = ["iptables", "ip6tables", "iptables-save", "ip6tables-save", "iptables-restore", "ip6tables-restore"];

/**
 * Write `<dir>/<tool>-<backend>` wrappers (`iptables-nft`, `ip6tables-legacy-save`, …) that exec the real
 * `/usr/sbin/<name>` inside `ns` with `XTABLES_LOCKFILE=<dir>/xtables.lock`, so the lock tests never hold the
 * host's /run/xtables.lock. The names keep IptablesParse's family detection and sibling resolution working.
 */
export function makeWrappers(ns: Netns, backend: Backend, dir: string): Wrappers {
  const lockFile = join(dir, "xtables.lock");
  writeFileSync(lockFile, "");
  for (const tool of TOOLS) {
    const [base, suffix] = tool.includes("-") ? tool.split(/-(.*)/) : [tool, ""];
    const name = `${base}-${backend}${suffix ? `-${suffix}` : ""}`;
    const path = join(dir, name);
    writeFileSync(
      path,
      `#!/bin/sh\nexec ip netns exec ${ns.name} env XTABLES_LOCKFILE=${lockFile} /usr/sbin/${name} "$@"\n`,
    );
    chmodSync(path, 0o755);
  }
  return { v4: join(dir, `iptables-${backend}`), v6: join(dir, `ip6tables-${backend}`), lockFile };
}

const here = dirname(fileURLToPath(import.meta.url));
/** The monorepo root. */
export const repoRoot: string = resolve(here, "../../..");

/** `../shared/corpus/<sub>` next to the repo, or undefined when absent (tests then skip with a reason). */
export function corpusPath(sub = ""): string | undefined {
  for (const base of [resolve(repoRoot, "../shared/corpus"), resolve(repoRoot, "shared/corpus")]) {
    if (existsSync(base)) return join(base, sub);
  }
  return undefined;
}

/** `../shared/spec/<file>` next to the repo, or undefined. */
export function specPath(file: string): string | undefined {
  const p = resolve(repoRoot, "../shared/spec", file);
  return existsSync(p) ? p : undefined;
}

export {
  type BenchResult,
  benchRatio,
  benchResultsDir,
  formatBenchTable,
  higherIsBetter,
  readBenchResults,
  recordBenchResult,
  type StoredBenchResult,
} from "./bench-report.ts";
