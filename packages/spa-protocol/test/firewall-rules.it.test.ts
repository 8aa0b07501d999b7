/**
 * Differential: the iptables rules of the REAL fwknopd 2.6.10 vs ours, for the same SPA packet and the same
 * fwknopd.conf / access.conf (the corpus files of fwknop's own test suite). Each case runs twice in throwaway
 * network namespaces: (a) `fwknopd` in UDP-server mode receives the packet and adds its rules; (b) our
 * `processSpaPacket` + `IptablesFirewall` (through @fwkit/iptables-chainmgr) handle the same wire. The two
 * `iptables-save` outputs (chains, jump rules and rules of filter + nat; counters and the `_exp_<epoch>` value
 * normalised) must be identical, apart from the documented deviations at the end.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNetns, missingFor, type Netns, skipWithReason } from "@fwkit/test-utils";
import { describe, expect, it } from "vitest";
import {
  buildClientPacket,
  type ClientOptions,
  type Executor,
  IptablesFirewall,
  loadAccessConf,
  loadFwknopdConf,
  MemoryReplayCache,
  processSpaPacket,
} from "../src/index.ts";

const skip = skipWithReason(
  "fwknopd vs fwkit iptables rules (netns)",
  missingFor(["fwknopd", "iptables", "iptables-save", "python3"]),
);
const CORPUS = new URL("../../../../shared/corpus/fwknop-test-conf/", import.meta.url);
const corpus = (f: string) => readFileSync(new URL(f, CORPUS), "utf8");
const BASE_CONF =
  "ENABLE_UDP_SERVER Y\nUDPSERV_PORT 62201\nPCAP_INTF lo\nFLUSH_IPT_AT_EXIT N\nENABLE_DIGEST_PERSISTENCE N\n";
const K = "wzNP62oPPgEc+kXDPQLHPOayQBuNbYUTPP+QrErNDmg=";
const H = "Yh+xizBnl6FotC5ec7FanVGClRMlsOAPh2u6eovnerfBVKwaVKzjGoblFMHMc593TNyi0dWn4opLoTIV9q/ttg==";
const PLAIN_ACCESS = `SOURCE ANY\nKEY_BASE64 ${K}\nHMAC_KEY_BASE64 ${H}\nFW_ACCESS_TIMEOUT 30\n`;
const HMAC_CLIENT: ClientOptions = { keyBase64Rijndael: K, keyBase64Hmac: H, useHmac: true };

interface Case {
  name: string;
  fwknopdConf: string;
  accessConf: string;
  client: ClientOptions;
}

const cases: Case[] = [
  {
    name: "ipt_output_chain: access tcp/22,udp/53 + OUTPUT mirror rules",
    fwknopdConf: corpus("ipt_output_chain_fwknopd.conf"),
    accessConf: PLAIN_ACCESS,
    client: { ...HMAC_CLIENT, access: "tcp/22,udp/53" },
  },
  {
    name: "ipt_nat: NAT access -N 192.168.10.2:2222",
    fwknopdConf: corpus("ipt_nat_fwknopd.conf"),
    accessConf: PLAIN_ACCESS,
    client: { ...HMAC_CLIENT, access: "udp/53", natAccess: "192.168.10.2:2222" },
  },
  {
    name: "ipt_local_nat: --nat-local --nat-port 55000",
    fwknopdConf: corpus("ipt_local_nat_fwknopd.conf"),
    accessConf: PLAIN_ACCESS,
    client: { ...HMAC_CLIENT, access: "tcp/22", natLocal: true, natPort: 55000 },
  },
  {
    name: "ipt_snat (SNAT_TRANSLATE_IP): NAT access → SNAT --to-source",
    fwknopdConf: corpus("ipt_snat_fwknopd.conf"),
    accessConf: PLAIN_ACCESS,
    client: { ...HMAC_CLIENT, access: "tcp/22", natAccess: "192.168.10.2:2222" },
  },
  {
    name: "ipt_snat_no_translate_ip: NAT access → MASQUERADE --to-ports",
    fwknopdConf: corpus("ipt_snat_no_translate_ip_fwknopd.conf"),
    accessConf: PLAIN_ACCESS,
    client: { ...HMAC_CLIENT, access: "tcp/22", natAccess: "192.168.10.2:2222" },
  },
  {
    name: "ipt_custom_nat_chain: custom FWKNOP_*_TEST chains",
    fwknopdConf: corpus("ipt_custom_nat_chain_fwknopd.conf"),
    accessConf: PLAIN_ACCESS,
    client: { ...HMAC_CLIENT, access: "tcp/22", natAccess: "192.168.10.2:2222" },
  },
  {
    name: "hmac_force_nat_access (FORCE_NAT 192.168.1.123 22)",
    fwknopdConf: corpus("ipt_nat_fwknopd.conf"),
    accessConf: corpus("hmac_force_nat_access.conf"),
    client: { ...HMAC_CLIENT, access: "tcp/22,udp/53" },
  },
  {
    name: "force_nat_access (KEY, no HMAC) with local NAT enabled, plain access",
    fwknopdConf: corpus("ipt_local_nat_fwknopd.conf"),
    accessConf: corpus("force_nat_access.conf"),
    client: { keyRijndael: "fwknoptest", access: "tcp/22" },
  },
  {
    name: "hmac_force_nat_access + local NAT packet (FORCE_NAT target wins)",
    fwknopdConf: `${corpus("ipt_nat_fwknopd.conf")}ENABLE_IPT_LOCAL_NAT Y\n`,
    accessConf: corpus("hmac_force_nat_access.conf"),
    client: { ...HMAC_CLIENT, access: "tcp/22", natLocal: true, natPort: 55000 },
  },
  {
    name: "hmac_force_masq_access (FORCE_MASQUERADE)",
    fwknopdConf: corpus("ipt_snat_no_translate_ip_fwknopd.conf"),
    accessConf: corpus("hmac_force_masq_access.conf"),
    client: { ...HMAC_CLIENT, access: "tcp/22" },
  },
  {
    name: "hmac_force_masq_access with ENABLE_IPT_SNAT N (no SNAT chain, no rule)",
    fwknopdConf: corpus("ipt_nat_fwknopd.conf"),
    accessConf: corpus("hmac_force_masq_access.conf"),
    client: { ...HMAC_CLIENT, access: "tcp/22" },
  },
  {
    name: "hmac_force_masq_no_dnat_access (DISABLE_DNAT)",
    fwknopdConf: corpus("ipt_snat_no_translate_ip_fwknopd.conf"),
    accessConf: corpus("hmac_force_masq_no_dnat_access.conf"),
    client: { ...HMAC_CLIENT, access: "tcp/22" },
  },
  {
    name: "hmac_force_snat_access (FORCE_SNAT 33.3.3.3) over SNAT_TRANSLATE_IP",
    fwknopdConf: corpus("ipt_snat_fwknopd.conf"),
    accessConf: corpus("hmac_force_snat_access.conf"),
    client: { ...HMAC_CLIENT, access: "tcp/22" },
  },
  {
    name: "hmac_force_nat_forward_all_access (FORWARD_ALL + FORCE_NAT: DNAT ALL)",
    fwknopdConf: corpus("ipt_nat_fwknopd.conf"),
    accessConf: corpus("hmac_force_nat_forward_all_access.conf"),
    client: { ...HMAC_CLIENT, access: "tcp/22,udp/53" },
  },
  {
    name: "hmac_forward_all_access (FORWARD_ALL + FORCE_SNAT + DISABLE_DNAT: SNAT ALL)",
    fwknopdConf: corpus("ipt_snat_no_translate_ip_fwknopd.conf"),
    accessConf: corpus("hmac_forward_all_access.conf"),
    client: { ...HMAC_CLIENT, access: "tcp/22" },
  },
  {
    name: "open_ports_force_masq_access (FORWARD_ALL + FORCE_MASQUERADE + DISABLE_DNAT: MASQUERADE ALL)",
    fwknopdConf: corpus("ipt_snat_no_translate_ip_fwknopd.conf"),
    accessConf: corpus("open_ports_force_masq_access.conf"),
    client: { keyRijndael: "fwknoptest", access: "tcp/22" },
  },
];

/** The same packet for both servers: allow IP 127.0.0.2, sent from 127.0.0.1. */
function packetFor(c: Case): string {
  return buildClientPacket(
    { allowIp: "127.0.0.2", destination: "127.0.0.1", spoofUser: "alice", ...c.client },
    { random: (n) => new Uint8Array(randomBytes(n)), now: () => Math.floor(Date.now() / 1000) },
  ).encoded.wire;
}

