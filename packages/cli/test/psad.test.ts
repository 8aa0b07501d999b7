import { createSocket } from "node:dgram";
import { appendFileSync, chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corpusPath } from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PsadIo } from "../src/commands/psad.ts";
import { ExitCode, run } from "../src/index.ts";
import { fakeIo } from "./fake-io.ts";

const NOW = Date.parse("2026-11-22T00:00:00Z") / 1000;
const line = (port: number, src = "192.0.2.7", t = "Mar 11 20:35:11") =>
  `${t} fw kernel: [ 12.345678] DROP IN=eth0 OUT= MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=${src} DST=198.51.100.1 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=1 PROTO=TCP SPT=40000 DPT=${port} WINDOW=1024 RES=0x00 SYN URGP=0 `;
const SCAN =
  "scan detected (Nmap -sT or -sS scan): 192.0.2.7 -> 198.51.100.1 tcp: [1000-1019] flags: SYN tcp pkts: 20 DL: 2 total scan dsts: 1";

let dir = "";
let conf = "";
let log = "";
/** psad.conf with every data file pointing into the temp dir (absent), so /etc/psad does not leak in. */
const confText = (extra = "") =>
  `${extra}DANGER_LEVEL1 5;\nFW_MSG_SEARCH DROP;\nCHECK_INTERVAL 1;\n${[
    "SIGS_FILE",
    "AUTO_DL_FILE",
    "ICMP_TYPES_FILE",
    "ICMP6_TYPES_FILE",
    "IP_OPTS_FILE",
    "POSF_FILE",
    "P0F_FILE",
    "PROTOCOLS_FILE",
    "SNORT_RULE_DL_FILE",
    "SNORT_RULES_DIR",
    "FWSNORT_RULES_DIR",
  ]
    .map((k) => `${k} ${dir}/absent/${k};`)
    .join("\n")}\n`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "fwkit-cli-psad-"));
  conf = join(dir, "psad.conf");
  writeFileSync(conf, confText());
  log = join(dir, "kern.log");
  writeFileSync(log, `${Array.from({ length: 20 }, (_, i) => line(1000 + i)).join("\n")}\nnot an iptables line\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(extra: Partial<PsadIo> = {}): ReturnType<typeof fakeIo> & PsadIo {
  return Object.assign(fakeIo(), { now: () => NOW, ...extra });
}

describe("fwkit psad -A", () => {
  it("--syslog-msgs prints psad's alert messages", async () => {
    const o = io();
    expect(await run(["psad", "-A", "-m", log, "-c", conf, "--syslog-msgs"], o)).toBe(ExitCode.Ok);
    expect(o.out).toBe(`${SCAN}\n`);
  });

  it("--json prints one document with the analysis", async () => {
    const o = io();
    expect(await run(["psad", "-A", "-m", log, "-c", conf, "--json"], o)).toBe(ExitCode.Ok);
    const j = JSON.parse(o.out);
    expect(j).toMatchObject({ lines: 21, iptablesLines: 20, packets: 20, levels: { "2": 1 }, syslog: [SCAN] });
    expect(j.sources).toHaveLength(1);
    expect(j.sources[0]).toMatchObject({ src: "192.0.2.7", dl: 2, packets: 20, sigCount: 0 });
    expect(j.sources[0].destinations[0]).toMatchObject({ dst: "198.51.100.1" });
    expect(j.topPorts).toHaveLength(20);
  });

  it("prints psad's analysis report by default", async () => {
    const o = io();
    expect(await run(["psad", "-A", "-m", log, "-c", conf], o)).toBe(ExitCode.Ok);
    expect(o.out.split("\n").slice(0, 4)).toEqual([
      `[+] Entering analysis mode.  Parsing ${log}`,
      "[+] Found 20 iptables log messages out of 21 total lines.",
      "[+] Assigning scan danger levels...",
      "    Level 1: 0 IP addresses",
    ]);
    expect(o.out).toContain("SRC:  192.0.2.7, DL: 2, Dsts: 1, Pkts: 20");
  });

  it("--stdin reads the injected stream (journalctl -o json lines too)", async () => {
    const json = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({
        MESSAGE: line(1000 + i).replace(/^.* kernel: /, ""),
        __REALTIME_TIMESTAMP: "1795392000000000",
        _HOSTNAME: "fw",
      }),
    ).join("\n");
    const o = io({ stdin: [Buffer.from(json)] });
    expect(await run(["psad", "-A", "--stdin", "-c", conf, "--syslog-msgs"], o)).toBe(ExitCode.Ok);
    expect(o.out).toBe(`${SCAN}\n`);
  });

  it("-p N stops after N iptables lines; --analysis-fields filters before detection", async () => {
    const o = io();
    expect(await run(["psad", "-A", "-m", log, "-c", conf, "-p", "3", "--json"], o)).toBe(ExitCode.Ok);
    expect(JSON.parse(o.out)).toMatchObject({ iptablesLines: 3, packets: 3, syslog: [] });
    const f = io();
    expect(await run(["psad", "-A", "-m", log, "-c", conf, "--analysis-fields", "dp:>1014", "--json"], f)).toBe(0);
    expect(JSON.parse(f.out)).toMatchObject({ packets: 5 });
  });

  it("-O takes a comma list or repeats; the first definition of a key wins", async () => {
    const o1 = join(dir, "o1.conf");
    const o2 = join(dir, "o2.conf");
    writeFileSync(o1, "HOSTNAME test;\n");
    writeFileSync(o2, "DANGER_LEVEL1 100;\n");
    for (const args of [
      ["-O", `${o1},${o2}`],
      ["-O", o1, "-O", o2],
    ]) {
      const o = io();
      expect(await run(["psad", "-A", "-m", log, "-c", conf, ...args, "--syslog-msgs"], o)).toBe(ExitCode.Ok);
      expect(o.out).toBe(""); // 20 packets < DANGER_LEVEL1 100
    }
  });

  it("shows progress on stderr only when stderr is a TTY and the file is large", async () => {
    const quiet = io({ stderrIsTTY: false, progressMinBytes: 1 });
    await run(["psad", "-A", "-m", log, "-c", conf, "--syslog-msgs"], quiet);
    expect(quiet.err).toBe("");
    const small = io({ stderrIsTTY: true });
    await run(["psad", "-A", "-m", log, "-c", conf, "--syslog-msgs"], small);
    expect(small.err).toBe("");
    const tty = io({ stderrIsTTY: true, progressMinBytes: 1 });
    await run(["psad", "-A", "-m", log, "-c", conf, "--syslog-msgs"], tty);
    expect(tty.err).toMatch(/^\r\[\+\] Processed 0 of 0 MB \(100%\).* in \d+\.\d s\n$/s);
    expect(tty.out).toBe(`${SCAN}\n`);
  });
});

describe("fwkit psad --CSV / --gnuplot", () => {
  it("--CSV-fields with criteria and --CSV-max-lines N prints N lines", async () => {
    const o = io();
    const argv = ["psad", "--CSV", "-m", log, "-c", conf, "--CSV-fields", "src dp:>1010", "--CSV-max-lines", "3"];
    expect(await run(argv, o)).toBe(ExitCode.Ok);
    expect(o.out).toBe("192.0.2.7, 1011\n192.0.2.7, 1012\n192.0.2.7, 1013\n");
  });

  it("--CSV-unique-lines, --CSV-regex / --CSV-neg-regex on the raw line, --json", async () => {
    const o = io();
    expect(
      await run(["psad", "--CSV", "-m", log, "-c", conf, "--CSV-fields", "src dst", "--CSV-unique-lines"], o),
    ).toBe(0);
    expect(o.out).toBe("192.0.2.7, 198.51.100.1\n");
    const r = io();
    const argv = [
      "psad",
      "--CSV",
      "-m",
      log,
      "-c",
      conf,
      "--CSV-fields",
      "dp",
      "--CSV-regex",
      "DPT=100[0-4] ",
      "--CSV-neg-regex",
      "DPT=1003",
    ];
    expect(await run([...argv, "--json"], r)).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ csv: ["1000", "1001", "1002", "1004"] });
  });

  it("--gnuplot writes <prefix>.dat and <prefix>.gnu", async () => {
    const o = io();
    const prefix = join(dir, "plot");
    const argv = [
      "psad",
      "--gnuplot",
      "-m",
      log,
      "-c",
      conf,
      "--CSV-fields",
      "src dp",
      "--gnuplot-file-prefix",
      prefix,
    ];
    expect(await run(argv, o)).toBe(ExitCode.Ok);
    const dat = o.written.get(`${prefix}.dat`) as string;
    expect(dat).toContain("### 1=192.0.2.7");
    expect(dat.split("\n").filter((l) => /^\d/.test(l))).toHaveLength(20);
    expect(o.written.get(`${prefix}.gnu`)).toMatch(/plot .*plot\.dat/);
    expect(o.out).toContain("20 data rows");
  });
});

describe("fwkit psad errors", () => {
  it.each([
    [["psad", "-A", "-m", "/nonexistent/kern.log"], "CLI_IO", ExitCode.Failure],
    [["psad", "-A", "--CSV-fields", "BOGUS:44"], "PSAD_CSV_FIELD_INVALID", ExitCode.Failure],
    [["psad", "-A", "--analysis-fields", "BOGUS:44"], "PSAD_CSV_FIELD_INVALID", ExitCode.Failure],
    [["psad", "-A", "--analysis-fields", "src"], "PSAD_CSV_FIELD_INVALID", ExitCode.Failure],
    [["psad", "--CSV", "--CSV-regex", "("], "CLI_USAGE", ExitCode.Usage],
    [["psad", "--gnuplot"], "CLI_USAGE", ExitCode.Usage],
    [["psad"], "CLI_USAGE", ExitCode.Usage],
    [["psad", "-A", "-m", "x", "--stdin"], "CLI_USAGE", ExitCode.Usage],
    [["psad", "-A", "-p", "zero"], "CLI_USAGE", ExitCode.Usage],
    [["psad", "--bogus"], "CLI_USAGE", ExitCode.Usage],
  ])("%j → %s", async (argv, code, exit) => {
    const o = io();
    const args = argv.length > 1 && !argv.includes("--bogus") ? [...argv, "-c", conf] : argv;
    expect(await run(args, o)).toBe(exit);
    expect(o.err).toMatch(new RegExp(`^fwkit: ${code}: `));
    const j = io();
    expect(await run([...args, "--json"], j)).toBe(exit);
    expect(JSON.parse(j.out).error.code).toBe(code);
  });

  it("an unreadable or invalid config is PSAD_CONFIG_INVALID (exit 2)", async () => {
    const o = io();
    expect(await run(["psad", "-A", "-m", log, "-c", join(dir, "nope.conf")], o)).toBe(ExitCode.Usage);
    expect(o.err).toMatch(/^fwkit: PSAD_CONFIG_INVALID: /);
    const bad = join(dir, "bad.conf");
    writeFileSync(bad, "DANGER_LEVEL1 lots;\n");
    const b = io();
    expect(await run(["psad", "-A", "-m", log, "-c", bad], b)).toBe(ExitCode.Usage);
    expect(b.err).toMatch(/^fwkit: PSAD_CONFIG_INVALID: /);
  });
});

async function until(cond: () => boolean, ms = 8000): Promise<void> {
  const t0 = Date.now();
  while (!cond() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 25));
}

describe("fwkit psad --follow", () => {
  it("follows a file from its end and prints alerts per CHECK_INTERVAL; SIGINT ends it (exit 130)", async () => {
    const f = join(dir, "follow.log");
    writeFileSync(f, `${line(1)}\n`.repeat(30)); // old lines: not analysed
    const ac = new AbortController();
    const o = io({ signal: ac.signal, followPollMs: 20 });
    const done = run(["psad", "--follow", f, "-c", conf], o);
    await new Promise((r) => setTimeout(r, 150));
    appendFileSync(f, `${Array.from({ length: 20 }, (_, i) => line(1000 + i)).join("\n")}\n`);
    await until(() => o.out.includes("scan detected"));
    expect(o.out).toBe(`${SCAN}\n`);
    ac.abort("SIGINT");
    expect(await done).toBe(ExitCode.Interrupted);
  });

  it("--follow journal reads journalctl -kf -o json; --json prints JSON lines", async () => {
    const bin = join(dir, "bin");
    rmSync(bin, { recursive: true, force: true });
    const { mkdirSync } = await import("node:fs");
    mkdirSync(bin);
    const rows = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({
        MESSAGE: line(1000 + i).replace(/^.* kernel: /, ""),
        __REALTIME_TIMESTAMP: String(NOW * 1e6),
        _HOSTNAME: "fw",
      }),
    );
    writeFileSync(join(bin, "rows"), `${rows.join("\n")}\n`);
    writeFileSync(
      join(bin, "journalctl"),
      `#!/bin/sh\n[ "$*" = "-kf -o json -n 0" ] || exit 3\ncat "${bin}/rows"\nexec sleep 30\n`,
    );
    chmodSync(join(bin, "journalctl"), 0o755);
    const ac = new AbortController();
    const o = io({ signal: ac.signal, env: { PATH: `${bin}:/usr/bin:/bin` } });
    const done = run(["psad", "--follow", "journal", "-c", conf, "--json"], o);
    await until(() => o.out.includes('"type":"alert"'));
    ac.abort("SIGTERM");
    expect(await done).toBe(ExitCode.Ok);
    const events = o.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual(["alert", "summary"]);
    expect(events[0]).toMatchObject({ src: "192.0.2.7", dst: "198.51.100.1", dl: 2, syslog: [SCAN] });
    expect(events[1]).toMatchObject({
      type: "summary",
      stopped: "SIGTERM",
      source: "journal",
      lines: 20,
      packets: 20,
      alerts: 1,
    });
  });

  it("a follow target that does not exist is PSAD_FOLLOW_FAILED", async () => {
    const o = io({ signal: new AbortController().signal });
    expect(await run(["psad", "--follow", join(dir, "missing.log"), "-c", conf], o)).toBe(ExitCode.Failure);
    expect(o.err).toMatch(/^fwkit: PSAD_FOLLOW_FAILED: /);
  });
});

