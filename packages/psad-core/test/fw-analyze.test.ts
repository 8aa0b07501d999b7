import { parseSave } from "@fwkit/iptables-parse";
import { describe, expect, it } from "vitest";
import { parsePsadConfig } from "../src/config.ts";
import { fwAnalyze } from "../src/fw-analyze.ts";

function cfg(extra = "") {
  const r = parsePsadConfig(`HOSTNAME gw;\n${extra}`);
  if (!r.ok) throw r.error;
  return r.value;
}

const good = parseSave(
  "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:LOGDROP - [0:0]\n" +
    "-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -j LOGDROP\n" +
    '-A LOGDROP -j LOG --log-prefix "DROP "\n-A LOGDROP -j DROP\nCOMMIT\n',
);
const flat = parseSave(
  "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n" +
    '-A INPUT -i lo -j ACCEPT\n-A INPUT -j LOG --log-prefix "DROP "\n-A INPUT -j DROP\nCOMMIT\n',
);
const noLog = parseSave("*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n");
const tcpOnly = parseSave(
  "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n" +
    '-A INPUT -p tcp -j LOG --log-prefix "DROP "\n-A INPUT -p tcp -j DROP\nCOMMIT\n',
);

describe("fwAnalyze (psad --fw-analyze / fwcheck_psad)", () => {
  it("a default LOG (reached through a jump) + DROP in INPUT passes; FORWARD is skipped without forwarding", () => {
    const r = fwAnalyze({ config: cfg(), ipv4: good, fwCheckFile: "/var/log/psad/fw_check" });
    expect(r.ok).toBe(true);
    expect(r.chains.map((c) => [c.chain, c.family, c.ok])).toEqual([["INPUT", "ipv4", true]]);
    expect(r.stdout).toBe(
      "[+] Parsing INPUT chain rules.\n[+] Firewall config looks good.\n[+] Completed check of firewall ruleset.\n" +
        "[+] Results in /var/log/psad/fw_check\n[+] Exiting.\n",
    );
    expect(r.report).toBe(
      "[+] The iptables ruleset on gw will log and block unwanted\n    packets in the INPUT chain.  Firewall config success!\n",
    );
    expect(r.emailSubject).toBeUndefined();
  });

  it("checks FORWARD only when forwarding between two or more interfaces (psad's check_forwarding)", () => {
    expect(
      fwAnalyze({ config: cfg(), ipv4: good, forwarding: { ipForward: true, interfacesWithInet: 1 } }).chains.length,
    ).toBe(1);
    const r = fwAnalyze({ config: cfg(), ipv4: good, forwarding: { ipForward: true, interfacesWithInet: 2 } });
    expect(r.chains.map((c) => [c.chain, c.ok])).toEqual([
      ["INPUT", true],
      ["FORWARD", false],
    ]);
    expect(r.stdout).toContain("[+] Parsing FORWARD chain rules.\n");
    expect(r.report).toContain("[-] Could not determine whether the FORWARD chain is configured with\n");
    expect(r.report).toContain("'filter' 'FORWARD' chain on gw.");
  });

  it("missing LOG rule: psad's messages, the help text and the warning e-mail subject", () => {
    const r = fwAnalyze({ config: cfg(), ipv4: noLog });
    expect(r.ok).toBe(false);
    expect(r.report).toContain("[-] Could not determine whether the INPUT chain is configured with\n");
    expect(r.report).toContain(
      "[-] You may just need to add a default logging rule to the\n    'filter' 'INPUT' chain on gw.",
    );
    expect(r.stdout).toBe(
      "[+] Parsing INPUT chain rules.\n[-] Errors found in firewall config.\n    emailed to root@localhost\n[+] Exiting.\n",
    );
    expect(r.emailSubject).toBe("[psad-status] firewall setup warning on gw!");
    const nomail = fwAnalyze({ config: cfg("ALERTING_METHODS nomail;"), ipv4: noLog });
    expect(nomail.stdout).not.toContain("emailed");
    expect(nomail.emailSubject).toBeUndefined();
  });

  it("FW_SEARCH_ALL=N: the LOG prefix must match FW_MSG_SEARCH; per-protocol logging is reported per protocol", () => {
    const okr = fwAnalyze({
      config: cfg("FW_SEARCH_ALL N;\nFW_MSG_SEARCH DRO+P;"),
      ipv4: flat,
      configFile: "/etc/psad/psad.conf",
    });
    expect(okr.ok).toBe(true);
    expect(okr.report.startsWith("[+] Available search strings in /etc/psad/psad.conf:\n\n        DRO+P\n\n")).toBe(
      true,
    );
    const bad = fwAnalyze({ config: cfg("FW_SEARCH_ALL N;\nFW_MSG_SEARCH NOPE;"), ipv4: flat });
    expect(bad.ok).toBe(false);
    expect(bad.report).toContain('It appears as though the log prefix is set to "DROP"');
    const tcp = fwAnalyze({ config: cfg("FW_SEARCH_ALL N;"), ipv4: tcpOnly });
    expect(tcp.ok).toBe(false);
    expect(tcp.report).toContain("default LOG rule for the udp protocol");
    expect(tcp.report).toContain("default DROP rule for the icmp protocol");
    // an invalid FW_MSG_SEARCH regex is ignored instead of crashing
    expect(fwAnalyze({ config: cfg("FW_SEARCH_ALL N;\nFW_MSG_SEARCH (;\nFW_MSG_SEARCH DROP;"), ipv4: flat }).ok).toBe(
      true,
    );
    // like psad, the prefix is looked for in the chain itself (a LOG rule in a jumped-to chain has no known prefix)
    expect(fwAnalyze({ config: cfg("FW_SEARCH_ALL N;"), ipv4: good }).report).toContain('log prefix is set to "NONE"');
  });

  it("IPv6: ip6tables INPUT is checked too when ENABLE_IPV6_DETECTION=Y", () => {
    const r = fwAnalyze({ config: cfg(), ipv4: good, ipv6: noLog });
    expect(r.chains.map((c) => [c.chain, c.family, c.ok])).toEqual([
      ["INPUT", "ipv4", true],
      ["INPUT", "ipv6", false],
    ]);
    expect(r.stdout).toContain("[+] Parsing INPUT chain rules (ip6tables).\n");
    expect(r.report).toContain("'filter' 'INPUT' chain (ip6tables) on gw.");
    expect(fwAnalyze({ config: cfg("ENABLE_IPV6_DETECTION N;"), ipv4: good, ipv6: noLog }).ok).toBe(true);
  });
});
