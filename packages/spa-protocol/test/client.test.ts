import { createSocket } from "node:dgram";
import { describe, expect, it } from "vitest";
import {
  buildClientPacket,
  type ClientOptions,
  decodeSpa,
  ENCRYPTION_MODES,
  formatHttpRequest,
  formatKeyGen,
  generateKeys,
  isSpaError,
  sendSpa,
} from "../src/index.ts";
import { ENC_B64, HMAC_B64 } from "./vectors.ts";

let counter = 0;
const random = (n: number) => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (counter++ * 73 + 11) & 255;
  return b;
};
const deps = { random, now: () => 1700000000, localUser: "root" };
const base: ClientOptions = {
  access: "tcp/22",
  allowIp: "10.0.0.2",
  destination: "10.0.0.1",
  keyBase64Rijndael: ENC_B64,
};
const code = (f: () => unknown) => {
  try {
    f();
    return "OK";
  } catch (e) {
    if (!isSpaError(e)) throw e;
    return e.code;
  }
};

describe("buildClientPacket (fwknop's options)", () => {
  it("defaults: type 1, port 62201, udp, local user, sha256", () => {
    const p = buildClientPacket(base, deps);
    expect([p.messageType, p.port, p.proto, p.username]).toEqual([1, 62201, "udp", "root"]);
    const d = decodeSpa(p.encoded.wire, { key: Buffer.from(ENC_B64, "base64") });
    expect(d).toMatchObject({
      message: "10.0.0.2,tcp/22",
      username: "root",
      timestamp: 1700000000,
      digestType: "sha256",
    });
    expect(d.rand).toMatch(/^\d{16}$/);
  });
  it("-s, -N, --nat-local, -f, -C, -U, time offsets, -m, -M, HMAC", () => {
    const k = { key: Buffer.from(ENC_B64, "base64") };
    const dec = (o: ClientOptions) => decodeSpa(buildClientPacket({ ...base, ...o }, deps).encoded.wire, k);
    expect(dec({ allowIp: undefined, sourceIp: true }).message).toBe("0.0.0.0,tcp/22");
    expect(dec({ natAccess: "192.168.10.2:22" })).toMatchObject({ messageType: 2, natAccess: "192.168.10.2,22" });
    expect(dec({ natAccess: "192.168.10.2:2222", fwTimeout: 60 })).toMatchObject({ messageType: 4, clientTimeout: 60 });
    expect(dec({ natLocal: true, natPort: 55000 })).toMatchObject({
      messageType: 5,
      message: "10.0.0.2,tcp/55000",
      natAccess: "10.0.0.1,22",
    });
    expect(dec({ fwTimeout: 120 })).toMatchObject({ messageType: 3, clientTimeout: 120 });
    expect(dec({ access: undefined, serverCmd: "/bin/true" })).toMatchObject({
      messageType: 0,
      message: "10.0.0.2,/bin/true",
    });
    expect(dec({ spoofUser: "bob" }).username).toBe("bob");
    expect(dec({ timeOffsetPlus: "1h" }).timestamp).toBe(1700003600);
    expect(dec({ timeOffsetMinus: "5min" }).timestamp).toBe(1699999700);
    expect(dec({ digestType: "sha3_512" }).digestType).toBe("sha3_512");
    for (const m of ENCRYPTION_MODES) {
      const p = buildClientPacket({ ...base, encryptionMode: m }, deps);
      expect(decodeSpa(p.encoded.wire, { ...k, mode: m }).message, m).toBe("10.0.0.2,tcp/22");
    }
    const h = buildClientPacket({ ...base, keyBase64Hmac: HMAC_B64, hmacDigestType: "sha384" }, deps);
    expect(h.encoded.hmac).toHaveLength(64);
  });
  it("refuses what fwknop refuses", () => {
    expect(code(() => buildClientPacket({ ...base, access: undefined }, deps))).toBe("SPA_INVALID_ARGUMENT");
    expect(code(() => buildClientPacket({ ...base, allowIp: undefined }, deps))).toBe("SPA_INVALID_ARGUMENT");
    expect(code(() => buildClientPacket({ ...base, access: "icmp/0" }, deps))).toBe("SPA_DECODE_ACCESS");
    expect(code(() => buildClientPacket({ ...base, keyBase64Rijndael: undefined }, deps))).toBe("SPA_KEY_INVALID");
    expect(
      code(() => buildClientPacket({ ...base, keyBase64Rijndael: undefined, keyRijndael: "x".repeat(33) }, deps)),
    ).toBe("SPA_KEY_INVALID");
    expect(code(() => buildClientPacket({ ...base, keyBase64Hmac: ENC_B64 }, deps))).toBe("SPA_KEY_INVALID");
    expect(code(() => buildClientPacket({ ...base, useHmac: true }, deps))).toBe("SPA_KEY_INVALID");
    expect(code(() => buildClientPacket({ ...base, encryptionMode: "legacy", keyBase64Hmac: HMAC_B64 }, deps))).toBe(
      "SPA_INVALID_ARGUMENT",
    );
    expect(code(() => buildClientPacket({ ...base, spoofUser: "u".repeat(49) }, deps))).toBe("SPA_DECODE_USERNAME");
    expect(code(() => buildClientPacket({ ...base, access: "tcp/22,udp/53", natAccess: "1.2.3.4:22" }, deps))).toBe(
      "SPA_INVALID_ARGUMENT",
    );
    const many = Array.from({ length: 30 }, (_, i) => `tcp/${10000 + i}`).join(",");
    expect(code(() => buildClientPacket({ ...base, access: many }, deps))).toMatch(
      /SPA_PACKET_TOO_LARGE|SPA_DECODE_ACCESS/,
    );
  });
});

