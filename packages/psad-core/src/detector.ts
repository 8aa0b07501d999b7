import { addrWords, cidrContains } from "./cidr.ts";
import type { AutoDlEntry } from "./data-files.ts";
import { createP0fMatcher, newPosfState, type PosfState, posfUpdate } from "./os-fingerprint.ts";
import type { Packet } from "./packet.ts";
import { TCP_FLAG } from "./packet.ts";
import type { DetectorSetup } from "./setup.ts";
import { createSignatureMatcher } from "./signatures.ts";

/** Why a packet was not counted. */
export type IgnoreReason =
  | "search"
  | "prefix"
  | "interface"
  | "ipv6"
  | "protocol"
  | "conntrack"
  | "port"
  | "restrict"
  | "auto_dl"
  | "signature_dl0";

/** A signature hit accumulated for one src->dst pair. */
export interface SigHit {
  sid: number;
  proto: string;
  chain: string;
  pkts: number;
  /** Destination port of the latest hit (psad keeps the last one). */
  dp: number;
  flags: string;
  isFwsnort: boolean;
  isPsadId: boolean;
  fwsnortRnum: number;
  fwsnortEstab: boolean;
  /** psad's message for the sid (signatures file or fwsnort rule). */
  msg: string;
  /** Log time of the latest hit (epoch s). */
  time: number;
}

/** An invalid ICMP/ICMPv6 type or code record. */
export interface InvalidIcmp {
  proto: "icmp" | "icmp6";
  kind: "type" | "code";
  type: number;
  code: number;
  typeName: string;
  chain: string;
  pkts: number;
}

/** Per-batch view of one src->dst pair (psad's curr_scan). */
export interface BatchPair {
  pkts: Map<string, number>;
  flags: Map<string, number>;
  ranges: Map<string, { lo: number; hi: number }>;
  srcMac: string;
  dstMac: string;
  /** Syslog hosts that reported this pair in the batch. */
  syslogHosts: string[];
  isTopera: boolean;
  isMasscan: boolean;
  isMirai: boolean;
  /** `proto|chain|prefix` -> packets, only with `CreateDetectorOptions.chainPrefixes`. */
  chainPrefixes?: Map<string, number>;
}

/** Cumulative state of one src->dst pair (psad's scan hash). */
export interface PairState {
  dst: string;
  absnum: number;
  /** First log time (epoch s). */
  sTime: number;
  lastTime: number;
  protos: Set<string>;
  /** chain|intf|proto -> packets */
  chainCounts: Map<string, number>;
  ranges: Map<string, { lo: number; hi: number }>;
  sigs: Map<string, SigHit>;
  unreportedSigs: Set<string>;
  invalid: Map<string, InvalidIcmp>;
  isPortSweep: boolean;
  mirai23: number;
  batch: BatchPair | undefined;
  /** Cache of the last chain|intf|proto key (avoids building it per packet). */
  ccChain: string;
  ccIntf: string;
  ccProto: string;
  ccKey: string;
}

/** Cumulative state of one source. */
export interface SourceState {
  src: string;
  dl: number;
  pkts: number;
  sigCount: number;
  dsts: Map<string, PairState>;
  p0f: Set<string>;
  posf: PosfState | undefined;
  autoAssigned: boolean;
  lastTime: number;
  /** A log prefix of this source matched AUTO_BLOCK_REGEX (ENABLE_AUTO_IDS_REGEX). */
  blockRegexMatched: boolean;
}

/** One alert: a src->dst pair of a closed batch whose source reached MIN_DANGER_LEVEL. */
export interface ScanAlert {
  src: string;
  dst: string;
  dl: number;
  totalDsts: number;
  /** psad's scan style string ("Nmap -sT or -sS scan", "-sU scan" …), "" when none. */
  style: string;
  tcp: { range: string; pkts: number; flags: [string, number][] } | undefined;
  udp: { range: string; pkts: number } | undefined;
  icmpPkts: number;
  icmp6Pkts: number;
  otherProtoPkts: number;
  protocolScan: number;
  multiProtocol: boolean;
  autoAssigned: boolean;
  isPortSweep: boolean;
  osGuesses: string[];
  /** Signature hits first reported in this alert. */
  signatures: SigHit[];
  invalidIcmp: InvalidIcmp[];
  /** `proto|chain|prefix` packet counts of the batch (with `CreateDetectorOptions.chainPrefixes`). */
  chainPrefixes?: [string, number][];
  /** Syslog hosts that reported the pair in this batch (alert e-mail "Syslog hostname"). */
  syslogHosts?: string[];
  /** Last source/destination MAC of the batch ("" when the log has none). */
  srcMac?: string;
  dstMac?: string;
  /** The syslog lines psad writes for this alert (signature lines first, then "scan detected"). */
  syslog: string[];
  /** Log time the batch closed at (epoch s). */
  time: number;
}