/** iptables-save without comments / counters, `_exp_<epoch>` → `_exp_N`, only user chains and rules. */
function normalise(save: string): string[] {
  return save
    .split("\n")
    .filter((l) => l.startsWith("*") || l.startsWith("-A") || (l.startsWith(":") && !/ (ACCEPT|DROP) \[/.test(l)))
    .map((l) => l.replace(/_exp_\d+/g, "_exp_N").replace(/\[\d+:\d+\]/g, "[0:0]"));
}

async function realFwknopd(c: Case, wire: string): Promise<{ rules: string[]; log: string }> {
  const dir = mkdtempSync(join(tmpdir(), "fwkit-fwr-"));
  chmodSync(dir, 0o700);
  mkdirSync(join(dir, "run"));
  const ns = await createNetns("fwr");
  try {
    writeFileSync(join(dir, "fwknopd.conf"), `${BASE_CONF}${c.fwknopdConf}\n`, { mode: 0o600 });
    writeFileSync(join(dir, "access.conf"), c.accessConf, { mode: 0o600 });
    writeFileSync(join(dir, "pkt"), wire);
    const args = ["-f", "-c", join(dir, "fwknopd.conf"), "-a", join(dir, "access.conf")];
    args.push("-d", join(dir, "run", "dc"), "-p", join(dir, "run", "pid"), "-r", join(dir, "run"));
    const daemon = ns.exec("timeout", ["20", "fwknopd", ...args], { timeoutMs: 30_000 });
    const saveNow = async () => (await ns.exec("iptables-save", [])).stdout;
    const waitFor = async (text: string, ms: number) => {
      const t = Date.now();
      while (Date.now() - t < ms && !(await saveNow()).includes(text)) await new Promise((r) => setTimeout(r, 100));
    };
    // wait for the start-up chains, then send, then wait for an _exp_ rule
    await waitFor("FWKNOP_", 8000);
    await new Promise((r) => setTimeout(r, 300));
    const send = `import socket;socket.socket(2,2).sendto(open("${join(dir, "pkt")}","rb").read(),("127.0.0.1",62201))`;
    await ns.execOk("python3", ["-c", send]);
    await waitFor("_exp_", 4000);
    await new Promise((r) => setTimeout(r, 500));
    const save = await saveNow();
    const pid = readFileSync(join(dir, "run", "pid"), "utf8").trim();
    await ns.exec("kill", [pid]);
    const out = await daemon;
    return { rules: normalise(save), log: out.stdout + out.stderr };
  } finally {
    await ns.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function ours(c: Case, wire: string): Promise<{ rules: string[]; granted: number }> {
  const ns: Netns = await createNetns("fwo");
  try {
    const exec: Executor = async (file, args) => {
      const r = await ns.exec(file, args);
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.code };
    };
    const config = loadFwknopdConf(`${BASE_CONF}${c.fwknopdConf}\n`);
    const firewall = new IptablesFirewall(config, exec);
    await firewall.init();
    const r = processSpaPacket(
      { payload: wire, srcIp: "127.0.0.1", srcPort: 40000, dstIp: "0.0.0.0", dstPort: 62201, proto: 17 },
      { config, stanzas: loadAccessConf(c.accessConf), replay: new MemoryReplayCache(), now: () => Date.now() / 1000 },
    );
    expect(r.outcome, `${c.name}: ${r.code}`).toBe("granted");
    const added = await firewall.grant(r.grant!);
    return { rules: normalise((await ns.execOk("iptables-save", [])) ?? ""), granted: added.length };
  } finally {
    await ns.destroy();
  }
}

async function compare(c: Case): Promise<{ theirs: string[]; mine: string[] }> {
  const wire = packetFor(c);
  const [t, m] = await Promise.all([realFwknopd(c, wire), ours(c, wire)]);
  expect(t.log, c.name).not.toContain("Data error in access file");
  return { theirs: t.rules, mine: m.rules };
}

describe.skipIf(skip)("iptables-save after a grant: real fwknopd 2.6.10 vs fwkit (same packet, same configs)", () => {
  for (let i = 0; i < cases.length; i += 4) {
    const batch = cases.slice(i, i + 4);
    it(`identical rule sets: ${batch.map((c) => c.name.split(" ")[0]).join(", ")}`, async () => {
      const results = await Promise.all(batch.map(compare));
      results.forEach((r, j) => {
        expect(r.theirs.some((l) => l.includes("_exp_N")) || batch[j]!.name.includes("no rule"), batch[j]!.name).toBe(
          true,
        );
        expect(r.mine, batch[j]!.name).toEqual(r.theirs);
      });
    }, 60_000);
  }

  it("deviations: FORWARD_ALL without FORCE_NAT (fwknopd DNATs to 0.0.0.0) and ENABLE_DESTINATION_RULE in UDP-server mode (-d 0.0.0.0/32)", async () => {
    const [fwdAll, dstRule] = await Promise.all([
      compare({
        name: "hmac_forward_all_masq_access",
        fwknopdConf: corpus("ipt_snat_no_translate_ip_fwknopd.conf"),
        accessConf: corpus("hmac_forward_all_masq_access.conf"),
        client: { ...HMAC_CLIENT, access: "tcp/22" },
      }),
      compare({
        name: "ipt_spa_dst_snat",
        fwknopdConf: corpus("ipt_spa_dst_snat_fwknopd.conf"),
        accessConf: PLAIN_ACCESS,
        client: { ...HMAC_CLIENT, access: "tcp/22", natAccess: "192.168.10.2:2222" },
      }),
    ]);
    const dnatAll = "-A FWKNOP_PREROUTING -s 127.0.0.2/32 -m comment --comment _exp_N -j DNAT --to-destination 0.0.0.0";
    expect(fwdAll.theirs).toContain(dnatAll);
    expect(fwdAll.mine).toEqual(fwdAll.theirs.filter((l) => l !== dnatAll));
    const bad = (l: string) => l.includes("-d 0.0.0.0/32");
    expect(dstRule.theirs.filter(bad)).toHaveLength(1);
    expect(dstRule.mine.filter(bad)).toHaveLength(0);
    expect(dstRule.mine.map((l) => l.replace("-d 0.0.0.0/32 ", ""))).toEqual(
      dstRule.theirs.map((l) => l.replace("-d 0.0.0.0/32 ", "")),
    );
  }, 60_000);
});
