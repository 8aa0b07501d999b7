import { z } from "zod";
import { remainingSeconds } from "./auto-block.ts";
import type { AutoBlockConfig } from "./auto-block-config.ts";
import type { BlockState } from "./block-state.ts";
import { shortIpv6 } from "./cidr.ts";
import type { PsadConfig } from "./config.ts";
import type { DetectorState } from "./detector.ts";
import { PsadError } from "./errors.ts";
import { analysisToJson, type SourceSummary } from "./report.ts";
import type { DetectorSetup } from "./setup.ts";
import type { Result } from "./types.ts";

/** What `-S` prints, persisted by the daemon (follow mode) after each batch: a JSON-serialisable summary. */
export interface StatusSnapshot {
  version: 1;
  /** When it was taken (epoch seconds). */
  savedAt: number;
  topSignatures: { sid: number; msg: string; proto: string; count: number; sources: number }[];
  /** Every source with a DL (at most 10,000, highest DL first), psad's top_attackers file. */
  attackers: { src: string; dl: number; packets: number; sigCount: number }[];
  topPorts: { proto: string; port: number; packets: number }[];
  prefixes: Record<string, number>;
  /** Packet counters per protocol; `name`/`desc` from the protocols file for numeric protocols. */
  protocols: { proto: string; packets: number; name?: string; desc?: string }[];
  /** psad's "IP Status Detail" records (sources at or above MIN_DANGER_LEVEL). */
  sources: SourceSummary[];
  /** E-mail alerts sent per source (psad's email_ctr), when the alerting side records them. */
  emailAlerts?: Record<string, number>;
  /** DShield counters, when DShield reporting is on. */
  dshield?: { emails: number; packets: number };
  counters: { lines?: number; packets: number; accepted: number; ignored: Record<string, number> };
}

const MAX_ATTACKERS = 10_000;

/**
 * Take a status snapshot of a detector (what `-S` shows). Pure.
 * @param state - `detector.state()`
 * @param setup - the detector's setup (MIN_DANGER_LEVEL, protocols file, Snort messages)
 * @param now - epoch seconds
 * @param extra - optional e-mail counters, DShield counters and the number of lines read
 * @returns the snapshot (persist it with `saveStatusSnapshot`)
 * @example await saveStatusSnapshot(file, statusSnapshot(det.state(), setup, now));
 */
export function statusSnapshot(
  state: DetectorState,
  setup: DetectorSetup,
  now: number,
  extra: { emailAlerts?: Record<string, number>; dshield?: { emails: number; packets: number }; lines?: number } = {},
): StatusSnapshot {
  const j = analysisToJson({
    lines: extra.lines ?? 0,
    iptablesLines: 0,
    packets: state.counters.packets,
    errors: {},
    diagnostics: [],
    alerts: [],
    syslogExtra: [],
    state,
    setup,
  });
  const attackers = [...state.sources.values()]
    .filter((s) => s.dl > 0)
    .sort((a, b) => b.dl - a.dl || (a.src < b.src ? -1 : a.src > b.src ? 1 : 0))
    .slice(0, MAX_ATTACKERS)
    .map((s) => ({ src: s.src, dl: s.dl, packets: s.pkts, sigCount: s.sigCount }));
  const protocols = Object.entries(j.protocols).map(([proto, packets]) => {
    const p = /^\d+$/.test(proto) ? setup.protocols.get(Number(proto)) : undefined;
    return p ? { proto, packets, name: p.name, desc: p.description } : { proto, packets };
  });
  const snap: StatusSnapshot = {
    version: 1,
    savedAt: now,
    topSignatures: j.topSignatures,
    attackers,
    topPorts: j.topPorts,
    prefixes: j.prefixes,
    protocols,
    sources: j.sources,
    counters: {
      ...(extra.lines !== undefined ? { lines: extra.lines } : {}),
      packets: state.counters.packets,
      accepted: state.counters.accepted,
      ignored: { ...state.counters.ignored },
    },
  };
  if (extra.emailAlerts) snap.emailAlerts = { ...extra.emailAlerts };
  if (extra.dshield) snap.dshield = { ...extra.dshield };
  return snap;
}

