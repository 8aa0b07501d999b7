import type { Packet } from "./packet.ts";

/** Options of {@link createTrafficCollector}. */
export interface TrafficCollectorOptions {
  /** Most distinct (source, proto/port) cells kept for the port-sweep scatter (default 100,000). */
  maxCells?: number;
  /** Most distinct sources / ports / src→dst pairs counted (default 50,000 each). */
  maxKeys?: number;
  /** Initial time-bucket width in seconds (default 60); doubled whenever the span needs more buckets. */
  bucketSeconds?: number;
  /** Most time buckets kept (default 120). */
  maxBuckets?: number;
  /** Most distinct ports and sources counted inside one time bucket (default 1,000; the rest is `other`). */
  maxKeysPerBucket?: number;
}

/** One time bucket: packets per port key ("tcp/22") and per source. */
export interface TrafficBucket {
  /** Bucket start (epoch seconds). */
  start: number;
  total: number;
  ports: Map<string, number>;
  sources: Map<string, number>;
}

/** What the collector saw (input of `renderHtmlReport`). Every map is bounded by the collector options. */
export interface TrafficStats {
  /** Packets offered to the collector. */
  packets: number;
  /** Packets without a usable log time (not in the time series). */
  untimed: number;
  /** Packets per source. */
  sources: Map<string, number>;
  /** Packets per port key (`tcp/22`, `udp/53`; port-less protocols are not counted). */
  ports: Map<string, number>;
  /** Packets per src → dst pair (key `src dst`). */
  pairs: Map<string, number>;
  /** Per source: port key → packets (the port-sweep scatter). */
  cells: Map<string, Map<string, number>>;
  /** Time buckets sorted by start, `bucketSeconds` wide. */
  buckets: TrafficBucket[];
  bucketSeconds: number;
  /** Packets whose key was not stored because a cap was reached (counted, not dropped from totals). */
  overflow: { cells: number; keys: number; bucketKeys: number };
}

/** Streaming, bounded collector for the HTML report's charts. */
export interface TrafficCollector {
  /** Count one packet (use as / inside `analyzeLog`'s `onPacket`). */
  add(pkt: Packet): void;
  /** Snapshot of the counts. */
  stats(): TrafficStats;
}

function bump(m: Map<string, number>, k: string, cap: number): boolean {
  const v = m.get(k);
  if (v !== undefined) {
    m.set(k, v + 1);
    return true;
  }
  if (m.size >= cap) return false;
  m.set(k, 1);
  return true;
}

/**
 * Create the traffic collector behind the HTML report's scatter, link graph and time series. It is fed
 * from `analyzeLog(…, { onPacket: (p) => collector.add(p) })`, so the analysis fast path is unchanged when
 * no HTML report is wanted. Memory is bounded by the options (caps count the overflow instead of growing).
 * @param options - caps and the initial time-bucket width
 * @returns `{ add, stats }`
 * @example
 * const traffic = createTrafficCollector();
 * const result = await analyzeLog(stream, setup, { onPacket: (p) => traffic.add(p) });
 * const html = renderHtmlReport(result, { traffic: traffic.stats() });
 */
