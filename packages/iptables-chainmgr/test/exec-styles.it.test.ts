/**
 * The three execution models of spec §5 (waitpid / system / popen), provided by @fwkit/iptables-parse and exercised
 * here through ChainMgr against a fake `iptables` shell script (no root needed). Reproduces the §5.1 behaviour table
 * with the port's fixes: exit status counts (strict), timeouts are failures and kill the whole process group,
 * arguments reach the binary literally (no shell).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExecStyle, SuccessRule } from "@fwkit/iptables-parse";
import { missingFor, skipWithReason } from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainMgr } from "../src/index.ts";
import { IptablesParse } from "./support/ipt.ts";

const reason = missingFor(["sh", "sleep"], false);
const STYLES: ExecStyle[] = ["waitpid", "system", "popen"];

describe.skipIf(skipWithReason("chainmgr exec styles (fake binary)", reason))(
  "execution models through ChainMgr",
  () => {
    let dir: string;
    let bin: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "fwkit-fake-"));
      bin = join(dir, "iptables");
      // Behaviour chosen by the chain name (last argument of `-t T -v -n -L C`), args logged one per line.
      writeFileSync(
        bin,
        `#!/bin/sh
if [ "$1" = "--version" ]; then echo "iptables v1.8.9 (nf_tables)"; exit 0; fi
for a in "$@"; do printf '%s\\n' "$a"; done > "${dir}/args.$$"
mv "${dir}/args.$$" "${dir}/args"
for last in "$@"; do :; done
case "$last" in
  SLOW) echo partial-out; echo partial-err >&2; sleep 2; echo late-out ;;
  SLOWQUIET) echo partial-out; ( sleep 2; echo late > "${dir}/orphan-$$" ) & wait ;;
  EXIT3) echo some-out; exit 3 ;;
  WARN) echo "Warning: something odd" >&2; exit 0 ;;
  *) echo "Chain $last (0 references)" ;;
esac
`,
        { mode: 0o755 },
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const mk = async (style: ExecStyle, successRule: SuccessRule = "strict", extra = {}) =>
      new ChainMgr(
        await IptablesParse.create({ iptables: bin, iptExecStyle: style, iptAlarm: 1, successRule, ...extra }),
      );

    it("slow command with stderr: waitpid times out after iptAlarm (rv 0, timedOut, partial output); system/popen wait", async () => {
      const results = await Promise.all(
        STYLES.map(async (style) => {
          const mgr = await mk(style);
          const t0 = performance.now();
          const r = await mgr.chainExists("filter", "SLOW");
          return { style, r, ms: performance.now() - t0 };
        }),
      );
      const [w, s, p] = results;
      expect(w?.r).toMatchObject({
        rv: 0,
        timedOut: true,
        out: ["partial-out"],
        err: ["partial-err"],
        code: "IPT_TIMEOUT",
      });
      expect(w?.ms).toBeLessThan(1900);
      for (const x of [s, p]) {
        expect(x?.r).toMatchObject({
          rv: 1,
          timedOut: false,
          exitCode: 0,
          out: ["partial-out", "late-out"],
          err: ["partial-err"],
        });
        expect(x?.ms).toBeGreaterThanOrEqual(1900);
      }
    });

    it("compat success rule reproduces Perl: rv from stderr only (stderr ⇒ 0; silent exit 3 ⇒ 1)", async () => {
      for (const style of STYLES) {
        const mgr = await mk(style, "compat");
        expect((await mgr.chainExists("filter", "EXIT3")).rv, style).toBe(1);
        expect((await mgr.chainExists("filter", "WARN")).rv, style).toBe(0);
      }
    });

    it("strict success rule (default): exit status decides, stderr warnings do not fail", async () => {
      for (const style of STYLES) {
        const mgr = await mk(style);
        const e3 = await mgr.chainExists("filter", "EXIT3");
        expect([e3.rv, e3.exitCode, e3.code, e3.out], style).toEqual([0, 3, "IPT_EXEC_FAILED", ["some-out"]]);
        const warn = await mgr.chainExists("filter", "WARN");
        expect([warn.rv, warn.err], style).toEqual([1, ["Warning: something odd"]]);
      }
    });

    it("a waitpid timeout kills the whole process group (Perl left the real command running as an orphan)", async () => {
      const mgr = await mk("waitpid");
      const r = await mgr.chainExists("filter", "SLOWQUIET");
      expect([r.rv, r.timedOut]).toEqual([0, true]); // Perl: rv 1 (no stderr)
      await new Promise((res) => setTimeout(res, 2500));
      expect(readdirSync(dir).filter((f) => f.startsWith("orphan-"))).toEqual([]);
    });

    it("sigchldHandler is called per waitpid-style child with (pid, exitCode, signal); iptExecSleep uses the injected sleep", async () => {
      const calls: [number, number | null, string | null][] = [];
      const sleeps: number[] = [];
      const mgr = await mk("waitpid", "strict", {
        sigchldHandler: (pid: number, code: number | null, sig: string | null) => calls.push([pid, code, sig]),
        iptExecSleep: 2,
        sleep: async (ms: number) => {
          sleeps.push(ms);
        },
      });
      await mgr.chainExists("filter", "EXIT3");
      expect(calls.at(-1)?.[1]).toBe(3);
      expect(calls.at(-1)?.[0]).toBeGreaterThan(0);
      expect(sleeps.at(-1)).toBe(2000);
    });

    it.each(STYLES)(
      "%s: rule text reaches iptables literally as argv (no shell, no escaping, no globbing)",
      async (style) => {
        const mgr = await mk(style);
        const comment = 'a (b) & c; d "q" $(id) `x` *';
        await mgr.addIpRule("10.1.2.3", "0.0.0.0/0", -1, "filter", "FAKE", "ACCEPT", { comment, string: "X$Y|3b|" });
        const args = readFileSync(join(dir, "args"), "utf8").split("\n");
        expect(args).toContain(comment);
        expect(args).toContain("X$Y|3b|");
        await mgr.runIptCmd(`${bin} -A FAKE -m comment --comment "a (b) & c; d" -j ACCEPT`);
        expect(readFileSync(join(dir, "args"), "utf8").split("\n")).toContain("a (b) & c; d");
      },
    );
  },
);
