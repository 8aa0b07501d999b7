import { fc, test as ftest } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { analyzeLog } from "../src/analyze.ts";
import { parsePsadConfig } from "../src/config.ts";
import { renderHtmlReport } from "../src/html-report.ts";
import { emptyPacket } from "../src/packet.ts";
import { buildDetectorSetup } from "../src/setup.ts";
import { escapeHtml } from "../src/svg-charts.ts";
import { createTrafficCollector } from "../src/traffic-stats.ts";

const NOW = Date.parse("2026-11-22T00:00:00Z") / 1000;
const cfg = parsePsadConfig("");
if (!cfg.ok) throw cfg.error;
const setup = buildDetectorSetup(cfg.value);

const line = (src: string, dst: string, dp: number, sec = 11, prefix = "DROP") =>
  `Mar 11 20:35:${String(sec).padStart(2, "0")} fw kernel: ${prefix} IN=eth0 OUT= SRC=${src} DST=${dst} LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=1 PROTO=TCP SPT=40000 DPT=${dp} WINDOW=1024 RES=0x00 SYN URGP=0 `;

async function render(lines: string[], opts: Parameters<typeof renderHtmlReport>[1] = {}) {
  const traffic = createTrafficCollector();
  const r = await analyzeLog([lines.join("\n")], setup, { now: () => NOW, onPacket: (p) => traffic.add(p) });
  return { r, html: renderHtmlReport(r, { traffic: traffic.stats(), ...opts }), traffic: traffic.stats() };
}

const marks = (html: string, chart: string) => {
  const m = new RegExp(`<svg[^>]*data-chart="${chart}"[^>]*>([\\s\\S]*?)</svg>`).exec(html);
  return m ? (m[1]?.match(/class="mark/g) ?? []).length : -1;
};

describe("renderHtmlReport", () => {
  it("one self-contained page with every chart populated", async () => {
    const lines = [
      ...Array.from({ length: 40 }, (_, i) => line("192.0.2.7", "198.51.100.1", 1000 + i, i % 60)),
      ...Array.from({ length: 12 }, (_, i) => line("203.0.113.9", `198.51.100.${i + 2}`, 22, 30)),
    ];
    const { html } = await render(lines, { generatedAt: "2026-11-22 00:00 UTC", file: "kern.log" });
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain("Content-Security-Policy");
    // no scripts, no external resources
    expect(html).not.toMatch(/<script|<link|<img|src=|href=|url\(|@import/i);
    expect(marks(html, "scatter")).toBe(52 - 11); // 40 ports of .7 + port 22 of .9 (one cell)
    expect(marks(html, "graph")).toBe(13 + 2 + 13); // 13 edges, 2 source nodes, 13 destination nodes
    expect(marks(html, "ports-time")).toBeGreaterThan(0);
    expect(marks(html, "attackers-time")).toBe(2);
    expect(marks(html, "danger-levels")).toBe(5);
    expect(html).toContain("192.0.2.7");
    expect(html).toContain("input: kern.log · generated: 2026-11-22 00:00 UTC");
    expect(html).toMatch(/scan detected \(Nmap -sT or -sS scan\): 192\.0\.2\.7 -&gt; 198\.51\.100\.1/);
  });

  it("escapes hostile log text (prefix, syslog host) everywhere", async () => {
    const evil = `<script>alert(1)</script>"'&<img src=x onerror=alert(2)>`;
    const lines = Array.from({ length: 20 }, (_, i) => line("192.0.2.7", "198.51.100.1", 1000 + i, 1, evil));
    const { html, r } = await render(lines, { title: "<b>t</b>", file: "a<b>.log" });
    expect([...r.state.prefixes.keys()].some((p) => p.includes("<script>"))).toBe(true);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;&lt;img src=x");
    expect(escapeHtml("a\u0000b\ud800c")).toBe("a\ufffdb\ufffdc");
  });

  it("works without traffic data (charts say so) and on an empty analysis", async () => {
    const r = await analyzeLog([""], setup, { now: () => NOW });
    const html = renderHtmlReport(r);
    expect(marks(html, "scatter")).toBe(0);
    expect(marks(html, "graph")).toBe(0);
    expect(html).toContain("No per-packet data collected.");
    expect(html).toContain("</html>");
  });

  it("output stays bounded on 12,000 sources × many ports", async () => {
    const traffic = createTrafficCollector({ maxCells: 5000, maxKeys: 5000 });
    const lines: string[] = [];
    for (let i = 0; i < 12_000; i++)
      lines.push(
        line(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, "198.51.100.1", (i * 7919) % 65536, i % 60),
      );
    const r = await analyzeLog([lines.join("\n")], setup, { now: () => NOW, onPacket: (p) => traffic.add(p) });
    const t = traffic.stats();
    expect(t.sources.size).toBe(5000);
    expect(t.overflow.keys).toBeGreaterThan(0);
    const html = renderHtmlReport(r, { traffic: t });
    expect(html.length).toBeLessThan(400_000);
    expect(marks(html, "scatter")).toBe(30);
    expect(marks(html, "graph")).toBeLessThanOrEqual(25 + 25 + 25);
  });
});

describe("escapeHtml", () => {
  const unescapeHtml = (s: string) =>
    s
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, "&");
  ftest.prop([fc.string({ unit: "binary" })])("no markup characters survive; printable text round-trips", (s) => {
    const e = escapeHtml(s);
    expect(e).not.toMatch(/[<>"']/);
    expect(e).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/);
    if (!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ud800-\udfff]/.test(s)) expect(unescapeHtml(e)).toBe(s);
  });
});

describe("createTrafficCollector", () => {
  const pkt = (time: number, dp: number, src = "192.0.2.1") => ({
    ...emptyPacket(),
    src,
    dst: "198.51.100.1",
    proto: "tcp",
    dp,
    time,
  });
  it("coarsens time buckets so that at most maxBuckets remain, keeping totals", () => {
    const c = createTrafficCollector({ bucketSeconds: 60, maxBuckets: 10 });
    for (let i = 0; i < 100; i++) c.add(pkt(1_000_000 + i * 60, 22));
    const s = c.stats();
    expect(s.buckets.length).toBeLessThanOrEqual(10);
    expect(s.bucketSeconds).toBe(960);
    expect(s.buckets.reduce((a, b) => a + b.total, 0)).toBe(100);
    expect(s.buckets.reduce((a, b) => a + (b.ports.get("tcp/22") ?? 0), 0)).toBe(100);
  });
  it("counts untimed packets and non-port protocols", () => {
    const c = createTrafficCollector();
    c.add(pkt(Number.NaN, 80));
    c.add({ ...pkt(5, 0), proto: "icmp" });
    const s = c.stats();
    expect(s).toMatchObject({ packets: 2, untimed: 1 });
    expect([...s.ports.keys()]).toEqual(["tcp/80"]);
    expect(s.sources.get("192.0.2.1")).toBe(2);
  });
});
