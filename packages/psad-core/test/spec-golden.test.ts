/**
 * psad 2.4.6's recorded results on every capture (spec §4), used as the differential oracle when the
 * real psad is not installed (the live differential is test/differential.it.test.ts).
 */
import { describe, expect, it } from "vitest";
import { analysisToJson, renderSyslogMsgs } from "../src/report.ts";
import { analyzeCapture, corpusMissing } from "./support.ts";

const V6A = "2001:0db8:0000:f101:0000:0000:0000:0002";
const TOP = "2012:1234:1234:0000:0000:0000:0000:0001";
const FE80 = "fe80:0000:0000:0000:0213:46ff:fe3a:4136";
const S = "192.168.10.55";

/** capture -> src -> [DL, dsts, pkts] from the spec's table. */
const golden: Record<string, Record<string, [number, number, number]>> = {
  ack_scan_1000_1150: {},
  fin_scan_1000_1150: { [S]: [3, 1, 302] },
  fwknop_spa_pkt: { [S]: [2, 1, 1] },
  invalid_icmp_type_code: { [S]: [2, 1, 5] },
  ipv4_igmp: {},
  ipv4_valid_ping: { [S]: [2, 1, 5] },
  ipv6_invalid_icmp6_type_code: { [V6A]: [2, 1, 2] },
  ipv6_ms_sql_server_sig_match: { [V6A]: [2, 1, 1] },
  ipv6_ping_scan: {},
  ipv6_tcp_connect_nmap_default_scan: { [V6A]: [3, 2, 1003] },
  mirai_default_credentials_scan: { [S]: [1, 1, 11] },
  ms_sql_server_sig_match: { [S]: [2, 1, 2] },
  null_scan_1000_1150: { [S]: [3, 1, 302], "192.168.10.1": [2, 1, 1] },
  proto_scan: { [S]: [3, 1, 502] },
  reputation_scan: {
    "100.16.243.115": [2, 1, 2],
    "104.131.109.234": [2, 1, 1],
    "107.170.219.23": [2, 1, 1],
    [S]: [2, 1, 2],
    "92.53.90.100": [2, 1, 1],
  },
  syn_scan_1000_1500: { [S]: [3, 1, 1002] },
  syn_scan_1000_1500_localhost: { "127.0.0.1": [3, 1, 1002] },
  syn_scan_1000_1500_multi_dst: { [S]: [3, 4, 4008] },
  syn_scan_1000_1500_zeroip: { "0.0.0.0": [3, 1, 1002] },
  syn_sweep: { [S]: [1, 11, 12] },
  "syslog_time_fmt1.log": {},
  topera_ipv6_syn_scan_no_ip_opts: { [TOP]: [3, 3, 1039], [FE80]: [2, 2, 19] },
  topera_ipv6_syn_scan_with_ip_opts: { [TOP]: [3, 3, 1034], [FE80]: [1, 2, 12] },
  udp_scan_1000_1150: { [S]: [3, 1, 302] },
  xmas_scan_1000_1150: { [S]: [3, 1, 302] },
};

/** The spec's exact golden syslog strings. */
const lines: [string, string][] = [
  [
    "syn_scan_1000_1500",
    "scan detected (Nmap -sT or -sS scan): 192.168.10.55 -> 192.168.10.1 tcp: [1000-1500] flags: SYN tcp pkts: 1002 DL: 3 total scan dsts: 1",
  ],
  [
    "mirai_default_credentials_scan",
    "scan detected (Mirai botnet default credentials scan): 192.168.10.55 -> 192.168.10.1 tcp: [23-2323] flags: SYN tcp pkts: 11 DL: 1 total scan dsts: 1",
  ],
  [
    "proto_scan",
    "scan detected (Nmap -sO IP protocol scan, -sU scan): 192.168.10.55 -> 192.168.10.1 udp: [39480] udp pkts: 2 DL: 3 total scan dsts: 1",
  ],
  [
    "ipv6_invalid_icmp6_type_code",
    "scan detected 2001:0db8:0000:f101:0000:0000:0000:0002 -> ff02:0000:0000:0000:0000:0001:ff00:0001 DL: 2 total scan dsts: 1",
  ],
  [
    "fwknop_spa_pkt",
    'src: 192.168.10.55 signature match: "PSAD-CUSTOM fwknop Single Packet Authorization (SPA) packet" (sid: 100210) udp port: 62201',
  ],
];

describe.skipIf(corpusMissing())("spec §4 recorded psad 2.4.6 results (compat mode)", () => {
  it.each(Object.keys(golden))("%s: per-source DL, destinations and packets", async (name) => {
    const r = await analyzeCapture(name, { options: { psadCompat: true } });
    const got = Object.fromEntries(
      analysisToJson(r).sources.map((s) => [
        s.src,
        [s.dl, s.destinations.length, s.packets] as [number, number, number],
      ]),
    );
    expect(got).toEqual(golden[name]);
  });

  it.each(lines)("%s: golden syslog line", async (name, line) => {
    const r = await analyzeCapture(name, { options: { psadCompat: true } });
    expect(renderSyslogMsgs(r)).toContain(line);
  });

  it("syn_scan: signature sids x2 and the SunOS p0f guess", async () => {
    const j = analysisToJson(await analyzeCapture("syn_scan_1000_1500", { options: { psadCompat: true } }));
    const s = j.sources[0];
    expect(s?.osGuesses).toEqual(["SunOS:4.1::SunOS 4.1.x"]);
    expect(s?.destinations[0]?.signatures.map((x) => [x.sid, x.count])).toEqual([
      [505, 2],
      [1383, 2],
      [1985, 2],
      [100205, 2],
    ]);
    expect(s?.destinations[0]?.ports).toEqual({ tcp: "1000-1500" });
  });

  it("topera (no IP opts): sid 207 x1023 and port range 0-1023", async () => {
    const j = analysisToJson(
      await analyzeCapture("topera_ipv6_syn_scan_no_ip_opts", { options: { psadCompat: true } }),
    );
    const d = j.sources.find((s) => s.src === TOP)?.destinations.find((x) => x.ports.tcp);
    expect(d?.ports.tcp).toBe("0-1023");
    expect(d?.signatures.find((x) => x.sid === 207)?.count).toBe(1023);
  });
});
