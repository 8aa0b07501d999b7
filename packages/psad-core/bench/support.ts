import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corpusPath } from "@fwkit/test-utils";

/** The spec's 200,400-line benchmark file: syn_scan_1000_1500_multi_dst x 50 (written once to tmpdir). */
export async function benchFile200k(): Promise<string | undefined> {
  const cap = corpusPath("psad-captures/syn_scan_1000_1500_multi_dst");
  if (!cap || !existsSync(cap)) return undefined;
  const out = join(tmpdir(), "fwkit-psad-bench-200k.log");
  if (existsSync(out)) return out;
  const text = readFileSync(cap, "latin1");
  const ws = createWriteStream(out);
  for (let i = 0; i < 50; i++) ws.write(text);
  await new Promise<void>((res) => ws.end(res));
  return out;
}

/**
 * A 2,004,000-line file (syn_scan_1000_1500_multi_dst x 500), written once to tmpdir by streaming copies,
 * never held in memory.
 */
export async function benchFile2m(): Promise<string | undefined> {
  const cap = corpusPath("psad-captures/syn_scan_1000_1500_multi_dst");
  if (!cap || !existsSync(cap)) return undefined;
  const out = join(tmpdir(), "fwkit-psad-bench-2m.log");
  if (existsSync(out)) return out;
  const text = readFileSync(cap, "latin1");
  const ws = createWriteStream(out);
  for (let i = 0; i < 500; i++) if (!ws.write(text)) await new Promise<void>((res) => ws.once("drain", res));
  await new Promise<void>((res) => ws.end(res));
  return out;
}
