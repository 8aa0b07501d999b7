/** `systemd-analyze verify` and `security --offline` on the shipped units (when systemd-analyze is installed). */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { skipWithReason, which } from "@fwkit/test-utils";
import { afterAll, describe, expect, it } from "vitest";

const analyze = which("systemd-analyze");
const src = resolve(__dirname, "../systemd");
const units = readdirSync(src).filter((f) => f.endsWith(".service"));
const dir = mkdtempSync(join(tmpdir(), "fwkit-systemd-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A copy of the unit whose ExecStart binary exists on this machine (`verify` checks it is executable): the
 * installed fwkit when there is one, else node.
 */
function copy(unit: string): string {
  const fwkit = which("fwkit") ?? process.execPath;
  const path = join(dir, unit);
  writeFileSync(path, readFileSync(join(src, unit), "utf8").replaceAll("/usr/bin/fwkit", fwkit));
  return path;
}

describe.skipIf(skipWithReason("systemd unit verification", analyze ? null : "needs systemd-analyze (systemd)"))(
  "systemd-analyze",
  () => {
    it.each(units)("verify %s: no errors or warnings", async (unit) => {
      const r = await promisify(execFile)(analyze as string, ["verify", "--man=no", copy(unit)], { cwd: dir });
      expect(r.stderr).toBe("");
    });

    it.each(units)("security --offline %s: exposure level below 3.5", async (unit) => {
      const r = await promisify(execFile)(analyze as string, ["security", "--offline=true", "--no-pager", copy(unit)], {
        cwd: dir,
      });
      const level = Number(/Overall exposure level for .*: ([\d.]+)/.exec(r.stdout)?.[1]);
      expect(level).toBeLessThan(3.5);
    });
  },
);
