/** The pure parts of `fwkit demo`: kernel log records, capture sanitising, danger levels, the target's policy. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseSave } from "@fwkit/iptables-parse";
import { describe, expect, it } from "vitest";
import { dangerLevelFor, demoPsadConf } from "../src/demo/analysis.ts";
import { isLabMessage, SANITISED, sanitiseMessage } from "../src/demo/capture.ts";
import { formatKernLogLine, parseKmsgRecord } from "../src/demo/kmsg.ts";
import { fwkitBin, targetPolicy } from "../src/demo/lab.ts";
import { LAB_ADDRS } from "../src/demo/offline.ts";
import { findSampleDir } from "../src/demo/samples.ts";

const MSG =
  "FWKIT-abc123 DROP IN=fwlabc123t OUT= MAC=96:5b:0d:17:43:98:ca:f1:bc:77:47:fb:08:00 SRC=198.18.0.2 DST=198.18.0.1 LEN=44 TOS=0x00 PREC=0x00 TTL=46 ID=1108 PROTO=TCP SPT=46170 DPT=113 WINDOW=1024 RES=0x00 SYN URGP=0 OPT (020405B4) ";
const FILTER = { iface: "fwlabc123t", prefix: "FWKIT-abc123 DROP ", addrs: [LAB_ADDRS.target, LAB_ADDRS.attacker] };

describe("/dev/kmsg records", () => {
  it("parses prio, seq, timestamp and message, dropping the dictionary lines", () => {
    const rec = parseKmsgRecord(`4,96711,9039931018,-;${MSG}\n SUBSYSTEM=net\n DEVICE=n5\n`);
    expect(rec).toEqual({ prio: 4, seq: 96711, usec: 9039931018, message: MSG });
  });

  it("keeps extra header fields and refuses what is not a record", () => {
    expect(parseKmsgRecord("6,1,2,-,caller=T1;hello")?.message).toBe("hello");
    expect(parseKmsgRecord("no semicolon")).toBeUndefined();
    expect(parseKmsgRecord("a,b,c;x")).toBeUndefined();
    expect(parseKmsgRecord("6,1;short")).toBeUndefined();
  });

  it("formats kern.log lines with an RFC 3339 UTC time (microseconds)", () => {
    const usec = Date.UTC(2026, 10, 22, 4, 50, 1) * 1000 + 123456;
    expect(formatKernLogLine(usec, "fwkit-lab", "hello")).toBe(
      "2026-11-22T04:50:01.123456+00:00 fwkit-lab kernel: hello",
    );
  });
});

describe("capture sanitising", () => {
  it("keeps lab lines and rewrites interface, MAC and the unique prefix", () => {
    expect(isLabMessage(MSG, FILTER)).toBe(true);
    const s = sanitiseMessage(MSG, FILTER) as string;
    expect(s.startsWith(`${SANITISED.prefix}IN=${SANITISED.iface} OUT= MAC=${SANITISED.mac} SRC=198.18.0.2 `)).toBe(
      true,
    );
    expect(s).not.toContain("abc123");
    expect(s).not.toContain("96:5b:0d");
  });

  it("keeps fwsnort's own prefix", () => {
    const m = MSG.replace("FWKIT-abc123 DROP ", "[1] SID1000001 ESTAB ");
    expect(sanitiseMessage(m, FILTER)?.startsWith("[1] SID1000001 ESTAB IN=eth0 ")).toBe(true);
  });

  it("drops lines of other interfaces and lines with any other address", () => {
    expect(sanitiseMessage(MSG.replace("IN=fwlabc123t", "IN=eth0"), FILTER)).toBeUndefined();
    expect(sanitiseMessage(MSG.replace("SRC=198.18.0.2", "SRC=203.0.113.9"), FILTER)).toBeUndefined();
    expect(sanitiseMessage(MSG.replace("DST=198.18.0.1", "DST=10.0.0.1"), FILTER)).toBeUndefined();
    expect(sanitiseMessage("usb 1-1: new device", FILTER)).toBeUndefined();
  });

  it("the bundled sample log holds only lab addresses and stable names", () => {
    const dir = findSampleDir() as string;
    const lines = readFileSync(resolve(dir, "sample-scan.log"), "utf8").trim().split("\n");
    expect(lines.length).toBeGreaterThan(150);
    for (const l of lines) {
      expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 fwkit-lab kernel: (DROP |\[\d+\] SID\d+ )/);
      const addrs = [...l.matchAll(/(?:SRC|DST)=(\S+)/g)].map((m) => m[1]);
      expect(addrs.every((a) => a === LAB_ADDRS.target || a === LAB_ADDRS.attacker)).toBe(true);
      expect(l).toContain(" IN=eth0 ");
    }
  });
});

describe("danger levels and config", () => {
  it("follows psad's default thresholds 5/15/150/1500/10000", () => {
    expect([0, 4, 5, 14, 15, 149, 150, 301, 1499, 1500, 9999, 10000].map((n) => dangerLevelFor(n))).toEqual([
      0, 0, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5,
    ]);
  });

  it("the demo psad.conf parses and auto-blocks from DL 3 for a few seconds", async () => {
    const psad = await import("@fwkit/psad-core");
    const c = psad.parsePsadConfig(demoPsadConf());
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(c.value.ENABLE_AUTO_IDS).toBe(true);
    expect(c.value.AUTO_IDS_DANGER_LEVEL).toBe(3);
    expect(c.value.AUTO_BLOCK_DL3_TIMEOUT).toBeLessThanOrEqual(10);
  });
});

describe("the lab's target policy", () => {
  it("is a LOG + DROP policy with the unique prefix that iptables-parse reads back", () => {
    const text = targetPolicy("FWKIT-abc123 DROP ");
    const p = parseSave(text);
    expect(p.diagnostics).toEqual([]);
    const input = p.tables.find((t) => t.name === "filter")?.chains.find((c) => c.name === "INPUT");
    const targets = input?.rules.map((r) => r.target) ?? [];
    expect(targets.slice(-2)).toEqual(["LOG", "DROP"]);
    expect(text).toContain('--log-prefix "FWKIT-abc123 DROP "');
    expect(text).toContain("--dport 62201 -j ACCEPT");
    expect(text).not.toMatch(/--dport 22\b/);
  });
});

describe("locating things", () => {
  it("finds the bundled sample data and, from source, the built bin", () => {
    const dir = findSampleDir();
    expect(dir).toBeDefined();
    expect(readFileSync(resolve(dir as string, "sample.rules"), "utf8")).toContain("sid:1000001;");
    const bin = fwkitBin();
    if (bin !== undefined) expect(bin).toMatch(/packages\/cli\/dist\/bin\.js$/);
    expect(fwkitBin("file:///nowhere/src/demo/lab.ts")).toBeUndefined();
    // a single-file bundle runs itself; a chunk without bin.js next to it has no entry point
    expect(fwkitBin("file:///opt/fwkit.mjs", "/opt/fwkit.mjs")).toBe("/opt/fwkit.mjs");
    expect(fwkitBin("file:///opt/chunk-X.js", "/usr/bin/other")).toBeUndefined();
  });
});

describe("StepLog", () => {
  it("records ok, skipped and failed steps with their lines, outputs, data and error codes", async () => {
    const { StepLog, StepSkipped } = await import("../src/demo/steps.ts");
    const { CliError } = await import("../src/errors.ts");
    let printed = "";
    const id = (x: string) => x;
    let t = 0;
    const log = new StepLog(
      (s) => (printed += s),
      { bold: id, green: id, yellow: id, red: id },
      () => (t += 5),
    );
    expect(
      await log.run("a", "first", async (s) => {
        s.line("one\ntwo");
        s.output("/tmp/x");
        s.set({ n: 1 });
        return 42;
      }),
    ).toBe(42);
    expect(
      await log.run("b", "second", async () => {
        throw new StepSkipped("not there yet");
      }),
    ).toBeUndefined();
    await log.run("c", "third", async () => {
      throw new CliError("CLI_IO", "boom");
    });
    log.skip("d", "fourth", "left out");
    expect(log.steps.map((s) => [s.id, s.status, s.reason, s.code])).toEqual([
      ["a", "ok", undefined, undefined],
      ["b", "skipped", "not there yet", undefined],
      ["c", "failed", "boom", "CLI_IO"],
      ["d", "skipped", "left out", undefined],
    ]);
    expect(log.steps[0]).toMatchObject({ lines: ["one", "two"], outputs: ["/tmp/x"], data: { n: 1 }, ms: 5 });
    expect(log.failed).toBe(true);
    expect(printed).toBe(
      "\n== first\n   one\n   two\n   -> /tmp/x\n\n== second\n   skipped: not there yet\n\n== third\n   failed: CLI_IO: boom\n\n== fourth\n   skipped: left out\n",
    );
  });
});
