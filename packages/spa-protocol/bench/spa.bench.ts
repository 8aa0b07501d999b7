/**
 * SPA throughput vs the original: decode + HMAC-verify + decrypt packets/s for decodeSpa, and for the real
 * fwknopd 2.6.x reading a pcap of the SAME packets with `--pcap-file` (in a throwaway netns, `--test`, digest
 * persistence off, PCAP_LOOP_SLEEP 1 µs; fwknopd's start-up is subtracted by timing a 1-packet run; best of 2 runs;
 * ours: one warm-up pass, then best of 5). Rates per CPU-second (user + system: /usr/bin/time for fwknopd,
 * process.cpuUsage for ours, so other load on the machine does not skew the ratio) and wall clock. Prints both
 * rates and the ratio, plus encode packets/s. Run: `npx vitest bench --run --project spa-protocol`.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordBenchResult } from "@fwkit/test-utils";
import { afterAll, bench, describe } from "vitest";
import { buildClientPacket, type ClientOptions, decodeSpa, encodeSpa, type SpaKeys } from "../src/index.ts";
import { buildPcap } from "../test/pcap.ts";

const N = 20_000;
const ENC_B64 = "qbsDZRubX51ZcnAoyNfO2e/AiN+CCFXBsrYk1dO0pjk=";
const HMAC_B64 = "P4tFzhDgHp9pT6eW4H4qNESi5t9nJDPXX/P4tTyrqmeY4gN6YCufrAHrDEBpvbnF0bvD3xvRQTNWCWP1UrkJWQ==";
const keys: SpaKeys = { key: Buffer.from(ENC_B64, "base64"), hmacKey: Buffer.from(HMAC_B64, "base64") };
const random = (n: number) => new Uint8Array(randomBytes(n));
const opts: ClientOptions = {
  access: "tcp/22",
  allowIp: "10.99.0.2",
  destination: "10.99.0.1",
  keyBase64Rijndael: ENC_B64,
  keyBase64Hmac: HMAC_B64,
  spoofUser: "alice",
};
const now = () => Math.floor(Date.now() / 1000);

const t0 = performance.now();
const wires = Array.from({ length: N }, () => buildClientPacket(opts, { random, now }).encoded.wire);
const encodeRate = N / ((performance.now() - t0) / 1000);

/** Packets per second of decodeSpa: wall clock and per CPU-second (process.cpuUsage), best of 5 after a warm-up. */
function oursRate(): { wall: number; cpu: number } {
  for (const w of wires) decodeSpa(w, keys); // warm-up (JIT), not timed
  let wall = 0;
  let cpu = 0;
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    const s = performance.now();
    for (const w of wires) decodeSpa(w, keys);
    const secs = (performance.now() - s) / 1000;
    const c = process.cpuUsage(c0);
    wall = Math.max(wall, N / secs);
    cpu = Math.max(cpu, N / ((c.user + c.system) / 1e6));
  }
  return { wall, cpu };
}

