import { fc, test as ftest } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { analyzeLog } from "../src/analyze.ts";
import { parsePsadConfig } from "../src/config.ts";
import { readLines } from "../src/line-reader.ts";
import { buildDetectorSetup } from "../src/setup.ts";

function setup(maxSources?: number) {
  const c = parsePsadConfig("");
  if (!c.ok) throw c.error;
  return buildDetectorSetup(c.value, {}, maxSources ? { maxSources } : {});
}

const GOOD =
  "Mar 11 20:35:11 fw kernel: DROP IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=1 PROTO=TCP SPT=1 DPT=2 WINDOW=1 RES=0x00 SYN URGP=0 ";

describe("hostile input", () => {
  ftest.prop([fc.uint8Array({ maxLength: 4000 })], { numRuns: 50 })("random bytes never throw", async (bytes) => {
    const r = await analyzeLog([bytes], setup(), { now: () => 1.8e9 });
    expect(r.lines).toBeGreaterThanOrEqual(0);
  });

  ftest.prop([fc.array(fc.string({ maxLength: 300 }), { maxLength: 50 })], { numRuns: 50 })(
    "mangled LOG lines become counted diagnostics, never exceptions",
    async (parts) => {
      const lines = parts.map((p, i) =>
        i % 2 ? `${GOOD.slice(0, 40 + (p.length % 150))}${p}` : `${p} IN=eth0 OUT= ${p}`,
      );
      const r = await analyzeLog([lines.join("\n")], setup(), { now: () => 1.8e9 });
      const errs = Object.values(r.errors).reduce((a, b) => a + (b ?? 0), 0);
      expect(r.packets + errs).toBeLessThanOrEqual(r.lines);
    },
  );

  it("truncated lines and a 100 KB line: diagnostics with line numbers, the rest still parsed", async () => {
    const big = `${GOOD}${"A".repeat(100 * 1024)}`;
    const text = [GOOD, GOOD.slice(0, 90), big, GOOD].join("\n");
    const r = await analyzeLog([text], setup(), { now: () => 1.8e9 });
    expect(r.packets).toBe(2);
    expect(r.errors.PSAD_LOG_LINE_TOO_LONG).toBe(1);
    expect(r.errors.PSAD_LOG_UNPARSEABLE).toBe(1);
    expect(r.diagnostics.map((d) => d.line)).toEqual([2, 3]);
  });

  it("a 100 KB line split across many chunks is bounded and skipped", async () => {
    const chunks = [GOOD, "\n", ...Array.from({ length: 100 }, () => "B".repeat(1024)), "\n", GOOD, "\n"];
    const r = await analyzeLog(chunks, setup(), { now: () => 1.8e9, maxLineLength: 4096 });
    expect(r.packets).toBe(2);
    expect(r.errors.PSAD_LOG_LINE_TOO_LONG).toBe(1);
  });

  it("readLines: CRLF, a line split across chunks, an over-long line flagged and cut", async () => {
    const out = [];
    for await (const l of readLines([Buffer.from("ab\r\nc"), "d\n", "x".repeat(50), "y".repeat(50), "\nlast"], 64))
      out.push(l);
    expect(out).toEqual([
      { text: "ab", truncated: false },
      { text: "cd", truncated: false },
      { text: "x".repeat(50) + "y".repeat(14), truncated: true },
      { text: "last", truncated: false },
    ]);
  });

  it("a million distinct source addresses: no crash, tracked state stays bounded", async () => {
    function* gen() {
      let buf = "";
      for (let i = 0; i < 1_000_000; i++) {
        buf += `Mar 11 20:35:11 fw kernel: DROP IN=eth0 OUT= SRC=10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} DST=192.168.1.1 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=1 PROTO=TCP SPT=40000 DPT=${i % 1000} WINDOW=1024 RES=0x00 SYN URGP=0 \n`;
        if (buf.length > 65536) {
          yield buf;
          buf = "";
        }
      }
      yield buf;
    }
    const before = process.memoryUsage().heapUsed;
    const r = await analyzeLog(gen(), setup(20_000), { now: () => 1.8e9 });
    expect(r.packets).toBe(1_000_000);
    expect(r.state.sources.size).toBeLessThanOrEqual(20_000);
    expect(r.state.counters.evictedSources).toBeGreaterThanOrEqual(980_000);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(400 * 1024 * 1024);
  }, 120_000);
});
