import { type FwCheckChain, fwCheck, type ParsedPolicy } from "@fwkit/iptables-parse";
import type { PsadConfig } from "./config.ts";

/** Input of {@link fwAnalyze}: the parsed `filter` policies and the host facts fwcheck_psad looks at. */
export interface FwAnalyzeInput {
  /** psad.conf: FW_SEARCH_ALL, FW_MSG_SEARCH, HOSTNAME, ENABLE_IPV6_DETECTION, ALERTING_METHODS, EMAIL_ADDRESSES. */
  config: PsadConfig;
  /** The iptables filter table (live `iptables-save -t filter`, or psad's `--fw-file`). */
  ipv4: ParsedPolicy;
  /** The ip6tables filter table; INPUT is checked when given and ENABLE_IPV6_DETECTION=Y. */
  ipv6?: ParsedPolicy;
  /**
   * FORWARD is checked only when IP forwarding is on and at least two non-loopback interfaces have IPv4
   * addresses (psad's check_forwarding). Omitted: FORWARD is not checked.
   */
  forwarding?: { ipForward: boolean; interfacesWithInet: number };
  /** psad.conf path, for "Available search strings in <file>". */
  configFile?: string;
  /** FW_CHECK_FILE, for "[+] Results in <file>". */
  fwCheckFile?: string;
}

/** Result of {@link fwAnalyze}. */
export interface FwAnalyzeResult {
  /** All checked chains log and drop by default. */
  ok: boolean;
  /** Per chain and family verdicts (from `@fwkit/iptables-parse`'s `fwCheck`). */
  chains: FwCheckChain[];
  /** What `psad --fw-analyze` prints. */
  stdout: string;
  /** The FW_CHECK_FILE content (fwcheck_psad's report). */
  report: string;
  /** psad's warning e-mail subject when the check failed and e-mail alerting is on. */
  emailSubject?: string;
}

function helpText(chain: string, host: string, family: "ipv4" | "ipv6"): string {
  return (
    "[-] You may just need to add a default logging rule to the\n" +
    `    'filter' '${chain}' chain${family === "ipv6" ? " (ip6tables)" : ""} on ${host}. For more information,\n` +
    '    see the file "README" in the psad sources directory or visit:\n\n' +
    "    http://www.cipherdyne.org/psad/docs/fwconfig.html\n\n"
  );
}

/**
 * psad `--fw-analyze` (fwcheck_psad): is there a default LOG rule (reachable through jumps; with FW_SEARCH_ALL=N its
 * prefix must match one of the FW_MSG_SEARCH regexes) and a default DROP (rule or policy) in the filter table's
 * INPUT chain (iptables, and ip6tables with ENABLE_IPV6_DETECTION=Y), and in FORWARD when the host forwards between
 * two or more interfaces? Pure: the policies and host facts are passed in (see `fwAnalyzeLive` for the IO).
 * @param input - config, parsed policies, forwarding facts, file names for the texts
 * @returns verdicts, psad's console text, the fw_check report and the warning e-mail subject
 * @example
 * const r = fwAnalyze({ config, ipv4: parseSave(saveText), forwarding: { ipForward: false, interfacesWithInet: 1 } });
 * process.stdout.write(r.stdout);
 */
export function fwAnalyze(input: FwAnalyzeInput): FwAnalyzeResult {
  const cfg = input.config;
  const host = cfg.HOSTNAME;
  const fwMsgSearch = cfg.FW_MSG_SEARCH.filter((s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  });
  const base = { fwSearchAll: cfg.FW_SEARCH_ALL, fwMsgSearch, hostname: host, table: "filter" };
  const forward = !!input.forwarding && input.forwarding.ipForward && input.forwarding.interfacesWithInet >= 2;
  const runs: { policy: ParsedPolicy; chain: string; family: "ipv4" | "ipv6" }[] = [
    { policy: input.ipv4, chain: "INPUT", family: "ipv4" },
  ];
  if (input.ipv6 && cfg.ENABLE_IPV6_DETECTION) runs.push({ policy: input.ipv6, chain: "INPUT", family: "ipv6" });
  if (forward) runs.push({ policy: input.ipv4, chain: "FORWARD", family: "ipv4" });

  let out = "";
  let report = "";
  const cfgFile = input.configFile ?? "/etc/psad/psad.conf";
  if (!cfg.FW_SEARCH_ALL) {
    report += `[+] Available search strings in ${cfgFile}:\n\n${cfg.FW_MSG_SEARCH.map((s) => `        ${s}\n`).join("")}`;
    report += `\n[+] Additional search strings can be added be specifying more\n    FW_MSG_SEARCH lines in ${cfgFile}\n\n`;
  }
  const chains: FwCheckChain[] = [];
  for (const r of runs) {
    out += `[+] Parsing ${r.chain} chain rules${r.family === "ipv6" ? " (ip6tables)" : ""}.\n`;
    const res = fwCheck(r.policy, { ...base, chains: [r.chain] });
    const c = res.chains[0] as FwCheckChain;
    chains.push({ ...c, family: r.family });
    if (!c.ok) {
      for (const p of c.problems) report += `${p}\n`;
      report += helpText(r.chain, host, r.family);
    }
  }
  const ok = chains.every((c) => c.ok);
  const checked = [...new Set(runs.map((r) => r.chain))];
  const mail = !/no.?e?mail/i.test(cfg.ALERTING_METHODS);
  if (!ok) {
    if (!cfg.FW_SEARCH_ALL)
      report +=
        "\n[+] NOTE: only the filter table is checked, and user-defined chains only through jumps from the\n" +
        "    built-in chains, so your firewall config may be compatible with psad anyway.\n";
    out += "[-] Errors found in firewall config.\n";
    if (mail) out += `    emailed to ${cfg.EMAIL_ADDRESSES}\n`;
  } else {
    const fams = runs.some((r) => r.family === "ipv6") ? "iptables and ip6tables rulesets" : "iptables ruleset";
    report +=
      `[+] The ${fams} on ${host} will log and block unwanted\n` +
      `    packets in the ${checked.join(" and ")} chain${checked.length > 1 ? "s" : ""}.  Firewall config success!\n`;
    out += "[+] Firewall config looks good.\n[+] Completed check of firewall ruleset.\n";
  }
  if (input.fwCheckFile) out += `[+] Results in ${input.fwCheckFile}\n`;
  out += "[+] Exiting.\n";
  const result: FwAnalyzeResult = { ok, chains, stdout: out, report };
  if (!ok && mail) result.emailSubject = `[psad-status] firewall setup warning on ${host}!`;
  return result;
}
