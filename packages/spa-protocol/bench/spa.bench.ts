/**
 * SPA throughput vs the original: decode + HMAC-verify + decrypt packets/s for decodeSpa, and for the real
 * fwknopd 2.6.x reading a pcap of the SAME packets with `--pcap-file` (in a throwaway netns, `--test`, digest
 * persistence off, PCAP_LOOP_SLEEP 1 µs; fwknopd's start-up is subtracted by timing a 1-packet run). Prints both
 * rates and the ratio, plus encode packets/s. Run: `npx vitest bench --run --project spa-protocol`.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

function oursRate(): number {
  let best = 0;
  for (let r = 0; r < 3; r++) {
    const s = performance.now();
    for (const w of wires) decodeSpa(w, keys);
    best = Math.max(best, N / ((performance.now() - s) / 1000));
  }
  return best;
}

const dir = mkdtempSync(join(tmpdir(), "fwkit-spa-bench-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fwknopdSeconds(count: number): number {
  const ns = `fwkit-spabench-${randomBytes(3).toString("hex")}`;
  const pcap = join(dir, `p${count}.pcap`);
  writeFileSync(pcap, buildPcap(wires.slice(0, count)));
  execFileSync("ip", ["netns", "add", ns]);
  try {
    execFileSync("ip", ["-n", ns, "link", "set", "lo", "up"]);
    const args = ["netns", "exec", ns, "fwknopd", "-f", "-t", "--pcap-file", pcap, "-C", String(count)];
    args.push("-c", join(dir, "fwknopd.conf"), "-a", join(dir, "access.conf"));
    args.push("-d", join(dir, "run", "digest.cache"), "-p", join(dir, "run", "pid"), "-r", join(dir, "run"));
    const s = performance.now();
    execFileSync("ip", args, { stdio: ["ignore", "ignore", "ignore"], timeout: 300_000 });
    return (performance.now() - s) / 1000;
  } finally {
    execFileSync("ip", ["netns", "del", ns]);
  }
}

function fwknopdRate(): number | string {
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
    const one = Math.min(fwknopdSeconds(1), fwknopdSeconds(1));
    const all = fwknopdSeconds(N);
    return (N - 1) / Math.max(all - one, 1e-6);
  } catch (e) {
    return `fwknopd run failed: ${(e as Error).message.split("\n")[0]}`;
  }
}

const ours = oursRate();
const theirs = fwknopdRate();
process.stdout.write(
  typeof theirs === "number"
    ? `\n[spa decode] ${N} HMAC-SHA256 + AES-256-CBC packets: decodeSpa ${Math.round(ours)} pkt/s, fwknopd --pcap-file ${Math.round(theirs)} pkt/s, ratio ${(ours / theirs).toFixed(2)}x (1 core each)\n[spa encode] buildClientPacket ${Math.round(encodeRate)} pkt/s\n`
    : `\n[spa decode] decodeSpa ${Math.round(ours)} pkt/s; ${theirs}\n[spa encode] buildClientPacket ${Math.round(encodeRate)} pkt/s\n`,
);

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
