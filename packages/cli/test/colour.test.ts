import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { colours, useColour } from "../src/output.ts";
import { fakeIo } from "./fake-io.ts";

const ESC = "\u001b[";

describe("colours", () => {
  it.each([
    { name: "a TTY", tty: true, env: {}, colour: true },
    { name: "a pipe", tty: false, env: {}, colour: false },
    { name: "a TTY with NO_COLOR=1", tty: true, env: { NO_COLOR: "1" }, colour: false },
    { name: "a TTY with NO_COLOR set empty", tty: true, env: { NO_COLOR: "" }, colour: false },
    { name: "a pipe with FORCE_COLOR", tty: false, env: { FORCE_COLOR: "1" }, colour: false },
    { name: "a TTY with TERM=dumb", tty: true, env: { TERM: "dumb" }, colour: false },
  ])("on $name: colour = $colour", ({ tty, env, colour }) => {
    const io = { ...fakeIo(env as Record<string, string>), isTTY: tty };
    expect(useColour(io)).toBe(colour);
    const red = colours(io).red("x");
    expect(red.includes(ESC)).toBe(colour);
    expect(red.replaceAll(/\u001b\[\d+m/g, "")).toBe("x");
  });

  it("no source file writes raw escape codes: all colour goes through colours(io)", () => {
    const src = resolve(__dirname, "../src");
    const files = readdirSync(src, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(5);
    const offenders = files.filter((f) => /\\(x1b|u001b|033)\[|\\e\[/.test(readFileSync(join(src, f), "utf8")));
    expect(offenders).toEqual([]);
  });
});