const corpus = corpusPath("psad-captures");
describe.skipIf(!corpus)("fwkit psad on a corpus capture", () => {
  it("--json shape on syn_scan_1000_1500 (signatures off: no data files needed)", async () => {
    const o = io();
    const argv = [
      "psad",
      "-A",
      "-m",
      join(corpus as string, "syn_scan_1000_1500"),
      "-c",
      conf,
      "--no-signatures",
      "--json",
    ];
    expect(await run(argv, o)).toBe(ExitCode.Ok);
    const j = JSON.parse(o.out);
    expect(Object.keys(j).sort()).toEqual(
      [
        "errors",
        "ignored",
        "iptablesLines",
        "levels",
        "lines",
        "packets",
        "prefixes",
        "protocols",
        "sources",
        "syslog",
        "topPorts",
        "topSignatures",
      ].sort(),
    );
    expect(j.sources[0]).toMatchObject({ src: "192.168.10.55", dl: 3, packets: 1002 });
    expect(j.syslog).toEqual([
      "scan detected (Nmap -sT or -sS scan): 192.168.10.55 -> 192.168.10.1 tcp: [1000-1500] flags: SYN tcp pkts: 1002 DL: 3 total scan dsts: 1",
    ]);
  });
});

describe("fwkit psad --html, -S, --fw-analyze", () => {
  it("-A --html FILE writes the self-contained report next to the normal output", async () => {
    const o = io();
    const out = join(dir, "report.html");
    expect(await run(["psad", "-A", "-m", log, "-c", conf, "--syslog-msgs", "--html", out], o)).toBe(ExitCode.Ok);
    expect(o.out).toBe(`${SCAN}\n`);
    const html = o.written.get(out) as string;
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).toContain("192.0.2.7");
    expect(html).toContain("<svg");
    expect(o.err).toBe(`[+] HTML report written to ${out}\n`);
  });

  it("-S without a status snapshot says so and exits 1", async () => {
    const o = io();
    const argv = ["psad", "-S", "-c", conf, "--status-file", join(dir, "none.json")];
    expect(await run(argv, o)).toBe(ExitCode.Failure);
    expect(o.out).toMatch(/^\[-\] psad: status file .*none\.json does not exist for psad on /);
  });

  it("--follow persists the status snapshot that -S prints", async () => {
    const f = join(dir, "status.log");
    const statusFile = join(dir, "status.json");
    writeFileSync(f, "");
    const ac = new AbortController();
    const o = io({ signal: ac.signal, followPollMs: 20 });
    const done = run(["psad", "--follow", f, "-c", conf, "--status-file", statusFile], o);
    await new Promise((r) => setTimeout(r, 100));
    appendFileSync(f, `${Array.from({ length: 20 }, (_, i) => line(1000 + i)).join("\n")}\n`);
    await until(() => o.out.includes("scan detected"));
    ac.abort("SIGTERM");
    expect(await done).toBe(ExitCode.Ok);
    const s = io();
    expect(await run(["psad", "-S", "-c", conf, "--status-file", statusFile], s)).toBe(ExitCode.Ok);
    expect(s.out).toContain("192.0.2.7");
    expect(s.out).toMatch(/Top \d+ attackers/);
    const j = io();
    expect(await run(["psad", "-S", "-c", conf, "--status-file", statusFile, "--json"], j)).toBe(ExitCode.Ok);
    expect(JSON.parse(j.out)).toMatchObject({ running: true, statusFile });
  });

  it("--fw-analyze --fw-file: exit 0 with a default LOG + DROP, 1 without", async () => {
    const fwConf = join(dir, "fw.conf");
    writeFileSync(fwConf, confText(`ENABLE_IPV6_DETECTION N;\nPSAD_DIR ${dir};\n`));
    const rules = (log: boolean) =>
      `*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n${
        log ? '-A INPUT -j LOG --log-prefix "DROP "\n-A FORWARD -j LOG --log-prefix "DROP "\n' : ""
      }-A INPUT -j DROP\n-A FORWARD -j DROP\nCOMMIT\n`;
    const good = join(dir, "good.save");
    const bad = join(dir, "bad.save");
    writeFileSync(good, rules(true));
    writeFileSync(bad, rules(false));
    const g = io();
    expect(await run(["psad", "--fw-analyze", "--fw-file", good, "-c", fwConf], g)).toBe(ExitCode.Ok);
    expect(g.out).toContain("[+] Firewall config looks good.");
    expect(g.written.get(join(dir, "fw_check"))).toBeDefined();
    const b = io();
    expect(await run(["psad", "--fw-analyze", "--fw-file", bad, "-c", fwConf], b)).toBe(ExitCode.Failure);
    expect(b.out).toContain("[-] Errors found in firewall config.");
  });
});

