/**
 * Interop, our encoder → the REAL fwknopd 2.6.x: packets built by buildClientPacket/encodeSpa are replayed from
 * a pcap into `fwknopd --test` inside a throwaway netns (spec §5.8 a); acceptance = "(stanza #N) --test mode enabled".
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNetns, missingFor, skipWithReason } from "@fwkit/test-utils";
import { describe, expect, it } from "vitest";
import {
  buildClientPacket,
  type ClientOptions,
  DIGEST_TYPES,
  type DigestType,
  type EncryptionMode,
  encodeSpa,
} from "../src/index.ts";
import { replayIntoFwknopd } from "./fwknopd-harness.ts";
import { ENC_B64, fixedRandom, HMAC_B64, HRAW, PASS, REPLAY_ACCESS_CONF, vectors } from "./vectors.ts";

const skip = skipWithReason("real fwknopd interop (pcap replay)", missingFor(["fwknopd", "iptables"]));
const random = (n: number) => new Uint8Array(randomBytes(n));
const now = () => Math.floor(Date.now() / 1000);
const HMAC_NAME: Record<DigestType, string> = {
  md5: "MD5",
  sha1: "SHA1",
  sha256: "SHA256",
  sha384: "SHA384",
  sha512: "SHA512",
  sha3_256: "SHA3_256",
  sha3_512: "SHA3_512",
};
const MODES: EncryptionMode[] = ["CBC", "ECB", "CFB", "OFB", "CTR"];

describe.skipIf(skip)("our packets are accepted by the real fwknopd", () => {
  it("spec golden vectors V01–V20 and our byte-exact D1–D5 replay as recorded (harness self-check)", async () => {
    const ids = Object.keys(vectors).filter((k) => /^[VD]/.test(k));
    const stanzaOf: Record<string, number> = { D1: 1, D2: 2, D3: 2, D4: 4, D5: 10 };
    const { accepted } = await replayIntoFwknopd(
      ids.map((i) => vectors[i]!.wire),
      REPLAY_ACCESS_CONF,
    );
    ids.forEach((id, i) => {
      expect(accepted[i]?.[0], id).toBe(vectors[id]!.stanza ?? stanzaOf[id]);
    });
  });

  it("every mode × HMAC type, every digest type, legacy, NAT / local NAT / timeout / command / -s", async () => {
    const stanzas: string[] = [];
    const cases: Array<{ name: string; opts: ClientOptions; stanza: number }> = [];
    const base: ClientOptions = { access: "tcp/22", allowIp: "10.1.2.3", destination: "10.99.0.1", spoofUser: "alice" };
    for (const mode of MODES) {
      for (const h of DIGEST_TYPES) {
        stanzas.push(
          `SOURCE ANY\nKEY ${PASS}\nHMAC_KEY ${HRAW}\nHMAC_DIGEST_TYPE ${HMAC_NAME[h]}\nENCRYPTION_MODE ${mode}\n`,
        );
        cases.push({
          name: `${mode}+HMAC-${h}`,
          opts: { ...base, keyRijndael: PASS, keyHmac: HRAW, useHmac: true, hmacDigestType: h, encryptionMode: mode },
          stanza: stanzas.length,
        });
      }
    }
    stanzas.push(`SOURCE ANY\nKEY_BASE64 ${ENC_B64}\nFW_ACCESS_TIMEOUT 30\n`);
    const noHmac = stanzas.length;
    for (const d of DIGEST_TYPES) {
      cases.push({ name: `digest-${d}`, opts: { ...base, keyBase64Rijndael: ENC_B64, digestType: d }, stanza: noHmac });
    }
    stanzas.push("SOURCE ANY\nKEY fwknoptest\nENCRYPTION_MODE legacy\n");
    cases.push({
      name: "legacy",
      opts: { ...base, keyRijndael: "fwknoptest", encryptionMode: "legacy" },
      stanza: stanzas.length,
    });
    stanzas.push(`SOURCE ANY\nKEY_BASE64 ${ENC_B64}\nHMAC_KEY_BASE64 ${HMAC_B64}\nENABLE_CMD_EXEC Y\n`);
    const b64 = { keyBase64Rijndael: ENC_B64, keyBase64Hmac: HMAC_B64, useHmac: true };
    const s2 = stanzas.length;
    cases.push(
      { name: "NAT -N", opts: { ...base, ...b64, natAccess: "192.168.10.2:22" }, stanza: s2 },
      { name: "NAT -N -f", opts: { ...base, ...b64, natAccess: "192.168.10.2:2222", fwTimeout: 60 }, stanza: s2 },
      { name: "-f 120", opts: { ...base, ...b64, fwTimeout: 120 }, stanza: s2 },
      { name: "--nat-local", opts: { ...base, ...b64, natLocal: true, natPort: 55000 }, stanza: s2 },
      { name: "--nat-local -f", opts: { ...base, ...b64, natLocal: true, natPort: 55000, fwTimeout: 45 }, stanza: s2 },
      { name: "-C", opts: { ...base, ...b64, access: undefined, serverCmd: "/bin/true" }, stanza: s2 },
      { name: "-s", opts: { ...base, ...b64, allowIp: undefined, sourceIp: true }, stanza: s2 },
      { name: "multi-port", opts: { ...base, ...b64, access: "tcp/22,udp/53,tcp/443" }, stanza: s2 },
      { name: "-U long", opts: { ...base, ...b64, spoofUser: "u".repeat(48) }, stanza: s2 },
      { name: "time offset", opts: { ...base, ...b64, timeOffsetMinus: "1h" }, stanza: s2 },
    );
    const wires = cases.map((c) => buildClientPacket(c.opts, { random, now }).encoded.wire);
    // D-style deterministic packet through encodeSpa directly, server_auth field included
    wires.push(
      encodeSpa(
        {
          rand: "0000000000000042",
          username: "bob",
          timestamp: now(),
          messageType: 1,
          message: "10.1.2.3,udp/53",
          serverAuth: "crypt,x",
        },
        { key: Buffer.from(ENC_B64, "base64") },
        { random: fixedRandom("0102030405060708") },
      ).wire,
    );
    cases.push({ name: "server_auth", opts: {}, stanza: noHmac });
    const { accepted } = await replayIntoFwknopd(wires, stanzas.join("\n"));
    const bad = cases.filter((c, i) => JSON.stringify(accepted[i]) !== JSON.stringify([c.stanza])).map((c) => c.name);
    expect(bad).toEqual([]);
    expect(cases.length).toBe(54);
  });

  it("a packet with a wrong HMAC key is refused before decryption (HMAC_COMPAREFAIL)", async () => {
    const p = buildClientPacket(
      { access: "tcp/22", allowIp: "10.1.2.3", destination: "10.99.0.1", keyRijndael: PASS, keyHmac: "not-the-key" },
      { random, now },
    );
    const { accepted, log } = await replayIntoFwknopd([p.encoded.wire], `SOURCE ANY\nKEY ${PASS}\nHMAC_KEY ${HRAW}\n`);
    expect(accepted[0]).toEqual([]);
    expect(log).toContain("FKO_ERROR_INVALID_DATA_HMAC_COMPAREFAIL");
  });

  it("live: fwknopd in UDP-server mode opens the port for our packet (iptables in a netns), refuses the replay", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fwkit-live-"));
    chmodSync(dir, 0o700);
    mkdirSync(join(dir, "run"));
    const ns = await createNetns("spalive");
    try {
      writeFileSync(join(dir, "fwknopd.conf"), "ENABLE_UDP_SERVER Y\nUDPSERV_PORT 62201\nPCAP_INTF lo\n", {
        mode: 0o600,
      });
      writeFileSync(
        join(dir, "access.conf"),
        `SOURCE 127.0.0.0/8\nOPEN_PORTS tcp/22\nKEY_BASE64 ${ENC_B64}\nHMAC_KEY_BASE64 ${HMAC_B64}\nREQUIRE_SOURCE_ADDRESS Y\nFW_ACCESS_TIMEOUT 30\n`,
        { mode: 0o600 },
      );
      const args = ["-f", "-v", "-c", join(dir, "fwknopd.conf"), "-a", join(dir, "access.conf")];
      args.push("-d", join(dir, "run", "digest.cache"), "-p", join(dir, "run", "pid"), "-r", join(dir, "run"));
      const daemon = ns.exec("fwknopd", args, { timeoutMs: 30_000 });
      await new Promise((r) => setTimeout(r, 1500));
      const p = buildClientPacket(
        {
          access: "tcp/22",
          allowIp: "127.0.0.2",
          destination: "127.0.0.1",
          keyBase64Rijndael: ENC_B64,
          keyBase64Hmac: HMAC_B64,
        },
        { random, now },
      );
      const send = `import socket;socket.socket(2,2).sendto(open("${join(dir, "pkt")}","rb").read(),("127.0.0.1",62201))`;
      writeFileSync(join(dir, "pkt"), p.encoded.wire);
      await ns.execOk("python3", ["-c", send]);
      await new Promise((r) => setTimeout(r, 1000));
      const rules = await ns.execOk("iptables", ["-S", "FWKNOP_INPUT"]);
      await ns.execOk("python3", ["-c", send]);
      await new Promise((r) => setTimeout(r, 1000));
      const pid = readFileSync(join(dir, "run", "pid"), "utf8").trim();
      await ns.exec("kill", [pid]);
      const out = await daemon;
      const log = out.stdout + out.stderr;
      expect(rules).toMatch(
        /-A FWKNOP_INPUT -s 127\.0\.0\.2\/32 -p tcp -m tcp --dport 22 -m comment --comment _exp_\d+ -j ACCEPT/,
      );
      expect(log).toContain("Replay detected");
    } finally {
      await ns.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
