import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const bin = resolve(__dirname, "../dist/bin.js");
const hasDist = existsSync(bin);
if (!hasDist) process.stderr.write("[skip] cli bin smoke test: packages/cli/dist/bin.js not built (run pnpm build)\n");

describe.skipIf(!hasDist)("built fwkit bin", () => {
  it("runs --version and a parse from the built dist", async () => {
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, [bin, "--version"]);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const parsed = await run(process.execPath, [
      bin,
      "ipt",
      "parse",
      resolve(__dirname, "../../../examples/sample-policy.v4.save"),
      "--json",
    ]);
    expect(JSON.parse(parsed.stdout).format).toBe("save");
  });
});