const dir = mkdtempSync(join(tmpdir(), "fwkit-spa-bench-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Wall and CPU (user + system, from /usr/bin/time) seconds of one `fwknopd --pcap-file` run over `count` packets. */
function fwknopdSeconds(count: number): { wall: number; cpu: number } {
  const ns = `fwkit-spabench-${randomBytes(3).toString("hex")}`;
  const pcap = join(dir, `p${count}.pcap`);
  const times = join(dir, "times");
  writeFileSync(pcap, buildPcap(wires.slice(0, count)));
  execFileSync("ip", ["netns", "add", ns]);
  try {
    execFileSync("ip", ["-n", ns, "link", "set", "lo", "up"]);
    const args = ["-f", "%U %S", "-o", times, "ip", "netns", "exec", ns, "fwknopd", "-f", "-t", "--pcap-file", pcap];
    args.push("-C", String(count), "-c", join(dir, "fwknopd.conf"), "-a", join(dir, "access.conf"));
    args.push("-d", join(dir, "run", "digest.cache"), "-p", join(dir, "run", "pid"), "-r", join(dir, "run"));
    const s = performance.now();
    execFileSync("/usr/bin/time", args, { stdio: ["ignore", "ignore", "ignore"], timeout: 300_000 });
    const wall = (performance.now() - s) / 1000;
    const [u, sy] = readFileSync(times, "utf8").trim().split(/\s+/).slice(-2).map(Number);
    return { wall, cpu: (u ?? 0) + (sy ?? 0) };
  } finally {
    execFileSync("ip", ["netns", "del", ns]);
  }
}

function fwknopdRate(): { wall: number; cpu: number } | string {
  if (process.getuid?.() !== 0) return "fwknopd comparison needs root (netns)";
  try {
    execFileSync("fwknopd", ["--version"], { stdio: "ignore" });
  } catch {
    return "fwknopd not installed";
  }
  chmodSync(dir, 0o700);
  mkdirSync(join(dir, "run"), { recursive: true });
  writeFileSync(
    join(dir, "fwknopd.conf"),
    "ENABLE_SPA_PACKET_AGING N\nENABLE_DIGEST_PERSISTENCE N\nPCAP_INTF lo\nPCAP_FILTER udp port 62201\nPCAP_DISPATCH_COUNT 1000000\nPCAP_LOOP_SLEEP 1\n",
    { mode: 0o600 },
  );
  writeFileSync(join(dir, "access.conf"), `SOURCE ANY\nKEY_BASE64 ${ENC_B64}\nHMAC_KEY_BASE64 ${HMAC_B64}\n`, {
    mode: 0o600,
  });
  try {
    const ones = [fwknopdSeconds(1), fwknopdSeconds(1)];
    const alls = [fwknopdSeconds(N), fwknopdSeconds(N)];
    const min = (xs: Array<{ wall: number; cpu: number }>, k: "wall" | "cpu") => Math.min(...xs.map((x) => x[k]));
    return {
      wall: (N - 1) / Math.max(min(alls, "wall") - min(ones, "wall"), 1e-6),
      cpu: (N - 1) / Math.max(min(alls, "cpu") - min(ones, "cpu"), 1e-6),
    };
  } catch (e) {
    return `fwknopd run failed: ${(e as Error).message.split("\n")[0]}`;
  }
}

const ours = oursRate();
const theirs = fwknopdRate();
const r = (x: number) => Math.round(x);
process.stdout.write(
  typeof theirs === "object"
    ? `\n[spa decode] ${N} HMAC-SHA256 + AES-256-CBC packets, per CPU-second: decodeSpa ${r(ours.cpu)} pkt/s, fwknopd --pcap-file ${r(theirs.cpu)} pkt/s, ratio ${(ours.cpu / theirs.cpu).toFixed(2)}x` +
        `\n[spa decode] wall clock: decodeSpa ${r(ours.wall)} pkt/s, fwknopd ${r(theirs.wall)} pkt/s, ratio ${(ours.wall / theirs.wall).toFixed(2)}x\n[spa encode] buildClientPacket ${r(encodeRate)} pkt/s\n`
    : `\n[spa decode] decodeSpa ${r(ours.cpu)} pkt/s per CPU-second (${r(ours.wall)} wall); ${theirs}\n[spa encode] buildClientPacket ${r(encodeRate)} pkt/s\n`,
);

recordBenchResult({
  package: "spa-protocol",
  name: `decode ${N} HMAC-SHA256 + AES-256-CBC packets (per CPU-second)`,
  ours: ours.cpu,
  original: typeof theirs === "object" ? theirs.cpu : null,
  unit: "pkt/s",
  originalTool: "fwknopd 2.6 --pcap-file",
  ...(typeof theirs === "string" ? { note: theirs } : {}),
});

describe("SPA codec", () => {
  const w = wires[0] as string;
  bench("decodeSpa (HMAC-SHA256 verify + AES-256-CBC decrypt + field decode)", () => {
    decodeSpa(w, keys);
  });
  bench("encodeSpa (fields → wire)", () => {
    encodeSpa({ username: "alice", timestamp: 1700000000, messageType: 1, message: "10.99.0.2,tcp/22" }, keys, {
      random,
    });
  });
});
