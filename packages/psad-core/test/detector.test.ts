import { describe, expect, it } from "vitest";
import { type AnalysisResult, analyzeLog } from "../src/analyze.ts";
import { parsePsadConfig } from "../src/config.ts";
import { createDetector } from "../src/detector.ts";
import { createLogLineParser } from "../src/parse-log-line.ts";
import { analysisToJson, renderSyslogMsgs } from "../src/report.ts";
import { buildDetectorSetup, type DetectorOptions, type PsadDataFiles } from "../src/setup.ts";

const NOW = Date.parse("2026-11-22T00:00:00Z") / 1000;

function setup(conf = "", files: PsadDataFiles = {}, options: DetectorOptions = {}) {
  const c = parsePsadConfig(conf);
  if (!c.ok) throw c.error;
  return buildDetectorSetup(c.value, files, options);
}

function tcp(src: string, dst: string, dp: number, flags = "SYN", extra = ""): string {
  return `Mar 11 20:35:11 fw kernel: DROP IN=eth0 OUT= SRC=${src} DST=${dst} LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=1 ${extra}PROTO=TCP SPT=40000 DPT=${dp} WINDOW=1024 RES=0x00 ${flags} URGP=0 `;
}
function udp(src: string, dst: string, dp: number, len = 28): string {
  return `Mar 11 20:35:11 fw kernel: DROP IN=eth0 OUT= SRC=${src} DST=${dst} LEN=${len + 20} TOS=0x00 PREC=0x00 TTL=53 ID=1 PROTO=UDP SPT=40000 DPT=${dp} LEN=${len} `;
}
function proto(src: string, dst: string, p: number): string {
  return `Mar 11 20:35:11 fw kernel: DROP IN=eth0 OUT= SRC=${src} DST=${dst} LEN=20 TOS=0x00 PREC=0x00 TTL=53 ID=1 PROTO=${p} `;
}

async function analyze(
  lines: string[],
  conf = "",
  files: PsadDataFiles = {},
  options: DetectorOptions = {},
): Promise<AnalysisResult> {
  return analyzeLog([lines.join("\n")], setup(conf, files, options), { now: () => NOW });
}

const dlOf = (r: AnalysisResult, src: string) => analysisToJson(r).sources.find((s) => s.src === src)?.dl ?? 0;

describe("danger levels (spec §2.3)", () => {
  it.each([
    [4, 0],
    [5, 1],
    [15, 2],
    [150, 3],
    [1500, 4],
  ])("%i packets over a port range -> DL %i", async (n, dl) => {
    const lines = Array.from({ length: n }, (_, i) => tcp("1.1.1.1", "2.2.2.2", 1000 + (i % 50)));
    expect(dlOf(await analyze(lines), "1.1.1.1")).toBe(dl);
  });

  it("repeated packets to one port never alert (range 0)", async () => {
    const lines = Array.from({ length: 200 }, () => tcp("1.1.1.1", "2.2.2.2", 22));
    expect(dlOf(await analyze(lines), "1.1.1.1")).toBe(0);
  });

  it("DL1_UNIQUE_HOSTS destinations reach a DL even with 1 packet each", async () => {
    const lines = Array.from({ length: 10 }, (_, i) => tcp("1.1.1.1", `2.2.2.${i + 1}`, 1083));
    const r = await analyze(lines);
    expect(dlOf(r, "1.1.1.1")).toBe(1);
    expect(analysisToJson(r).sources[0]?.destinations).toHaveLength(10);
  });

  it("thresholds come from the config", async () => {
    const lines = Array.from({ length: 6 }, (_, i) => tcp("1.1.1.1", "2.2.2.2", 1000 + i));
    expect(dlOf(await analyze(lines, "DANGER_LEVEL2 6;"), "1.1.1.1")).toBe(2);
  });
});