/** Counters kept by the detector. */
export interface DetectorCounters {
  packets: number;
  accepted: number;
  ignored: Record<IgnoreReason, number>;
  evictedSources: number;
  expiredPairs: number;
}

/** The pure detection engine. */
export interface Detector {
  /**
   * Feed one parsed packet. Returns the alerts of any batch this packet's log time closed
   * (every CHECK_INTERVAL seconds of log time; never in single-batch mode).
   */
  push(pkt: Packet): ScanAlert[];
  /** Close the current batch: assign danger levels and return its alerts. */
  flush(): ScanAlert[];
  /** Read-only view of the state for reports. */
  state(): DetectorState;
  /** Extra syslog lines (auto-assigned DL, threshold warnings) produced so far, drained on read. */
  drainSyslog(): string[];
}

/** Detector state exposed to report renderers. */
export interface DetectorState {
  sources: ReadonlyMap<string, SourceState>;
  /** Sources of the last closed batch. */
  lastBatch: ReadonlySet<string>;
  protoCounters: ReadonlyMap<string, number>;
  topPorts: {
    tcp: ReadonlyMap<number, number>;
    udp: ReadonlyMap<number, number>;
    udplite: ReadonlyMap<number, number>;
  };
  topSigs: ReadonlyMap<number, number>;
  sigSources: ReadonlyMap<number, ReadonlySet<string>>;
  sigMsgs: ReadonlyMap<number, { msg: string; proto: string }>;
  prefixes: ReadonlyMap<string, number>;
  counters: DetectorCounters;
}

/** Options of {@link createDetector}. */
export interface CreateDetectorOptions {
  /** Treat everything as one batch (psad -A), default false. */
  singleBatch?: boolean;
  /** Count packets per protocol, chain and log prefix in each batch (alert e-mail `iptables chain` lines). Default off. */
  chainPrefixes?: boolean;
  /** Clock used when a packet carries no log time (epoch seconds). */
  now?: () => number;
}

// Shared empty collections: per-pair/per-source maps are allocated on first write only (bounded memory
// for millions of one-packet sources). Never written to.
const NO_SIGS: Map<string, SigHit> = new Map();
const NO_KEYS: Set<string> = new Set();
const NO_INVALID: Map<string, InvalidIcmp> = new Map();
const NO_OS: Set<string> = new Set();

function nmapHint(flags: string, compat: boolean): string {
  switch (flags) {
    case "SYN":
      return "-sT or -sS";
    case "FIN":
      return "-sF";
    case "URG PSH FIN":
      return "-sX";
    case "NULL":
      return "-sN";
    case "URG PSH SYN FIN":
      return "-O";
    case "ACK":
      return compat ? "" : "-sA";
    case "ACK FIN":
      return compat ? "" : "-sM";
    default:
      return "";
  }
}

function fmtRange(r: { lo: number; hi: number }): string {
  return r.lo === r.hi ? String(r.lo) : `${r.lo}-${r.hi}`;
}

/**
 * Create a detector over a compiled setup. Pure: time comes from the packets (or the injected clock).
 * @param setup - from {@link buildDetectorSetup}
 * @param options - `singleBatch` (psad -A) and the fallback clock for packets without a log time
 * @returns `{ push, flush, state, drainSyslog }`; `push` returns the alerts of each closed CHECK_INTERVAL batch
 * @example
 * const det = createDetector(setup);
 * const r = parser.parseLine(line);
 * if (r.ok) for (const alert of det.push(r.packet)) sink(alert.syslog);
 */
