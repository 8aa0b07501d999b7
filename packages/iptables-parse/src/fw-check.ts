/**
 * The firewall policy check psad runs at start-up and with `--fw-analyze` (fwcheck_psad): does a chain log and
 * drop what it does not accept, so that psad can see scans? Pure: works on a parsed policy.
 */
import { defaultDrop } from "./default-drop.ts";
import { defaultLog } from "./default-log.ts";
import type { Family, ParsedPolicy } from "./types.ts";

/** Options of {@link fwCheck}; the names follow psad.conf. */
export interface FwCheckOptions {
  /** Chains to check (default `["INPUT", "FORWARD"]`). */
  chains?: readonly string[];
  /** Table that holds the LOG and DROP rules (psad: `filter`). */
  table?: string;
  /** psad's FW_SEARCH_ALL: `true` = any default LOG rule will do; `false` = its prefix must match FW_MSG_SEARCH. */
  fwSearchAll?: boolean;
  /** psad's FW_MSG_SEARCH patterns (regular expressions), default `["DROP"]`. */
  fwMsgSearch?: readonly string[];
  /** psad's HOSTNAME, used in the report text. */
  hostname?: string;
}

/** Verdict for one chain. */
export interface FwCheckChain {
  chain: string;
  family: Family;
  ok: boolean;
  /** Protocols with a reachable default LOG rule (`all`, `tcp`, …). */
  loggedProtocols: string[];
  /** Protocols with a default DROP (rule or policy). */
  droppedProtocols: string[];
  /** The LOG prefix of the default LOG rule for all protocols, when there is one. */
  logPrefix?: string;
  /** psad-style problem paragraphs, empty when `ok`. */
  problems: string[];
}

/** Result of {@link fwCheck}. */
export interface FwCheckResult {
  ok: boolean;
  chains: FwCheckChain[];
  /** The fw_check report text, in fwcheck_psad's words. */
  report: string;
}

function helpText(table: string, chain: string, host: string): string {
  return (
    "[-] You may just need to add a default logging rule to the\n" +
    `    '${table}' '${chain}' chain on ${host}. For more information,\n` +
    '    see the file "README" in the psad sources directory or visit:\n\n' +
    "    http://www.cipherdyne.org/psad/docs/fwconfig.html\n"
  );
}

