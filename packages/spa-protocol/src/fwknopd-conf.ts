import { z } from "zod";
import { lexConf, parseYesNo } from "./conf-lines.ts";
import { SpaError } from "./errors.ts";
import type { Diagnostic } from "./types.ts";

/** Compiled defaults of fwknopd 2.6.10 (Debian build), as dumped by `fwknopd -f -v -v`. */
export const FWKNOPD_DEFAULTS: Readonly<Record<string, string>> = {
  PCAP_INTF: "eth0",
  PCAP_FILTER: "udp port 62201",
  ENABLE_PCAP_PROMISC: "N",
  ENABLE_PCAP_ANY_DIRECTION: "N",
  PCAP_DISPATCH_COUNT: "100",
  PCAP_LOOP_SLEEP: "100000",
  MAX_SNIFF_BYTES: "1500",
  EXIT_AT_INTF_DOWN: "Y",
  ENABLE_UDP_SERVER: "N",
  UDPSERV_PORT: "62201",
  UDPSERV_SELECT_TIMEOUT: "500000",
  ENABLE_TCP_SERVER: "N",
  TCPSERV_PORT: "62201",
  ENABLE_SPA_OVER_HTTP: "N",
  ENABLE_X_FORWARDED_FOR: "N",
  ALLOW_ANY_USER_AGENT: "N",
  ENABLE_SPA_PACKET_AGING: "Y",
  MAX_SPA_PACKET_AGE: "120",
  ENABLE_DIGEST_PERSISTENCE: "Y",
  FWKNOP_RUN_DIR: "/run/fwknop",
  DIGEST_FILE: "/run/fwknop/digest.cache",
  FWKNOP_PID_FILE: "/run/fwknop/fwknopd.pid",
  RULES_CHECK_THRESHOLD: "20",
  ENABLE_IPT_FORWARDING: "N",
  ENABLE_IPT_LOCAL_NAT: "N",
  ENABLE_IPT_SNAT: "N",
  ENABLE_IPT_OUTPUT: "N",
  ENABLE_DESTINATION_RULE: "N",
  ENABLE_RULE_PREPEND: "N",
  ENABLE_NAT_DNS: "Y",
  FLUSH_IPT_AT_INIT: "Y",
  FLUSH_IPT_AT_EXIT: "Y",
  IPT_INPUT_ACCESS: "ACCEPT, filter, INPUT, 1, FWKNOP_INPUT, 1",
  IPT_OUTPUT_ACCESS: "ACCEPT, filter, OUTPUT, 1, FWKNOP_OUTPUT, 1",
  IPT_FORWARD_ACCESS: "ACCEPT, filter, FORWARD, 1, FWKNOP_FORWARD, 1",
  IPT_DNAT_ACCESS: "DNAT, nat, PREROUTING, 1, FWKNOP_PREROUTING, 1",
  IPT_SNAT_ACCESS: "SNAT, nat, POSTROUTING, 1, FWKNOP_POSTROUTING, 1",
  IPT_MASQUERADE_ACCESS: "MASQUERADE, nat, POSTROUTING, 1, FWKNOP_MASQUERADE, 1",
  ENABLE_IPT_COMMENT_CHECK: "Y",
  FIREWALL_EXE: "/usr/sbin/iptables",
  GPG_HOME_DIR: "/root/.gnupg",
  GPG_EXE: "/usr/bin/gpg",
  SUDO_EXE: "/usr/bin/sudo",
  ACCESS_FILE: "/etc/fwknop/access.conf",
  SYSLOG_IDENTITY: "fwknopd",
  SYSLOG_FACILITY: "LOG_DAEMON",
};

/** One `IPT_*_ACCESS` spec: target, table, from-chain, jump position, to-chain, rule position. */
export interface IptChainSpec {
  target: string;
  table: string;
  fromChain: string;
  jumpRulePosition: number;
  toChain: string;
  rulePosition: number;
}

/** Typed view of fwknopd.conf (the keys the server logic uses) plus every raw value. */
export interface FwknopdConfig {
  pcapIntf: string;
  pcapFilter: string;
  enableUdpServer: boolean;
  udpservPort: number;
  enableTcpServer: boolean;
  tcpservPort: number;
  enableSpaOverHttp: boolean;
  enableXForwardedFor: boolean;
  allowAnyUserAgent: boolean;
  enableSpaPacketAging: boolean;
  maxSpaPacketAge: number;
  enableDigestPersistence: boolean;
  runDir: string;
  digestFile: string;
  pidFile: string;
  rulesCheckThreshold: number;
  enableIptForwarding: boolean;
  enableIptLocalNat: boolean;
  enableIptSnat: boolean;
  snatTranslateIp?: string;
  enableIptOutput: boolean;
  enableDestinationRule: boolean;
  enableRulePrepend: boolean;
  enableNatDns: boolean;
  flushIptAtInit: boolean;
  flushIptAtExit: boolean;
  iptInputAccess: IptChainSpec;
  iptOutputAccess: IptChainSpec;
  iptForwardAccess: IptChainSpec;
  iptDnatAccess: IptChainSpec;
  iptSnatAccess: IptChainSpec;
  iptMasqueradeAccess: IptChainSpec;
  firewallExe: string;
  accessFile: string;
  accessFolder?: string;
  gpgHomeDir: string;
  gpgExe: string;
  sudoExe: string;
  /** Every key (defaults merged with the file), after `$VAR` expansion. */
  raw: Record<string, string>;
}

