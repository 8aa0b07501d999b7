import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isIptablesParseError } from "../src/errors.ts";
import { nodeExecutor } from "../src/node-executor.ts";

let dir: string;
function script(name: string, body: string, mode = 0o755): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, mode);
  return p;
}

/** Process ids whose process group is `pgid` (from /proc). */
function groupMembers(pgid: number): number[] {
  const pids: number[] = [];
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") pids.push(Number(e));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "fwkit-exec-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("nodeExecutor", () => {
  it("passes argv verbatim (no shell), captures stdout/stderr/exit status, sets LC_ALL=C", async () => {
    const s = script("args", `for a in "$@"; do printf '[%s]\\n' "$a"; done; echo "lc=$LC_ALL" >&2; exit 3`);
    const r = await nodeExecutor(s, ["a b", "$HOME", "*", "x;y", "'q'"], {});
    expect(r.stdout).toBe("[a b]\n[$HOME]\n[*]\n[x;y]\n['q']\n");
    expect(r.stderr).toBe("lc=C\n");
    expect(r.exitCode).toBe(3);
    expect(r.signal).toBeNull();
    expect(r.timedOut).toBe(false);
    expect(typeof r.pid).toBe("number");
  });

  it("writes input to stdin and merges env", async () => {
    const s = script("cat", `cat; echo "v=$FWKIT_X"`);
    const r = await nodeExecutor(s, [], { input: "*filter\nCOMMIT\n", env: { FWKIT_X: "42" } });
    expect(r.stdout).toBe("*filter\nCOMMIT\nv=42\n");
    expect(r.exitCode).toBe(0);
  });

  it("stream (popen) and buffered (system) modes give the same result, multi-byte text intact", async () => {
    const s = script("big", `i=0; while [ $i -lt 2000 ]; do echo "ligne é $i"; i=$((i+1)); done`);
    const a = await nodeExecutor(s, [], { stream: true });
    const b = await nodeExecutor(s, [], {});
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.split("\n")).toHaveLength(2001);
    expect(a.stdout).toContain("ligne é 1999\n");
  });

  it("a timeout kills the whole process group (grandchildren too) and resolves timedOut with partial output", async () => {
    const pidFile = join(dir, "hung.pid");
    const s = script("hung", `echo partial-out; echo partial-err >&2; echo $$ > ${pidFile}; sleep 30; echo late-out`);
    const t0 = performance.now();
    const r = await nodeExecutor(s, [], { timeoutMs: 500, killGraceMs: 200 });
    const elapsed = performance.now() - t0;
    expect(r.timedOut).toBe(true);
    expect(r.stdout).toBe("partial-out\n");
    expect(r.stderr).toBe("partial-err\n");
    expect(r.signal).toBe("SIGTERM");
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(3000);
    const pgid = Number(readFileSync(pidFile, "utf8"));
    expect(pgid).toBe(r.pid);
    expect(groupMembers(pgid)).toEqual([]); // the `sleep 30` grandchild is gone as well
  });

  it("escalates to SIGKILL when SIGTERM is ignored", async () => {
    const s = script("stubborn", `trap '' TERM; echo ready; while :; do sleep 0.05; done`);
    const r = await nodeExecutor(s, [], { timeoutMs: 300, killGraceMs: 200 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe("SIGKILL");
    expect(r.stdout).toBe("ready\n");
    expect(groupMembers(r.pid as number)).toEqual([]);
  });

  it("does not time out a command that finishes in time", async () => {
    const s = script("quick", "echo ok");
    const r = await nodeExecutor(s, [], { timeoutMs: 5000 });
    expect(r).toMatchObject({ stdout: "ok\n", exitCode: 0, timedOut: false });
  });

  it("ENOENT → IPT_BINARY_NOT_FOUND, EACCES → IPT_BINARY_NOT_EXECUTABLE", async () => {
    const e1 = await nodeExecutor(join(dir, "nope"), [], {}).catch((e: unknown) => e);
    expect(isIptablesParseError(e1) && e1.code).toBe("IPT_BINARY_NOT_FOUND");
    const noexec = script("noexec", "echo hi", 0o644);
    const e2 = await nodeExecutor(noexec, [], {}).catch((e: unknown) => e);
    expect(isIptablesParseError(e2) && e2.code).toBe("IPT_BINARY_NOT_EXECUTABLE");
  });

  it("kills the group and rejects when output exceeds maxBuffer", async () => {
    const s = script("flood", "yes flood");
    const e = await nodeExecutor(s, [], { maxBuffer: 64 * 1024, killGraceMs: 200 }).catch((x: unknown) => x);
    expect(isIptablesParseError(e) && e.code).toBe("IPT_EXEC_FAILED");
    expect((e as Error).message).toContain("exceeds");
  });

  it("an AbortSignal kills the group and rejects", async () => {
    const s = script("wait", "sleep 30");
    const ac = new AbortController();
    const p = nodeExecutor(s, [], { signal: ac.signal, killGraceMs: 200 });
    setTimeout(() => ac.abort(), 100);
    const e = await p.catch((x: unknown) => x);
    expect(isIptablesParseError(e) && e.code).toBe("IPT_EXEC_FAILED");
  });

  it("survives a child that exits without reading its stdin", async () => {
    const s = script("noread", "exit 0");
    const r = await nodeExecutor(s, [], { input: "x".repeat(1 << 20) });
    expect(r.exitCode).toBe(0);
  });
});
