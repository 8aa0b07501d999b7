import { addrWords } from "./cidr.ts";
import { type CsvField, csvValue, matchCriterion } from "./csv.ts";
import type { Packet } from "./packet.ts";

/** Options of {@link renderGnuplot} (psad's --gnuplot-* flags). */
export interface GnuplotOptions {
  fields: CsvField[];
  /** --gnuplot-file-prefix, default "fwkit-psad". */
  filePrefix?: string;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  zLabel?: string;
  /** --gnuplot-3d (also implied by three fields). */
  threeD?: boolean;
  /** --gnuplot-view, default "60,30". */
  view?: string;
  /** --gnuplot-graph-style, default linespoints (2-D) / points (3-D). */
  graphStyle?: string;
  /** Header comment lines (command line, time) — injected, no clock here. */
  header?: string[];
}

const PROTO_NUM: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, udplite: 136, icmp6: 58, ah: 51, esp: 50 };
const BUCKET: Record<string, number> = { countday: 86400, counthour: 3600, countmin: 60 };

/**
 * Turn matching packets into gnuplot `.dat` and `.gnu` text: IPs become dense integers in sorted order
 * (`### n=ip` comments), protocols numbers, interfaces their trailing digit, timestamps epochs (log time).
 */
export function renderGnuplot(packets: Iterable<Packet>, options: GnuplotOptions): { data: string; script: string } {
  const fields = options.fields;
  const rows: string[][] = [];
  for (const p of packets) {
    if (!fields.every((f) => matchCriterion(p, f))) continue;
    rows.push(fields.map((f) => (f.name === "timestamp" ? String(Math.floor(p.time)) : csvValue(p, f.name))));
  }
  // dense integer maps for IPs (sorted numerically) and other strings (first seen)
  const ipIdx = new Map<string, number>();
  const ips = new Set<string>();
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as CsvField;
    if (f.name === "src" || f.name === "dst") for (const r of rows) ips.add(r[i] as string);
  }
  const sortedIps = [...ips].sort((a, b) => {
    const wa = addrWords(a)?.words ?? [];
    const wb = addrWords(b)?.words ?? [];
    for (let k = 0; k < Math.max(wa.length, wb.length); k++) if (wa[k] !== wb[k]) return (wa[k] ?? -1) - (wb[k] ?? -1);
    return 0;
  });
  for (let k = 0; k < sortedIps.length; k++) ipIdx.set(sortedIps[k] as string, k + 1);
  const strIdx = new Map<string, number>();
  const conv = (name: string, v: string): number => {
    if (name === "src" || name === "dst") return ipIdx.get(v) ?? 0;
    if (name === "proto") return PROTO_NUM[v] ?? (Number(v) || 0);
    if (name === "intf") return Number(/(\d+)$/.exec(v)?.[1] ?? 0);
    if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
    let n = strIdx.get(v);
    if (n === undefined) {
      n = strIdx.size + 1;
      strIdx.set(v, n);
    }
    return n;
  };
  let numeric: number[][] = rows.map((r) => r.map((v, i) => conv((fields[i] as CsvField).name, v)));
  const ci = fields.findIndex((f) => f.count !== undefined);
  if (ci >= 0) {
    const mode = (fields[ci] as CsvField).count as string;
    const bucket = Object.entries(BUCKET).find(([k]) => mode.startsWith(k))?.[1];
    const uniq = mode.endsWith("uniq");
    const groups = new Map<string, { key: number[]; n: number; seen: Set<number> }>();
    for (const r of numeric) {
      const key = r.filter((_, i) => i !== ci);
      if (bucket && fields[0]?.name === "timestamp") key[0] = Math.floor((key[0] as number) / bucket) * bucket;
      const k = key.join(" ");
      let g = groups.get(k);
      if (!g) {
        g = { key, n: 0, seen: new Set() };
        groups.set(k, g);
      }
      g.n++;
      g.seen.add(r[ci] as number);
    }
    numeric = [...groups.values()].map((g) => [...g.key, uniq ? g.seen.size : g.n]);
  }
  numeric.sort((a, b) => (a[0] as number) - (b[0] as number));
  const prefix = options.filePrefix ?? "fwkit-psad";
  const head = (options.header ?? []).map((h) => `# ${h}`);
  const ipComments = sortedIps.map((ip) => `### ${ipIdx.get(ip)}=${ip}`);
  const data = `${[...head, ...ipComments, ...numeric.map((r) => r.join(" "))].join("\n")}\n`;
  const cols = numeric[0]?.length ?? fields.length;
  const threeD = options.threeD || cols >= 3;
  const style = options.graphStyle ?? (threeD ? "points" : "linespoints");
  const s: string[] = [
    ...head,
    `set title "${(options.title ?? "psad iptables log data").replace(/"/g, "'")}"`,
    "set terminal png",
    `set output "${prefix}.png"`,
  ];
  if (options.xLabel) s.push(`set xlabel "${options.xLabel}"`);
  if (options.yLabel) s.push(`set ylabel "${options.yLabel}"`);
  if (fields[0]?.name === "timestamp") s.push("set xdata time", 'set timefmt x "%s"');
  if (threeD) {
    if (options.zLabel) s.push(`set zlabel "${options.zLabel}"`);
    s.push(`set view ${options.view ?? "60,30"}`, `splot "${prefix}.dat" using 1:2:3 with ${style}`);
  } else s.push(`plot "${prefix}.dat" using 1:2 with ${style}`);
  return { data, script: `${s.join("\n")}\n` };
}
