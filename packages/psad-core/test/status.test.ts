import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyzeLog } from "../src/analyze.ts";
import type { BlockState } from "../src/block-state.ts";
import { parsePsadConfig } from "../src/config.ts";
import { buildDetectorSetup } from "../src/setup.ts";
import { loadStatusSnapshot, saveStatusSnapshot } from "../src/state-files.ts";
import { parseStatusSnapshot, renderStatus, statusSnapshot } from "../src/status.ts";

const NOW = Date.parse("2026-11-22T00:00:00Z") / 1000;

function cfg(extra = "") {
  const r = parsePsadConfig(`HOSTNAME fw;\nEMAIL_ADDRESSES ops@example.org;\n${extra}`);
  if (!r.ok) throw r.error;
  return r.value;
}

const syn = (src: string, dst: string, dpt: number, prefix = "DROP") =>
  `Nov 21 23:59:0${dpt % 10} fw kernel: ${prefix} IN=eth0 OUT= SRC=${src} DST=${dst} LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=1 PROTO=TCP SPT=40000 DPT=${dpt} WINDOW=1024 RES=0x00 SYN URGP=0 `;
const udp6 = (dpt: number) =>
  `Nov 21 23:59:01 fw kernel: DROP IN=eth0 OUT= SRC=2001:0db8:0000:0000:0000:0000:0000:0bad DST=2001:0db8:0000:0000:0000:0000:0000:0001 LEN=68 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=UDP SPT=5000 DPT=${dpt} LEN=28 `;

async function snapshot() {
  const lines: string[] = [];
  for (let p = 1000; p < 1200; p++) lines.push(syn("198.51.100.7", "192.0.2.1", p));
  for (let p = 20; p < 40; p++) lines.push(syn("203.0.113.9", "192.0.2.1", p, "DROP INVALID"));
  for (let p = 1; p <= 6; p++) lines.push(udp6(p));
  const setup = buildDetectorSetup(cfg());
  const r = await analyzeLog([`${lines.join("\n")}\n`], setup, { now: () => NOW });
  return {
    setup,
    snap: statusSnapshot(r.state, setup, NOW, { emailAlerts: { "198.51.100.7": 3 }, lines: lines.length }),
  };
}

const blocks: BlockState = {
  version: 1,
  entries: [
    { ip: "198.51.100.7", family: "ipv4", since: NOW - 100, dl: 3, timeout: 3600, origin: "auto" },
    { ip: "2001:db8::bad", family: "ipv6", since: NOW - 100, dl: 5, timeout: 0, origin: "manual" },
    { ip: "203.0.113.9", family: "ipv4", since: NOW - 7200, dl: 2, timeout: 3600, origin: "auto" },
  ],
};

describe("renderStatus (-S from persisted state)", () => {
  const dir = mkdtempSync(join(tmpdir(), "fwkit-psad-status-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints psad's -S layout: daemon, top attackers, ports, prefixes, blocked IPs with remaining time, counters, detail", async () => {
    const { snap } = await snapshot();
    const text = renderStatus(snap, {
      config: cfg(),
      blockState: blocks,
      now: NOW,
      daemon: {
        pid: 4242,
        cpu: "0.3",
        mem: "0.9",
        since: "Sun Nov 22 00:00:00 2026",
        cmdline: "--follow /var/log/kern.log",
      },
      outputFile: "/var/log/psad/status.out",
    });
    await expect(text).toMatchFileSnapshot("fixtures/status.golden.txt");
    expect(text).toContain("      198.51.100.7 (3500 seconds remaining)\n");
    expect(text).toContain("      2001:db8::bad (unlimited timeout)\n");
    expect(text).toContain(
      "      203.0.113.9 (0 seconds remaining)\n            [expired timeout, removed at the next check]\n",
    );
  });

  it("sorts attackers by DL then address and shows all STATUS_IP_THRESHOLD of them (psad shows one fewer)", async () => {
    const { snap } = await snapshot();
    const top = (n: number) => {
      const t = renderStatus(snap, { config: cfg(`STATUS_IP_THRESHOLD ${n};`), now: NOW, summary: true });
      const s = t.slice(t.indexOf("attackers:"), t.indexOf("[+] Top 20 scanned"));
      return s
        .split("\n")
        .filter((l) => l.includes("DL:"))
        .map((l) => l.trim().split(/\s+/)[0]);
    };
    expect(top(25)).toEqual(["198.51.100.7", "203.0.113.9", "2001:0db8:0000:0000:0000:0000:0000:0bad"]);
    expect(top(1)).toEqual(["198.51.100.7"]);
  });

  it("--status-summary, --status-dl and --status-ip narrow the output", async () => {
    const { snap } = await snapshot();
    const summary = renderStatus(snap, { config: cfg(), now: NOW, summary: true, blockState: blocks });
    expect(summary).not.toContain("IP Status Detail");
    expect(summary).toContain("    Total protocol packet counters:\n         tcp: 220 pkts\n         udp: 6 pkts\n");
    const dl3 = renderStatus(snap, { config: cfg(), now: NOW, statusDl: 3 });
    expect(dl3.match(/^SRC: /gm)?.length).toBe(1);
    const one = renderStatus(snap, { config: cfg(), now: NOW, statusIp: "203.0.113.9", blockState: blocks });
    expect(one).toContain("    iptables auto-blocking status for: 203.0.113.9: \n      203.0.113.9 (0 seconds");
    expect(one).not.toContain("2001:db8::bad (unlimited");
    expect(one.match(/^SRC: .*/gm)).toEqual([
      "SRC:  203.0.113.9, DL: 2, Dsts: 1, Pkts: 20, Total protocols: 1, Unique sigs: 0, Email alerts: 0",
    ]);
    expect(renderStatus(snap, { config: cfg(), now: NOW })).toContain(
      "    iptables auto-blocked IPs:\n        [NONE]\n",
    );
  });

  it("round-trips through the JSON snapshot file; a damaged file is PSAD_STATE_INVALID", async () => {
    const { snap } = await snapshot();
    const f = join(dir, "status.json");
    await saveStatusSnapshot(f, snap);
    const back = await loadStatusSnapshot(f);
    expect(back).toEqual(snap);
    expect(renderStatus(back as typeof snap, { config: cfg(), now: NOW })).toBe(
      renderStatus(snap, { config: cfg(), now: NOW }),
    );
    expect(await loadStatusSnapshot(join(dir, "none.json"))).toBeUndefined();
    writeFileSync(f, JSON.stringify({ ...snap, attackers: [{ src: "x", dl: 9 }] }));
    await expect(loadStatusSnapshot(f)).rejects.toMatchObject({ code: "PSAD_STATE_INVALID" });
    writeFileSync(f, "{");
    await expect(loadStatusSnapshot(f)).rejects.toMatchObject({ code: "PSAD_STATE_INVALID" });
    expect(parseStatusSnapshot(null).ok).toBe(false);
  });
});
