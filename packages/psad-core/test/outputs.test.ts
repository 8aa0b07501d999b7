import { describe, expect, it } from "vitest";
import { analyzeLog } from "../src/analyze.ts";
import { parsePsadConfig } from "../src/config.ts";
import { createCsvWriter, parseCsvFields, renderCsv } from "../src/csv.ts";
import { dshieldLine, dshieldSubject } from "../src/dshield.ts";
import { renderGnuplot } from "../src/gnuplot.ts";
import type { Packet } from "../src/packet.ts";
import { createLogLineParser } from "../src/parse-log-line.ts";
import { analysisToJson, renderReport, renderSyslogMsgs } from "../src/report.ts";
import { buildDetectorSetup } from "../src/setup.ts";

const NOW = Date.parse("2026-11-22T00:00:00Z") / 1000;
const parser = createLogLineParser({ referenceTime: NOW });
const line = (src: string, dp: number, flags = "SYN") =>
  `Mar 11 20:35:11 fw kernel: DROP INVALID IN=eth1 OUT= SRC=${src} DST=10.0.0.1 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=7 PROTO=TCP SPT=4000 DPT=${dp} WINDOW=1024 RES=0x00 ${flags} URGP=0 `;
const rows = (lines: string[]) =>
  lines.map((raw) => {
    const r = parser.parseLine(raw);
    if (!r.ok) throw new Error(r.reason);
    return { pkt: r.packet, raw };
  });

describe("CSV (--CSV, --CSV-fields, --CSV-regex, --CSV-max-lines)", () => {
  const data = rows([line("1.1.1.1", 22), line("2.2.2.2", 80), line("11.1.1.1", 443), line("1.1.1.1", 22, "FIN")]);
  it("default fields, prefix stripped of non-word characters", () => {
    expect(renderCsv(data.slice(0, 1))).toEqual([
      "Mar 11 20:35:11, 1.1.1.1, 10.0.0.1, 4000, 22, tcp, SYN, 44, eth1, INPUT, DROPINVALID",
    ]);
  });
  it("field criteria: numeric, >, not-net, regex, exact", () => {
    const f = (spec: string) => {
      const r = parseCsvFields(spec);
      if (!r.ok) throw r.error;
      return renderCsv(data, { fields: r.value });
    };
    expect(f("src dp:22")).toEqual(["1.1.1.1, 22", "1.1.1.1, 22"]);
    expect(f("src:not11.0.0.0/8 dp:>79")).toEqual(["2.2.2.2, 80"]);
    expect(f("src flags:/FIN/")).toEqual(["1.1.1.1, FIN"]);
    expect(f("SRC:1.1.1.1/32, DPT")).toEqual(["1.1.1.1, 22", "1.1.1.1, 22"]);
    expect(f("flags:'SYN' dp")).toEqual(["SYN, 22", "SYN, 80", "SYN, 443"]);
  });
  it("--CSV-regex on the raw line and --CSV-max-lines N prints N lines (psad prints N-1)", () => {
    expect(renderCsv(data, { regex: /DPT=(22|80) / })).toHaveLength(3);
    expect(renderCsv(data, { maxLines: 2 })).toHaveLength(2);
    expect(
      renderCsv(data, { uniqueLines: true, fields: (parseCsvFields("src") as { ok: true; value: never }).value }),
    ).toEqual(["1.1.1.1", "2.2.2.2", "11.1.1.1"]);
  });
  it("unknown fields are PSAD_CSV_FIELD_INVALID", () => {
    const r = parseCsvFields("src bogus");
    expect(!r.ok && r.error.code).toBe("PSAD_CSV_FIELD_INVALID");
    expect(() => createCsvWriter({ fields: [] })).not.toThrow();
  });
});

describe("gnuplot", () => {
  it("IPs become dense integers in sorted order; count aggregates; 2-D and 3-D scripts", () => {
    const pk = rows([line("2.2.2.2", 80), line("1.1.1.1", 22), line("1.1.1.1", 23)]).map((r) => r.pkt as Packet);
    const f = parseCsvFields("src dp:count");
    if (!f.ok) throw f.error;
    const g = renderGnuplot(pk, { fields: f.value, filePrefix: "scan" });
    expect(g.data).toBe("### 1=1.1.1.1\n### 2=2.2.2.2\n1 2\n2 1\n");
    expect(g.script).toContain('plot "scan.dat" using 1:2 with linespoints');
    const f3 = parseCsvFields("src dst dp");
    if (!f3.ok) throw f3.error;
    expect(renderGnuplot(pk, { fields: f3.value }).script).toMatch(
      /set view 60,30\nsplot "fwkit-psad.dat" using 1:2:3 with points/,
    );
  });
});

describe("DShield", () => {
  it("psad's DShield line format", () => {
    const [r] = rows([line("1.1.1.1", 22)]);
    const pkt = r?.pkt as Packet;
    pkt.time = Date.parse("2026-03-11T20:35:11Z") / 1000;
    expect(dshieldLine(pkt, 12345, 60)).toBe(
      "2026-03-11 21:35:11 +01:00\t12345\t1\t1.1.1.1\t4000\t10.0.0.1\t22\tTCP\tSYN",
    );
    expect(dshieldSubject(12345, "+01:00")).toBe("FORMAT DSHIELD USERID 12345 TZ +01:00 psad Version 2.4");
  });
});

describe("report, JSON and syslog renderers", () => {
  it("renders a deterministic report and JSON for a small scan", async () => {
    const c = parsePsadConfig("");
    if (!c.ok) throw c.error;
    const lines = Array.from({ length: 20 }, (_, i) => line("1.1.1.1", 1000 + i));
    const r = await analyzeLog([lines.join("\n")], buildDetectorSetup(c.value), { now: () => NOW });
    const j = analysisToJson(r);
    expect(j.levels).toEqual({ "1": 0, "2": 1, "3": 0, "4": 0, "5": 0 });
    expect(j.sources[0]).toMatchObject({
      src: "1.1.1.1",
      dl: 2,
      packets: 20,
      destinations: [{ dst: "10.0.0.1", ports: { tcp: "1000-1019" } }],
    });
    expect(renderSyslogMsgs(r)).toEqual([
      "scan detected (Nmap -sT or -sS scan): 1.1.1.1 -> 10.0.0.1 tcp: [1000-1019] flags: SYN tcp pkts: 20 DL: 2 total scan dsts: 1",
    ]);
    const report = renderReport(r, { file: "x.log" });
    expect(report).toContain("[+] Found 20 iptables log messages out of 20 total lines.");
    expect(report).toContain("SRC:  1.1.1.1, DL: 2, Dsts: 1, Pkts: 20, Total protocols: 1, Unique sigs: 0");
    expect(report).toContain("        Scanned ports: TCP 1000-1019, Pkts: 20, Chain: INPUT, Intf: eth1");
    expect(report).toContain('      "DROP INVALID": 20');
    expect(renderReport(r, { file: "x.log" })).toBe(report);
  });
});