const num = z.number().finite();
const int = z.number().int().nonnegative();
const snapshotSchema = z.object({
  version: z.literal(1),
  savedAt: num,
  topSignatures: z.array(z.object({ sid: int, msg: z.string(), proto: z.string(), count: int, sources: int })),
  attackers: z.array(z.object({ src: z.string(), dl: int.max(5), packets: int, sigCount: int })),
  topPorts: z.array(z.object({ proto: z.string(), port: int.max(65535), packets: int })),
  prefixes: z.record(z.string(), int),
  protocols: z.array(
    z.object({ proto: z.string(), packets: int, name: z.string().optional(), desc: z.string().optional() }),
  ),
  sources: z.array(
    z.object({
      src: z.string(),
      dl: int.max(5),
      packets: int,
      sigCount: int,
      osGuesses: z.array(z.string()),
      destinations: z.array(
        z.object({
          dst: z.string(),
          packets: int,
          ports: z.record(z.string(), z.string()),
          chains: z.record(z.string(), int),
          signatures: z.array(
            z.object({
              sid: int,
              proto: z.string(),
              chain: z.string(),
              count: int,
              dp: int,
              flags: z.string(),
              msg: z.string(),
            }),
          ),
          invalidIcmp: z.array(
            z.object({
              proto: z.string(),
              kind: z.string(),
              type: int,
              code: int,
              typeName: z.string(),
              chain: z.string(),
              packets: int,
            }),
          ),
          portSweep: z.boolean(),
        }),
      ),
    }),
  ),
  emailAlerts: z.record(z.string(), int).optional(),
  dshield: z.object({ emails: int, packets: int }).optional(),
  counters: z.object({ lines: int.optional(), packets: int, accepted: int, ignored: z.record(z.string(), int) }),
});

/**
 * Validate a status snapshot read from disk (untrusted JSON).
 * @param value - parsed JSON
 * @returns the snapshot, or PSAD_STATE_INVALID with `details.issues`
 */
export function parseStatusSnapshot(value: unknown): Result<StatusSnapshot, PsadError> {
  const r = snapshotSchema.safeParse(value);
  if (!r.success)
    return {
      ok: false,
      error: new PsadError("PSAD_STATE_INVALID", `invalid status snapshot: ${z.prettifyError(r.error)}`, {
        issues: r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
      }),
    };
  return { ok: true, value: r.data as StatusSnapshot };
}

