import { type Cidr, parseCidr } from "./cidr.ts";
import type { PsadConfig } from "./config.ts";
import {
  type AutoDlEntry,
  extractSnortRuleInfo,
  type IcmpTypes,
  type IpOptionTable,
  type P0fSig,
  type PosfSig,
  type ProtocolTable,
  parseAutoDl,
  parseIcmpTypes,
  parseIpOptions,
  parsePfOs,
  parsePosf,
  parseProtocols,
  parseSnortRuleDl,
  type SnortRuleInfo,
} from "./data-files.ts";
import { parseSignatures, type Signature } from "./signatures.ts";
import type { Diagnostic } from "./types.ts";

/** Texts of psad's data files (each optional: a missing file disables its feature). */
export interface PsadDataFiles {
  signatures?: string;
  autoDl?: string;
  icmpTypes?: string;
  icmp6Types?: string;
  ipOptions?: string;
  posf?: string;
  pfOs?: string;
  protocols?: string;
  snortRuleDl?: string;
  /** Contents of Snort `*.rules` files (snort_rules / fwsnort rules dirs). */
  snortRules?: string[];
}

/** Feature switches matching psad's command-line options. */
export interface DetectorOptions {
  /** --no-signatures */
  noSignatures?: boolean;
  /** --no-passive-os */
  noPassiveOs?: boolean;
  /** --no-auto-dl */
  noAutoDl?: boolean;
  /** --no-icmp-types / --no-icmp6-types */
  noIcmpTypes?: boolean;
  /** --no-snort-sids */
  noSnortSids?: boolean;
  /** -i/--interface: keep only lines on this interface. */
  interface?: string;
  /** --restrict-ip: keep only packets with SRC or DST inside this network. */
  restrictIp?: string;
  /**
   * Reproduce psad 2.4.6's display quirks (for differential tests): no port-sweep label, the UDP range
   * replaces the TCP range in syslog lines, no `other proto pkts`/`icmp6 pkts`, dead `flags:0`.
   */
  psadCompat?: boolean;
  /** Bound on tracked sources (state expiry beyond it), default 50,000. */
  maxSources?: number;
}

/** Everything the detector needs, compiled once. */
export interface DetectorSetup {
  config: PsadConfig;
  options: DetectorOptions;
  signatures: Signature[];
  autoDl: AutoDlEntry[];
  icmpTypes: IcmpTypes | undefined;
  icmp6Types: IcmpTypes | undefined;
  ipOptions: IpOptionTable;
  posf: PosfSig[];
  pfOs: P0fSig[];
  protocols: ProtocolTable;
  snortRuleDl: Map<number, number>;
  snortRules: Map<number, SnortRuleInfo>;
  ignorePorts: { proto: string; lo: number; hi: number }[];
  ignoreProtocols: Set<string>;
  ignoreInterfaces: Set<string>;
  ignorePrefixRe: RegExp | undefined;
  msgSearchRes: RegExp[];
  restrictNet: Cidr | undefined;
  diagnostics: Diagnostic[];
}

function safeRegExp(src: string, key: string, diagnostics: Diagnostic[]): RegExp | undefined {
  try {
    return new RegExp(src);
  } catch {
    diagnostics.push({ code: "PSAD_CONFIG_INVALID", severity: "error", key, message: `${key}: invalid regex ${src}` });
    return undefined;
  }
}

