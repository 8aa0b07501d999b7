/**
 * Live test in two network namespaces joined by a veth pair: real nmap scans (SYN, FIN, XMAS, NULL, UDP, connect)
 * from the attacker against a LOG + DROP policy in the target, the kernel log read back from /dev/kmsg (only the
 * records after a start sequence number and with this run's unique LOG prefix), detected with the right label and
 * danger level; then auto-blocking through the PSAD_BLOCK chains (IPv4 and IPv6) blocks the scanner (its TCP
 * connects to an open port fail), survives a simulated restart, and is lifted after the timeout. Also `--fw-analyze` against the policy.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChainMgr } from "@fwkit/iptables-chainmgr";
import {
  createNetns,
  makeWrappers,
  missingFor,
  type Netns,
  run,
  skipWithReason,
  type Wrappers,
} from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeLog } from "../src/analyze.ts";
import { decideBlocks, decideFlush, decideManualBlock, decideRestore } from "../src/auto-block.ts";
import { type AutoBlockConfig, parseAutoBlockConfig } from "../src/auto-block-config.ts";
import { applyBlockActions } from "../src/block-executor.ts";
import { type BlockState, emptyBlockState } from "../src/block-state.ts";
import { parsePsadConfig } from "../src/config.ts";
import { fwAnalyzeLive } from "../src/fw-analyze-live.ts";
import { createIptablesBlocking } from "../src/iptables-blocking.ts";
import { buildDetectorSetup } from "../src/setup.ts";
import { loadBlockState, saveBlockState } from "../src/state-files.ts";

function kmsgReason(): string | null {
  try {
    closeSync(openSync("/dev/kmsg", constants.O_RDONLY | constants.O_NONBLOCK));
  } catch (e) {
    return `cannot read /dev/kmsg: ${(e as Error).message}`;
  }
  try {
    if (readFileSync("/proc/sys/net/netfilter/nf_log_all_netns", "utf8").trim() !== "1")
      return "needs net.netfilter.nf_log_all_netns=1 (kernel LOG from namespaces)";
  } catch {
    return "no /proc/sys/net/netfilter/nf_log_all_netns";
  }
  return null;
}

const skip = skipWithReason(
  "psad-core live nmap test",
  missingFor(["nmap", "iptables-nft", "ip6tables-nft", "iptables-nft-restore"]) ?? kmsgReason(),
);

/** /dev/kmsg records `{ seq, usec, text }` after `afterSeq` (non-blocking read of the whole ring buffer). */
function readKmsg(afterSeq: number): { seq: number; usec: number; text: string }[] {
  const fd = openSync("/dev/kmsg", constants.O_RDONLY | constants.O_NONBLOCK);
  const buf = Buffer.alloc(16384);
  const out: { seq: number; usec: number; text: string }[] = [];
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EPIPE") continue; // record overwritten while reading
        break; // EAGAIN: end of buffer
      }
      if (n <= 0) break;
      const rec = buf.toString("utf8", 0, n);
      const semi = rec.indexOf(";");
      const head = rec.slice(0, semi).split(",");
      const seq = Number(head[1]);
      if (seq <= afterSeq) continue;
      out.push({ seq, usec: Number(head[2]), text: (rec.slice(semi + 1).split("\n")[0] as string).trimEnd() });
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

function lastSeq(): number {
  const all = readKmsg(-1);
  return all.length ? (all[all.length - 1] as { seq: number }).seq : -1;
}

const MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** What rsyslog writes for a kernel record: classic BSD header + `[uptime]` + the message. */
function syslogLine(rec: { usec: number; text: string }, host: string): string {
  const d = new Date();
  const p2 = (n: number) => String(n).padStart(2, "0");
  const stamp = `${MON[d.getMonth()]} ${String(d.getDate()).padStart(2, " ")} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  return `${stamp} ${host} kernel: [${(rec.usec / 1e6).toFixed(6).padStart(12, " ")}] ${rec.text}`;
}

/** Block timeout of the live test (AUTO_BLOCK_TIMEOUT). */
const BLOCK_SECONDS = 5;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skip)("live: nmap scans from one namespace into another, detected and auto-blocked", () => {
  const tag = Math.floor(Math.random() * 0xffffff)
    .toString(16)
    .padStart(6, "0");
  const marker = `DROP ${tag} `;
  const net = 200 + Math.floor(Math.random() * 50);
  const a4 = `10.${net}.7.1`;
  const t4 = `10.${net}.7.2`;
  const a6 = `fd42:${net.toString(16)}::1`;
  const t6 = `fd42:${net.toString(16)}::2`;
  let attacker: Netns;
  let target: Netns;
  let dir: string;
  let w: Wrappers;
  const timings: Record<string, number> = {};

  let server: ChildProcess | undefined;
  /** A TCP connect from the attacker to the target's open port 8080 (node as the client: no ping/nc here). */
  const connects = async (addr: string) =>
    (
      await attacker.exec(
        process.execPath,
        [
          "-e",
          `const s=require("net").connect({host:${JSON.stringify(addr)},port:8080,timeout:800});` +
            's.on("connect",()=>process.exit(0));s.on("timeout",()=>process.exit(1));s.on("error",()=>process.exit(2));',
        ],
        { timeoutMs: 5000 },
      )
    ).code === 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "fwkit-psad-live-"));
    attacker = await createNetns("psa");
    target = await createNetns("pst");
    const va = `fpa${tag}`;
    const vt = `fpt${tag}`;
    const ip = async (...args: string[]) => {
      const r = await run("ip", args);
      if (r.code !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr}`);
    };
    await ip("link", "add", va, "netns", attacker.name, "type", "veth", "peer", "name", vt, "netns", target.name);
    await ip("-n", attacker.name, "addr", "add", `${a4}/24`, "dev", va);
    await ip("-n", target.name, "addr", "add", `${t4}/24`, "dev", vt);
    await ip("-n", attacker.name, "addr", "add", `${a6}/64`, "dev", va, "nodad");
    await ip("-n", target.name, "addr", "add", `${t6}/64`, "dev", vt, "nodad");
    await ip("-n", attacker.name, "link", "set", va, "up");
    await ip("-n", target.name, "link", "set", vt, "up");
    w = makeWrappers(target, "nft", dir);
    const policy = (icmp: string) =>
      "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n" +
      "-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n" +
      `-A INPUT -p ${icmp} -j ACCEPT\n-A INPUT -p tcp --dport 8080 -j ACCEPT\n-A INPUT -j LOG --log-prefix "${marker}"\n-A INPUT -j DROP\nCOMMIT\n`;
    await target.execOk("/usr/sbin/iptables-nft-restore", [], { input: policy("icmp") });
    await target.execOk("/usr/sbin/ip6tables-nft-restore", [], { input: policy("ipv6-icmp") });
    // an open port in the target (outside the scanned 1-60), served by node inside the namespace
    server = spawn(
      "ip",
      [
        "netns",
        "exec",
        target.name,
        process.execPath,
        "-e",
        'require("net").createServer((s)=>s.end()).listen(8080,"::")',
      ],
      { stdio: "ignore" },
    );
    for (let i = 0; i < 30 && !((await connects(t4)) && (await connects(t6))); i++) await sleep(100);
  });

  afterAll(async () => {
    // timings as a test artefact (libraries and tests never print)
    writeFileSync(join(tmpdir(), "fwkit-psad-live-timings.json"), `${JSON.stringify(timings)}\n`);
    server?.kill();
    await attacker?.destroy();
    await target?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const config = (extra = "") => {
    const r = parsePsadConfig(
      `${extra}\nHOSTNAME target;\nENABLE_AUTO_IDS Y;\nAUTO_IDS_DANGER_LEVEL 2;\nAUTO_BLOCK_TIMEOUT ${BLOCK_SECONDS};\n`,
    );
    if (!r.ok) throw r.error;
    return r.value;
  };
  const setup = buildDetectorSetup(config());
  const scans: { flag: string; style: string; flags?: string; proto: "tcp" | "udp" }[] = [
    { flag: "-sS", style: "Nmap -sT or -sS scan", flags: "SYN", proto: "tcp" },
    { flag: "-sF", style: "Nmap -sF scan", flags: "FIN", proto: "tcp" },
    { flag: "-sX", style: "Nmap -sX scan", flags: "URG PSH FIN", proto: "tcp" },
    { flag: "-sN", style: "Nmap -sN scan", flags: "NULL", proto: "tcp" },
    { flag: "-sU", style: "-sU scan", proto: "udp" },
    { flag: "-sT", style: "Nmap -sT or -sS scan", flags: "SYN", proto: "tcp" },
  ];
  const detected = new Map<string, Awaited<ReturnType<typeof analyzeLog>>>();

  it.each(scans)("nmap $flag is detected as '$style' at DL 2", async ({ flag, style, flags, proto }) => {
    const start = lastSeq();
    const t0 = performance.now();
    const r = await attacker.exec("nmap", [flag, "-Pn", "-n", "-T5", "--max-retries", "0", "-p", "1-60", t4], {
      timeoutMs: 30_000,
    });
    timings[flag] = Math.round(performance.now() - t0);
    expect(r.code, r.stderr).toBe(0);
    await sleep(100);
    const lines = readKmsg(start)
      .filter((k) => k.text.startsWith(marker))
      .map((k) => syslogLine(k, "target"));
    expect(lines.length).toBeGreaterThanOrEqual(60);
    const res = await analyzeLog([`${lines.join("\n")}\n`], setup, { now: () => Date.now() / 1000 });
    detected.set(flag, res);
    expect(res.errors).toEqual({});
    expect(res.alerts).toHaveLength(1);
    const alert = res.alerts[0] as (typeof res.alerts)[number];
    expect(alert).toMatchObject({ src: a4, dst: t4, dl: 2, style });
    timings[`${flag} pkts`] = (alert.tcp?.pkts ?? 0) + (alert.udp?.pkts ?? 0);
    if (proto === "tcp") {
      expect(alert.tcp?.range).toBe("1-60");
      expect(alert.tcp?.flags.map((f) => f[0])).toEqual([flags]);
    } else expect(alert.udp?.range).toBe("1-60");
    expect(alert.syslog.at(-1)).toMatch(
      new RegExp(`^scan detected \\(${style.replace(/[()]/g, "\\$&")}\\): ${a4.replace(/\./g, "\\.")} -> `),
    );
  });

  it("auto-blocks the scanner via PSAD_BLOCK_INPUT (IPv4 and IPv6), keeps it across a restart, lifts it after the timeout", async () => {
    const syn = detected.get("-sS");
    expect(syn, "the -sS scan ran").toBeDefined();
    const cfgR = parseAutoBlockConfig(config());
    if (!cfgR.ok) throw cfgR.error;
    const ab: AutoBlockConfig = cfgR.value;
    const policy = { config: ab, localAddrs: [t4, t6] };
    const mk = async () =>
      createIptablesBlocking({
        chains: ab.chains,
        ipv4: await ChainMgr.create({ iptables: w.v4, env: { XTABLES_LOCKFILE: w.lockFile } }),
        ipv6: await ChainMgr.create({ iptables: w.v6, useIpv6: true, env: { XTABLES_LOCKFILE: w.lockFile } }),
      });
    expect(await connects(t4)).toBe(true);
    expect(await connects(t6)).toBe(true);

    // the scan's alerts → block decision → chains + rules in the target namespace
    let state: BlockState = emptyBlockState();
    const now0 = Date.now() / 1000;
    const d = decideBlocks(syn?.alerts ?? [], state, now0, policy);
    expect(d.actions).toMatchObject([
      { kind: "add", entry: { ip: a4, dl: 2, timeout: BLOCK_SECONDS, origin: "auto" } },
    ]);
    const manual6 = decideManualBlock(a6, state, now0, policy);
    if (!manual6.ok) throw manual6.error;
    let backend = await mk();
    let r = await applyBlockActions([...d.actions, ...manual6.value], state, backend);
    expect(r.failures).toEqual([]);
    expect(r.messages).toEqual([
      `added iptables auto-block against ${a4} for ${BLOCK_SECONDS} seconds`,
      `added iptables auto-block against ${a6} for ${BLOCK_SECONDS} seconds`,
    ]);
    state = r.state;
    const blockedAt = performance.now();
    const save4 = await target.execOk("/usr/sbin/iptables-nft-save", ["-t", "filter"]);
    expect(save4).toMatch(new RegExp(`-A PSAD_BLOCK_INPUT -s ${a4.replace(/\./g, "\\.")}/32 -j DROP`));
    expect(save4).toMatch(new RegExp(`-A PSAD_BLOCK_OUTPUT -d ${a4.replace(/\./g, "\\.")}/32 -j DROP`));
    expect(save4.split("\n").find((l) => l.startsWith("-A INPUT"))).toBe("-A INPUT -j PSAD_BLOCK_INPUT");
    const save6 = await target.execOk("/usr/sbin/ip6tables-nft-save", ["-t", "filter"]);
    expect(save6).toContain(`-A PSAD_BLOCK_INPUT -s ${a6}/128 -j DROP`);
    expect(await connects(t4)).toBe(false);
    expect(await connects(t6)).toBe(false);
    // --fw-list-auto: the live listings of the PSAD chains show the block rules
    const listing = await backend.listAuto();
    expect(listing).toMatch(
      /^\[\+\] Listing chains from IPT_AUTO_CHAIN keywords\.\.\.\n\nChain PSAD_BLOCK_INPUT \(1 references\)/,
    );
    expect(listing).toMatch(new RegExp(`DROP\\s.*\\s${a4.replace(/\./g, "\\.")}\\s+0\\.0\\.0\\.0/0`));
    expect(listing).toContain(a6);

    // restart: persist, reload, re-apply (FLUSH_IPT_AT_INIT=Y flushes first) with a fresh backend
    const file = join(dir, "blocks.json");
    await saveBlockState(file, state, { psadFile: join(dir, "auto_blocked_iptables") });
    expect(readFileSync(join(dir, "auto_blocked_iptables"), "utf8")).toMatch(
      new RegExp(`^${a4.replace(/\./g, "\\.")} \\d+\\n${a6} \\d+\\n$`),
    );
    const loaded = await loadBlockState(file);
    expect(loaded.state).toEqual(state);
    backend = await mk();
    // the restart's clock is injected (1 s after the block): on a loaded machine the iptables calls above can take
    // longer than the block timeout, and the point here is renewal, not wall-clock speed
    const restore = decideRestore(loaded.state, now0 + 1, policy);
    r = await applyBlockActions(restore.actions, loaded.state, backend);
    expect(r.failures).toEqual([]);
    expect(r.messages).toEqual([
      "flushing existing psad iptables auto-response chains",
      `renewed iptables auto-block against ${a4} for ${BLOCK_SECONDS} seconds`,
      `renewed iptables auto-block against ${a6} for ${BLOCK_SECONDS} seconds`,
    ]);
    state = r.state;
    expect(state.entries.map((e) => e.since)).toEqual(loaded.state.entries.map((e) => e.since));
    expect(await connects(t4)).toBe(false);

    // expiry: poll the decision core like the daemon does after each batch
    let removedAt = 0;
    for (let i = 0; i < 60 && state.entries.length; i++) {
      await sleep(250);
      const e = decideBlocks([], state, Date.now() / 1000, policy);
      if (!e.actions.length) continue;
      timings.expiredAfterSeconds = Date.now() / 1000 - now0;
      r = await applyBlockActions(e.actions, state, backend);
      expect(r.failures).toEqual([]);
      expect(r.messages.sort()).toEqual(
        [`removed iptables auto-block against ${a4}`, `removed iptables auto-block against ${a6}`].sort(),
      );
      state = r.state;
      removedAt = performance.now();
    }
    expect(state.entries).toEqual([]);
    timings.blockSeconds = Math.round((removedAt - blockedAt) / 100) / 10;
    expect(timings.expiredAfterSeconds).toBeGreaterThan(BLOCK_SECONDS);
    expect(timings.expiredAfterSeconds).toBeLessThan(BLOCK_SECONDS + 30);
    expect(await connects(t4)).toBe(true);
    expect(await connects(t6)).toBe(true);
    expect(await target.execOk("/usr/sbin/iptables-nft-save", ["-t", "filter"])).not.toMatch(/-A PSAD_BLOCK_\w+ -s/);

    // -F -X: chains and jump rules gone
    r = await applyBlockActions(decideFlush(true), state, backend);
    expect(r.failures).toEqual([]);
    expect(await target.execOk("/usr/sbin/iptables-nft-save", ["-t", "filter"])).not.toContain("PSAD_BLOCK");
    expect(await target.execOk("/usr/sbin/ip6tables-nft-save", ["-t", "filter"])).not.toContain("PSAD_BLOCK");
  });

  it("--fw-analyze: the target's LOG + DROP policy passes; a prefix FW_MSG_SEARCH does not match fails", async () => {
    const env = { XTABLES_LOCKFILE: w.lockFile };
    const good = await fwAnalyzeLive({
      config: config("FW_SEARCH_ALL N;\nFW_MSG_SEARCH DROP;"),
      iptables: w.v4,
      ip6tables: w.v6,
      forwarding: { ipForward: false, interfacesWithInet: 1 },
      parseOptions: { env },
    });
    expect(good.ok).toBe(true);
    expect(good.chains.map((c) => [c.chain, c.family, c.logPrefix])).toEqual([
      ["INPUT", "ipv4", marker.trim()],
      ["INPUT", "ipv6", marker.trim()],
    ]);
    expect(good.stdout).toContain("[+] Firewall config looks good.");
    const bad = await fwAnalyzeLive({
      config: config("FW_SEARCH_ALL N;\nFW_MSG_SEARCH NOTHERE;\nALERTING_METHODS nomail;"),
      iptables: w.v4,
      forwarding: { ipForward: false, interfacesWithInet: 1 },
      parseOptions: { env },
    });
    expect(bad.ok).toBe(false);
    expect(bad.stdout).toContain("[-] Errors found in firewall config.");
    expect(bad.report).toContain(`It appears as though the log prefix is set to "${marker.trim()}"`);
  });
});