/** Options of {@link renderStatus}. */
export interface RenderStatusOptions {
  /** psad.conf: STATUS_*_THRESHOLD, MIN_DANGER_LEVEL, EMAIL_ADDRESSES. */
  config: PsadConfig;
  /** Persisted auto-blocking state ("iptables auto-blocked IPs" section); omitted: `[NONE]`. */
  blockState?: BlockState;
  /** Auto-block settings (only used to note that ENABLE_AUTO_IDS is off). */
  autoBlock?: AutoBlockConfig;
  /** Clock for the remaining block times (epoch seconds). */
  now: number;
  /** --status-ip: only this source in the detail and block sections. */
  statusIp?: string;
  /** --status-dl N: only sources with DL ≥ N. */
  statusDl?: number;
  /** --status-summary: stop after the counters (no IP detail). */
  summary?: boolean;
  /** The running daemon, for the `[+] psad (pid: N)` header (omitted: no header). */
  daemon?: { pid: number; cpu?: string; mem?: string; since?: string; cmdline?: string };
  /** Version string for `[+] Version:`. */
  version?: string;
  /** STATUS_OUTPUT_FILE, for the closing "These results are available in" line. */
  outputFile?: string;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function showIp(ip: string): string {
  return ip.includes(":") ? `${ip} (${shortIpv6(ip)})` : ip;
}

/**
 * psad's `-S` status text from persisted state: daemon header, top signature matches, top attackers (by DL, then
 * address), top scanned ports, log prefix counters, DShield stats, the auto-blocked IPs with their remaining time,
 * protocol packet counters and the IP status detail. Every list is sorted (psad prints Perl hash order). Pure.
 * @param snapshot - from `statusSnapshot` / `loadStatusSnapshot`
 * @param opts - config, block state, clock and psad's --status-* options
 * @returns the report text (newline-terminated)
 * @example process.stdout.write(renderStatus(snapshot, { config, blockState, now: Date.now() / 1000 }));
 */
export function renderStatus(snapshot: StatusSnapshot, opts: RenderStatusOptions): string {
  const cfg = opts.config;
  const minDl = opts.statusDl ?? Math.max(1, cfg.MIN_DANGER_LEVEL);
  const L: string[] = [];
  if (opts.daemon) {
    const d = opts.daemon;
    L.push(`[+] psad (pid: ${d.pid})${d.cpu !== undefined ? `  %CPU: ${d.cpu}  %MEM: ${d.mem ?? "0.0"}` : ""}`);
    if (d.since) L.push(`    Running since: ${d.since}`);
    L.push(`    Command line arguments: ${d.cmdline || "[none specified]"}`);
    L.push(`    Alert email address(es): ${cfg.EMAIL_ADDRESSES}`, "");
  }
  L.push(`[+] Version: ${opts.version ?? "fwkit psad-core (psad v2.4.6 compatible)"}`, "");

  L.push(
    cfg.STATUS_SIGS_THRESHOLD > 0
      ? `[+] Top ${cfg.STATUS_SIGS_THRESHOLD} signature matches:`
      : "[+] Top signature matches:",
  );
  const sigs = [...snapshot.topSignatures].sort((a, b) => b.count - a.count || a.sid - b.sid);
  const sigShown = cfg.STATUS_SIGS_THRESHOLD > 0 ? sigs.slice(0, cfg.STATUS_SIGS_THRESHOLD) : sigs;
  if (!sigShown.length) L.push("        [NONE]");
  for (const s of sigShown)
    L.push(`      "${s.msg}" (${s.proto}),  Count: ${s.count},  Unique sources: ${s.sources},  Sid: ${s.sid}`);
  L.push("");

  L.push(cfg.STATUS_IP_THRESHOLD > 0 ? `[+] Top ${cfg.STATUS_IP_THRESHOLD} attackers:` : "[+] Top attackers:");
  const att = snapshot.attackers.filter((a) => a.dl >= minDl).sort((a, b) => b.dl - a.dl || cmp(a.src, b.src));
  const attShown = cfg.STATUS_IP_THRESHOLD > 0 ? att.slice(0, cfg.STATUS_IP_THRESHOLD) : att;
  const v6len = Math.max(0, ...attShown.filter((a) => a.src.includes(":")).map((a) => shortIpv6(a.src).length));
  if (!attShown.length) L.push("        [NONE]");
  for (const a of attShown) {
    const ip = a.src.includes(":") ? `${a.src} (${shortIpv6(a.src).padEnd(v6len)})` : a.src.padEnd(15);
    L.push(`      ${ip} DL: ${a.dl}, Packets: ${a.packets}, Sig count: ${a.sigCount}`);
  }
  L.push("");

  L.push(
    cfg.STATUS_PORTS_THRESHOLD > 0 ? `[+] Top ${cfg.STATUS_PORTS_THRESHOLD} scanned ports:` : "[+] Top scanned ports:",
  );
  let anyPort = false;
  for (const proto of ["tcp", "udp", "udplite"]) {
    const ports = snapshot.topPorts
      .filter((p) => p.proto === proto)
      .sort((a, b) => b.packets - a.packets || a.port - b.port);
    const shown = cfg.STATUS_PORTS_THRESHOLD > 0 ? ports.slice(0, cfg.STATUS_PORTS_THRESHOLD) : ports;
    if (!shown.length) continue;
    if (anyPort) L.push("");
    anyPort = true;
    for (const p of shown) L.push(`      ${proto} ${String(p.port).padEnd(5)} ${p.packets} packets`);
  }
  if (!anyPort) L.push("        [NONE]");
  L.push("");

  L.push("[+] iptables log prefix counters:");
  const pfx = Object.entries(snapshot.prefixes).sort((a, b) => cmp(a[0], b[0]));
  if (!pfx.length) L.push("        [NONE]");
  for (const [k, v] of pfx) L.push(`      "${k}": ${v}`);
  L.push("");

  if (snapshot.dshield) {
    L.push("    DShield stats:", `      total emails: ${snapshot.dshield.emails}`);
    L.push(`      total packets: ${snapshot.dshield.packets}`, "");
  }

  L.push(
    opts.statusIp ? `    iptables auto-blocking status for: ${opts.statusIp}: ` : "    iptables auto-blocked IPs:",
  );
  if (opts.autoBlock && !opts.autoBlock.enabled) L.push("      (ENABLE_AUTO_IDS is N)");
  const blocks = (opts.blockState?.entries ?? []).filter((e) => !opts.statusIp || e.ip === opts.statusIp);
  if (!blocks.length) L.push("        [NONE]");
  for (const e of blocks) {
    const left = remainingSeconds(e, opts.now);
    if (left === Number.POSITIVE_INFINITY) L.push(`      ${e.ip} (unlimited timeout)`);
    else {
      L.push(`      ${e.ip} (${left} seconds remaining)`);
      if (left === 0) L.push("            [expired timeout, removed at the next check]");
    }
  }
  L.push("");

  L.push("    Total protocol packet counters:");
  for (const p of [...snapshot.protocols].sort((a, b) => cmp(a.proto, b.proto)))
    L.push(`${(p.name ?? p.proto).padStart(12)}: ${p.packets} pkts${p.desc ? `, (${p.desc})` : ""}`);
  L.push("");

  if (!opts.summary) {
    L.push("[+] IP Status Detail:");
    const srcs = snapshot.sources
      .filter((s) => s.dl >= minDl && (!opts.statusIp || s.src === opts.statusIp))
      .sort((a, b) => b.dl - a.dl || cmp(a.src, b.src));
    if (!srcs.length) L.push("        [NONE]");
    const dsts = new Set<string>();
    for (const s of srcs) {
      const protos = new Set<string>();
      let uniq = 0;
      for (const d of s.destinations) {
        for (const k of Object.keys(d.ports)) protos.add(k);
        for (const h of d.signatures) protos.add(h.proto);
        uniq += d.signatures.length;
      }
      const email = snapshot.emailAlerts?.[s.src] ?? 0;
      L.push(
        "",
        `SRC:  ${showIp(s.src)}, DL: ${s.dl}, Dsts: ${s.destinations.length}, Pkts: ${s.packets}, Total protocols: ${protos.size}, Unique sigs: ${uniq}, Email alerts: ${email}`,
      );
      if (s.osGuesses.length) {
        L.push("    Source OS fingerprint(s):");
        for (const o of s.osGuesses) L.push(`        ${o}`);
      }
      if (s.destinations.length) L.push("");
      for (const d of [...s.destinations].sort((a, b) => cmp(a.dst, b.dst))) {
        dsts.add(d.dst);
        L.push(`    DST: ${showIp(d.dst)}`);
        const byCi = new Map<string, [string, number][]>();
        for (const [k, n] of Object.entries(d.chains).sort((a, b) => cmp(a[0], b[0]))) {
          const [chain, intf, proto] = k.split("|") as [string, string, string];
          const ci = `${chain}|${intf}`;
          const arr = byCi.get(ci) ?? [];
          arr.push([proto, n]);
          byCi.set(ci, arr);
        }
        for (const [ci, arr] of byCi) {
          const [chain, intf] = ci.split("|") as [string, string];
          for (const [proto, n] of arr) {
            const rg = d.ports[proto];
            if (rg !== undefined)
              L.push(`        Scanned ports: ${proto.toUpperCase()} ${rg}, Pkts: ${n}, Chain: ${chain}, Intf: ${intf}`);
          }
          L.push(`        Total scanned IP protocols: ${arr.length}, Chain: ${chain}, Intf: ${intf}`);
        }
        for (const h of [...d.signatures].sort((a, b) => a.sid - b.sid)) {
          L.push(`        Signature match: "${h.msg}"`);
          const ports = h.proto === "tcp" || h.proto === "udp" || h.proto === "udplite" ? `, DP: ${h.dp}` : "";
          const flags = h.proto === "tcp" ? `, ${h.flags}` : "";
          L.push(
            `            ${h.proto.toUpperCase()}, Chain: ${h.chain}, Count: ${h.count}${ports}${flags}, Sid: ${h.sid}`,
          );
        }
        for (const i of d.invalidIcmp) {
          const P = i.proto === "icmp6" ? "ICMP6" : "ICMP";
          L.push(
            i.kind === "type"
              ? `        Invalid ${P} type: "${i.type}" Chain: ${i.chain}, Packets: ${i.packets}`
              : `        Invalid ${P} code: "${i.code}" for ${P} "${i.typeName}" packet Chain: ${i.chain}, Packets: ${i.packets}`,
          );
        }
      }
    }
    L.push("", `    Total scan sources: ${srcs.length}`, `    Total scan destinations: ${dsts.size}`, "");
  }
  if (opts.outputFile) L.push(`[+] These results are available in: ${opts.outputFile}`);
  return `${L.join("\n")}\n`;
}
