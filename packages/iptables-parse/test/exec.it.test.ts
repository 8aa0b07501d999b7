/**
 * Integration tests of the execution layer: fake binaries (timeouts, the spec §5.1 behaviour table, firewalld,
 * missing binaries — no root needed) and real iptables 1.8.9 in throwaway namespaces on both backends (every
 * execution style, typed errors, xtables lock contention, the legacy-tables warning).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fc } from "@fast-check/vitest";
import { createNetns, missingFor, type Netns, skipWithReason } from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isIptablesParseError } from "../src/errors.ts";
import { IptablesParse } from "../src/iptables-parse.ts";
import type { ExecStyle, SuccessRule } from "../src/types.ts";
import { chainNameProblem } from "../src/validate-names.ts";
import { type Backend, groupMembers, holdLock, loadSpecRuleset, makeWrappers } from "./it-support.ts";

const FILTER_V4 = readFileSync(new URL("./fixtures/spec-filter-v4.vnL-ln.txt", import.meta.url), "utf8");
const FILTER_V6 = readFileSync(new URL("./fixtures/spec-filter-v6.vnL-ln.txt", import.meta.url), "utf8");
const linesOf = (t: string) => t.replace(/\n$/, "").split("\n");

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return isIptablesParseError(e) ? e.code : `other: ${String(e)}`;
  }
  return undefined;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "fwkit-exec-it-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fake `iptables` that answers --version like 1.8.9 and runs `body` for anything else. */
function fakeIptables(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(
    p,
    `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "iptables v1.8.9 (nf_tables)"; exit 0; fi\n${body}\n`,
  );
  chmodSync(p, 0o755);
  return p;
}

