/** Runs the real fwknopd 2.6.x on a pcap of our packets inside a throwaway netns (spec §5.8 procedure a). */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNetns } from "@fwkit/test-utils";
import { buildPcap, type PcapPacket } from "./pcap.ts";

export const REPLAY_FWKNOPD_CONF =
  "ENABLE_SPA_PACKET_AGING N\nENABLE_DIGEST_PERSISTENCE N\nENABLE_IPT_FORWARDING Y\nENABLE_IPT_LOCAL_NAT Y\nPCAP_FILTER udp port 62201\nPCAP_INTF lo\n";

/** Source address used for packet `i` (so each packet's log lines can be told apart). */
export function srcFor(i: number): string {
  return `10.${100 + (i >> 8)}.${i & 255}.2`;
}

/**
 * Replay `wires` into `fwknopd -f -t -v -v --pcap-file` and return, per packet, the stanza numbers that reached
 * "--test mode enabled" plus the whole log.
 */
export async function replayIntoFwknopd(
  wires: readonly string[],
  accessConf: string,
  fwknopdConf = REPLAY_FWKNOPD_CONF,
): Promise<{ accepted: number[][]; log: string }> {
  const dir = mkdtempSync(join(tmpdir(), "fwkit-spa-"));
  chmodSync(dir, 0o700);
  const ns = await createNetns("spa");
  try {
    mkdirSync(join(dir, "run"));
    writeFileSync(join(dir, "fwknopd.conf"), fwknopdConf, { mode: 0o600 });
    writeFileSync(join(dir, "access.conf"), accessConf, { mode: 0o600 });
    const pkts: PcapPacket[] = wires.map((w, i) => ({ payload: w, src: srcFor(i) }));
    writeFileSync(join(dir, "spa.pcap"), buildPcap(pkts));
    const r = await ns.exec(
      "timeout",
      [
        "60",
        "fwknopd",
        "-f",
        "-t",
        "-v",
        "-v",
        "--pcap-file",
        join(dir, "spa.pcap"),
        "-C",
        String(wires.length),
        "-c",
        join(dir, "fwknopd.conf"),
        "-a",
        join(dir, "access.conf"),
        "-d",
        join(dir, "run", "digest.cache"),
        "-p",
        join(dir, "run", "fwknopd.pid"),
        "-r",
        join(dir, "run"),
      ],
      { timeoutMs: 90_000 },
    );
    const log = r.stdout + r.stderr;
    const accepted = wires.map((_, i) => {
      const re = new RegExp(`\\[${srcFor(i).replaceAll(".", "\\.")}\\] \\(stanza #(\\d+)\\) --test mode enabled`, "g");
      return [...log.matchAll(re)].map((m) => Number(m[1]));
    });
    return { accepted, log };
  } finally {
    await ns.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
