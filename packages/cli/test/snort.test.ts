import { resolve } from "node:path";
import { corpusPath } from "@fwkit/test-utils";
import { describe, expect, it } from "vitest";
import { ExitCode, run } from "../src/index.ts";
import { fakeIo } from "./fake-io.ts";

const sample = resolve(__dirname, "../../../examples/sample.rules");

describe("fwkit snort check", () => {
  it("counts the demo rule set's rules and option families", async () => {
    const io = fakeIo();
    expect(await run(["snort", "check", sample, "--json"], io)).toBe(ExitCode.Ok);
    const s = JSON.parse(io.out) as {
      ok: boolean;
      totals: { enabled: number; disabled: number; error: number };
      optionFamilies: Record<string, number>;
    };
    expect(s.ok).toBe(true);
    expect(s.totals).toMatchObject({ enabled: 10, disabled: 1, error: 0 });
    // rules using each family, the disabled rule included
    expect(s.optionFamilies).toMatchObject({
      content: 6,
      uricontent: 1,
      flow: 9,
      flags: 3,
      pcre: 1,
      dsize: 1,
      itype: 1,
    });
  });

  it("exits 1 with an error count on a malformed rule", async () => {
    const io = fakeIo();
    const bad = resolve(__dirname, "fixtures/bad.rules");
    expect(await run(["snort", "check", bad], io)).toBe(ExitCode.Failure);
    expect(io.out).toMatch(/[1-9]\d* error/);
  });

  const corpus = corpusPath("snort-2.3.3");
  it.skipIf(!corpus)("reads a directory of *.rules files (the 2.3.3 corpus)", async () => {
    const io = fakeIo();
    await run(["snort", "check", corpus as string, "--json"], io);
    const s = JSON.parse(io.out) as { files: unknown[]; totals: { enabled: number; error: number } };
    expect(s.files.length).toBe(48);
    expect(s.totals.enabled).toBe(3107);
    expect(s.totals.error).toBe(0);
  });
});

describe("fwkit snort show", () => {
  it("prints the AST of one rule by sid", async () => {
    const io = fakeIo();
    expect(await run(["snort", "show", "--sid", "1000009", sample, "--json"], io)).toBe(ExitCode.Ok);
    const found = JSON.parse(io.out) as { line: number; rule: { sid: number } }[];
    expect(found).toHaveLength(1);
    expect(found[0]?.rule.sid).toBe(1000009);
  });

  it("reports SNORT_SID_NOT_FOUND", async () => {
    const io = fakeIo();
    expect(await run(["snort", "show", "--sid", "42", sample], io)).toBe(ExitCode.Failure);
    expect(io.err).toMatch(/^fwkit: SNORT_SID_NOT_FOUND: /);
  });
});