const CHAIN_NAME = /^[A-Za-z0-9_.-]{1,28}$/;

/** Parse an `IPT_*_ACCESS` value; undefined when malformed. */
export function parseIptChainSpec(v: string): IptChainSpec | undefined {
  const p = v.split(",").map((s) => s.trim());
  if (p.length !== 6) return undefined;
  const [target, table, fromChain, jp, toChain, rp] = p as [string, string, string, string, string, string];
  if (!/^(ACCEPT|DROP|REJECT|DNAT|SNAT|MASQUERADE)$/.test(target) || !/^(filter|nat|mangle|raw)$/.test(table)) {
    return undefined;
  }
  if (!/^(INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING)$/.test(fromChain)) return undefined;
  if (!CHAIN_NAME.test(fromChain) || !CHAIN_NAME.test(toChain) || !/^\d+$/.test(jp) || !/^\d+$/.test(rp))
    return undefined;
  return { target, table, fromChain, jumpRulePosition: Number(jp), toChain, rulePosition: Number(rp) };
}

const bool = z.string().transform((v, ctx) => {
  const b = parseYesNo(v);
  if (b === undefined) ctx.addIssue({ code: "custom", message: "expected Y or N" });
  return b ?? false;
});
const port = z.coerce.number().int().min(1).max(65535);
const chain = z.string().transform((v, ctx) => {
  const c = parseIptChainSpec(v);
  if (!c) ctx.addIssue({ code: "custom", message: "expected 'TARGET, table, FROM_CHAIN, n, TO_CHAIN, n'" });
  return c as IptChainSpec;
});

const schema = z.object({
  PCAP_INTF: z.string().min(1),
  PCAP_FILTER: z.string(),
  ENABLE_UDP_SERVER: bool,
  UDPSERV_PORT: port,
  ENABLE_TCP_SERVER: bool,
  TCPSERV_PORT: port,
  ENABLE_SPA_OVER_HTTP: bool,
  ENABLE_X_FORWARDED_FOR: bool,
  ALLOW_ANY_USER_AGENT: bool,
  ENABLE_SPA_PACKET_AGING: bool,
  MAX_SPA_PACKET_AGE: z.coerce.number().int().min(1).max(100000),
  ENABLE_DIGEST_PERSISTENCE: bool,
  FWKNOP_RUN_DIR: z.string().min(1),
  DIGEST_FILE: z.string().min(1),
  FWKNOP_PID_FILE: z.string().min(1),
  RULES_CHECK_THRESHOLD: z.coerce.number().int().min(0).max(1000000),
  ENABLE_IPT_FORWARDING: bool,
  ENABLE_IPT_LOCAL_NAT: bool,
  ENABLE_IPT_SNAT: bool,
  SNAT_TRANSLATE_IP: z.string().optional(),
  ENABLE_IPT_OUTPUT: bool,
  ENABLE_DESTINATION_RULE: bool,
  ENABLE_RULE_PREPEND: bool,
  ENABLE_NAT_DNS: bool,
  FLUSH_IPT_AT_INIT: bool,
  FLUSH_IPT_AT_EXIT: bool,
  IPT_INPUT_ACCESS: chain,
  IPT_OUTPUT_ACCESS: chain,
  IPT_FORWARD_ACCESS: chain,
  IPT_DNAT_ACCESS: chain,
  IPT_SNAT_ACCESS: chain,
  IPT_MASQUERADE_ACCESS: chain,
  FIREWALL_EXE: z.string().min(1),
  ACCESS_FILE: z.string().min(1),
  ACCESS_FOLDER: z.string().optional(),
  GPG_HOME_DIR: z.string(),
  GPG_EXE: z.string(),
  SUDO_EXE: z.string(),
});

/**
 * Read fwknopd.conf text: defaults, then the file's `KEY value;` lines, then `$VAR` expansion (e.g.
 * `$FWKNOP_RUN_DIR/test.pid`), then zod validation. Bulk reader: never throws on content; a config is returned
 * only when it validates.
 * @param text - file contents ("" for defaults only)
 * @param overrides - extra files' texts applied in order (`-O a.conf,b.conf`)
 */