describe("fake binaries: the spec §5.1 behaviour table, with the Perl bugs fixed", () => {
  it("waitpid: a hung command is killed with its whole process group after ipt_alarm and reported, never success", async () => {
    const pidFile = join(dir, "hung.pid");
    const bin = fakeIptables("iptables", `echo partial-out; echo $$ > ${pidFile}; sleep 30; echo late-out`);
    for (const successRule of ["strict", "compat"] as SuccessRule[]) {
      const seen: unknown[] = [];
      const ipt = await IptablesParse.create({
        iptables: bin,
        iptAlarm: 1,
        successRule,
        sigchldHandler: (pid, code, sig) => void seen.push([pid, code, sig]),
      });
      const t0 = performance.now();
      const r = await ipt.run(["-t", "filter", "-n", "-L", "INPUT"]);
      const elapsed = performance.now() - t0;
      // Perl: rv 1 here (empty stderr) and the real command keeps running as an orphan.
      expect(r).toMatchObject({ rv: 0, timedOut: true, code: "IPT_TIMEOUT", out: ["partial-out"], err: [] });
      expect(elapsed).toBeGreaterThanOrEqual(950);
      expect(elapsed).toBeLessThan(2500);
      const pgid = Number(readFileSync(pidFile, "utf8"));
      // the `sleep 30` grandchild is gone too (allow the kernel a moment to finish reaping it)
      for (let i = 0; i < 50 && groupMembers(pgid).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(groupMembers(pgid)).toEqual([]);
      expect(seen).toHaveLength(2); // probe + the hung command
      expect(seen[1]).toEqual([pgid, null, "SIGTERM"]);
      process.stderr.write(
        `[timing] ${successRule}: hung command reported after ${elapsed.toFixed(0)} ms (ipt_alarm 1 s)\n`,
      );
    }
  });

  it("system and popen have no timer: the same slow command completes with all its output", async () => {
    const bin = fakeIptables("slow-iptables", "echo partial-out; echo partial-err >&2; sleep 1.5; echo late-out");
    const times: Record<string, number> = {};
    for (const style of ["waitpid", "system", "popen"] as ExecStyle[]) {
      const ipt = await IptablesParse.create({ iptables: bin, iptAlarm: 1, iptExecStyle: style });
      const t0 = performance.now();
      const r = await ipt.run(["-L"]);
      times[style] = performance.now() - t0;
      if (style === "waitpid") {
        expect(r).toMatchObject({ rv: 0, timedOut: true, out: ["partial-out"], err: ["partial-err"] });
      } else {
        expect(r).toMatchObject({ rv: 1, timedOut: false, out: ["partial-out", "late-out"], err: ["partial-err"] });
        expect(times[style]).toBeGreaterThanOrEqual(1400);
      }
    }
    expect(times.waitpid).toBeLessThan(times.system as number);
  });

  it("exit status vs stderr: strict follows the exit status, compat reproduces Perl's empty-stderr rule", async () => {
    const exit3 = fakeIptables("exit3", "echo out; exit 3");
    const warn0 = fakeIptables("warn0", "echo a warning >&2; echo out; exit 0");
    const succ = fakeIptables("succ", "echo line; echo success");
    for (const [bin, strict, compat] of [
      [exit3, 0, 1],
      [warn0, 1, 0],
      [succ, 1, 1],
    ] as const) {
      const s = await IptablesParse.create({ iptables: bin });
      const c = await IptablesParse.create({ iptables: bin, successRule: "compat" });
      expect((await s.run(["-L"])).rv).toBe(strict);
      expect((await c.run(["-L"])).rv).toBe(compat);
    }
    // Perl strips a trailing `success` line from any binary's output (compat), strict only for firewall-cmd
    const c = await IptablesParse.create({ iptables: succ, successRule: "compat" });
    expect((await c.run(["-L"])).out).toEqual(["line"]);
  });

  it("argv reaches the binary verbatim: no backslashes, no globbing (Perl: `a \\(b\\) \\& c\\; d`, `X\\$Y`, file names)", async () => {
    const bin = fakeIptables("argv", `for a in "$@"; do printf '%s\\n' "$a"; done`);
    const ipt = await IptablesParse.create({ iptables: bin, locklessIptExec: true });
    const r = await ipt.execIptables(`${bin} -A INPUT -m comment --comment "a (b) & c; d" -s 'X$Y' *`);
    expect(r.out).toEqual(["-A", "INPUT", "-m", "comment", "--comment", "a (b) & c; d", "-s", "X$Y", "*"]);
    const direct = await ipt.run(["--comment", 'it\'s "quoted" $(id)']);
    expect(direct.out).toEqual(["--comment", 'it\'s "quoted" $(id)']);
  });

  it("iptables missing or not executable: typed errors", async () => {
    const e1 = await IptablesParse.create({ iptables: join(dir, "nope", "iptables") }).catch((e: unknown) => e);
    expect(isIptablesParseError(e1) && [e1.code, e1.message]).toEqual([
      "IPT_BINARY_NOT_FOUND",
      `[*] ${join(dir, "nope", "iptables")} incorrect path.`,
    ]);
    const noexec = join(dir, "iptables-noexec");
    writeFileSync(noexec, "#!/bin/sh\n");
    chmodSync(noexec, 0o644);
    expect(await codeOf(IptablesParse.create({ iptables: noexec }))).toBe("IPT_BINARY_NOT_EXECUTABLE");
    // with skipIptExecCheck nothing is checked up front: the first command reports the missing binary
    const skip = await IptablesParse.create({ iptables: join(dir, "gone", "iptables"), skipIptExecCheck: true });
    expect(await codeOf(skip.run(["-L"]))).toBe("IPT_BINARY_NOT_FOUND");
    expect(await codeOf(skip.chainRules("filter", "INPUT"))).toBe("IPT_BINARY_NOT_FOUND");
  });

  it("firewalld passthrough mode with a fake firewall-cmd (argv recorded, `success` printed)", async () => {
    const log = join(dir, "fwcmd.log");
    writeFileSync(log, "");
    const fw = join(dir, "firewall-cmd");
    writeFileSync(
      fw,
      `#!/bin/sh
printf '%s\\n' "$*" >> ${log}
case "$*" in
  *" -L INPUT --line-numbers"*) cat ${join(dir, "listing.txt")} ;;
  *"-N EXISTS"*) echo "Error: COMMAND_FAILED: '/usr/sbin/iptables -w10 -t filter -N EXISTS' failed: iptables: Chain already exists." >&2; exit 13 ;;
  *"-L INPUT"*) echo "Chain INPUT (policy ACCEPT)" ;;
  *) echo success ;;
esac
`,
    );
    chmodSync(fw, 0o755);
    writeFileSync(join(dir, "listing.txt"), FILTER_V4.split("\n\n")[0] as string);
    const ipt = await IptablesParse.create({ firewallCmd: fw });
    expect(ipt.cmd).toEqual([fw, "--direct", "--passthrough", "ipv4", "-w"]);
    expect(await ipt.run(["-t", "filter", "-N", "NEW"])).toMatchObject({ rv: 1, out: [] });
    const failed = await ipt.run(["-t", "filter", "-N", "EXISTS"]);
    expect(failed).toMatchObject({ rv: 0, code: "IPT_CHAIN_EXISTS", exitCode: 13 });
    expect((await ipt.chainRules("filter", "INPUT")).map((r) => r.target)).toHaveLength(14);
    const v6 = await IptablesParse.create({ firewallCmd: fw, useIpv6: true });
    expect(v6.ipv6).toBe(true);
    await v6.run(["-t", "filter", "-n", "-L", "OUTPUT"]);
    expect(readFileSync(log, "utf8").trim().split("\n")).toEqual([
      "--direct --passthrough ipv4 -w -t filter -n -L INPUT",
      "--direct --passthrough ipv4 -w -t filter -N NEW",
      "--direct --passthrough ipv4 -w -t filter -N EXISTS",
      "--direct --passthrough ipv4 -w -t filter -v -n -L INPUT --line-numbers",
      "--direct --passthrough ipv6 -w -t filter -n -L INPUT",
      "--direct --passthrough ipv6 -w -t filter -n -L OUTPUT",
    ]);
  });
});

const netnsReason = missingFor([
  "iptables-nft",
  "iptables-legacy",
  "ip6tables-nft",
  "ip6tables-legacy",
  "iptables-nft-restore",
  "iptables-legacy-restore",
  "flock",
  "setpriv",
]);

describe.skipIf(skipWithReason("iptables exec netns tests", netnsReason))("real iptables 1.8.9 in a namespace", () => {
  const spaces: Netns[] = [];
  afterAll(async () => {
    for (const ns of spaces) await ns.destroy();
  });

  async function setup(backend: Backend, load = true) {
    const ns = await createNetns(`ex${backend.slice(0, 3)}`);
    spaces.push(ns);
    const wdir = mkdtempSync(join(dir, `${backend}-`));
    const w = makeWrappers(ns, backend, wdir);
    if (load) await loadSpecRuleset(ns, backend);
    return { ns, w };
  }

  for (const backend of ["nft", "legacy"] as Backend[]) {
    describe(`${backend} backend`, () => {
      let ctx: Awaited<ReturnType<typeof setup>>;
      beforeAll(async () => {
        ctx = await setup(backend);
      });

      it("probes --version once and appends -w <seconds> (IPv4 and IPv6)", async () => {
        const v4 = await IptablesParse.create({ iptables: ctx.w.v4 });
        expect(v4.cmd).toEqual([ctx.w.v4, "-w", "30"]);
        expect(v4.iptablesVersion).toMatchObject({
          version: "1.8.9",
          backend: backend === "nft" ? "nf_tables" : "legacy",
        });
        const v6 = await IptablesParse.create({ iptables: ctx.w.v6 });
        expect(v6.ipv6).toBe(true);
        expect(v6.cmd).toEqual([ctx.w.v6, "-w", "30"]);
      });

      for (const style of ["waitpid", "system", "popen"] as ExecStyle[]) {
        it(`${style}: lists the real ruleset byte-for-byte as recorded in the spec (IPv4 and IPv6)`, async () => {
          const pids: number[] = [];
          for (const [bin, text] of [
            [ctx.w.v4, FILTER_V4],
            [ctx.w.v6, FILTER_V6],
          ] as const) {
            const ipt = await IptablesParse.create({
              iptables: bin,
              iptExecStyle: style,
              sigchldHandler: (pid, code) => {
                expect(code).toBe(0);
                pids.push(pid);
              },
            });
            const r = await ipt.run(["-t", "filter", "-v", "-n", "-L", "--line-numbers"]);
            expect(r).toMatchObject({ rv: 1, exitCode: 0, timedOut: false, err: [] });
            expect(r.out).toEqual(linesOf(text));
          }
          expect(pids.length).toBe(style === "waitpid" ? 4 : 0);
        });
      }

      it("classifies real failures into typed codes", async () => {
        const ipt = await IptablesParse.create({ iptables: ctx.w.v4 });
        const code = async (...args: string[]) => (await ipt.run(args)).code;
        expect(await code("-t", "filter", "-N", "CUSTOM")).toBe("IPT_CHAIN_EXISTS");
        expect(await code("-t", "filter", "-X", "CUSTOM")).toBe("IPT_CHAIN_IN_USE");
        expect(await code("-t", "filter", "-n", "-L", "NOPE")).toBe("IPT_CHAIN_NOT_FOUND");
        expect(await code("-t", "filter", "-P", "CUSTOM", "DROP")).toBe("IPT_BAD_BUILTIN_CHAIN");
        expect(await code("-t", "filter", "-D", "INPUT", "99")).toBe("IPT_RULE_NOT_FOUND");
        expect(await code("-t", "filter", "-C", "INPUT", "-s", "9.9.9.9", "-j", "DROP")).toBe("IPT_RULE_NOT_FOUND");
        expect(await code("-t", "filter", "-A", "INPUT", "-j", "NOPE")).toBe("IPT_CHAIN_NOT_FOUND");
        expect(await code("-t", "filter", "-N", "ACCEPT")).toBe("IPT_INVALID_NAME");
        expect(await code("-t", "filter", "-C", "INPUT", "-i", "lo", "-j", "ACCEPT")).toBeUndefined();
        const v6 = await IptablesParse.create({ iptables: ctx.w.v6 });
        expect((await v6.run(["-t", "filter", "-N", "CUSTOM6"])).rv).toBe(1);
        expect((await v6.run(["-t", "filter", "-N", "CUSTOM6"])).code).toBe("IPT_CHAIN_EXISTS");
        expect((await v6.run(["-t", "filter", "-X", "CUSTOM6"])).rv).toBe(1);
      });
    });
  }

  it("validateChainName agrees with real iptables -N on generated names (differential, both backends)", async () => {
    const alphabet = fc.constantFrom("a", "Z", "0", "-", "!", " ", "\t", ".", "~", "é", "$", "*", "[", "'", '"', "_");
    const names = [
      "",
      "x".repeat(28),
      "x".repeat(29),
      "é".repeat(14),
      "é".repeat(15),
      "SC~!@#^%&$*-[]+={}-test",
      ...fc.sample(
        fc.array(alphabet, { minLength: 1, maxLength: 32 }).map((a) => a.join("")),
        { numRuns: 60, seed: 42 },
      ),
    ];
    for (const backend of ["nft", "legacy"] as Backend[]) {
      const { ns } = await setup(backend, false);
      const disagreements: string[] = [];
      let accepted = 0;
      for (const name of names) {
        const r = await ns.exec(`/usr/sbin/iptables-${backend}`, ["-t", "filter", "-N", name]);
        if (r.code === 0) accepted++;
        if (r.code === 0) await ns.exec(`/usr/sbin/iptables-${backend}`, ["-t", "filter", "-X", name]);
        const ours = chainNameProblem(name) === undefined;
        if (ours !== (r.code === 0))
          disagreements.push(`${JSON.stringify(name)}: iptables ${r.code} ${r.stderr.trim()}`);
      }
      expect(disagreements).toEqual([]);
      expect(accepted).toBeGreaterThan(5);
      expect(names.length - accepted).toBeGreaterThan(5);
    }
  });

  it("lock contention (legacy): -w N waits for the xtables lock, then gives up with IPT_LOCK_TIMEOUT", async () => {
    const { ns, w } = await setup("legacy", false);
    // 1. a short wait gives up: iptables-legacy exits 4 with "Another app is currently holding the xtables lock"
    const short = await IptablesParse.create({ iptables: w.v4, lockWait: 1 });
    expect(short.cmd).toEqual([w.v4, "-w", "1"]);
    let hold = await holdLock(ns, w.lockFile, 4);
    let t0 = performance.now();
    const r = await short.run(["-t", "filter", "-n", "-L", "INPUT"]);
    const shortMs = performance.now() - t0;
    expect(r).toMatchObject({ rv: 0, code: "IPT_LOCK_TIMEOUT", exitCode: 4, timedOut: false });
    expect(r.err.join("\n")).toContain("Another app is currently holding the xtables lock. Stopped waiting after 1s.");
    expect(shortMs).toBeGreaterThanOrEqual(900);
    expect(shortMs).toBeLessThan(2500);
    // ip6tables-legacy shares the xtables lock
    const short6 = await IptablesParse.create({ iptables: w.v6, lockWait: 1 });
    const r6 = await short6.run(["-t", "filter", "-n", "-L", "INPUT"]);
    expect(r6).toMatchObject({ rv: 0, code: "IPT_LOCK_TIMEOUT", exitCode: 4 });
    // 2. a long enough wait succeeds once the holder releases the lock
    const long = await IptablesParse.create({ iptables: w.v4, lockWait: 10 });
    t0 = performance.now();
    const ok = await long.run(["-t", "filter", "-n", "-L", "INPUT"]);
    const longMs = performance.now() - t0;
    expect(ok).toMatchObject({ rv: 1, exitCode: 0 });
    await hold.released;
    // 3. without -w (lockless) iptables-legacy 1.8.9 blocks indefinitely: only ipt_alarm ends it
    const lockless = await IptablesParse.create({ iptables: w.v4, locklessIptExec: true, iptAlarm: 1 });
    hold = await holdLock(ns, w.lockFile, 3);
    t0 = performance.now();
    const blocked = await lockless.run(["-t", "filter", "-n", "-L", "INPUT"]);
    const blockedMs = performance.now() - t0;
    expect(blocked).toMatchObject({ rv: 0, timedOut: true, code: "IPT_TIMEOUT" });
    await hold.released;
    // 4. iptables-nft takes no xtables lock: the same held lock file does not delay it
    const nft = await setup("nft", false);
    const nftIpt = await IptablesParse.create({ iptables: nft.w.v4, lockWait: 1 });
    hold = await holdLock(nft.ns, nft.w.lockFile, 2);
    t0 = performance.now();
    expect((await nftIpt.run(["-t", "filter", "-n", "-L", "INPUT"])).rv).toBe(1);
    const nftMs = performance.now() - t0;
    expect(nftMs).toBeLessThan(1500); // blocked would mean ≥ 2000 ms
    await hold.released;
    process.stderr.write(
      `[timing] lock: -w 1 gave up after ${shortMs.toFixed(0)} ms; -w 10 got the lock after ${longMs.toFixed(0)} ms; ` +
        `lockless killed after ${blockedMs.toFixed(0)} ms; nft unaffected (${nftMs.toFixed(0)} ms)\n`,
    );
  });

  it("not root: iptables' permission errors come back as IPT_PERMISSION_DENIED (both backends, IPv4 and IPv6)", async () => {
    const { ns } = await setup("nft", false);
    for (const name of ["iptables-nft", "ip6tables-nft", "iptables-legacy", "ip6tables-legacy"]) {
      const bin = join(mkdtempSync(join(dir, "nobody-")), name);
      writeFileSync(
        bin,
        `#!/bin/sh\nexec ip netns exec ${ns.name} setpriv --reuid=65534 --regid=65534 --clear-groups /usr/sbin/${name} "$@"\n`,
      );
      chmodSync(bin, 0o755);
      const ipt = await IptablesParse.create({ iptables: bin });
      expect(ipt.cmd).toEqual([bin, "-w", "30"]); // --version works unprivileged
      expect((await ipt.run(["-t", "filter", "-n", "-L", "INPUT"])).code).toBe("IPT_PERMISSION_DENIED");
      expect(await codeOf(ipt.chainRules("filter", "INPUT"))).toBe("IPT_PERMISSION_DENIED");
    }
  });

  it("legacy tables present in the same namespace: the warning is harmless in strict mode (Perl: every listing fails)", async () => {
    const { ns, w } = await setup("nft");
    await loadSpecRuleset(ns, "legacy");
    const strict = await IptablesParse.create({ iptables: w.v4 });
    expect(strict.cmd).toEqual([w.v4, "-w", "30"]); // Perl: no -w, the probe "failed" on the warning
    const r = await strict.run(["-t", "filter", "-v", "-n", "-L", "--line-numbers"]);
    expect(r.err).toEqual(["# Warning: iptables-legacy tables present, use iptables-legacy to see them"]);
    expect(r).toMatchObject({ rv: 1, exitCode: 0 });
    expect(r.out).toEqual(linesOf(FILTER_V4));
    expect(await strict.chainPolicy("filter", "INPUT")).toBe("DROP");
    const exists = await strict.run(["-t", "filter", "-N", "CUSTOM"]);
    expect(exists.code).toBe("IPT_CHAIN_EXISTS");
    const compat = await IptablesParse.create({ iptables: w.v4, successRule: "compat" });
    expect((await compat.run(["-t", "filter", "-n", "-L", "INPUT"])).rv).toBe(0); // Perl's behaviour, reproduced
    const v6 = await IptablesParse.create({ iptables: w.v6 });
    const r6 = await v6.run(["-t", "filter", "-n", "-L", "INPUT"]);
    expect(r6).toMatchObject({
      rv: 1,
      err: ["# Warning: ip6tables-legacy tables present, use ip6tables-legacy to see them"],
    });
  });
});
