import type { AnalysisResult } from "./analyze.ts";
import { shortIpv6 } from "./cidr.ts";
import type { PairState, SigHit, SourceState } from "./detector.ts";

/** Per-destination summary of one source (structured form of psad's "IP Status Detail"). */
export interface DestinationSummary {
  dst: string;
  packets: number;
  /** Port ranges per protocol ("1000-1500"). */
  ports: Record<string, string>;
  /** chain|intf|proto -> packets */
  chains: Record<string, number>;
  signatures: { sid: number; proto: string; chain: string; count: number; dp: number; flags: string; msg: string }[];
  invalidIcmp: {
    proto: string;
    kind: string;
    type: number;
    code: number;
    typeName: string;
    chain: string;
    packets: number;
  }[];
  portSweep: boolean;
}

/** Per-source summary (JSON output, differential tests). */
export interface SourceSummary {
  src: string;
  dl: number;
  packets: number;
  sigCount: number;
  osGuesses: string[];
  destinations: DestinationSummary[];
}

/** The JSON document of an analysis (`--json`): deterministic, sorted. */
export interface AnalysisJson {
  lines: number;
  iptablesLines: number;
  packets: number;
  errors: Record<string, number>;
  ignored: Record<string, number>;
  levels: Record<"1" | "2" | "3" | "4" | "5", number>;
  sources: SourceSummary[];
  topSignatures: { sid: number; msg: string; proto: string; count: number; sources: number }[];
  topPorts: { proto: string; port: number; packets: number }[];
  prefixes: Record<string, number>;
  protocols: Record<string, number>;
  syslog: string[];
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function reportMsg(r: AnalysisResult, h: SigHit): string {
  return r.setup.snortRules.get(h.sid)?.msg ?? h.msg;
}

function summarizeDst(p: PairState, r: AnalysisResult): DestinationSummary {
  const ports: Record<string, string> = {};
  for (const [proto, rg] of [...p.ranges.entries()].sort((a, b) => cmpStr(a[0], b[0])))
    ports[proto] = rg.lo === rg.hi ? String(rg.lo) : `${rg.lo}-${rg.hi}`;
  return {
    dst: p.dst,
    packets: p.absnum,
    ports,
    chains: Object.fromEntries([...p.chainCounts.entries()].sort((a, b) => cmpStr(a[0], b[0]))),
    signatures: [...p.sigs.values()]
      .sort((a, b) => a.sid - b.sid || cmpStr(a.chain, b.chain))
      .map((h) => ({
        sid: h.sid,
        proto: h.proto,
        chain: h.chain,
        count: h.pkts,
        dp: h.dp,
        flags: h.flags,
        msg: reportMsg(r, h),
      })),
    invalidIcmp: [...p.invalid.values()].map((i) => ({
      proto: i.proto,
      kind: i.kind,
      type: i.type,
      code: i.code,
      typeName: i.typeName,
      chain: i.chain,
      packets: i.pkts,
    })),
    portSweep: p.isPortSweep,
  };
}

function osGuesses(s: SourceState): string[] {
  if (s.p0f.size) return [...s.p0f].sort();
  return s.posf?.guess ? [s.posf.guess] : [];
}

/** Sources at or above MIN_DANGER_LEVEL, sorted by address. */
function reportedSources(r: AnalysisResult): SourceState[] {
  const min = Math.max(1, r.setup.config.MIN_DANGER_LEVEL);
  return [...r.state.sources.values()].filter((s) => s.dl >= min).sort((a, b) => cmpStr(a.src, b.src));
}

/** Structured, deterministic summary of an analysis (the `--json` document). */
export function analysisToJson(r: AnalysisResult): AnalysisJson {
  const levels = { "1": 0, "2": 0, "3": 0, "4": 0, "5": 0 };
  for (const src of r.state.lastBatch) {
    const dl = r.state.sources.get(src)?.dl ?? 0;
    if (dl >= 1 && dl <= 5) levels[String(dl) as "1"]++;
  }
  const sources = reportedSources(r).map((s) => ({
    src: s.src,
    dl: s.dl,
    packets: s.pkts,
    sigCount: s.sigCount,
    osGuesses: osGuesses(s),
    destinations: [...s.dsts.values()].sort((a, b) => cmpStr(a.dst, b.dst)).map((p) => summarizeDst(p, r)),
  }));
  const topSignatures = [...r.state.topSigs.entries()]
    .map(([sid, count]) => ({
      sid,
      msg: r.state.sigMsgs.get(sid)?.msg ?? "",
      proto: r.state.sigMsgs.get(sid)?.proto ?? "",
      count,
      sources: r.state.sigSources.get(sid)?.size ?? 0,
    }))
    .sort((a, b) => b.count - a.count || a.sid - b.sid);
  const topPorts: AnalysisJson["topPorts"] = [];
  for (const proto of ["tcp", "udp", "udplite"] as const)
    for (const [port, packets] of r.state.topPorts[proto]) topPorts.push({ proto, port, packets });
  topPorts.sort((a, b) => b.packets - a.packets || cmpStr(a.proto, b.proto) || a.port - b.port);
  return {
    lines: r.lines,
    iptablesLines: r.iptablesLines,
    packets: r.packets,
    errors: { ...r.errors } as Record<string, number>,
    ignored: { ...r.state.counters.ignored },
    levels,
    sources,
    topSignatures,
    topPorts,
    prefixes: Object.fromEntries([...r.state.prefixes.entries()].sort((a, b) => cmpStr(a[0], b[0]))),
    protocols: Object.fromEntries([...r.state.protoCounters.entries()].sort((a, b) => cmpStr(a[0], b[0]))),
    syslog: renderSyslogMsgs(r),
  };
}

/** `--syslog-msgs`: exactly the alert messages psad writes to syslog, one per entry, in alert order. */
export function renderSyslogMsgs(r: AnalysisResult): string[] {
  const out: string[] = [...r.syslogExtra];
  for (const a of r.alerts) out.push(...a.syslog);
  return out;
}

function protoLabel(r: AnalysisResult, proto: string): string {
  if (/^\d+$/.test(proto)) {
    const p = r.setup.protocols.get(Number(proto));
    if (p) return `${p.name.padStart(12)}: `;
  }
  return `${proto.padStart(12)}: `;
}

function showIp(ip: string): string {
  return ip.includes(":") ? `${ip} (${shortIpv6(ip)})` : ip;
}

/**
 * psad's `-A` analysis report text (the "[+] Entering analysis mode" … "Finished" output), with every list
 * sorted (psad prints Perl hash order).
 */
export function renderReport(r: AnalysisResult, options: { file?: string; version?: string } = {}): string {
  const cfg = r.setup.config;
  const L: string[] = [];
  L.push(`[+] Entering analysis mode.  Parsing ${options.file ?? "-"}`);
  L.push(`[+] Found ${r.iptablesLines} iptables log messages out of ${r.lines} total lines.`);
  L.push("[+] Assigning scan danger levels...");
  const j = analysisToJson(r);
  let tracked = 0;
  for (const dl of ["1", "2", "3", "4", "5"] as const) {
    L.push(`    Level ${dl}: ${j.levels[dl]} IP addresses`);
    tracked += j.levels[dl];
  }
  L.push("", `    Tracking ${tracked} total IP addresses`);
  L.push(`[+] Version: ${options.version ?? "fwkit psad-core (psad v2.4.6 compatible)"}`, "");
  L.push(`[+] Top ${cfg.STATUS_SIGS_THRESHOLD} signature matches:`);
  const sigs = j.topSignatures.slice(0, cfg.STATUS_SIGS_THRESHOLD);
  if (!sigs.length) L.push("        [NONE]");
  for (const s of sigs)
    L.push(`      "${s.msg}" (${s.proto}),  Count: ${s.count},  Unique sources: ${s.sources},  Sid: ${s.sid}`);
  L.push("", `[+] Top ${cfg.STATUS_IP_THRESHOLD} attackers:`);
  const attackers = [...r.state.sources.values()]
    .filter((s) => s.dl > 0)
    .sort((a, b) => b.pkts - a.pkts || cmpStr(a.src, b.src))
    .slice(0, cfg.STATUS_IP_THRESHOLD);
  if (!attackers.length) L.push("        [NONE]");
  for (const s of attackers) {
    const ip = s.src.includes(":") ? `${s.src} (${shortIpv6(s.src).padEnd(24)})` : s.src.padEnd(15);
    L.push(`      ${ip} DL: ${s.dl}, Packets: ${s.pkts}, Sig count: ${s.sigCount}`);
  }
  L.push("", `[+] Top ${cfg.STATUS_PORTS_THRESHOLD} scanned ports:`);
  const ports = j.topPorts.slice(0, cfg.STATUS_PORTS_THRESHOLD);
  if (!ports.length) L.push("        [NONE]");
  for (const p of ports) L.push(`      ${p.proto} ${String(p.port).padEnd(5)} ${p.packets} packets`);
  L.push("", "[+] iptables log prefix counters:");
  const pfx = Object.entries(j.prefixes);
  if (!pfx.length) L.push("        [NONE]");
  for (const [k, v] of pfx) L.push(`      "${k}": ${v}`);
  L.push("", "    Total protocol packet counters:");
  for (const [proto, n] of Object.entries(j.protocols)) {
    const desc = /^\d+$/.test(proto) ? r.setup.protocols.get(Number(proto))?.description : undefined;
    L.push(`      ${protoLabel(r, proto)}${n} pkts${desc ? `, (${desc})` : ""}`);
  }
  L.push("", "[+] IP Status Detail:");
  const srcs = reportedSources(r);
  if (!srcs.length) L.push("        [NONE]");
  const allDsts = new Set<string>();
  for (const s of srcs) {
    const dsts = [...s.dsts.values()].sort((a, b) => cmpStr(a.dst, b.dst));
    for (const p of dsts) allDsts.add(p.dst);
    const totProtos = new Set<string>();
    let uniqueSigs = 0;
    for (const p of dsts) {
      for (const k of p.ranges.keys()) totProtos.add(k);
      for (const h of p.sigs.values()) totProtos.add(h.proto);
      uniqueSigs += p.sigs.size;
    }
    L.push(
      "",
      `SRC:  ${showIp(s.src)}, DL: ${s.dl}, Dsts: ${dsts.length}, Pkts: ${s.pkts}, Total protocols: ${totProtos.size}, Unique sigs: ${uniqueSigs}`,
    );
    const os = osGuesses(s);
    if (os.length) {
      L.push("    Source OS fingerprint(s):");
      for (const o of os) L.push(`        ${o}`);
    }
    L.push("");
    for (const p of dsts) {
      L.push(`    DST: ${showIp(p.dst)}`);
      const byCi = new Map<string, Map<string, number>>();
      for (const [k, n] of p.chainCounts) {
        const [chain, intf, proto] = k.split("|") as [string, string, string];
        const ci = `${chain}|${intf}`;
        let m = byCi.get(ci);
        if (!m) {
          m = new Map();
          byCi.set(ci, m);
        }
        m.set(proto, n);
      }
      for (const [ci, m] of [...byCi.entries()].sort((a, b) => cmpStr(a[0], b[0]))) {
        const [chain, intf] = ci.split("|") as [string, string];
        for (const [proto, n] of [...m.entries()].sort((a, b) => cmpStr(a[0], b[0]))) {
          const rg = p.ranges.get(proto);
          if (rg)
            L.push(
              `        Scanned ports: ${proto.toUpperCase()} ${rg.lo === rg.hi ? rg.lo : `${rg.lo}-${rg.hi}`}, Pkts: ${n}, Chain: ${chain}, Intf: ${intf}`,
            );
        }
        L.push(`        Total scanned IP protocols: ${m.size}, Chain: ${chain}, Intf: ${intf}`);
      }
      if (p.isPortSweep && !r.setup.options.psadCompat) L.push("        Port sweep: yes");
      for (const h of [...p.sigs.values()].sort((a, b) => a.sid - b.sid)) {
        L.push(`        Signature match: "${reportMsg(r, h)}"`);
        const ports = h.proto === "tcp" || h.proto === "udp" || h.proto === "udplite" ? `, DP: ${h.dp}` : "";
        const flags = h.proto === "tcp" ? `, ${h.flags}` : "";
        L.push(
          `            ${h.proto.toUpperCase()}, Chain: ${h.chain}, Count: ${h.pkts}${ports}${flags}, Sid: ${h.sid}`,
        );
      }
      for (const i of p.invalid.values()) {
        const P = i.proto === "icmp6" ? "ICMP6" : "ICMP";
        L.push(
          i.kind === "type"
            ? `        Invalid ${P} type: "${i.type}" Chain: ${i.chain}, Packets: ${i.pkts}`
            : `        Invalid ${P} code: "${i.code}" for ${P} "${i.typeName}" packet Chain: ${i.chain}, Packets: ${i.pkts}`,
        );
      }
    }
  }
  L.push("", `    Total scan sources: ${srcs.length}`, `    Total scan destinations: ${allDsts.size}`, "");
  L.push("[+] Finished --Analyze cycle.");
  return `${L.join("\n")}\n`;
}
