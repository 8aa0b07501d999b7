/**
 * psad's own test suite (test/test-psad.pl, spec §3) re-expressed on the corpus captures and configs.
 * Each row: capture, config / auto_dl / signatures variant, regexes that must match the report+syslog
 * text, regexes that must not, and the structured result psad produced.
 */
import { createReadStream } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyzeLog } from "../src/analyze.ts";
import { parseCsvFields } from "../src/csv.ts";
import { analysisToJson, renderReport, renderSyslogMsgs } from "../src/report.ts";
import { analyzeCapture, capturePath, corpusMissing, corpusSetup, NOW } from "./support.ts";

const skip = corpusMissing();

interface Row {
  name: string;
  capture: string;
  conf?: string;
  autoDl?: string;
  signatures?: string;
  options?: { psadCompat?: boolean };
  must?: RegExp[];
  mustNot?: RegExp[];
  dl?: Record<string, number>;
}

const attackers = /Top\s\d+\sattackers/i;
const ipStatus = /IP\sstatus/i;
const src55 = /192\.168\.10\.55/;
const v6Short = /SRC:.*2001:DB8:0:F101::2/;

const rows: Row[] = [
  {
    name: "IPv4 SYN scan detection",
    capture: "syn_scan_1000_1500",
    must: [attackers, /scanned\sports.*?1000-1500\b/i, /Source\sOS/i, /BACKDOOR/i, ipStatus, src55],
    dl: { "192.168.10.55": 3 },
  },
  {
    name: "IPv4 SYN scan multi-dst detection",
    capture: "syn_scan_1000_1500_multi_dst",
    must: [
      attackers,
      /scanned\sports.*?1000-1500\b/i,
      /Source\sOS/i,
      /BACKDOOR/i,
      ipStatus,
      src55,
      /Total\sscan\sdestinations:\s4/i,
    ],
    dl: { "192.168.10.55": 3 },
  },
  {
    name: "IPv4 SYN sweep detection",
    capture: "syn_sweep",
    must: [attackers, /port sweep.*port\s1083\b|Port sweep SYN scan.*\[1083\]/i],
    dl: { "192.168.10.55": 1 },
  },
  {
    name: "IPv6 Topera SYN scan detection",
    capture: "topera_ipv6_syn_scan_no_ip_opts",
    must: [
      attackers,
      /scanned\sports.*?0-1023\b/i,
      /BACKDOOR/i,
      ipStatus,
      /SRC:\s+2012:1234:1234:0000:0000:0000:0000:0001/,
    ],
    dl: { "2012:1234:1234:0000:0000:0000:0000:0001": 3, "fe80:0000:0000:0000:0213:46ff:fe3a:4136": 2 },
  },
  {
    name: "IPv6 Topera SYN scan detection (with IP opts)",
    capture: "topera_ipv6_syn_scan_with_ip_opts",
    must: [attackers, /scanned\sports.*?0-1234\b/i, /BACKDOOR/i, ipStatus, /scan detected \(Topera SYN scan\)/],
    dl: { "2012:1234:1234:0000:0000:0000:0000:0001": 3, "fe80:0000:0000:0000:0213:46ff:fe3a:4136": 1 },
  },
  {
    name: "IPv4 detect Mirai default credentials scans",
    capture: "mirai_default_credentials_scan",
    must: [attackers, /Mirai\sbotnet\sdefault\scredentials\sscan/i],
    dl: { "192.168.10.55": 1 },
  },
  {
    name: "IPv4 MS SQL Server communication attempt detection",
    capture: "ms_sql_server_sig_match",
    must: [attackers, /scanned\sports/i, ipStatus, /SQL\sServer\scommunication/i, src55],
    dl: { "192.168.10.55": 2 },
  },
  {
    name: "IPv6 MS SQL Server communication attempt detection",
    capture: "ipv6_ms_sql_server_sig_match",
    must: [attackers, /scanned\sports/i, ipStatus, /SQL\sServer\scommunication/i, v6Short],
  },
  {
    name: "IPv4 exclude MS SQL Server sig match",
    capture: "ms_sql_server_sig_match",
    signatures: "signatures_no_ms_sql_server_sig",
    mustNot: [/SQL\sServer\scommunication/i],
  },
  {
    name: "IPv6 exclude MS SQL Server sig match",
    capture: "ipv6_ms_sql_server_sig_match",
    signatures: "signatures_no_ms_sql_server_sig",
    mustNot: [/SQL\sServer\scommunication/i],
  },
  {
    name: "IPv4 FIN scan detection",
    capture: "fin_scan_1000_1150",
    must: [attackers, /scanned\sports.*?1000-1150\b/i, ipStatus, /SCAN\sFIN/i, src55],
    dl: { "192.168.10.55": 3 },
  },
  {
    name: "IPv4 XMAS scan detection",
    capture: "xmas_scan_1000_1150",
    must: [attackers, /scanned\sports.*?1000-1150\b/i, ipStatus, /SCAN\snmap\sXMAS/i, src55],
    dl: { "192.168.10.55": 3 },
  },
  {
    name: "IPv4 NULL scan detection",
    capture: "null_scan_1000_1150",
    must: [attackers, /scanned\sports.*?1000-1150\b/i, ipStatus, src55],
    dl: { "192.168.10.55": 3, "192.168.10.1": 2 },
  },
  {
    name: "IPv4 IP protocol scan detection (psad compat: AH/ESP/INCOMPLETE are errors)",
    capture: "proto_scan",
    options: { psadCompat: true },
    must: [attackers, /IP\sprotocols:\s251,/i, ipStatus, src55],
    dl: { "192.168.10.55": 3 },
  },
  {
    name: "IPv4 IP protocol scan detection (P5 fixed: AH, ESP, UDPLITE counted -> 254 protocols)",
    capture: "proto_scan",
    must: [attackers, /IP\sprotocols:\s254,/i, ipStatus, src55, /Pkts: 508/],
    dl: { "192.168.10.55": 3 },
  },
  {
    name: "IPv4 fwknop SPA packet detection",
    capture: "fwknop_spa_pkt",
    must: [attackers, /fwknop\sSingle\sPacket/i, ipStatus, src55],
    dl: { "192.168.10.55": 2 },
  },
  { name: "IPv4 ACK scan ignored by default", capture: "ack_scan_1000_1150", mustNot: [/SRC:\s+192\.168\.10\.55/] },
  {
    name: "IPv4 ACK scan detection",
    capture: "ack_scan_1000_1150",
    conf: "enable_ack_detection.conf",
    must: [attackers, /scanned\sports.*?1000-1150\b/i, ipStatus, src55],
    dl: { "192.168.10.55": 3 },
  },
  {
    name: "IPv4 UDP scan detection",
    capture: "udp_scan_1000_1150",
    must: [attackers, /scanned\sports.*?1000-1150/i, ipStatus, src55],
    dl: { "192.168.10.55": 3 },
  },
  ...["auto_dl_5_192.168.10.55", "auto_dl_5_192.168.10.0_24", "auto_dl_5_192.168.10.0_24_tcp"].map((a) => ({
    name: `DL5 IPv4 SYN scan (${a})`,
    capture: "syn_scan_1000_1500",
    autoDl: a,
    must: [attackers, /scanned\sports.*?1000-1500\b/i, ipStatus, /192\.168\.10\.55,\sDL:\s5/],
  })),
  {
    name: "non-DL5 IPv4 SYN scan (subnet + udp)",
    capture: "syn_scan_1000_1500",
    autoDl: "auto_dl_5_192.168.10.0_24_udp",
    mustNot: [/192\.168\.10\.55,\sDL:\s5/],
    dl: { "192.168.10.55": 3 },
  },
  ...["auto_dl_5_192.168.10.55", "auto_dl_5_192.168.10.0_24", "auto_dl_5_192.168.10.0_24_udp"].map((a) => ({
    name: `DL5 IPv4 UDP scan (${a})`,
    capture: "udp_scan_1000_1150",
    autoDl: a,
    must: [attackers, ipStatus, /192\.168\.10\.55,\sDL:\s5/],
  })),
  {
    name: "non-DL5 IPv4 UDP scan (subnet + tcp)",
    capture: "udp_scan_1000_1150",
    autoDl: "auto_dl_5_192.168.10.0_24_tcp",
    mustNot: [/192\.168\.10\.55,\sDL:\s5/],
  },
  ...["auto_dl_ignore_192.168.10.55", "auto_dl_ignore_192.168.10.0_24"].flatMap((a) =>
    ["syn_scan_1000_1500", "udp_scan_1000_1150"].map((c) => ({
      name: `ignore ${c} source (${a})`,
      capture: c,
      autoDl: a,
      mustNot: [/SRC:\s+192\.168\.10\.55/],
    })),
  ),
  {
    name: "psad.conf ignore IPv4 TCP traffic",
    capture: "syn_scan_1000_1500",
    conf: "ignore_tcp.conf",
    autoDl: "auto_dl_5_192.168.10.55",
    mustNot: [/SRC:\s+192\.168\.10\.55/],
  },
  {
    name: "psad.conf ignore IPv4 UDP traffic",
    capture: "udp_scan_1000_1150",
    conf: "ignore_udp.conf",
    autoDl: "auto_dl_5_192.168.10.55",
    mustNot: [/SRC:\s+192\.168\.10\.55/],
  },
  {
    name: "psad.conf ignore IPv4 IGMP traffic",
    capture: "ipv4_igmp",
    conf: "ignore_igmp.conf",
    autoDl: "auto_dl_5_192.168.10.55",
    mustNot: [/SRC:\s+192\.168\.10\.55/],
  },
  {
    name: "auto_dl alone puts the IGMP source at DL5 (auto_dl bypasses packet thresholds)",
    capture: "ipv4_igmp",
    autoDl: "auto_dl_5_192.168.10.55",
    dl: { "192.168.10.55": 5 },
  },
  {
    name: "psad.conf ignore eth1 traffic",
    capture: "syn_scan_1000_1500",
    conf: "ignore_intf.conf",
    autoDl: "auto_dl_5_192.168.10.55",
    mustNot: [/SRC:\s+192\.168\.10\.55/],
  },
  {
    name: "psad.conf require DROP prefix",
    capture: "syn_scan_1000_1500",
    conf: "require_DROP_syslog_prefix_str.conf",
    autoDl: "auto_dl_5_192.168.10.55",
    must: [/SRC:\s+192\.168\.10\.55/],
  },
  {
    name: "psad.conf require missing DROP prefix",
    capture: "syn_scan_1000_1500",
    conf: "require_missing_syslog_prefix_str.conf",
    autoDl: "auto_dl_5_192.168.10.55",
    mustNot: [/SRC:\s+192\.168\.10\.55/],
  },
  {
    name: "IPv6 TCP connect() scan detection",
    capture: "ipv6_tcp_connect_nmap_default_scan",
    must: [attackers, /scanned\sports.*?1-65389\b/i, ipStatus, v6Short],
    dl: { "2001:0db8:0000:f101:0000:0000:0000:0002": 3 },
  },
  { name: "IPv6 allow valid ping packets", capture: "ipv6_ping_scan", mustNot: [v6Short] },
  {
    name: "IPv6 invalid ICMP6 type/code detection",
    capture: "ipv6_invalid_icmp6_type_code",
    must: [/Invalid\sICMP6/, v6Short],
    dl: { "2001:0db8:0000:f101:0000:0000:0000:0002": 2 },
  },
  {
    name: "IPv4 allow valid ICMP echo request",
    capture: "ipv4_valid_ping",
    mustNot: [/Invalid\sICMP/],
    dl: { "192.168.10.55": 2 },
  },
  {
    name: "IPv4 invalid ICMP type/code detection",
    capture: "invalid_icmp_type_code",
    must: [/Invalid\sICMP/, /SRC:\s+192.168.10.55/, /Invalid ICMP code: "2" for ICMP "Echo" packet/],
  },
  {
    name: "IPv6 disabled",
    capture: "ipv6_tcp_connect_nmap_default_scan",
    conf: "disable_ipv6_detection.conf",
    must: [/\[NONE\]/],
    mustNot: [v6Short],
  },
  ...["auto_dl_ignore_ipv6_addr", "auto_dl_ignore_ipv6_addr_abbrev"].map((a) => ({
    name: `ignore IPv6 connect() scan source (${a})`,
    capture: "ipv6_tcp_connect_nmap_default_scan",
    autoDl: a,
    must: [/\[NONE\]/],
    mustNot: [v6Short],
  })),
  { name: "syslog time format (1)", capture: "syslog_time_fmt1.log", must: [/\[NONE\]/] },
];

