import { afterEach, beforeEach } from "vitest";

// Library code must never print (style §3.6): any console call from a test run fails that test.
const methods = ["log", "info", "warn", "error", "debug", "trace"] as const;
const calls: string[] = [];
const originals = new Map<string, (...args: unknown[]) => void>();

beforeEach(() => {
  calls.length = 0;
  for (const m of methods) {
    originals.set(m, console[m]);
    console[m] = (...args: unknown[]) => {
      calls.push(`console.${m}(${args.map(String).join(" ")})`);
    };
  }
});

afterEach(() => {
  for (const m of methods) console[m] = originals.get(m) as (typeof console)[typeof m];
  if (calls.length > 0) throw new Error(`unexpected console output:\n${calls.join("\n")}`);
});
