/**
 * Helpers of the integration tests (exec.it.test.ts, iptables-parse.it.test.ts): wrapper "binaries" that run the
 * real iptables inside a throwaway namespace, and the spec §7.1 ruleset loader. Never touches the root namespace.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import type { Backend, Netns } from "@fwkit/test-utils";

export { type Backend, makeWrappers, type Wrappers } from "@fwkit/test-utils";

/** The spec §7.3 `iptables-save -c` / `ip6tables-save -c` texts of the spec §7.1 ruleset (test fixtures). */
export const SPEC_SAVE_V4 = readFileSync(new URL("./fixtures/spec-save-c-v4.txt", import.meta.url), "utf8");
export const SPEC_SAVE_V6 = readFileSync(new URL("./fixtures/spec-save-c-v6.txt", import.meta.url), "utf8");

/** Load the spec §7.1 ruleset (IPv4 and IPv6, with the counters) into `ns` with the real restore binaries. */
export async function loadSpecRuleset(ns: Netns, backend: Backend): Promise<void> {
  await ns.execOk(`/usr/sbin/iptables-${backend}-restore`, ["-c"], { input: SPEC_SAVE_V4 });
  await ns.execOk(`/usr/sbin/ip6tables-${backend}-restore`, ["-c"], { input: SPEC_SAVE_V6 });
}

/** Hold `lockFile` with `flock -x` for `seconds` (inside `ns`, as an iptables user would); resolves once held. */
export async function holdLock(ns: Netns, lockFile: string, seconds: number): Promise<{ released: Promise<void> }> {
  const child = spawn("ip", ["netns", "exec", ns.name, "flock", "-x", lockFile, "sleep", String(seconds)], {
    stdio: "ignore",
  });
  const released = new Promise<void>((res) => child.on("close", () => res()));
  // wait until the lock is really held: `flock -n` fails while it is
  for (let i = 0; i < 200; i++) {
    const free = await new Promise<boolean>((res) => {
      const probe = spawn("flock", ["-n", lockFile, "true"], { stdio: "ignore" });
      probe.on("close", (code) => res(code === 0));
    });
    if (!free) return { released };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`could not observe ${lockFile} held`);
}

/** Process ids whose process group is `pgid` (from /proc), zombies excluded. */
export function groupMembers(pgid: number): number[] {
  const pids: number[] = [];
  for (const e of readdirSafe("/proc")) {
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

function readdirSafe(p: string): string[] {
  try {
    return readdirSync(p);
  } catch {
    return [];
  }
}