describe.skipIf(skip)("psad test-suite expectations (spec §3)", () => {
  it.each(rows)("$name", async (row) => {
    const r = await analyzeCapture(row.capture, {
      ...(row.conf ? { conf: row.conf } : {}),
      ...(row.autoDl ? { autoDl: row.autoDl } : {}),
      ...(row.signatures ? { signatures: row.signatures } : {}),
      ...(row.options ? { options: row.options } : {}),
    });
    const text = `${renderReport(r)}\n${renderSyslogMsgs(r).join("\n")}`;
    for (const re of row.must ?? []) expect(text).toMatch(re);
    for (const re of row.mustNot ?? []) expect(text).not.toMatch(re);
    if (row.dl) {
      const got = Object.fromEntries(analysisToJson(r).sources.map((s) => [s.src, s.dl]));
      expect(got).toEqual(row.dl);
    }
  });

  it("syslog time format (1): RFC 3339 stamps parse with host servername", async () => {
    const r = await analyzeCapture("syslog_time_fmt1.log");
    const j = analysisToJson(r);
    expect(j.packets).toBe(6);
    expect(j.prefixes).toEqual({ "DROP:": 6 });
  });

  it.each([
    ["SRC:1.2.3.4", 0],
    ["DST:1.2.3.4", 0],
    ["LEN:15", 0],
    ["SRC:192.168.10.55", 1],
    ["DST:192.168.10.1", 1],
    ["SRC:192.168.10.55, DST:192.168.10.1", 1],
    ["LEN:44", 1],
  ])("--analysis-fields %s", async (spec, level3) => {
    const f = parseCsvFields(spec, { requireCriteria: true });
    if (!f.ok) throw f.error;
    const setup = await corpusSetup();
    const r = await analyzeLog(createReadStream(capturePath("syn_scan_1000_1500")), setup, {
      now: () => NOW,
      analysisFields: f.value,
    });
    const report = renderReport(r);
    for (const l of [1, 2, 4, 5]) expect(report).toContain(`Level ${l}: 0 IP addresses`);
    expect(report).toContain(`Level 3: ${level3} IP addresses`);
    if (level3) expect(report).toMatch(/scanned\sports.*?1000-1500\b/i);
  });

  it("invalid --analysis-fields BOGUS:44", () => {
    const f = parseCsvFields("BOGUS:44", { requireCriteria: true });
    expect(f.ok).toBe(false);
    if (!f.ok) {
      expect(f.error.code).toBe("PSAD_CSV_FIELD_INVALID");
      expect(f.error.message).toMatch(/valid fields are/);
    }
  });
});
