import { readFileSync } from "node:fs";
import { fc, test as ftest } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { parseJournalLine } from "../src/journal.ts";
import { createLogLineParser, normalizeAddress } from "../src/parse-log-line.ts";
import { capturePath, captures, capturesDir, NOW } from "./support.ts";

const parser = createLogLineParser({ referenceTime: NOW });

function ok(line: string) {
  const r = parser.parseLine(line);
  if (!r.ok) throw new Error(`expected a packet: ${r.code} ${r.reason}`);
  return r.packet;
}

const SYN =
  "Mar 11 20:35:11 linux kernel: [463490.251762] DROP IN=eth1 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=15270 PROTO=TCP SPT=56247 DPT=1025 WINDOW=3072 RES=0x00 SYN URGP=0 OPT (020405B4) ";

describe("log line tokenizer (spec §1)", () => {
  it("classic syslog line with uptime, prefix, MAC and TCP options", () => {
    const p = ok(SYN);
    expect(p).toMatchObject({
      timestamp: "Mar 11 20:35:11",
      syslog_host: "linux",
      log_prefix: "DROP",
      chain: "INPUT",
      intf: "eth1",
      dst_mac: "23:87:fc:c6:24:58",
      src_mac: "00:21:3f:98:99:78",
      src: "192.168.10.55",
      dst: "192.168.10.1",
      ip_len: 44,
      ttl: 53,
      ip_id: 15270,
      proto: "tcp",
      sp: 56247,
      dp: 1025,
      win: 3072,
      flags: "SYN",
      tcp_opts: "020405B4",
    });
    // year-less date gets the reference year (Mar 11 2026 is before the Nov 2026 reference)
    expect(new Date(p.time * 1000).getFullYear()).toBe(2026);
  });

  it("RFC 3339 timestamp and host (syslog time format test)", () => {
    const p = ok(
      "2015-03-08T02:25:11.444012+02:00 servername kernel: DROP: IN=eth0 OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:00:00 SRC=4.4.4.4 DST=1.2.3.4 LEN=40 TOS=0x00 PREC=0x00 TTL=228 ID=54321 PROTO=TCP SPT=58923 DPT=21 WINDOW=65535 RES=0x00 SYN URGP=0 ",
    );
    expect(p.syslog_host).toBe("servername");
    expect(p.timestamp).toMatch(/^2015-03-08T/);
    expect(p.time).toBe(Date.parse("2015-03-08T02:25:11.444012+02:00") / 1000);
    expect(p.log_prefix).toBe("DROP:");
  });

  it("journalctl short-iso (+0000) timestamp", () => {
    const p = ok(
      "2026-11-22T01:52:39+0000 host kernel: DROP IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=TCP SPT=1 DPT=2 WINDOW=1 RES=0x00 SYN URGP=0 ",
    );
    expect(p.time).toBe(Date.parse("2026-11-22T01:52:39Z") / 1000);
  });

  it("a year-less date in the future of the reference goes to the previous year (psad subtracts 356 days)", () => {
    const p = ok(SYN.replace("Mar 11", "Dec 30"));
    expect(new Date(p.time * 1000).getFullYear()).toBe(2025);
  });

  it("no kernel: token: still a packet, host unknown, no prefix", () => {
    const p = ok(
      "Sep  8 18:04:35 host1 PREFIX IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=UDP SPT=1 DPT=53 LEN=20 ",
    );
    expect(p.syslog_host).toBe("unknown");
    expect(p.log_prefix).toBe("");
    expect(p.udp_len).toBe(20);
    expect(p.ip_len).toBe(40);
  });

  it("fwsnort prefix [N] SID<sid> ESTAB survives uptime stripping", () => {
    const p = ok(
      "Mar 11 20:35:11 fw kernel: [ 12.345678] [1] SID2003 ESTAB IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 LEN=404 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=UDP SPT=1 DPT=1434 LEN=384 ",
    );
    expect(p).toMatchObject({
      fwsnort_sid: 2003,
      fwsnort_rnum: 1,
      fwsnort_estab: true,
      log_prefix: "[1] SID2003 ESTAB",
    });
  });

  it("OUTPUT and FORWARD chains; bridged PHYSIN keeps IN as intf", () => {
    const out = ok(
      "Mar 1 00:00:00 h kernel: IN= OUT=eth0 SRC=1.1.1.1 DST=2.2.2.2 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=0 DF PROTO=ICMP TYPE=8 CODE=0 ID=5 SEQ=1 UID=0 GID=0 ",
    );
    expect(out).toMatchObject({ chain: "OUTPUT", intf: "eth0", uid: 0, gid: 0, frag_bit: true });
    const fwd = ok(
      "Mar 1 00:00:00 h kernel: IN=br0 OUT=br0 PHYSIN=eth1 PHYSOUT=eth2 SRC=1.1.1.1 DST=2.2.2.2 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=TCP SPT=1 DPT=2 WINDOW=0 RES=0x00 SYN URGP=0 MARK=0x1 ",
    );
    expect(fwd).toMatchObject({ chain: "FORWARD", intf: "br0", physin: "eth1", physout: "eth2", mark: "0x1" });
  });

  it("P2: ICMP echo ID and SEQ go to icmp_id and icmp_seq (psad shifts them)", () => {
    const p = ok(
      "Mar 23 21:29:27 linux kernel: ICMP IN=eth0 OUT= SRC=192.168.10.55 DST=192.168.10.1 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=18443 PROTO=ICMP TYPE=8 CODE=0 ID=2158 SEQ=512 ",
    );
    expect(p).toMatchObject({ ip_id: 18443, itype: 8, icode: 0, icmp_id: 2158, icmp_seq: 512 });
  });

  it("P1: ICMP error quoting an echo request keeps the outer header; the inner one is a sub-record", () => {
    const p = ok(
      "Mar 1 00:00:00 h kernel: IN=eth0 OUT= SRC=10.0.0.254 DST=10.0.0.1 LEN=56 TOS=0x00 PREC=0xC0 TTL=64 ID=777 PROTO=ICMP TYPE=11 CODE=0 [SRC=10.0.0.1 DST=8.8.8.8 LEN=28 TOS=0x00 PREC=0x00 TTL=1 ID=4242 PROTO=ICMP TYPE=8 CODE=0 ID=9 SEQ=1 ] ",
    );
    expect(p).toMatchObject({ ttl: 64, ip_id: 777, itype: 11, icode: 0 });
    expect(p.nested).toMatchObject({ src: "10.0.0.1", dst: "8.8.8.8", ttl: 1, ip_id: 4242, itype: 8 });
  });

  it("P3: MACPROTO=0800 is not taken as the protocol", () => {
    const p = ok(
      "Mar 1 00:00:00 h kernel: IN=eth0 OUT= MACSRC=00:11:22:33:44:55 MACDST=66:77:88:99:aa:bb MACPROTO=0800 SRC=1.2.3.4 DST=5.6.7.8 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=ESP SPI=0x1234 ",
    );
    expect(p).toMatchObject({ proto: "esp", spi: "0x1234", mac_proto: "0800", src_mac: "00:11:22:33:44:55" });
  });

  it("P4: DF found when MF/FRAG/OPT sit between DF and PROTO; P5: fragments parse", () => {
    const p = ok(
      "Mar 1 00:00:00 h kernel: IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=1 DF MF FRAG:185 OPT (94040000) PROTO=TCP ",
    );
    expect(p).toMatchObject({ frag_bit: true, mf: true, frag_offset: 185, ip_opts: "94040000", proto: "tcp" });
  });

  it("P5: AH and UDPLITE INCOMPLETE lines are packets without ports", () => {
    expect(
      ok(
        "Mar 1 00:00:00 h kernel: IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 LEN=20 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=AH SPI=0x0 ",
      ).proto,
    ).toBe("ah");
    const p = ok(
      "Mar 1 00:00:00 h kernel: IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 LEN=20 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=UDPLITE INCOMPLETE [65535 bytes] ",
    );
    expect(p).toMatchObject({ proto: "udplite", incomplete: true });
  });

  it("P6: compressed IPv6 is accepted and normalised to psad's full form; IPv6 OPT groups counted", () => {
    const p = ok(
      "Dec 20 20:10:01 rohan kernel: DROP IN=eth0 OUT= SRC=2012:1234:1234::1 DST=2012:1234:1234::2 LEN=132 TC=0 HOPLIMIT=64 FLOWLBL=0 OPT ( ) OPT ( ) OPT ( ) OPT ( ) OPT ( ) OPT ( ) OPT ( ) PROTO=TCP SPT=1 DPT=2 WINDOW=8192 RES=0x00 SYN URGP=0 ",
    );
    expect(p).toMatchObject({
      src: "2012:1234:1234:0000:0000:0000:0000:0001",
      is_ipv6: true,
      hop_limit: 64,
      ip6_opt_groups: 7,
      is_topera: true,
    });
  });

  it("P7: a crafted prefix containing SRC=/IN=/PROTO= cannot shift fields", () => {
    const p = ok(
      "Mar 1 00:00:00 h kernel: SRC=6.6.6.6 PROTO=UDP IN=x IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=TCP SPT=1 DPT=2 WINDOW=0 RES=0x00 SYN URGP=0 ",
    );
    expect(p).toMatchObject({ src: "1.2.3.4", proto: "tcp", intf: "eth0", log_prefix: "SRC=6.6.6.6 PROTO=UDP IN=x" });
  });

  it("SEQ/ACK (--log-tcp-sequence) and ECN flags (ignored in the flag string)", () => {
    const p = ok(
      "Mar 1 00:00:00 h kernel: IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=1 DF PROTO=TCP SPT=1 DPT=2 SEQ=1958810375 ACK=0 WINDOW=5840 RES=0x00 CWR ECE SYN URGP=0 ",
    );
    expect(p).toMatchObject({ tcp_seq: 1958810375, tcp_ack: 0, flags: "SYN" });
    expect(p.flag_bits & 0xc0).toBe(0xc0);
  });

  it("NULL scan: no flags at all", () => {
    const p = ok(SYN.replace(" SYN ", " "));
    expect(p.flags).toBe("NULL");
  });

  it.each([
    ["not an iptables line", "Mar 1 00:00:00 h sshd[1]: Accepted", "PSAD_LOG_NOT_IPTABLES"],
    [
      "empty IN and OUT",
      "Mar 1 00:00:00 h kernel: IN= OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=TCP SPT=1 DPT=2",
      "PSAD_LOG_UNPARSEABLE",
    ],
    [
      "bad address",
      "Mar 1 00:00:00 h kernel: IN=eth0 OUT= SRC=1.2.3.999 DST=5.6.7.8 PROTO=TCP SPT=1 DPT=2",
      "PSAD_LOG_UNPARSEABLE",
    ],
    [
      "TCP without ports",
      "Mar 1 00:00:00 h kernel: IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 LEN=40 PROTO=TCP WINDOW=0",
      "PSAD_LOG_UNPARSEABLE",
    ],
    [
      "unknown protocol name",
      "Mar 1 00:00:00 h kernel: IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=FOO",
      "PSAD_LOG_UNPARSEABLE",
    ],
  ])("%s -> %s", (_name, line, code) => {
    const r = parser.parseLine(line);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe(code);
  });

  it("journalctl -k -o json lines (string and byte-array MESSAGE)", () => {
    const msg =
      "DROP IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=TCP SPT=1 DPT=22 WINDOW=0 RES=0x00 SYN URGP=0 ";
    const j = JSON.stringify({ MESSAGE: msg, __REALTIME_TIMESTAMP: "1763776359000000", _HOSTNAME: "fw1" });
    const r = parseJournalLine(j, parser);
    expect(r.ok && r.packet).toMatchObject({ syslog_host: "fw1", time: 1763776359, log_prefix: "DROP", dp: 22 });
    const j2 = JSON.stringify({ MESSAGE: [...Buffer.from(msg)], __REALTIME_TIMESTAMP: "1763776359000000" });
    expect(parseJournalLine(j2, parser).ok).toBe(true);
    expect(parseJournalLine("{not json", parser)).toMatchObject({ ok: false, code: "PSAD_LOG_UNPARSEABLE" });
  });

  it("normalizeAddress", () => {
    expect(normalizeAddress("2001:DB8:0:F101::2")?.addr).toBe("2001:0db8:0000:f101:0000:0000:0000:0002");
    expect(normalizeAddress("10.0.0.256")).toBeUndefined();
  });

  ftest.prop([fc.string({ maxLength: 400 })])("never throws on arbitrary text", (s) => {
    const r = parser.parseLine(s);
    expect(typeof r.ok).toBe("boolean");
    const r2 = parser.parseLine(`Mar 1 00:00:00 h kernel: IN=eth0 OUT= ${s}`);
    expect(typeof r2.ok).toBe("boolean");
  });
});

describe.skipIf(!capturesDir)("every corpus capture tokenizes", () => {
  it.each(captures())("%s", (name) => {
    const lines = readFileSync(capturePath(name), "latin1").split("\n").filter(Boolean);
    let bad = 0;
    for (const l of lines) if (!parser.parseLine(l).ok) bad++;
    // psad reported 6 parse errors on proto_scan (AH, ESP, UDPLITE INCOMPLETE); the tokenizer parses them all
    expect(bad).toBe(0);
  });
});
