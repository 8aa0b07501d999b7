/**
 * The SPA part of the demo: keys generated on the fly with node:crypto, the fwknopd configuration files for the
 * lab's server, and the offline round trip (client packet → decode → fwknopd's decision and rules).
 */
import { randomBytes } from "node:crypto";

/** The lab's SPA server port (fwknopd's default UDPSERV_PORT). */
export const SPA_PORT = 62201;

/** Fresh Rijndael + HMAC keys (`fwknop --key-gen`), base64. */
export async function demoKeys(): Promise<{ keyBase64: string; hmacKeyBase64: string }> {
  const spa = await import("@fwkit/spa-protocol");
  const k = spa.generateKeys((n: number) => new Uint8Array(randomBytes(n)));
  return { keyBase64: k.keyBase64, hmacKeyBase64: k.hmacKeyBase64 };
}

/** fwknopd.conf of the lab's server: UDP server mode, in-memory replay cache, rules in FWKNOP_INPUT. */
export function demoFwknopdConf(runDir: string): string {
  return [
    "ENABLE_UDP_SERVER Y;",
    `UDPSERV_PORT ${SPA_PORT};`,
    "ENABLE_DIGEST_PERSISTENCE N;",
    `FWKNOP_RUN_DIR ${runDir};`,
    "FLUSH_IPT_AT_INIT Y;",
    "FLUSH_IPT_AT_EXIT Y;",
    "",
  ].join("\n");
}

/** access.conf of the lab's server: these keys may open tcp/22 for `seconds`. */
export function demoAccessConf(keys: { keyBase64: string; hmacKeyBase64: string }, seconds: number): string {
  return [
    "SOURCE ANY",
    `KEY_BASE64 ${keys.keyBase64}`,
    `HMAC_KEY_BASE64 ${keys.hmacKeyBase64}`,
    "OPEN_PORTS tcp/22",
    `FW_ACCESS_TIMEOUT ${seconds}`,
    "",
  ].join("\n");
}

/** What the offline round trip shows. */
export interface SpaRoundTrip {
  /** Length of the wire string (base64 characters in the UDP datagram). */
  wireLength: number;
  /** The decoded access message, e.g. `198.18.0.2,tcp/22`. */
  message: string;
  username: string;
  digestType: string;
  /** fwknopd's verdict for the packet (granted) and a replay of it (rejected, SPA_REPLAY). */
  outcome: string;
  replayOutcome: string;
  replayCode: string | undefined;
  /** A packet with a wrong HMAC key (rejected before decryption). */
  wrongKeyCode: string | undefined;
  /** The iptables rules fwknopd would add for the grant (`iptables -t TABLE -A CHAIN …`). */
  rules: string[];
}

/**
 * SPA encode → decode → fwknopd decision, all in memory, with fresh keys.
 * @param now - wall clock, epoch seconds
 */
export async function spaRoundTrip(
  addrs: { client: string; server: string },
  now: () => number,
): Promise<SpaRoundTrip> {
  const spa = await import("@fwkit/spa-protocol");
  const random = (n: number) => new Uint8Array(randomBytes(n));
  const keys = await demoKeys();
  const packet = spa.buildClientPacket(
    {
      access: "tcp/22",
      allowIp: addrs.client,
      destination: addrs.server,
      keyBase64Rijndael: keys.keyBase64,
      keyBase64Hmac: keys.hmacKeyBase64,
      useHmac: true,
    },
    { random, now, localUser: "fwkit-demo" },
  );
  const wire = packet.encoded.wire;
  const decoded = spa.decodeSpa(wire, {
    key: Buffer.from(keys.keyBase64, "base64"),
    hmacKey: Buffer.from(keys.hmacKeyBase64, "base64"),
  });
  const config = spa.loadFwknopdConf("");
  const stanzas = spa.loadAccessConf(demoAccessConf(keys, 30));
  const replay = new spa.MemoryReplayCache();
  const pkt = { payload: wire, srcIp: addrs.client, srcPort: 40000, dstIp: addrs.server, dstPort: SPA_PORT, proto: 17 };
  const first = spa.processSpaPacket(pkt, { config, stanzas, replay, now });
  const again = spa.processSpaPacket(pkt, { config, stanzas, replay, now });
  const other = await demoKeys();
  const forged = spa.buildClientPacket(
    {
      access: "tcp/22",
      allowIp: addrs.client,
      destination: addrs.server,
      keyBase64Rijndael: keys.keyBase64,
      keyBase64Hmac: other.hmacKeyBase64,
      useHmac: true,
    },
    { random, now, localUser: "fwkit-demo" },
  );
  const wrong = spa.processSpaPacket({ ...pkt, payload: forged.encoded.wire }, { config, stanzas, replay, now });
  const rules = first.grant
    ? spa.planGrantRules(first.grant, config).map((r) => `iptables -t ${r.table} -A ${r.chain} ${r.spec.join(" ")}`)
    : [];
  return {
    wireLength: wire.length,
    message: decoded.message,
    username: decoded.username,
    digestType: String(decoded.digestType),
    outcome: first.outcome,
    replayOutcome: again.outcome,
    replayCode: again.code,
    wrongKeyCode: wrong.code,
    rules,
  };
}