export function parseFwknopdConf(
  text: string,
  overrides: readonly string[] = [],
  file?: string,
): { config?: FwknopdConfig; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const raw: Record<string, string> = { ...FWKNOPD_DEFAULTS };
  const lineOf: Record<string, number> = {};
  for (const t of [text, ...overrides]) {
    for (const l of lexConf(t)) {
      if ("section" in l) continue;
      const key = l.key.toUpperCase();
      raw[key] = l.value;
      lineOf[key] = l.line;
    }
  }
  for (const [k, v] of Object.entries(raw)) {
    let val = v;
    for (let i = 0; i < 5 && val.includes("$"); i++) {
      val = val.replace(/\$([A-Z_][A-Z0-9_]*)/g, (m, name: string) => {
        if (name in raw && name !== k) return raw[name] as string;
        diagnostics.push({
          code: "SPA_CONFIG_INVALID",
          severity: "error",
          line: lineOf[k] ?? 0,
          message: `${k}: cannot expand ${m}`,
          ...(file ? { file } : {}),
        });
        return "";
      });
    }
    raw[k] = val;
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    for (const i of r.error.issues) {
      const key = String(i.path[0] ?? "");
      diagnostics.push({
        code: "SPA_CONFIG_INVALID",
        severity: "error",
        line: lineOf[key] ?? 0,
        message: `${key}: ${i.message}`,
        ...(file ? { file } : {}),
      });
    }
    return { diagnostics };
  }
  if (diagnostics.some((d) => d.severity === "error")) return { diagnostics };
  const c = r.data;
  const config: FwknopdConfig = {
    pcapIntf: c.PCAP_INTF,
    pcapFilter: c.PCAP_FILTER,
    enableUdpServer: c.ENABLE_UDP_SERVER,
    udpservPort: c.UDPSERV_PORT,
    enableTcpServer: c.ENABLE_TCP_SERVER,
    tcpservPort: c.TCPSERV_PORT,
    enableSpaOverHttp: c.ENABLE_SPA_OVER_HTTP,
    enableXForwardedFor: c.ENABLE_X_FORWARDED_FOR,
    allowAnyUserAgent: c.ALLOW_ANY_USER_AGENT,
    enableSpaPacketAging: c.ENABLE_SPA_PACKET_AGING,
    maxSpaPacketAge: c.MAX_SPA_PACKET_AGE,
    enableDigestPersistence: c.ENABLE_DIGEST_PERSISTENCE,
    runDir: c.FWKNOP_RUN_DIR,
    digestFile: c.DIGEST_FILE,
    pidFile: c.FWKNOP_PID_FILE,
    rulesCheckThreshold: c.RULES_CHECK_THRESHOLD,
    enableIptForwarding: c.ENABLE_IPT_FORWARDING,
    enableIptLocalNat: c.ENABLE_IPT_LOCAL_NAT,
    enableIptSnat: c.ENABLE_IPT_SNAT,
    enableIptOutput: c.ENABLE_IPT_OUTPUT,
    enableDestinationRule: c.ENABLE_DESTINATION_RULE,
    enableRulePrepend: c.ENABLE_RULE_PREPEND,
    enableNatDns: c.ENABLE_NAT_DNS,
    flushIptAtInit: c.FLUSH_IPT_AT_INIT,
    flushIptAtExit: c.FLUSH_IPT_AT_EXIT,
    iptInputAccess: c.IPT_INPUT_ACCESS,
    iptOutputAccess: c.IPT_OUTPUT_ACCESS,
    iptForwardAccess: c.IPT_FORWARD_ACCESS,
    iptDnatAccess: c.IPT_DNAT_ACCESS,
    iptSnatAccess: c.IPT_SNAT_ACCESS,
    iptMasqueradeAccess: c.IPT_MASQUERADE_ACCESS,
    firewallExe: c.FIREWALL_EXE,
    accessFile: c.ACCESS_FILE,
    gpgHomeDir: c.GPG_HOME_DIR,
    gpgExe: c.GPG_EXE,
    sudoExe: c.SUDO_EXE,
    raw,
  };
  if (c.SNAT_TRANSLATE_IP) config.snatTranslateIp = c.SNAT_TRANSLATE_IP;
  if (c.ACCESS_FOLDER) config.accessFolder = c.ACCESS_FOLDER;
  return { config, diagnostics };
}

/** Throwing form of {@link parseFwknopdConf}. @throws {SpaError} SPA_CONFIG_INVALID */
export function loadFwknopdConf(text: string, overrides: readonly string[] = []): FwknopdConfig {
  const r = parseFwknopdConf(text, overrides);
  if (!r.config) {
    throw new SpaError("SPA_CONFIG_INVALID", "invalid fwknopd.conf", {
      issues: r.diagnostics.map((d) => `${d.line}: ${d.message}`),
    });
  }
  return r.config;
}