describe("fwkit psad --follow responses", () => {
  it("sends the alert to a syslog collector (--syslog-server udp://…)", async () => {
    const sock = createSocket("udp4");
    const got: string[] = [];
    sock.on("message", (m) => got.push(m.toString()));
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
    const port = sock.address().port;
    const f = join(dir, "syslog.log");
    writeFileSync(f, "");
    const ac = new AbortController();
    const o = io({ signal: ac.signal, followPollMs: 20 });
    const argv = ["psad", "--follow", f, "-c", conf, "--syslog-server", `udp://127.0.0.1:${port}`];
    const done = run(argv, o);
    await new Promise((r) => setTimeout(r, 100));
    appendFileSync(f, `${Array.from({ length: 20 }, (_, i) => line(1000 + i)).join("\n")}\n`);
    await until(() => got.some((m) => m.includes("scan detected")));
    ac.abort("SIGTERM");
    expect(await done).toBe(ExitCode.Ok);
    sock.close();
    expect(got.find((m) => m.includes("scan detected"))).toContain(SCAN);
    expect(got[0]).toMatch(/^<\d+>1 /); // RFC 5424 over UDP
  });

  it("auto-blocks a source that reaches AUTO_IDS_DANGER_LEVEL (ENABLE_AUTO_IDS=Y), never a local address", async () => {
    const blockConf = join(dir, "block.conf");
    writeFileSync(
      blockConf,
      confText(
        `ENABLE_AUTO_IDS Y;\nAUTO_IDS_DANGER_LEVEL 2;\nAUTO_BLOCK_TIMEOUT 3600;\nPSAD_DIR ${dir}/blockstate;\nAUTO_BLOCK_IPT_FILE ${dir}/blockstate/auto_blocked_iptables;\n`,
      ),
    );
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, "blockstate"), { recursive: true });
    const calls: string[] = [];
    const backend = {
      block: async (r: { ip: string; dl: number }) => void calls.push(`block ${r.ip} DL${r.dl}`),
      unblock: async (ip: string) => void calls.push(`unblock ${ip}`),
      flush: async () => void calls.push("flush"),
    };
    const f = join(dir, "block.log");
    writeFileSync(f, "");
    const ac = new AbortController();
    const o = io({ signal: ac.signal, followPollMs: 20, blockBackend: backend, localAddrs: ["192.0.2.99"] });
    const done = run(["psad", "--follow", f, "-c", blockConf], o);
    await new Promise((r) => setTimeout(r, 100));
    const scan = (src: string) => Array.from({ length: 20 }, (_, i) => line(1000 + i, src)).join("\n");
    appendFileSync(f, `${scan("192.0.2.7")}\n${scan("192.0.2.99")}\n`);
    await until(() => calls.some((c) => c.startsWith("block")) && o.out.includes("192.0.2.99 ->"));
    ac.abort("SIGTERM");
    expect(await done).toBe(ExitCode.Ok);
    expect(calls.filter((c) => c.startsWith("block"))).toEqual(["block 192.0.2.7 DL2"]);
    expect(o.out).toMatch(/192\.0\.2\.7/);
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(join(dir, "blockstate/auto_blocked_iptables"), "utf8")).toMatch(/^192\.0\.2\.7 \d+/m);
  });
});