export function createDetector(setup: DetectorSetup, options: CreateDetectorOptions = {}): Detector {
  const cfg = setup.config;
  const opts = setup.options;
  const compat = opts.psadCompat ?? false;
  const maxSources = opts.maxSources ?? 50_000;
  const now = options.now ?? (() => Number.NaN);
  const single = options.singleBatch ?? false;
  const trackPrefixes = options.chainPrefixes ?? false;
  const sigMatcher =
    opts.noSignatures || setup.signatures.length === 0
      ? undefined
      : createSignatureMatcher(setup.signatures, setup.ipOptions, { psadCompat: compat });
  const p0f = opts.noPassiveOs || setup.pfOs.length === 0 ? undefined : createP0fMatcher(setup.pfOs, cfg.MAX_HOPS);
  const sources = new Map<string, SourceState>();
  const batchSources = new Set<string>();
  let lastBatch = new Set<string>();
  const curSigsDl = new Map<string, number>();
  const protoCounters = new Map<string, number>();
  const topPorts = {
    tcp: new Map<number, number>(),
    udp: new Map<number, number>(),
    udplite: new Map<number, number>(),
  };
  const topSigs = new Map<number, number>();
  const sigSources = new Map<number, Set<string>>();
  const sigMsgs = new Map<number, { msg: string; proto: string }>();
  const prefixes = new Map<string, number>();
  const syslogExtra: string[] = [];
  const counters: DetectorCounters = {
    packets: 0,
    accepted: 0,
    ignored: {
      search: 0,
      prefix: 0,
      interface: 0,
      ipv6: 0,
      protocol: 0,
      conntrack: 0,
      port: 0,
      restrict: 0,
      auto_dl: 0,
      signature_dl0: 0,
    },
    evictedSources: 0,
    expiredPairs: 0,
  };
  let seenTcpOpts = false;
  let batchStart = Number.NaN;
  let batchEndTime = Number.NaN;
  let pairCount = 0;
  let pairsThresholdLogged = false;
  const autoDlSorted: AutoDlEntry[] = [...setup.autoDl].sort((a, b) => b.net.prefix - a.net.prefix);
  // Hot-path caches: consecutive packets mostly share src and dst, so the last source/pair found is
  // reused without hashing the address strings again. Cleared whenever sources or pairs are removed.
  let lastSrcKey = "";
  let lastSrc: SourceState | undefined;
  let lastDstKey = "";
  let lastPair: PairState | undefined;
  /** The OS list last added to a source's p0f set, and that source. */
  let lastP0fList: readonly string[] | undefined;
  let lastP0fSrc: SourceState | undefined;
  /** The source last added to batchSources in the current batch. */
  let lastBatchSrc: SourceState | undefined;
  function dropCaches(): void {
    lastSrcKey = "";
    lastSrc = undefined;
    lastDstKey = "";
    lastPair = undefined;
    lastBatchSrc = undefined;
  }

  function ignore(r: IgnoreReason): ScanAlert[] {
    counters.ignored[r]++;
    return [];
  }

  function filter(pkt: Packet): IgnoreReason | undefined {
    if (!cfg.FW_SEARCH_ALL && pkt.fwsnort_sid === 0) {
      const hay = pkt.log_prefix;
      if (!setup.msgSearchRes.some((r) => r.test(hay))) return "search";
    }
    if (pkt.log_prefix && setup.ignorePrefixRe?.test(pkt.log_prefix)) return "prefix";
    if (opts.interface && pkt.intf !== opts.interface) return "interface";
    if (setup.ignoreInterfaces.has(pkt.intf)) return "interface";
    if (pkt.is_ipv6 && !cfg.ENABLE_IPV6_DETECTION) return "ipv6";
    if (setup.ignoreProtocols.size && setup.ignoreProtocols.has(pkt.proto)) return "protocol";
    if (
      pkt.proto === "tcp" &&
      cfg.IGNORE_CONNTRACK_BUG_PKTS &&
      pkt.fwsnort_sid === 0 &&
      pkt.flag_bits & (TCP_FLAG.ACK | TCP_FLAG.RST)
    )
      return "conntrack";
    if (setup.ignorePorts.length && (pkt.proto === "tcp" || pkt.proto === "udp" || pkt.proto === "udplite")) {
      for (const p of setup.ignorePorts) if (p.proto === pkt.proto && pkt.dp >= p.lo && pkt.dp <= p.hi) return "port";
    }
    if (setup.restrictNet) {
      const s = addrWords(pkt.src);
      const d = addrWords(pkt.dst);
      const inS = s ? cidrContains(setup.restrictNet, s.v6, s.words) : false;
      const inD = d ? cidrContains(setup.restrictNet, d.v6, d.words) : false;
      if (!inS && !inD) return "restrict";
    }
    return undefined;
  }

  /** auto_dl: longest-prefix match; returns the DL or -1. DL 0 applies only where its criteria match. */
  function autoDl(pkt: Packet): number {
    if (opts.noAutoDl || autoDlSorted.length === 0) return -1;
    const a = addrWords(pkt.src);
    if (!a) return -1;
    for (const e of autoDlSorted) {
      if (!cidrContains(e.net, a.v6, a.words)) continue;
      if (!e.protos) return e.dl;
      if (!e.protos.has(pkt.proto)) continue;
      const ports = e.protos.get(pkt.proto);
      if (!ports) return e.dl;
      for (const r of ports) if (pkt.dp >= r.lo && pkt.dp <= r.hi) return e.dl;
    }
    return -1;
  }

  function evict(): void {
    // Rebuild the maps (deleting in place leaves holes that slow later iteration): keep every source that
    // reached a DL, then the most recent DL-0 sources, down to half the bound (amortised O(1) per new source).
    const target = Math.floor(maxSources * 0.5);
    let keepDl0 = target;
    for (const s of sources.values()) if (s.dl > 0) keepDl0--;
    const all = [...sources.values()];
    const kept = new Map<string, SourceState>();
    let dl0Seen = 0;
    const dl0Total = all.length - (target - keepDl0);
    for (const s of all) {
      if (s.dl > 0 && kept.size < target) kept.set(s.src, s);
      else if (s.dl === 0) {
        dl0Seen++;
        if (dl0Total - dl0Seen < keepDl0) kept.set(s.src, s);
      }
    }
    for (const s of all)
      if (!kept.has(s.src)) {
        pairCount -= s.dsts.size;
        counters.evictedSources++;
        curSigsDl.delete(s.src);
      }
    sources.clear();
    dropCaches();
    for (const [k, v] of kept) sources.set(k, v);
    const nb = [...batchSources].filter((x) => kept.has(x));
    batchSources.clear();
    for (const x of nb) batchSources.add(x);
  }

  function expire(t: number): void {
    if (cfg.ENABLE_PERSISTENCE || Number.isNaN(t)) return;
    dropCaches();
    // fixed: a pair times out SCAN_TIMEOUT seconds after its LAST packet (psad: after its first)
    for (const [src, s] of sources) {
      for (const [dst, p] of s.dsts) {
        if (t - p.lastTime >= cfg.SCAN_TIMEOUT && !p.batch) {
          s.dsts.delete(dst);
          pairCount--;
          counters.expiredPairs++;
        }
      }
      if (s.dsts.size === 0 && !batchSources.has(src)) sources.delete(src);
    }
  }

  function newBatchPair(): BatchPair {
    return {
      pkts: new Map(),
      flags: new Map(),
      ranges: new Map(),
      srcMac: "",
      dstMac: "",
      syslogHosts: [],
      isTopera: false,
      isMasscan: false,
      isMirai: false,
    };
  }

  function recordSig(
    pair: PairState,
    s: SourceState,
    pkt: Packet,
    sid: number,
    proto: string,
    msg: string,
    isFwsnort: boolean,
    isPsadId: boolean,
    t: number,
  ): void {
    const key = `${proto}|${sid}|${pkt.chain}`;
    if (pair.sigs === NO_SIGS) {
      pair.sigs = new Map();
      pair.unreportedSigs = new Set();
    }
    let h = pair.sigs.get(key);
    if (!h) {
      h = {
        sid,
        proto,
        chain: pkt.chain,
        pkts: 0,
        dp: 0,
        flags: "",
        isFwsnort,
        isPsadId,
        fwsnortRnum: pkt.fwsnort_rnum,
        fwsnortEstab: pkt.fwsnort_estab,
        msg,
        time: t,
      };
      pair.sigs.set(key, h);
    }
    h.pkts++;
    if (proto === "tcp" || proto === "udp" || proto === "udplite") h.dp = pkt.dp;
    if (proto === "tcp") h.flags = pkt.flags;
    h.time = t;
    pair.unreportedSigs.add(key);
    topSigs.set(sid, (topSigs.get(sid) ?? 0) + 1);
    let ss = sigSources.get(sid);
    if (!ss) {
      ss = new Set();
      sigSources.set(sid, ss);
    }
    ss.add(s.src);
    if (!sigMsgs.has(sid)) sigMsgs.set(sid, { msg, proto });
    s.sigCount++;
  }

  function checkIcmp(pkt: Packet, pair: PairState, s: SourceState): void {
    const v6 = pkt.proto === "icmp6";
    const table = v6 ? setup.icmp6Types : setup.icmpTypes;
    if (!table || opts.noIcmpTypes) return;
    const t = table.get(pkt.itype);
    let kind: "type" | "code" | undefined;
    if (!t) kind = "type";
    else if (!t.codes.has(pkt.icode)) kind = "code";
    if (!kind) return;
    const key = `${pkt.proto}|${kind}|${pkt.itype}|${pkt.icode}|${pkt.chain}`;
    if (pair.invalid === NO_INVALID) pair.invalid = new Map();
    let r = pair.invalid.get(key);
    if (!r) {
      r = {
        proto: v6 ? "icmp6" : "icmp",
        kind,
        type: pkt.itype,
        code: pkt.icode,
        typeName: t?.name ?? "",
        chain: pkt.chain,
        pkts: 0,
      };
      pair.invalid.set(key, r);
    }
    r.pkts++;
    if (s.dl < 2) s.dl = 2;
  }

  function closeBatch(): ScanAlert[] {
    const alerts: ScanAlert[] = [];
    const t = Number.isNaN(batchEndTime) ? now() : batchEndTime;
    // assign danger levels (psad's assign_danger_level, with fixes noted in the README)
    for (const src of batchSources) {
      const s = sources.get(src);
      if (!s) continue;
      const sdl = curSigsDl.get(src);
      if (sdl !== undefined && s.dl < sdl) s.dl = sdl;
      let totDsts = 0;
      for (const p of s.dsts.values()) if (p.batch) totDsts++;
      for (const p of s.dsts.values()) {
        if (!p.batch) continue;
        let sPort = 65535;
        let ePort = 0;
        for (const r of p.ranges.values()) {
          if (r.lo < sPort) sPort = r.lo;
          if (r.hi > ePort) ePort = r.hi;
        }
        const range = ePort ? ePort - sPort : p.absnum;
        if (p.absnum < cfg.DANGER_LEVEL1 && totDsts < cfg.DL1_UNIQUE_HOSTS) continue;
        if (
          range >= cfg.PORT_RANGE_SCAN_THRESHOLD ||
          p.protos.size >= cfg.PROTOCOL_SCAN_THRESHOLD ||
          totDsts >= cfg.DL1_UNIQUE_HOSTS
        ) {
          const a = p.absnum;
          const pktDl =
            a < cfg.DANGER_LEVEL2
              ? 1
              : a < cfg.DANGER_LEVEL3
                ? 2
                : a < cfg.DANGER_LEVEL4
                  ? 3
                  : a < cfg.DANGER_LEVEL5
                    ? 4
                    : 5;
          const hostDl =
            totDsts < cfg.DL2_UNIQUE_HOSTS
              ? 1
              : totDsts < cfg.DL3_UNIQUE_HOSTS
                ? 2
                : totDsts < cfg.DL4_UNIQUE_HOSTS
                  ? 3
                  : totDsts < cfg.DL5_UNIQUE_HOSTS
                    ? 4
                    : 5;
          s.dl = Math.max(s.dl, pktDl, hostDl);
          if (ePort && range === cfg.PORT_RANGE_SWEEP_THRESHOLD && totDsts >= cfg.DL1_UNIQUE_HOSTS)
            p.isPortSweep = true;
        }
      }
    }
    // alerts
    const srcList = [...batchSources].sort();
    for (const src of srcList) {
      const s = sources.get(src);
      if (!s) continue;
      if (s.dl < cfg.MIN_DANGER_LEVEL || s.dl === 0) continue;
      const dsts = [...s.dsts.values()]
        .filter((p) => p.batch)
        .sort((x, y) => (x.dst < y.dst ? -1 : x.dst > y.dst ? 1 : 0));
      const totalDsts = dsts.length;
      for (const p of dsts) alerts.push(buildAlert(s, p, totalDsts, t));
      s.autoAssigned = false;
    }
    // reset batch state
    for (const src of batchSources) {
      const s = sources.get(src);
      if (!s) continue;
      for (const p of s.dsts.values()) p.batch = undefined;
    }
    lastBatch = new Set(batchSources);
    batchSources.clear();
    lastBatchSrc = undefined;
    curSigsDl.clear();
    pairsThresholdLogged = false;
    expire(t);
    batchStart = Number.NaN;
    return alerts;
  }

  function buildAlert(s: SourceState, p: PairState, totalDsts: number, t: number): ScanAlert {
    const b = p.batch as BatchPair;
    let style = "";
    const protocolScan = b.pkts.size >= cfg.PROTOCOL_SCAN_THRESHOLD ? b.pkts.size : 0;
    if (protocolScan) style += "Nmap -sO IP protocol scan,";
    let tcp: ScanAlert["tcp"];
    let udp: ScanAlert["udp"];
    const sweep = p.isPortSweep && !compat;
    const tr = b.ranges.get("tcp");
    if (tr) {
      const flags = [...b.flags.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1));
      for (const [f] of flags) {
        const hint = nmapHint(f, compat);
        if (sweep) style = `Port sweep ${f} scan`;
        else if (b.isTopera) style = `Topera ${f} scan`;
        else if (b.isMasscan) style = `Masscan ${f} scan`;
        else if (b.isMirai) style = "Mirai botnet default credentials scan";
        else if (hint || compat) {
          if (style) style += ` ${hint} scan,`;
          else style = `Nmap ${hint} scan,`;
        }
      }
      tcp = { range: fmtRange(tr), pkts: b.pkts.get("tcp") ?? 0, flags };
    }
    const ur = b.ranges.get("udp");
    if (ur) {
      udp = { range: fmtRange(ur), pkts: b.pkts.get("udp") ?? 0 };
      style += " -sU scan,";
    }
    style = style.replace(/,$/, "").replace(/^\s/, "");
    let other = 0;
    for (const [proto, n] of b.pkts) if (!["tcp", "udp", "udplite", "icmp", "icmp6"].includes(proto)) other += n;
    const icmpPkts = b.pkts.get("icmp") ?? 0;
    const icmp6Pkts = b.pkts.get("icmp6") ?? 0;
    // signatures first reported now (psad deletes reported ones unless SHOW_ALL_SIGNATURES)
    const keys = cfg.SHOW_ALL_SIGNATURES ? [...p.sigs.keys()] : [...p.unreportedSigs];
    const sigs = keys
      .map((k) => p.sigs.get(k))
      .filter((h): h is SigHit => h !== undefined)
      .sort((x, y) => (x.proto < y.proto ? -1 : x.proto > y.proto ? 1 : x.sid - y.sid));
    if (p.unreportedSigs !== NO_KEYS) p.unreportedSigs.clear();
    const syslog: string[] = [];
    if (cfg.ENABLE_SIG_MSG_SYSLOG) {
      const perProto = new Map<string, number>();
      for (const h of sigs) {
        const n = (perProto.get(h.proto) ?? 0) + 1;
        perProto.set(h.proto, n);
        if (n > cfg.SIG_MSG_SYSLOG_THRESHOLD) continue;
        let line = `src: ${s.src} signature match: "${h.msg}" (sid: ${h.sid}) ${h.proto}`;
        if (h.proto === "tcp" || h.proto === "udp" || h.proto === "udplite") line += ` port: ${h.dp}`;
        if (h.isFwsnort) {
          line += " fwsnort";
          line += ` chain: FWSNORT_${h.chain}${h.fwsnortEstab ? "_ESTAB" : ""}`;
          if (h.fwsnortRnum) line += ` rule: ${h.fwsnortRnum}`;
        }
        syslog.push(line);
      }
    }
    let range = "";
    if (tcp) {
      const fl = tcp.flags.map((f) => f[0]).join(" ");
      range = `tcp: [${tcp.range}]${fl ? ` flags: ${fl}` : ""}`;
    }
    if (udp) range = compat || !range ? `udp: [${udp.range}]` : `${range} udp: [${udp.range}]`;
    let line = "scan detected ";
    if (style) line += `(${style}): `;
    line += `${s.src} -> ${p.dst}`;
    if (range) line += ` ${range}`;
    if (tcp?.pkts) line += ` tcp pkts: ${tcp.pkts}`;
    if (udp?.pkts) line += ` udp pkts: ${udp.pkts}`;
    if (icmpPkts) line += ` icmp pkts: ${icmpPkts}`;
    if (!compat && icmp6Pkts) line += ` icmp6 pkts: ${icmp6Pkts}`;
    if (!compat && other) line += ` other proto pkts: ${other}`;
    line += ` DL: ${s.dl} total scan dsts: ${totalDsts}`;
    syslog.push(line);
    const osGuesses = s.p0f.size
      ? (() => {
          const all = [...s.p0f].sort();
          const exact = all.filter((o) => !o.startsWith("@"));
          return exact.length ? exact : all;
        })()
      : s.posf?.guess
        ? [s.posf.guess]
        : [];
    return {
      src: s.src,
      dst: p.dst,
      dl: s.dl,
      totalDsts,
      style,
      tcp,
      udp,
      icmpPkts,
      icmp6Pkts,
      otherProtoPkts: other,
      protocolScan,
      multiProtocol: p.protos.size > 1,
      autoAssigned: s.autoAssigned,
      isPortSweep: p.isPortSweep,
      osGuesses,
      signatures: sigs.map((h) => ({ ...h })),
      invalidIcmp: [...p.invalid.values()].map((r) => ({ ...r })),
      syslogHosts: [...b.syslogHosts],
      ...(b.chainPrefixes
        ? { chainPrefixes: [...b.chainPrefixes.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1)) }
        : {}),
      srcMac: b.srcMac,
      dstMac: b.dstMac,
      syslog,
      time: t,
    };
  }

  function push(pkt: Packet): ScanAlert[] {
    counters.packets++;
    let out: ScanAlert[] = [];
    const t = Number.isNaN(pkt.time) ? now() : pkt.time;
    if (!single && !Number.isNaN(t)) {
      if (Number.isNaN(batchStart)) batchStart = t;
      else if (t - batchStart >= cfg.CHECK_INTERVAL) {
        out = closeBatch();
        batchStart = t;
      }
    }
    const why = filter(pkt);
    if (why) {
      const r = ignore(why);
      return out.length ? out : r;
    }
    if (!Number.isNaN(t)) batchEndTime = t;
    // masscan marker
    if (pkt.proto === "tcp") {
      if (pkt.tcp_opts) {
        if (cfg.EXPECT_TCP_OPTIONS) seenTcpOpts = true;
      } else if (seenTcpOpts && pkt.flags === "SYN") pkt.is_masscan = true;
    }
    protoCounters.set(pkt.proto, (protoCounters.get(pkt.proto) ?? 0) + 1);
    if (pkt.proto === "tcp" || pkt.proto === "udp" || pkt.proto === "udplite") {
      const m = topPorts[pkt.proto];
      m.set(pkt.dp, (m.get(pkt.dp) ?? 0) + 1);
    }
    let s = lastSrc !== undefined && pkt.src === lastSrcKey ? lastSrc : sources.get(pkt.src);
    if (!s) {
      if (sources.size >= maxSources) evict();
      s = {
        src: pkt.src,
        dl: 0,
        pkts: 0,
        sigCount: 0,
        dsts: new Map(),
        p0f: NO_OS,
        posf: undefined,
        autoAssigned: false,
        lastTime: t,
        blockRegexMatched: false,
      };
      sources.set(pkt.src, s);
    }
    if (s !== lastSrc) {
      lastSrc = s;
      lastSrcKey = pkt.src;
      lastPair = undefined;
      lastDstKey = "";
    }
    let pair = lastPair !== undefined && pkt.dst === lastDstKey ? lastPair : s.dsts.get(pkt.dst);
    if (!pair && cfg.MAX_SCAN_IP_PAIRS > 0 && pairCount >= cfg.MAX_SCAN_IP_PAIRS) {
      if (!pairsThresholdLogged) {
        syslogExtra.push("scan IP pairs threshold reached");
        pairsThresholdLogged = true;
      }
      return out;
    }
    // Mirai: 10 SYNs to 23 then a SYN to 2323 (counter kept per pair)
    let mirai = false;
    if (pkt.proto === "tcp" && pkt.flag_bits & TCP_FLAG.SYN) {
      const pr = pair;
      if (pkt.dp === 23) {
        if (pr) pr.mirai23++;
      } else if (pkt.dp === 2323 && pr && pr.mirai23 >= 10) mirai = true;
    }
    s.pkts++;
    s.lastTime = t;
    // auto_dl
    const adl = autoDl(pkt);
    if (adl === 0) return out.length ? out : ignore("auto_dl");
    if (adl > 0 && s.dl < adl) {
      s.dl = adl;
      s.autoAssigned = true;
      syslogExtra.push(`auto-assigned danger level: ${adl} for IP: ${pkt.src}`);
    }
    if (!pair) {
      pair = {
        dst: pkt.dst,
        absnum: 0,
        sTime: t,
        lastTime: t,
        protos: new Set(),
        chainCounts: new Map(),
        ranges: new Map(),
        sigs: NO_SIGS,
        unreportedSigs: NO_KEYS,
        invalid: NO_INVALID,
        isPortSweep: false,
        mirai23: 0,
        batch: undefined,
        ccChain: "",
        ccIntf: "",
        ccProto: "",
        ccKey: "",
      };
      s.dsts.set(pkt.dst, pair);
      pairCount++;
      if (pkt.proto === "tcp" && pkt.flag_bits & TCP_FLAG.SYN && pkt.dp === 23) pair.mirai23 = 1;
    }
    lastPair = pair;
    lastDstKey = pkt.dst;
    if (pkt.proto === "icmp" || pkt.proto === "icmp6") checkIcmp(pkt, pair, s);
    // signatures / fwsnort
    if (!opts.noSnortSids && pkt.fwsnort_sid) {
      const info = setup.snortRules.get(pkt.fwsnort_sid);
      if (info) {
        const dl = setup.snortRuleDl.get(pkt.fwsnort_sid) ?? 2;
        if (dl === 0) return out.length ? out : ignore("signature_dl0");
        recordSig(pair, s, pkt, pkt.fwsnort_sid, pkt.proto, info.msg, true, false, t);
        const cur = curSigsDl.get(pkt.src) ?? 0;
        if (dl > cur) curSigsDl.set(pkt.src, dl);
      }
    } else if (sigMatcher) {
      const hits = sigMatcher.match(pkt);
      if (hits.length) {
        let best = 0;
        let any = false;
        for (const sig of hits) {
          const dl = setup.snortRuleDl.get(sig.sid) ?? sig.dl;
          any = true;
          if (dl === 0) continue;
          if (dl > best) best = dl;
          recordSig(pair, s, pkt, sig.sid, sig.proto, sig.msg, false, sig.isPsadId, t);
        }
        if (any && best === 0) return out.length ? out : ignore("signature_dl0");
        const cur = curSigsDl.get(pkt.src) ?? 0;
        if (best > cur) curSigsDl.set(pkt.src, best);
      }
    }
    counters.accepted++;
    if (lastBatchSrc !== s) {
      batchSources.add(pkt.src);
      lastBatchSrc = s;
    }
    pair.absnum++;
    pair.lastTime = t;
    pair.protos.add(pkt.proto);
    if (pair.ccChain !== pkt.chain || pair.ccIntf !== pkt.intf || pair.ccProto !== pkt.proto) {
      pair.ccChain = pkt.chain;
      pair.ccIntf = pkt.intf;
      pair.ccProto = pkt.proto;
      pair.ccKey = `${pkt.chain}|${pkt.intf}|${pkt.proto}`;
    }
    pair.chainCounts.set(pair.ccKey, (pair.chainCounts.get(pair.ccKey) ?? 0) + 1);
    let b = pair.batch;
    if (!b) {
      b = newBatchPair();
      pair.batch = b;
    }
    b.srcMac = pkt.src_mac;
    b.dstMac = pkt.dst_mac;
    b.pkts.set(pkt.proto, (b.pkts.get(pkt.proto) ?? 0) + 1);
    if (trackPrefixes) {
      b.chainPrefixes ??= new Map();
      const k = `${pkt.proto}|${pkt.chain}|${pkt.log_prefix}`;
      b.chainPrefixes.set(k, (b.chainPrefixes.get(k) ?? 0) + 1);
    }
    if (pkt.flags) b.flags.set(pkt.flags, (b.flags.get(pkt.flags) ?? 0) + 1);
    if (pkt.syslog_host && !b.syslogHosts.includes(pkt.syslog_host) && b.syslogHosts.length < 16)
      b.syslogHosts.push(pkt.syslog_host);
    if (pkt.is_topera) b.isTopera = true;
    if (pkt.is_masscan) b.isMasscan = true;
    if (mirai) {
      b.isMirai = true;
      pair.mirai23 = 0;
    }
    if (pkt.log_prefix) {
      prefixes.set(pkt.log_prefix, (prefixes.get(pkt.log_prefix) ?? 0) + 1);
      if (cfg.ENABLE_AUTO_IDS_REGEX && !s.blockRegexMatched && pkt.log_prefix.includes(cfg.AUTO_BLOCK_REGEX))
        s.blockRegexMatched = true;
    }
    if (
      (pkt.proto === "tcp" || pkt.proto === "udp" || pkt.proto === "udplite") &&
      pkt.frag_offset <= 0 &&
      !pkt.incomplete
    ) {
      const br = b.ranges.get(pkt.proto);
      if (br) {
        if (pkt.dp < br.lo) br.lo = pkt.dp;
        if (pkt.dp > br.hi) br.hi = pkt.dp;
      } else b.ranges.set(pkt.proto, { lo: pkt.dp, hi: pkt.dp });
      const ar = pair.ranges.get(pkt.proto);
      if (ar) {
        if (pkt.dp < ar.lo) ar.lo = pkt.dp;
        if (pkt.dp > ar.hi) ar.hi = pkt.dp;
      } else pair.ranges.set(pkt.proto, { lo: pkt.dp, hi: pkt.dp });
    }
    // passive OS fingerprinting on SYNs
    if (!opts.noPassiveOs && pkt.proto === "tcp" && pkt.flag_bits & TCP_FLAG.SYN && !pkt.is_ipv6) {
      if (pkt.tcp_opts) {
        if (p0f) {
          // the matcher returns the same (cached) array for the same fingerprint: skip re-adding it
          const osList = p0f.match(pkt);
          if (osList !== lastP0fList || s !== lastP0fSrc) {
            lastP0fList = osList;
            lastP0fSrc = s;
            for (const os of osList) {
              if (s.p0f === NO_OS) s.p0f = new Set();
              s.p0f.add(os);
            }
          }
        }
      } else if (setup.posf.length && pair.absnum < 100) {
        if (!s.posf) s.posf = newPosfState();
        if (!s.posf.guess) posfUpdate(s.posf, pkt, setup.posf);
      }
    }
    return out;
  }

  return {
    push,
    flush: closeBatch,
    drainSyslog() {
      return syslogExtra.splice(0, syslogExtra.length);
    },
    state(): DetectorState {
      return {
        sources,
        lastBatch,
        protoCounters,
        topPorts,
        topSigs,
        sigSources,
        sigMsgs,
        prefixes,
        counters,
      };
    },
  };
}