/** Compile a validated config and data-file texts into a {@link DetectorSetup}. Never throws on content. */
export function buildDetectorSetup(
  config: PsadConfig,
  files: PsadDataFiles = {},
  options: DetectorOptions = {},
): DetectorSetup {
  const diagnostics: Diagnostic[] = [];
  const sig = files.signatures
    ? parseSignatures(files.signatures, { vars: config.raw, strict: config.ENABLE_SNORT_SIG_STRICT })
    : { signatures: [], diagnostics: [] };
  diagnostics.push(...sig.diagnostics);
  if (options.psadCompat) {
    // psad turns flags:0 into an empty string that never matches (SCAN NULL is dead)
    sig.signatures = sig.signatures.filter((s) => !(s.flags && s.flags.bits === 0 && s.flags.mode === "exact"));
  }
  const auto = files.autoDl ? parseAutoDl(files.autoDl) : { entries: [], diagnostics: [] };
  diagnostics.push(...auto.diagnostics);
  const icmp = files.icmpTypes ? parseIcmpTypes(files.icmpTypes) : undefined;
  const icmp6 = files.icmp6Types ? parseIcmpTypes(files.icmp6Types) : undefined;
  if (icmp) diagnostics.push(...icmp.diagnostics);
  if (icmp6) diagnostics.push(...icmp6.diagnostics);
  const ipo = files.ipOptions ? parseIpOptions(files.ipOptions) : { options: new Map(), diagnostics: [] };
  diagnostics.push(...ipo.diagnostics);
  const posf = files.posf ? parsePosf(files.posf) : { sigs: [], diagnostics: [] };
  diagnostics.push(...posf.diagnostics);
  const pfos = files.pfOs ? parsePfOs(files.pfOs) : { sigs: [], diagnostics: [] };
  diagnostics.push(...pfos.diagnostics);
  const protocols = files.protocols ? parseProtocols(files.protocols) : new Map();
  const snortRules = new Map<
    number,
    ReturnType<typeof extractSnortRuleInfo> extends Map<number, infer V> ? V : never
  >();
  for (const t of files.snortRules ?? []) for (const [k, v] of extractSnortRuleInfo(t)) snortRules.set(k, v);

  const ignorePorts: DetectorSetup["ignorePorts"] = [];
  if (config.IGNORE_PORTS !== "NONE") {
    for (const tok of config.IGNORE_PORTS.split(",")) {
      const m = /^\s*(tcp|udp|udplite)\/(\d+)(?:-(\d+))?\s*$/i.exec(tok);
      if (!m) {
        diagnostics.push({
          code: "PSAD_CONFIG_INVALID",
          severity: "error",
          key: "IGNORE_PORTS",
          message: `IGNORE_PORTS: bad entry ${tok.trim()}`,
        });
        continue;
      }
      ignorePorts.push({ proto: (m[1] as string).toLowerCase(), lo: Number(m[2]), hi: Number(m[3] ?? m[2]) });
    }
  }
  const ignoreProtocols = new Set<string>();
  if (config.IGNORE_PROTOCOLS !== "NONE") {
    for (const tok of config.IGNORE_PROTOCOLS.split(",")) {
      const t = tok.trim().toLowerCase();
      if (!t) continue;
      ignoreProtocols.add(t);
      // cross-map names and numbers through the protocols file
      for (const [num, p] of protocols) {
        if (p.name.toLowerCase() === t) ignoreProtocols.add(String(num));
        if (String(num) === t) ignoreProtocols.add(p.name.toLowerCase());
      }
      if (t === "icmp" || t === "1") ignoreProtocols.add("icmp").add("1");
      if (t === "tcp" || t === "6") ignoreProtocols.add("tcp").add("6");
      if (t === "udp" || t === "17") ignoreProtocols.add("udp").add("17");
    }
  }
  const ignoreInterfaces = new Set<string>();
  if (config.IGNORE_INTERFACES !== "NONE")
    for (const t of config.IGNORE_INTERFACES.split(",")) if (t.trim()) ignoreInterfaces.add(t.trim());
  const ignorePrefixRe =
    config.IGNORE_LOG_PREFIXES !== "NONE"
      ? safeRegExp(config.IGNORE_LOG_PREFIXES, "IGNORE_LOG_PREFIXES", diagnostics)
      : undefined;
  const msgSearchRes: RegExp[] = [];
  for (const s of config.FW_MSG_SEARCH) {
    const r = safeRegExp(s, "FW_MSG_SEARCH", diagnostics);
    if (r) msgSearchRes.push(r);
  }
  let restrictNet: Cidr | undefined;
  if (options.restrictIp) {
    restrictNet = parseCidr(options.restrictIp);
    if (!restrictNet)
      diagnostics.push({
        code: "PSAD_CONFIG_INVALID",
        severity: "error",
        key: "restrict-ip",
        message: `--restrict-ip: bad network ${options.restrictIp}`,
      });
  }
  return {
    config,
    options,
    signatures: sig.signatures,
    autoDl: auto.entries,
    icmpTypes: icmp?.types,
    icmp6Types: icmp6?.types,
    ipOptions: ipo.options,
    posf: posf.sigs,
    pfOs: pfos.sigs,
    protocols,
    snortRuleDl: files.snortRuleDl ? parseSnortRuleDl(files.snortRuleDl) : new Map(),
    snortRules,
    ignorePorts,
    ignoreProtocols,
    ignoreInterfaces,
    ignorePrefixRe,
    msgSearchRes,
    restrictNet,
    diagnostics,
  };
}