describe("Differences from psad (each row of the README table)", () => {
  it("D-sweep: the port-sweep label reaches alerts and syslog (psad: debug line only)", async () => {
    const lines = Array.from({ length: 10 }, (_, i) => tcp("1.1.1.1", `2.2.2.${i + 1}`, 1083));
    const r = await analyze(lines);
    expect(renderSyslogMsgs(r)[0]).toMatch(
      /^scan detected \(Port sweep SYN scan\): 1\.1\.1\.1 -> 2\.2\.2\.\d+ tcp: \[1083\]/,
    );
    const compat = await analyze(lines, "", {}, { psadCompat: true });
    expect(renderSyslogMsgs(compat)[0]).toMatch(/^scan detected \(Nmap -sT or -sS scan\)/);
  });

  it("D-other-proto: other-protocol and ICMPv6 packet counts appear in syslog", async () => {
    const lines = [1, 2, 3, 4, 5].map((p) => proto("1.1.1.1", "2.2.2.2", 40 + p));
    const r = await analyze(lines);
    expect(renderSyslogMsgs(r)).toContain(
      "scan detected (Nmap -sO IP protocol scan): 1.1.1.1 -> 2.2.2.2 other proto pkts: 5 DL: 1 total scan dsts: 1",
    );
    const c = await analyze(lines, "", {}, { psadCompat: true });
    expect(renderSyslogMsgs(c)).toContain(
      "scan detected (Nmap -sO IP protocol scan): 1.1.1.1 -> 2.2.2.2 DL: 1 total scan dsts: 1",
    );
  });

  it("D-multiproto: five GRE packets are one protocol, not Multi-Protocol", async () => {
    const r = await analyze(Array.from({ length: 5 }, () => proto("1.1.1.1", "2.2.2.2", 47)));
    expect(r.alerts[0]?.multiProtocol).toBe(false);
  });

  it("D-udp-range: TCP and UDP ranges both appear (psad: the UDP range replaces the TCP one)", async () => {
    const lines = [
      ...Array.from({ length: 3 }, (_, i) => tcp("1.1.1.1", "2.2.2.2", 100 + i)),
      ...Array.from({ length: 3 }, (_, i) => udp("1.1.1.1", "2.2.2.2", 200 + i)),
    ];
    const r = await analyze(lines);
    expect(renderSyslogMsgs(r)[0]).toBe(
      "scan detected (Nmap -sT or -sS scan, -sU scan): 1.1.1.1 -> 2.2.2.2 tcp: [100-102] flags: SYN udp: [200-202] tcp pkts: 3 udp pkts: 3 DL: 1 total scan dsts: 1",
    );
    const c = await analyze(lines, "", {}, { psadCompat: true });
    expect(renderSyslogMsgs(c)[0]).toMatch(/ udp: \[200-202\] tcp pkts: 3/);
    expect(renderSyslogMsgs(c)[0]).not.toMatch(/tcp: \[/);
  });

  it("D-ack-hint: an ACK scan is labelled -sA (psad: the malformed 'Nmap  scan')", async () => {
    const lines = Array.from({ length: 5 }, (_, i) => tcp("1.1.1.1", "2.2.2.2", 100 + i, "ACK"));
    const r = await analyze(lines, "IGNORE_CONNTRACK_BUG_PKTS N;");
    expect(renderSyslogMsgs(r)[0]).toMatch(/^scan detected \(Nmap -sA scan\)/);
    const c = await analyze(lines, "IGNORE_CONNTRACK_BUG_PKTS N;", {}, { psadCompat: true });
    expect(renderSyslogMsgs(c)[0]).toMatch(/^scan detected \(Nmap {2}scan\)/);
  });

  it("D-ecn: CWR/ECE do not break classification (psad compares 'CWR ECE SYN' as a string)", async () => {
    const lines = Array.from({ length: 5 }, (_, i) => tcp("1.1.1.1", "2.2.2.2", 100 + i, "CWR ECE SYN"));
    expect(renderSyslogMsgs(await analyze(lines))[0]).toMatch(/\(Nmap -sT or -sS scan\).*flags: SYN /);
  });

  it("D-msgsearch (P9): a line matching two FW_MSG_SEARCH values is counted once", async () => {
    const lines = Array.from({ length: 150 }, (_, i) => tcp("1.1.1.1", "2.2.2.2", 100 + i));
    const r = await analyze(lines, "FW_SEARCH_ALL N;\nFW_MSG_SEARCH DROP;\nFW_MSG_SEARCH DRO;");
    expect(analysisToJson(r).sources[0]).toMatchObject({ dl: 3, packets: 150 });
  });

  const sigs = [
    'alert tcp $EXTERNAL_NET any -> $HOME_NET any (msg:"SCAN NULL"; flags:0; sid:623; psad_id:100001; psad_dl:2;)',
    'alert icmp $EXTERNAL_NET any -> $HOME_NET any (msg:"ICMP PING NMAP"; dsize:0; itype:8; sid:469; psad_id:100002; psad_dl:2;)',
    'alert tcp $EXTERNAL_NET any <> $HOME_NET 5000 (msg:"BIDIR"; flags:S; sid:900001; psad_id:100003; psad_dl:2;)',
    'alert tcp !10.0.0.0/8 any -> $HOME_NET 6000 (msg:"NOT TEN"; flags:S; sid:900002; psad_id:100004; psad_dl:2;)',
    'alert tcp $EXTERNAL_NET any -> $HOME_NET 7000 (msg:"TTL HIGH"; flags:S; ttl:>220; sid:900003; psad_id:100005; psad_dl:2;)',
    'alert tcp $EXTERNAL_NET any -> $HOME_NET 8000 (msg:"LOW DL"; flags:S; sid:900004; psad_id:100006; psad_dl:3;)',
    'alert tcp $EXTERNAL_NET any -> $HOME_NET 8001 (msg:"HIGH DL"; flags:S; sid:900005; psad_id:100007; psad_dl:4;)',
  ].join("\n");

  it("D-flags0: SCAN NULL (flags:0) matches NULL packets (psad: dead rule)", async () => {
    const lines = [tcp("1.1.1.1", "2.2.2.2", 100, "")];
    const r = await analyze(lines, "", { signatures: sigs });
    expect(analysisToJson(r).sources[0]?.destinations[0]?.signatures[0]?.sid).toBe(623);
    const c = await analyze(lines, "", { signatures: sigs }, { psadCompat: true });
    expect(analysisToJson(c).sources).toHaveLength(0);
  });

  it("D-icmp-dsize: ICMP dsize uses the 8-byte ICMP header (nmap's empty ping hits ICMP PING NMAP)", async () => {
    const ping =
      "Mar 23 21:29:27 linux kernel: ICMP IN=eth0 OUT= SRC=192.168.10.55 DST=192.168.10.1 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=18443 PROTO=ICMP TYPE=8 CODE=0 ID=2158 SEQ=512 ";
    const r = await analyze([ping], "", { signatures: sigs });
    expect(analysisToJson(r).sources[0]?.destinations[0]?.signatures.map((s) => s.sid)).toEqual([469]);
    const c = await analyze([ping], "", { signatures: sigs }, { psadCompat: true });
    expect(analysisToJson(c).sources).toHaveLength(0);
  });

  it("D-bidir: <> matches both directions (psad treats it as ->)", async () => {
    const back =
      "Mar 11 20:35:11 fw kernel: DROP IN=eth0 OUT= SRC=1.1.1.1 DST=2.2.2.2 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=1 PROTO=TCP SPT=5000 DPT=40000 WINDOW=1024 RES=0x00 SYN URGP=0 ";
    const r = await analyze([back], "", { signatures: sigs });
    expect(analysisToJson(r).sources[0]?.destinations[0]?.signatures[0]?.sid).toBe(900001);
  });

  it("D-negaddr: !addr negates the address (psad ignores the !)", async () => {
    const r = await analyze([tcp("10.1.1.1", "2.2.2.2", 6000), tcp("11.1.1.1", "2.2.2.2", 6000)], "", {
      signatures: sigs,
    });
    const j = analysisToJson(r);
    expect(j.sources.map((s) => s.src)).toEqual(["11.1.1.1"]);
  });

  it("D-v6-ipkw: IPv6 packets test ttl against HOPLIMIT (psad skips IP keywords for IPv6)", async () => {
    const v6 = (hl: number) =>
      `Mar 11 20:35:11 fw kernel: DROP IN=eth0 OUT= SRC=2001:db8::1 DST=2001:db8::2 LEN=80 TC=0 HOPLIMIT=${hl} FLOWLBL=0 PROTO=TCP SPT=1 DPT=7000 WINDOW=1 RES=0x00 SYN URGP=0 `;
    expect(analysisToJson(await analyze([v6(64)], "", { signatures: sigs })).sources).toHaveLength(0);
    expect(analysisToJson(await analyze([v6(250)], "", { signatures: sigs })).sources).toHaveLength(1);
  });

  it("D-sigdl-max: a batch's signature DL is the maximum, not the last hit's", async () => {
    const r = await analyze([tcp("1.1.1.1", "2.2.2.2", 8001), tcp("1.1.1.1", "2.2.2.2", 8000)], "", {
      signatures: sigs,
    });
    expect(dlOf(r, "1.1.1.1")).toBe(4);
  });

  it("D-autodl: longest prefix wins and DL 0 with a protocol criterion ignores only that protocol", async () => {
    const autoDl = "1.1.0.0/16 5;\n1.1.1.0/24 2;\n3.3.3.3 0 tcp;\n";
    const lines = [tcp("1.1.1.1", "2.2.2.2", 22), udp("3.3.3.3", "2.2.2.2", 53), tcp("3.3.3.3", "2.2.2.2", 22)];
    const r = await analyze(lines, "", { autoDl });
    expect(dlOf(r, "1.1.1.1")).toBe(2);
    expect(r.state.sources.get("3.3.3.3")?.dsts.get("2.2.2.2")?.absnum).toBe(1);
    expect(r.syslogExtra).toContain("auto-assigned danger level: 2 for IP: 1.1.1.1");
  });

  it("D-labels: Topera/Masscan/Mirai labels stick for the batch (psad: the last packet decides)", async () => {
    const lines = [
      ...Array.from({ length: 10 }, () => tcp("1.1.1.1", "2.2.2.2", 23)),
      tcp("1.1.1.1", "2.2.2.2", 2323),
      tcp("1.1.1.1", "2.2.2.2", 80),
    ];
    expect(renderSyslogMsgs(await analyze(lines))[0]).toMatch(
      /^scan detected \(Mirai botnet default credentials scan\)/,
    );
  });

  it("D-masscan: pure SYN without options after option-carrying SYNs is labelled Masscan", async () => {
    const lines = [
      `${tcp("9.9.9.9", "2.2.2.2", 1)}OPT (020405B4) `,
      ...Array.from({ length: 5 }, (_, i) => tcp("1.1.1.1", "2.2.2.2", 100 + i)),
    ];
    expect(renderSyslogMsgs(await analyze(lines))).toContainEqual(
      expect.stringMatching(/^scan detected \(Masscan SYN scan\): 1\.1\.1\.1/),
    );
  });

  it("D-timeout: in streaming mode SCAN_TIMEOUT counts from the last packet and state expires", () => {
    const s = setup("SCAN_TIMEOUT 60;\nCHECK_INTERVAL 5;");
    const det = createDetector(s);
    const parser = createLogLineParser();
    const at = (t: number, dp: number, dst = "2.2.2.2") => {
      const r = parser.parseLine(tcp("1.1.1.1", dst, dp));
      if (!r.ok) throw new Error(r.reason);
      r.packet.time = t;
      return det.push(r.packet);
    };
    for (let i = 0; i < 5; i++) at(1000 + i, 100 + i);
    const alerts = at(1006, 200); // closes the first batch
    expect(alerts[0]?.dl).toBe(1);
    at(1050, 201); // 50 s after the first packet
    det.flush();
    expect(det.state().sources.get("1.1.1.1")?.dsts.has("2.2.2.2")).toBe(true);
    at(1100, 300, "3.3.3.3"); // 100 s after the first, 50 s after the last packet: still tracked
    det.flush();
    expect(det.state().sources.get("1.1.1.1")?.dsts.has("2.2.2.2")).toBe(true);
    at(1111, 301, "3.3.3.3"); // 61 s after the last packet to 2.2.2.2: expired
    det.flush();
    expect(det.state().sources.get("1.1.1.1")?.dsts.has("2.2.2.2")).toBe(false);
    expect(det.state().counters.expiredPairs).toBe(1);
  });

  it("D-maxsources: state is bounded (oldest DL-0 sources evicted first)", () => {
    const det = createDetector(setup("", {}, {}), { singleBatch: true });
    const s2 = setup("", {}, { maxSources: 1000 });
    const det2 = createDetector(s2, { singleBatch: true });
    const parser = createLogLineParser({ referenceTime: NOW });
    for (let i = 0; i < 5000; i++) {
      const r = parser.parseLine(tcp(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, "2.2.2.2", 22));
      if (r.ok) det2.push(r.packet);
    }
    expect(det2.state().sources.size).toBeLessThanOrEqual(1000);
    expect(det2.state().counters.evictedSources).toBeGreaterThan(3000);
    expect(det.state().sources.size).toBe(0);
  });
});

describe("invalid ICMP and fwsnort", () => {
  const icmpTypes = "0   Echo Reply\n    0\n8   Echo\n    0\n";
  it("invalid code raises DL to 2 and is reported", async () => {
    const line =
      "Mar 23 21:29:27 linux kernel: IN=eth0 OUT= SRC=1.1.1.1 DST=2.2.2.2 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=ICMP TYPE=8 CODE=2 ID=1 SEQ=1 ";
    const r = await analyze([line], "", { icmpTypes });
    const s = analysisToJson(r).sources[0];
    expect(s?.dl).toBe(2);
    expect(s?.destinations[0]?.invalidIcmp[0]).toMatchObject({ kind: "code", type: 8, code: 2, typeName: "Echo" });
  });

  it("fwsnort SID prefix maps to the Snort rule msg, DL 2, chain FWSNORT_INPUT_ESTAB", async () => {
    const rules =
      'alert udp $EXTERNAL_NET any -> $HOME_NET 1434 (msg:"MS-SQL Worm propagation attempt"; content:"|04|"; classtype:misc-attack; sid:2003; rev:8;)';
    const line =
      "Mar 11 20:35:11 fw kernel: [1] SID2003 ESTAB IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 LEN=404 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=UDP SPT=1 DPT=1434 LEN=384 ";
    const r = await analyze([line], "", { snortRules: [rules] });
    expect(dlOf(r, "1.2.3.4")).toBe(2);
    expect(renderSyslogMsgs(r)).toContain(
      'src: 1.2.3.4 signature match: "MS-SQL Worm propagation attempt" (sid: 2003) udp port: 1434 fwsnort chain: FWSNORT_INPUT_ESTAB rule: 1',
    );
  });
});
