// Mirrors the README "Quick start" (keep both in sync).
import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import {
  buildClientPacket,
  decodeSpa,
  generateKeys,
  loadAccessConf,
  loadFwknopdConf,
  MemoryReplayCache,
  processSpaPacket,
} from "../src/index.ts";

it("README quick start", () => {
  const random = (n: number) => new Uint8Array(randomBytes(n));
  const now = () => Math.floor(Date.now() / 1000);

  // fwknop --key-gen
  const { keyBase64, hmacKeyBase64 } = generateKeys(random);

  // fwknop -A tcp/22 -a 10.0.0.2 -D 10.0.0.1 --key-base64-rijndael … --key-base64-hmac … --use-hmac
  const packet = buildClientPacket(
    {
      access: "tcp/22",
      allowIp: "10.0.0.2",
      destination: "10.0.0.1",
      keyBase64Rijndael: keyBase64,
      keyBase64Hmac: hmacKeyBase64,
      useHmac: true,
    },
    { random, now, localUser: "alice" },
  );
  // packet.encoded.wire is what goes in the UDP datagram: sendSpa(wire, { host, port: 62201, proto: "udp" })

  // the codec alone
  const fields = decodeSpa(packet.encoded.wire, {
    key: Buffer.from(keyBase64, "base64"),
    hmacKey: Buffer.from(hmacKeyBase64, "base64"),
  });
  expect(fields.message).toBe("10.0.0.2,tcp/22");

  // fwknopd's decision for that datagram
  const result = processSpaPacket(
    { payload: packet.encoded.wire, srcIp: "10.0.0.2", srcPort: 40000, dstIp: "10.0.0.1", dstPort: 62201, proto: 17 },
    {
      config: loadFwknopdConf(""),
      stanzas: loadAccessConf(
        `SOURCE ANY\nKEY_BASE64 ${keyBase64}\nHMAC_KEY_BASE64 ${hmacKeyBase64}\nOPEN_PORTS tcp/22\n`,
      ),
      replay: new MemoryReplayCache(),
      now,
    },
  );
  expect(result.outcome).toBe("granted");
  expect(result.grant?.ports).toEqual([{ proto: "tcp", port: 22 }]);
});