function checkChain(policy: ParsedPolicy, table: string, chain: string, opts: Required<FwCheckOptions>): FwCheckChain {
  const host = opts.hostname;
  const problems: string[] = [];
  const [logReport, logRv] = defaultLog(policy, table, chain);
  const [dropReport, dropRv] = defaultDrop(policy, table, chain);
  const loggedProtocols = logRv === 1 ? Object.keys(logReport) : [];
  const dropped = dropRv === 1 ? dropReport : {};
  const droppedProtocols = Object.keys(dropped).filter((p) => dropped[p]?.DROP !== undefined);
  const logPrefix = dropped.all?.LOG?.prefix;

  const logged = (proto: string) => loggedProtocols.includes(proto) || loggedProtocols.includes("all");
  if (opts.fwSearchAll) {
    // fwcheck_psad with FW_SEARCH_ALL=Y: some default LOG rule for all protocols, reachable through jumps.
    if (!logged("all")) {
      const some = ["tcp", "udp", "icmp"].filter(logged);
      const none = ["tcp", "udp", "icmp"].filter((p) => !logged(p));
      problems.push(
        some.length > 0
          ? `[-] Your firewall config on ${host} includes logging rules for\n` +
              `    ${some.join("/")} but not for ${none.join("/")} in the ${chain} chain.\n`
          : `[-] Could not determine whether the ${chain} chain is configured with\n` +
              `    a default logging rule on ${host}.\n`,
      );
    }
  }
  const protos = loggedProtocols.includes("all") || droppedProtocols.includes("all") ? ["all"] : ["tcp", "udp", "icmp"];
  for (const proto of protos) {
    const what = proto === "all" ? "for all protocols" : `for the ${proto} protocol`;
    const scans = proto === "all" ? "scans" : `${proto} scans`;
    if (!opts.fwSearchAll) {
      // fwcheck_psad with FW_SEARCH_ALL=N: a default LOG rule whose prefix matches FW_MSG_SEARCH.
      const prefix = dropped[proto]?.LOG?.prefix ?? dropped.all?.LOG?.prefix;
      if (!logged(proto)) {
        problems.push(
          `[-] The ${chain} chain in the ruleset on ${host} does not\n` +
            `    appear to include a default LOG rule ${what}.  psad will not be able to\n` +
            `    detect ${scans} without such a rule.\n`,
        );
      } else if (prefix === undefined || !opts.fwMsgSearch.some((re) => new RegExp(re).test(prefix))) {
        problems.push(
          `[-] The ${chain} chain in the ruleset on ${host} includes a default\n` +
            `    LOG rule ${what},\n` +
            "    but the rule does not include one of the log prefixes mentioned above.\n" +
            `    It appears as though the log prefix is set to "${prefix ?? "NONE"}"\n` +
            `    psad will not be able to detect ${scans} without adding one of the above\n` +
            "    logging prefixes to the rule.\n",
        );
      }
    }
    // Both modes (fwcheck_psad checks DROP only with FW_SEARCH_ALL=N): a default DROP rule or policy.
    if (!droppedProtocols.includes(proto) && !droppedProtocols.includes("all")) {
      problems.push(
        `[-] The ${chain} chain in the ruleset on ${host} does not\n` +
          `    appear to include a default DROP rule ${what}.\n`,
      );
    }
  }
  return {
    chain,
    family: policy.family,
    ok: problems.length === 0,
    loggedProtocols,
    droppedProtocols,
    ...(logPrefix !== undefined ? { logPrefix } : {}),
    problems,
  };
}

/**
 * Check that each chain has a default LOG rule (reachable through jumps) and a default DROP (rule or policy),
 * as psad's fwcheck_psad does, and write its report.
 * @param policy a parsed policy (any format, see `parsePolicy`)
 * @param options chains, table and psad's FW_SEARCH_ALL / FW_MSG_SEARCH / HOSTNAME
 * @returns per-chain verdicts and the fw_check report text
 * @example
 * const result = fwCheck(parsePolicy(saveText), { hostname: "gw" });
 * if (!result.ok) process.stderr.write(result.report);
 */
export function fwCheck(policy: ParsedPolicy, options: FwCheckOptions = {}): FwCheckResult {
  const opts: Required<FwCheckOptions> = {
    chains: options.chains ?? ["INPUT", "FORWARD"],
    table: options.table ?? "filter",
    fwSearchAll: options.fwSearchAll ?? true,
    fwMsgSearch: options.fwMsgSearch ?? ["DROP"],
    hostname: options.hostname ?? "localhost",
  };
  const chains = opts.chains.map((c) => checkChain(policy, opts.table, c, opts));
  const ok = chains.every((c) => c.ok);
  let report = "";
  if (!opts.fwSearchAll) {
    report += `[+] Available search strings:\n\n${opts.fwMsgSearch.map((s) => `        ${s}\n`).join("")}\n`;
  }
  for (const c of chains) {
    if (c.ok) continue;
    report += c.problems.join("\n");
    report += `\n${helpText(opts.table, c.chain, opts.hostname)}\n`;
  }
  if (ok) {
    report +=
      `[+] The ${policy.family === "ipv6" ? "ip6tables" : "iptables"} ruleset on ${opts.hostname} will log and block unwanted\n` +
      `    packets in the ${opts.chains.join(" and ")} chain${opts.chains.length > 1 ? "s" : ""}.  Firewall config success!\n`;
  }
  return { ok, chains, report };
}
