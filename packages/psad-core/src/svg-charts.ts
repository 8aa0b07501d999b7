/**
 * Server-side SVG chart builders for the HTML report (internal module). Every text that reaches the
 * output goes through {@link escapeHtml}; every mark carries `class="mark"` and a `<title>` tooltip, so the
 * charts work without JavaScript and tests can count marks.
 */

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * Escape text for HTML/SVG element content and quoted attribute values. Also drops C0 controls (other
 * than tab/newline) and lone surrogates, which are not valid in HTML.
 */
export function escapeHtml(s: string): string {
  return s
    .replace(/[&<>"']/g, (c) => ESC[c] as string)
    .replace(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      "\ufffd",
    );
}

/** Categorical palette (Tableau 10). */
export const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];

/** Danger-level colours, index = DL (0..5). */
export const DL_COLORS = ["#9e9e9e", "#4e79a7", "#59a14f", "#edc948", "#f28e2b", "#e15759"];

/** Sequential colour for f in [0,1] (pale yellow → dark red). */
function heat(f: number): string {
  const x = Math.min(1, Math.max(0, f));
  return `hsl(${Math.round(50 - 50 * x)},90%,${Math.round(75 - 40 * x)}%)`;
}

const n1 = (v: number) => (Math.round(v * 10) / 10).toString();

function svgOpen(kind: string, w: number, h: number, label: string): string {
  return `<svg class="chart" data-chart="${kind}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${escapeHtml(label)}">`;
}

function text(x: number, y: number, s: string, attrs = ""): string {
  return `<text x="${n1(x)}" y="${n1(y)}"${attrs ? ` ${attrs}` : ""}>${escapeHtml(s)}</text>`;
}

function empty(kind: string, w: number, label: string, msg: string): string {
  return `${svgOpen(kind, w, 60, label)}${text(w / 2, 34, msg, 'text-anchor="middle" class="muted"')}</svg>`;
}

/** A mark of the port scatter: row = source index, x = port, count = packets. */
export interface ScatterPoint {
  row: number;
  port: number;
  count: number;
  tip: string;
}

/** Port-sweep scatter: one row per source, x = destination port (ordinal), radius and colour = packets. */
export function scatterSvg(rows: string[], points: ScatterPoint[], width = 1180): string {
  const label = "Port sweep: source vs destination port";
  if (!rows.length || !points.length) return empty("scatter", width, label, "no TCP/UDP packets");
  const left = 250;
  const right = 20;
  const top = 16;
  const rowH = 22;
  const plotH = rows.length * rowH;
  const h = top + plotH + 44;
  const plotW = width - left - right;
  const maxC = Math.max(...points.map((p) => p.count));
  const lmax = Math.log10(maxC + 1);
  const out: string[] = [svgOpen("scatter", width, h, label)];
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" class="plot"/>`);
  for (let i = 0; i < rows.length; i++) {
    const y = top + i * rowH + rowH / 2;
    out.push(`<line x1="${left}" x2="${left + plotW}" y1="${n1(y)}" y2="${n1(y)}" class="grid"/>`);
    out.push(text(left - 6, y + 4, rows[i] as string, 'text-anchor="end" class="tick"'));
  }
  // ordinal port axis: every distinct port gets a column, so a 1000-1500 sweep is not squeezed into a
  // few pixels next to one high port; ticks label the real port numbers
  const portList = [...new Set(points.map((p) => p.port))].sort((a, b) => a - b);
  const rank = new Map(portList.map((p, i) => [p, i]));
  const xOf = (port: number) => left + (((rank.get(port) ?? 0) + 0.5) / portList.length) * plotW;
  const ticks = Math.min(10, portList.length);
  for (let k = 0; k < ticks; k++) {
    const i = ticks === 1 ? 0 : Math.round((k * (portList.length - 1)) / (ticks - 1));
    const x = xOf(portList[i] as number);
    out.push(`<line x1="${n1(x)}" x2="${n1(x)}" y1="${top}" y2="${top + plotH}" class="grid"/>`);
    out.push(text(x, top + plotH + 16, String(portList[i]), 'text-anchor="middle" class="tick"'));
  }
  out.push(
    text(
      left + plotW / 2,
      top + plotH + 36,
      `destination port (${portList.length} distinct ports in order, not to scale)`,
      'text-anchor="middle" class="axis"',
    ),
  );
  // radius bounded by the column width so that a dense sweep stays a row of dots, not a bar
  const colW = plotW / portList.length;
  const rMax = Math.min(rowH / 2 - 1, Math.max(3.5, colW * 0.9));
  const rMin = 2.5;
  // small marks on top of large ones: draw the biggest first
  const sorted = [...points].sort((a, b) => b.count - a.count || a.row - b.row || a.port - b.port);
  for (const p of sorted) {
    const f = lmax > 0 ? Math.log10(p.count + 1) / lmax : 1;
    const x = xOf(p.port);
    const y = top + p.row * rowH + rowH / 2;
    out.push(
      `<circle class="mark" cx="${n1(x)}" cy="${n1(y)}" r="${n1(rMin + (rMax - rMin) * f)}" fill="${heat(f)}"><title>${escapeHtml(p.tip)}</title></circle>`,
    );
  }
  out.push("</svg>");
  return out.join("");
}

/** A node of the link graph. */
export interface GraphNode {
  id: string;
  label: string;
  packets: number;
  color: string;
  tip: string;
}

/** An edge of the link graph (indexes into the left/right node arrays). */
export interface GraphEdge {
  from: number;
  to: number;
  packets: number;
}

/**
 * The AfterGlow view: sources (left column) → destinations (right column), edge width = log(packets).
 * Deterministic layout: sources in the given order, destinations ordered by the barycentre of their
 * sources (fewer crossings), ties by id.
 */
export function linkGraphSvg(
  leftNodes: GraphNode[],
  rightNodes: GraphNode[],
  edges: GraphEdge[],
  width = 1180,
): string {
  const label = "Who talks to whom: source → destination";
  if (!leftNodes.length || !edges.length) return empty("graph", width, label, "no traffic");
  const rowH = 22;
  const top = 24;
  const rows = Math.max(leftNodes.length, rightNodes.length);
  const h = top + rows * rowH + 16;
  const xl = 260;
  const xr = width - 260;
  // barycentre ordering of the right column
  const bary = rightNodes.map((n, i) => {
    let sw = 0;
    let s = 0;
    for (const e of edges)
      if (e.to === i) {
        sw += e.packets;
        s += e.from * e.packets;
      }
    return { i, b: sw ? s / sw : Number.MAX_SAFE_INTEGER, id: n.id };
  });
  bary.sort((a, b) => a.b - b.b || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rightPos = new Map<number, number>();
  bary.forEach((o, k) => {
    rightPos.set(o.i, k);
  });
  const yOf = (k: number, count: number) => top + (k + 0.5) * rowH + ((rows - count) * rowH) / 2;
  const maxE = Math.max(...edges.map((e) => e.packets));
  const lmax = Math.log10(maxE + 1);
  const maxN = Math.max(...leftNodes.map((n) => n.packets), ...rightNodes.map((n) => n.packets));
  const lnmax = Math.log10(maxN + 1);
  const out: string[] = [svgOpen("graph", width, h, label)];
  out.push(text(xl, 14, "sources", 'text-anchor="middle" class="axis"'));
  out.push(text(xr, 14, "destinations", 'text-anchor="middle" class="axis"'));
  const sortedEdges = [...edges].sort((a, b) => a.packets - b.packets || a.from - b.from || a.to - b.to);
  for (const e of sortedEdges) {
    const y1 = yOf(e.from, leftNodes.length);
    const y2 = yOf(rightPos.get(e.to) ?? 0, rightNodes.length);
    const f = lmax > 0 ? Math.log10(e.packets + 1) / lmax : 1;
    const a = leftNodes[e.from] as GraphNode;
    const b = rightNodes[e.to] as GraphNode;
    const mx = (xl + xr) / 2;
    out.push(
      `<path class="mark edge" d="M${xl} ${n1(y1)} C${n1(mx)} ${n1(y1)} ${n1(mx)} ${n1(y2)} ${xr} ${n1(y2)}" stroke="${a.color}" stroke-width="${n1(0.8 + 7 * f)}" stroke-opacity="${n1(0.25 + 0.5 * f)}" fill="none"><title>${escapeHtml(`${a.label} → ${b.label}: ${e.packets} packets`)}</title></path>`,
    );
  }
  const node = (n: GraphNode, x: number, y: number, anchorLeft: boolean) => {
    const f = lnmax > 0 ? Math.log10(n.packets + 1) / lnmax : 1;
    return (
      `<g class="mark node"><circle cx="${n1(x)}" cy="${n1(y)}" r="${n1(3 + 6 * f)}" fill="${n.color}"/>` +
      text(anchorLeft ? x - 12 : x + 12, y + 4, n.label, `text-anchor="${anchorLeft ? "end" : "start"}" class="tick"`) +
      `<title>${escapeHtml(n.tip)}</title></g>`
    );
  };
  leftNodes.forEach((n, i) => {
    out.push(node(n, xl, yOf(i, leftNodes.length), true));
  });
  rightNodes.forEach((n, i) => {
    out.push(node(n, xr, yOf(rightPos.get(i) ?? 0, rightNodes.length), false));
  });
  out.push("</svg>");
  return out.join("");
}

/** One line of a time-series chart. */
export interface Series {
  name: string;
  values: number[];
}

function fmtTime(epoch: number, withDate: boolean): string {
  const iso = new Date(epoch * 1000).toISOString();
  return withDate ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
}

/** Time series (packets per bucket), one polyline per series, UTC time axis. */
export function lineChartSvg(kind: string, label: string, starts: number[], series: Series[], width = 1180): string {
  if (!starts.length || !series.length) return empty(kind, width, label, "no timestamped packets");
  const left = 60;
  const right = 220;
  const top = 14;
  const plotH = 200;
  const h = top + plotH + 46;
  const plotW = width - left - right;
  let maxV = 1;
  for (const s of series) for (const v of s.values) if (v > maxV) maxV = v;
  const xs = (i: number) => left + (starts.length === 1 ? plotW / 2 : (i / (starts.length - 1)) * plotW);
  const ys = (v: number) => top + plotH - (v / maxV) * plotH;
  const out: string[] = [svgOpen(kind, width, h, label)];
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" class="plot"/>`);
  for (let k = 0; k <= 4; k++) {
    const v = (maxV * k) / 4;
    const y = ys(v);
    out.push(`<line x1="${left}" x2="${left + plotW}" y1="${n1(y)}" y2="${n1(y)}" class="grid"/>`);
    out.push(text(left - 6, y + 4, String(Math.round(v)), 'text-anchor="end" class="tick"'));
  }
  const span = (starts[starts.length - 1] as number) - (starts[0] as number);
  const ticks = Math.min(6, starts.length);
  for (let k = 0; k < ticks; k++) {
    const i = ticks === 1 ? 0 : Math.round((k * (starts.length - 1)) / (ticks - 1));
    out.push(
      text(
        xs(i),
        top + plotH + 16,
        fmtTime(starts[i] as number, span >= 86400 || k === 0),
        'text-anchor="middle" class="tick"',
      ),
    );
  }
  out.push(text(left + plotW / 2, top + plotH + 38, "time (UTC)", 'text-anchor="middle" class="axis"'));
  series.forEach((s, si) => {
    const color = PALETTE[si % PALETTE.length] as string;
    const pts = s.values.map((v, i) => `${n1(xs(i))},${n1(ys(v))}`).join(" ");
    const total = s.values.reduce((a, b) => a + b, 0);
    if (s.values.length === 1) {
      out.push(
        `<circle class="mark series" cx="${n1(xs(0))}" cy="${n1(ys(s.values[0] as number))}" r="4" fill="${color}"><title>${escapeHtml(`${s.name}: ${total} packets`)}</title></circle>`,
      );
    } else {
      out.push(
        `<polyline class="mark series" points="${pts}" fill="none" stroke="${color}" stroke-width="2"><title>${escapeHtml(`${s.name}: ${total} packets`)}</title></polyline>`,
      );
    }
    const ly = top + 8 + si * 18;
    out.push(`<rect x="${left + plotW + 14}" y="${ly}" width="12" height="12" fill="${color}"/>`);
    out.push(text(left + plotW + 32, ly + 10, `${s.name} (${total})`, 'class="tick"'));
  });
  out.push("</svg>");
  return out.join("");
}

/** A bar of a bar chart. */
export interface Bar {
  label: string;
  value: number;
  color: string;
  tip: string;
}

/** Horizontal bar chart (labels left, value at the bar end). */
export function barChartSvg(kind: string, label: string, bars: Bar[], width = 580): string {
  if (!bars.length) return empty(kind, width, label, "none");
  const left = 190;
  const right = 60;
  const rowH = 22;
  const top = 8;
  const h = top + bars.length * rowH + 8;
  const plotW = width - left - right;
  const maxV = Math.max(1, ...bars.map((b) => b.value));
  const out: string[] = [svgOpen(kind, width, h, label)];
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const w = b.value > 0 ? Math.max(1, (b.value / maxV) * plotW) : 0;
    out.push(text(left - 6, y + 15, b.label, 'text-anchor="end" class="tick"'));
    out.push(
      `<rect class="mark bar" x="${left}" y="${y + 3}" width="${n1(w)}" height="${rowH - 6}" fill="${b.color}"><title>${escapeHtml(b.tip)}</title></rect>`,
    );
    out.push(text(left + w + 6, y + 15, String(b.value), 'class="tick"'));
  });
  out.push("</svg>");
  return out.join("");
}