describe("allow-IP strictness", () => {
  it("dotted quad only, no octal-looking leading zeros (inet_aton would read 010 as 8)", async () => {
    const { isStrictIpv4 } = await import("../src/index.ts");
    expect(["10.0.0.2", "0.0.0.0", "255.255.255.255"].map(isStrictIpv4)).toEqual([true, true, true]);
    expect(["010.0.0.1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", "0x1.2.3.4"].map(isStrictIpv4)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe("--key-gen", () => {
  it("32-byte key, HMAC key by digest type, fwknop's output format", () => {
    const k = generateKeys(random);
    expect(Buffer.from(k.keyBase64, "base64")).toHaveLength(32);
    expect(Buffer.from(k.hmacKeyBase64, "base64")).toHaveLength(64);
    expect(Buffer.from(generateKeys(random, { hmacDigestType: "sha512" }).hmacKeyBase64, "base64")).toHaveLength(128);
    expect(Buffer.from(generateKeys(random, { hmacDigestType: "sha3_256" }).hmacKeyBase64, "base64")).toHaveLength(64);
    expect(formatKeyGen(k)).toMatch(/^KEY_BASE64: [A-Za-z0-9+/]{43}=\nHMAC_KEY_BASE64: [A-Za-z0-9+/]{86}==\n$/);
    expect(code(() => generateKeys(random, { keyLen: 48 }))).toBe("SPA_INVALID_ARGUMENT");
  });
});

describe("transport", () => {
  it("HTTP request line and headers as fwknop -P http", () => {
    expect(formatHttpRequest("ab+c/d", "srv")).toBe(
      "GET /ab-c_d HTTP/1.1\r\nUser-Agent: Fwknop/2.6.10\r\nAccept: */*\r\nHost: srv\r\nConnection: close\r\n\r\n",
    );
  });
  it("UDP: exactly the wire string, no newline", async () => {
    const sock = createSocket("udp4");
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", r));
    const got = new Promise<Buffer>((r) => sock.once("message", (m) => r(m)));
    const wire = buildClientPacket(base, deps).encoded.wire;
    await sendSpa(wire, { host: "127.0.0.1", port: sock.address().port, proto: "udp" });
    expect((await got).toString()).toBe(wire);
    sock.close();
  });
  it("TCP connect failure is SPA_SEND_FAILED", async () => {
    await expect(sendSpa("x", { host: "127.0.0.1", port: 1, proto: "tcp" })).rejects.toMatchObject({
      code: "SPA_SEND_FAILED",
    });
  });
});
