import { readFile } from "node:fs/promises";
import { networkInterfaces } from "node:os";
import { IptablesParse, type IptablesParseOptions, type ParsedPolicy } from "@fwkit/iptables-parse";
import type { PsadConfig } from "./config.ts";
import { type FwAnalyzeResult, fwAnalyze } from "./fw-analyze.ts";

/** Options of {@link fwAnalyzeLive}. */
export interface FwAnalyzeLiveOptions {
  config: PsadConfig;
  /** iptables binary (default: IPTables::Parse's resolution). */
  iptables?: string;
  /** ip6tables binary; IPv6 is skipped when it cannot be run. */
  ip6tables?: string;
  /** psad `--fw-file`: a saved `iptables -nL -v` or iptables-save text instead of the live policy (IPv4 only). */
  fwFile?: string;
  /** Host facts for the FORWARD check; default: PROC_FORWARD_FILE and `os.networkInterfaces()`. */
  forwarding?: { ipForward: boolean; interfacesWithInet: number };
  /** Extra IptablesParse options (executor, env such as XTABLES_LOCKFILE …). */
  parseOptions?: IptablesParseOptions;
  configFile?: string;
}

async function hostForwarding(config: PsadConfig): Promise<{ ipForward: boolean; interfacesWithInet: number }> {
  let ipForward = false;
  try {
    ipForward =
      (await readFile(config.raw.PROC_FORWARD_FILE ?? "/proc/sys/net/ipv4/ip_forward", "utf8")).trim() !== "0";
  } catch {
    ipForward = false;
  }
  let n = 0;
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (name === "lo" || /dummy/i.test(name)) continue;
    if ((addrs ?? []).some((a) => a.family === "IPv4")) n++;
  }
  return { ipForward, interfacesWithInet: n };
}

/**
 * `psad --fw-analyze` on this host: read the filter tables through `@fwkit/iptables-parse` (iptables-save, or the
 * `--fw-file`), the forwarding facts, and run {@link fwAnalyze}. Writing FW_CHECK_FILE and e-mail are the caller's.
 * @param opts - config, binaries, optional rules file and host facts
 * @returns the verdicts and texts
 * @throws {IptablesParseError} when the IPv4 policy cannot be read (binary missing, not root …)
 * @example const r = await fwAnalyzeLive({ config }); process.stdout.write(r.stdout); process.exitCode = r.ok ? 0 : 1;
 */
export async function fwAnalyzeLive(opts: FwAnalyzeLiveOptions): Promise<FwAnalyzeResult> {
  const cfg = opts.config;
  const base = opts.parseOptions ?? {};
  const v4 = await IptablesParse.create({
    ...base,
    ...(opts.iptables ? { iptables: opts.iptables } : {}),
    ...(opts.fwFile ? { iptRulesFile: opts.fwFile } : {}),
  });
  const ipv4 = await v4.policy("filter");
  let ipv6: ParsedPolicy | undefined;
  if (cfg.ENABLE_IPV6_DETECTION && !opts.fwFile) {
    try {
      const v6 = await IptablesParse.create({
        ...base,
        useIpv6: true,
        ...(opts.ip6tables ? { iptables: opts.ip6tables, ip6tables: opts.ip6tables } : {}),
      });
      ipv6 = await v6.policy("filter");
    } catch {
      ipv6 = undefined;
    }
  }
  const forwarding = opts.forwarding ?? (await hostForwarding(cfg));
  return fwAnalyze({
    config: cfg,
    ipv4,
    ...(ipv6 ? { ipv6 } : {}),
    forwarding,
    ...(opts.configFile ? { configFile: opts.configFile } : {}),
    fwCheckFile: cfg.raw.FW_CHECK_FILE ?? `${cfg.raw.PSAD_DIR ?? "/var/log/psad"}/fw_check`,
  });
}