export function createTrafficCollector(options: TrafficCollectorOptions = {}): TrafficCollector {
  const maxCells = options.maxCells ?? 100_000;
  const maxKeys = options.maxKeys ?? 50_000;
  const maxBuckets = Math.max(2, options.maxBuckets ?? 120);
  const perBucket = options.maxKeysPerBucket ?? 1000;
  let width = Math.max(1, options.bucketSeconds ?? 60);
  const sources = new Map<string, number>();
  const ports = new Map<string, number>();
  const pairs = new Map<string, number>();
  const cells = new Map<string, Map<string, number>>();
  let buckets = new Map<number, TrafficBucket>();
  let minIdx = Number.POSITIVE_INFINITY;
  let maxIdx = Number.NEGATIVE_INFINITY;
  let nCells = 0;
  let packets = 0;
  let untimed = 0;
  const overflow = { cells: 0, keys: 0, bucketKeys: 0 };

  function merge(into: Map<string, number>, from: Map<string, number>): void {
    for (const [k, v] of from) {
      const cur = into.get(k);
      if (cur !== undefined) into.set(k, cur + v);
      else if (into.size < perBucket) into.set(k, v);
      else overflow.bucketKeys += v;
    }
  }

  /** Widen the buckets (x2, x4 …) until the seen span fits in maxBuckets. */
  function coarsen(): void {
    let factor = 1;
    while (Math.floor(maxIdx / factor) - Math.floor(minIdx / factor) + 1 > maxBuckets) factor *= 2;
    if (factor === 1) return;
    width *= factor;
    const next = new Map<number, TrafficBucket>();
    for (const [idx, b] of buckets) {
      const ni = Math.floor(idx / factor);
      let nb = next.get(ni);
      if (!nb) {
        nb = { start: ni * width, total: 0, ports: new Map(), sources: new Map() };
        next.set(ni, nb);
      }
      nb.total += b.total;
      merge(nb.ports, b.ports);
      merge(nb.sources, b.sources);
    }
    buckets = next;
    minIdx = Math.floor(minIdx / factor);
    maxIdx = Math.floor(maxIdx / factor);
  }

  function add(pkt: Packet): void {
    packets++;
    const hasPort = pkt.proto === "tcp" || pkt.proto === "udp" || pkt.proto === "udplite";
    const portKey = hasPort ? `${pkt.proto}/${pkt.dp}` : "";
    if (!bump(sources, pkt.src, maxKeys)) overflow.keys++;
    if (!bump(pairs, `${pkt.src} ${pkt.dst}`, maxKeys)) overflow.keys++;
    if (hasPort) {
      if (!bump(ports, portKey, maxKeys)) overflow.keys++;
      let c = cells.get(pkt.src);
      if (!c && nCells < maxCells) {
        c = new Map();
        cells.set(pkt.src, c);
      }
      if (c) {
        const v = c.get(portKey);
        if (v !== undefined) c.set(portKey, v + 1);
        else if (nCells < maxCells) {
          c.set(portKey, 1);
          nCells++;
        } else overflow.cells++;
      } else overflow.cells++;
    }
    const t = pkt.time;
    if (!Number.isFinite(t)) {
      untimed++;
      return;
    }
    const idx = Math.floor(t / width);
    let b = buckets.get(idx);
    if (!b) {
      if (idx < minIdx) minIdx = idx;
      if (idx > maxIdx) maxIdx = idx;
      if (maxIdx - minIdx + 1 > maxBuckets) {
        coarsen();
        add2(pkt, portKey, Math.floor(t / width));
        return;
      }
      b = { start: idx * width, total: 0, ports: new Map(), sources: new Map() };
      buckets.set(idx, b);
    }
    fill(b, pkt, portKey);
  }

  function add2(pkt: Packet, portKey: string, idx: number): void {
    let b = buckets.get(idx);
    if (!b) {
      b = { start: idx * width, total: 0, ports: new Map(), sources: new Map() };
      buckets.set(idx, b);
    }
    fill(b, pkt, portKey);
  }

  function fill(b: TrafficBucket, pkt: Packet, portKey: string): void {
    b.total++;
    if (portKey && !bump(b.ports, portKey, perBucket)) overflow.bucketKeys++;
    if (!bump(b.sources, pkt.src, perBucket)) overflow.bucketKeys++;
  }

  return {
    add,
    stats(): TrafficStats {
      return {
        packets,
        untimed,
        sources,
        ports,
        pairs,
        cells,
        buckets: [...buckets.values()].sort((a, b) => a.start - b.start),
        bucketSeconds: width,
        overflow: { ...overflow },
      };
    },
  };
}
