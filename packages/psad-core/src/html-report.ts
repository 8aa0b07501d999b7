import type { AnalysisResult } from "./analyze.ts";
import type { SourceState } from "./detector.ts";
import { analysisToJson } from "./report.ts";
import {
  type Bar,
  barChartSvg,
  DL_COLORS,
  escapeHtml,
  type GraphEdge,
  type GraphNode,
  lineChartSvg,
  linkGraphSvg,
  PALETTE,
  type ScatterPoint,
  type Series,
  scatterSvg,
} from "./svg-charts.ts";
import type { TrafficStats } from "./traffic-stats.ts";

/** Options of {@link renderHtmlReport}. */
export interface HtmlReportOptions {
  /** Page title (default "psad analysis report"). */
  title?: string;
  /** Input name shown in the overview (e.g. the `-m` file). */
  file?: string;
  /** "Generated" text shown in the header (injected: the renderer never reads the clock). */
  generatedAt?: string;
  /** Per-packet counts from {@link createTrafficCollector}; without them the scatter and time series are empty. */
  traffic?: TrafficStats;
  /** Nodes per column of the link graph, rows of the attacker/port tables (default 25). */
  topN?: number;
  /** Sources (rows) in the port-sweep scatter (default 30). */
  scatterRows?: number;
  /** Most scatter marks (largest counts kept, default 4,000). */
  maxScatterMarks?: number;
  /** Lines per time series chart (default 6). */
  seriesCount?: number;
  /** Most alert lines listed (default 200). */
  maxAlertRows?: number;
}

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
header{background:#1d2330;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#c3c8d4}
main{padding:8px 24px 32px;max-width:1220px}section{background:#fff;border:1px solid #dde1e8;border-radius:6px;margin:16px 0;padding:12px 16px;overflow-x:auto}
h2{font-size:16px;margin:0 0 8px}.note,.muted{color:#6b7385;fill:#6b7385;font-size:12px}
table{border-collapse:collapse;font-size:13px}th,td{text-align:left;padding:3px 10px;border-bottom:1px solid #eceef2;vertical-align:top}
th{background:#f0f2f5}td.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:12px;word-break:break-all}
.grid2{display:flex;flex-wrap:wrap;gap:16px}.grid2>div{flex:1 1 560px}
svg.chart{display:block;max-width:100%;height:auto}svg .plot{fill:#fafbfc;stroke:#ccd1da}svg .grid{stroke:#e6e9ee}
svg .tick{font-size:11px;fill:#39404f}svg .axis{font-size:12px;fill:#39404f;font-weight:600}
.dl{display:inline-block;min-width:18px;text-align:center;border-radius:3px;color:#fff;font-weight:600}
`;

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function table(head: string[], rows: (string | number)[][], numeric: boolean[] = []): string {
  if (!rows.length) return '<p class="note">none</p>';
  const th = head.some((h) => h)
    ? `<thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>`
    : "";
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => `<td${numeric[i] ? ' class="n"' : ""}>${typeof c === "number" ? c : escapeHtml(c)}</td>`).join("")}</tr>`,
    )
    .join("");
  return `<table>${th}<tbody>${body}</tbody></table>`;
}

function section(id: string, title: string, body: string, note = ""): string {
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>${note ? `<p class="note">${escapeHtml(note)}</p>` : ""}${body}</section>`;
}

function osGuess(s: SourceState): string {
  if (s.p0f.size) return [...s.p0f].sort().join("; ");
  return s.posf?.guess ?? "";
}

function topBy<T>(items: Iterable<T>, n: number, score: (t: T) => number, key: (t: T) => string): T[] {
  return [...items].sort((a, b) => score(b) - score(a) || cmp(key(a), key(b))).slice(0, n);
}

function linkGraph(r: AnalysisResult, topN: number): string {
  const srcs = topBy(
    r.state.sources.values(),
    topN,
    (s) => s.pkts,
    (s) => s.src,
  ).filter((s) => s.dsts.size > 0);
  const dstTotals = new Map<string, number>();
  for (const s of srcs) for (const p of s.dsts.values()) dstTotals.set(p.dst, (dstTotals.get(p.dst) ?? 0) + p.absnum);
  const dsts = topBy(
    dstTotals.entries(),
    topN,
    (e) => e[1],
    (e) => e[0],
  );
  const dIndex = new Map(dsts.map(([d], i) => [d, i]));
  const left: GraphNode[] = srcs.map((s) => ({
    id: s.src,
    label: s.src,
    packets: s.pkts,
    color: DL_COLORS[s.dl] ?? "#9e9e9e",
    tip: `${s.src}: DL ${s.dl}, ${s.pkts} packets, ${s.dsts.size} destinations`,
  }));
  const right: GraphNode[] = dsts.map(([d, n]) => ({
    id: d,
    label: d,
    packets: n,
    color: "#39404f",
    tip: `${d}: ${n} packets from the sources shown`,
  }));
  const edges: GraphEdge[] = [];
  srcs.forEach((s, i) => {
    for (const p of s.dsts.values()) {
      const j = dIndex.get(p.dst);
      if (j !== undefined) edges.push({ from: i, to: j, packets: p.absnum });
    }
  });
  const hidden = r.state.sources.size - srcs.length;
  return section(
    "graph",
    "Who talks to whom (AfterGlow view)",
    linkGraphSvg(left, right, edges),
    `Top ${srcs.length} sources by packets (node colour = danger level) and their top ${dsts.length} destinations; edge width = packets (log scale).${hidden > 0 ? ` ${hidden} further sources not drawn.` : ""}`,
  );
}

function scatter(t: TrafficStats | undefined, rowsN: number, maxMarks: number): string {
  if (!t) return section("scatter", "Port sweep", scatterSvg([], []), "No per-packet data collected.");
  const rows = topBy(
    [...t.cells.keys()],
    rowsN,
    (s) => t.sources.get(s) ?? 0,
    (s) => s,
  );
  let pts: ScatterPoint[] = [];
  rows.forEach((src, row) => {
    for (const [key, count] of t.cells.get(src) ?? []) {
      const port = Number(key.slice(key.indexOf("/") + 1));
      pts.push({ row, port, count, tip: `${src} → ${key}: ${count} packets` });
    }
  });
  const total = pts.length;
  if (pts.length > maxMarks)
    pts = pts.sort((a, b) => b.count - a.count || a.row - b.row || a.port - b.port).slice(0, maxMarks);
  const notes = [`Top ${rows.length} sources by packets; mark size and colour = packets to that port (log scale).`];
  if (total > pts.length) notes.push(`${total - pts.length} smaller cells not drawn.`);
  if (t.overflow.cells) notes.push(`${t.overflow.cells} packets beyond the collector's cell cap.`);
  return section("scatter", "Port sweep: source vs destination port", scatterSvg(rows, pts), notes.join(" "));
}

function timeSeries(t: TrafficStats | undefined, n: number): string {
  if (!t?.buckets.length) {
    const empty = lineChartSvg("ports-time", "Top ports over time", [], []);
    return section("time", "Top ports and attackers over time", empty, "No timestamped packets.");
  }
  const w = t.bucketSeconds;
  const first = (t.buckets[0] as { start: number }).start;
  const last = (t.buckets[t.buckets.length - 1] as { start: number }).start;
  const starts: number[] = [];
  for (let s = first; s <= last; s += w) starts.push(s);
  const idx = new Map(starts.map((s, i) => [s, i]));
  const build = (keys: string[], pick: (b: TrafficStats["buckets"][number]) => Map<string, number>): Series[] =>
    keys.map((k) => {
      const values = new Array<number>(starts.length).fill(0);
      for (const b of t.buckets) {
        const i = idx.get(b.start);
        if (i !== undefined) values[i] = pick(b).get(k) ?? 0;
      }
      return { name: k, values };
    });
  const topPorts = topBy(
    t.ports.entries(),
    n,
    (e) => e[1],
    (e) => e[0],
  ).map((e) => e[0]);
  const topSrcs = topBy(
    t.sources.entries(),
    n,
    (e) => e[1],
    (e) => e[0],
  ).map((e) => e[0]);
  const width = w % 3600 === 0 ? `${w / 3600} h` : w % 60 === 0 ? `${w / 60} min` : `${w} s`;
  return section(
    "time",
    "Top ports and attackers over time",
    `<h3 class="note">Top ${topPorts.length} destination ports</h3>${lineChartSvg(
      "ports-time",
      "Top ports over time",
      starts,
      build(topPorts, (b) => b.ports),
    )}` +
      `<h3 class="note">Top ${topSrcs.length} sources</h3>${lineChartSvg(
        "attackers-time",
        "Top attackers over time",
        starts,
        build(topSrcs, (b) => b.sources),
      )}`,
    `Packets per ${width} bucket (log time).${t.untimed ? ` ${t.untimed} packets without a timestamp are not shown.` : ""}`,
  );
}

/**
 * Render an analysis as ONE self-contained HTML page: inline CSS and server-rendered SVG (no scripts, no
 * network fetches; a CSP meta tag forbids both), with a port-sweep scatter, the AfterGlow-style link graph,
 * top ports/attackers over time, the danger-level distribution and the summary tables. Every string from
 * the log is escaped; every list is capped (top-N), so the page size is bounded on huge inputs.
 * @param result - from {@link analyzeLog}
 * @param options - title, injected "generated" text, traffic counts ({@link createTrafficCollector}), caps
 * @returns the HTML document
 * @example
 * const traffic = createTrafficCollector();
 * const r = await analyzeLog(createReadStream(file), setup, { onPacket: (p) => traffic.add(p) });
 * writeFileSync("report.html", renderHtmlReport(r, { file, traffic: traffic.stats() }));
 */
export function renderHtmlReport(result: AnalysisResult, options: HtmlReportOptions = {}): string {
  const r = result;
  const topN = options.topN ?? 25;
  const title = options.title ?? "psad analysis report";
  const j = analysisToJson(r);
  const all = [...r.state.sources.values()];
  const perDl = [0, 0, 0, 0, 0, 0];
  for (const s of all) {
    const i = Math.min(5, Math.max(0, s.dl));
    perDl[i] = (perDl[i] ?? 0) + 1;
  }
  const dsts = new Set<string>();
  for (const s of all) for (const d of s.dsts.keys()) dsts.add(d);
  const errTotal = Object.values(r.errors).reduce((a, b) => a + (b ?? 0), 0);

  const parts: string[] = [];
  parts.push(
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${CSS}</style></head><body>`,
    `<header><h1>${escapeHtml(title)}</h1><p>${escapeHtml(
      [options.file ? `input: ${options.file}` : "", options.generatedAt ? `generated: ${options.generatedAt}` : ""]
        .filter(Boolean)
        .join(" · ") || "fwkit psad-core",
    )}</p></header><main>`,
  );

  parts.push(
    section(
      "overview",
      "Overview",
      table(
        ["", ""],
        [
          ["Lines read", r.lines],
          ["iptables log lines", r.iptablesLines],
          ["Packets analysed", r.packets],
          ["Unparseable lines", errTotal],
          ["Sources tracked", all.length],
          ["Sources with a danger level", all.length - (perDl[0] as number)],
          ["Destinations", dsts.size],
          ["Scan alerts", r.alerts.length],
          ["Signature matches", [...r.state.topSigs.values()].reduce((a, b) => a + b, 0)],
        ],
        [false, true],
      ),
    ),
  );

  const dlBars: Bar[] = [1, 2, 3, 4, 5].map((dl) => ({
    label: `DL ${dl}`,
    value: perDl[dl] as number,
    color: DL_COLORS[dl] as string,
    tip: `danger level ${dl}: ${perDl[dl]} sources`,
  }));
  const portBars: Bar[] = j.topPorts.slice(0, 15).map((p, i) => ({
    label: `${p.proto}/${p.port}`,
    value: p.packets,
    color: PALETTE[i % PALETTE.length] as string,
    tip: `${p.proto} port ${p.port}: ${p.packets} packets`,
  }));
  parts.push(
    section(
      "levels",
      "Danger levels and top ports",
      `<div class="grid2"><div><h3 class="note">Sources per danger level</h3>${barChartSvg("danger-levels", "Sources per danger level", dlBars)}<p class="note">${perDl[0]} sources below DL 1.</p></div>` +
        `<div><h3 class="note">Top scanned ports</h3>${barChartSvg("top-ports", "Top scanned ports", portBars)}</div></div>`,
    ),
  );
  parts.push(scatter(options.traffic, options.scatterRows ?? 30, options.maxScatterMarks ?? 4000));
  parts.push(linkGraph(r, topN));
  parts.push(timeSeries(options.traffic, options.seriesCount ?? 6));

  const attackers = topBy(
    all.filter((s) => s.dl > 0),
    topN,
    (s) => s.dl * 1e12 + s.pkts,
    (s) => s.src,
  );
  parts.push(
    section(
      "attackers",
      `Top ${topN} attackers`,
      table(
        ["Source", "DL", "Packets", "Destinations", "Signature matches", "OS guess"],
        attackers.map((s) => [s.src, s.dl, s.pkts, s.dsts.size, s.sigCount, osGuess(s)]),
        [false, true, true, true, true, false],
      ),
      "Sorted by danger level, then packets.",
    ),
  );
  parts.push(
    section(
      "ports",
      `Top ${topN} scanned ports`,
      table(
        ["Protocol", "Port", "Packets"],
        j.topPorts.slice(0, topN).map((p) => [p.proto, p.port, p.packets]),
        [false, true, true],
      ),
    ),
  );
  parts.push(
    section(
      "signatures",
      "Top signature matches",
      table(
        ["Sid", "Message", "Protocol", "Count", "Sources"],
        j.topSignatures.slice(0, 50).map((s) => [s.sid, s.msg, s.proto, s.count, s.sources]),
        [true, false, false, true, true],
      ),
    ),
  );
  const maxAlerts = options.maxAlertRows ?? 200;
  const msgs = j.syslog;
  parts.push(
    section(
      "alerts",
      "Alerts (syslog messages)",
      msgs.length
        ? `<table><tbody>${msgs
            .slice(0, maxAlerts)
            .map((m) => `<tr><td><code>${escapeHtml(m)}</code></td></tr>`)
            .join("")}</tbody></table>`
        : '<p class="note">none</p>',
      msgs.length > maxAlerts ? `First ${maxAlerts} of ${msgs.length}.` : "",
    ),
  );
  const prefixes = Object.entries(j.prefixes)
    .sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]))
    .slice(0, topN);
  parts.push(
    section(
      "counters",
      "Counters",
      `<div class="grid2"><div><h3 class="note">iptables log prefixes</h3>${table(
        ["Prefix", "Packets"],
        prefixes.map(([k, v]) => [k, v]),
        [false, true],
      )}</div><div><h3 class="note">Protocols</h3>${table(
        ["Protocol", "Packets"],
        Object.entries(j.protocols).map(([k, v]) => [r.setup.protocols.get(Number(k))?.name ?? k, v]),
        [false, true],
      )}</div><div><h3 class="note">Unparseable lines</h3>${table(
        ["Code", "Lines"],
        Object.entries(j.errors).map(([k, v]) => [k, v]),
        [false, true],
      )}</div></div>`,
    ),
  );
  parts.push("</main></body></html>\n");
  return parts.join("\n");
}
