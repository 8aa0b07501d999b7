import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { describe, expect, it } from "vitest";
import {
  type AccessGrant,
  buildClientPacket,
  type FwRule,
  loadAccessConf,
  loadFwknopdConf,
  MemoryReplayCache,
  type ProcessResult,
  type SpaFirewall,
  sendSpa,
  splitCommand,
  startSpaServer,
} from "../src/index.ts";
import { ENC_B64, HMAC_B64 } from "./vectors.ts";

const access = loadAccessConf(`SOURCE ANY\nKEY_BASE64 ${ENC_B64}\nHMAC_KEY_BASE64 ${HMAC_B64}\nFW_ACCESS_TIMEOUT 5\n`);
const random = (n: number) => new Uint8Array(randomBytes(n));
const now = () => Math.floor(Date.now() / 1000);

class FakeFirewall implements SpaFirewall {
  grants: AccessGrant[] = [];
  async init() {}
  async grant(g: AccessGrant): Promise<FwRule[]> {
    this.grants.push(g);
    return [];
  }
  async expire() {
    return 0;
  }
  async flush() {}
  async list() {
    return "";
  }
}

const packet = (o: { proto?: "udp" | "tcp" | "http"; port: number }) =>
  buildClientPacket(
    {
      access: "tcp/22",
      allowIp: "127.0.0.2",
      destination: "127.0.0.1",
      serverPort: o.port,
      serverProto: o.proto ?? "udp",
      keyBase64Rijndael: ENC_B64,
      keyBase64Hmac: HMAC_B64,
    },
    { random, now },
  );

async function until(cond: () => boolean, ms = 10_000, what = () => ""): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timeout waiting for condition ${what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("UDP / TCP / HTTP server on loopback with our client", () => {
  it("UDP: grant, then the replayed datagram is refused", async () => {
    const fw = new FakeFirewall();
    const results: ProcessResult[] = [];
    const srv = await startSpaServer({
      config: loadFwknopdConf(""),
      stanzas: access,
      replay: new MemoryReplayCache(),
      now,
      udpPort: 0,
      host: "127.0.0.1",
      firewall: fw,
      onResult: (r) => results.push(r),
    });
    try {
      const p = packet({ port: srv.udpPort });
      expect(await sendSpa(p.encoded.wire, { host: "127.0.0.1", port: srv.udpPort, proto: "udp" })).toBe(
        p.encoded.wire.length,
      );
      await until(() => fw.grants.length === 1);
      expect(fw.grants[0]).toMatchObject({ allowIp: "127.0.0.2", ports: [{ proto: "tcp", port: 22 }], timeout: 5 });
      await sendSpa(p.encoded.wire, { host: "127.0.0.1", port: srv.udpPort, proto: "udp" });
      await until(() => results.length === 2);
      expect(results[1]).toMatchObject({ outcome: "rejected", code: "SPA_REPLAY" });
    } finally {
      await srv.close();
    }
  });

  it("TCP and HTTP (-P tcp / -P http) through the TCP listener", async () => {
    const fw = new FakeFirewall();
    const srv = await startSpaServer({
      config: loadFwknopdConf("ENABLE_SPA_OVER_HTTP Y\n"),
      stanzas: access,
      replay: new MemoryReplayCache(),
      now,
      udpPort: 0,
      tcpPort: 0,
      host: "127.0.0.1",
      firewall: fw,
    });
    try {
      const port = srv.tcpPort as number;
      await sendSpa(packet({ port, proto: "tcp" }).encoded.wire, { host: "127.0.0.1", port, proto: "tcp" });
      await sendSpa(packet({ port, proto: "http" }).encoded.wire, { host: "127.0.0.1", port, proto: "http" });
      await until(() => fw.grants.length === 2);
    } finally {
      await srv.close();
    }
  });

  it("flood of 100,000 junk datagrams: no crash, bounded memory, no grant from junk, a valid packet mid-flood honoured", async () => {
    const fw = new FakeFirewall();
    const replay = new MemoryReplayCache();
    const srv = await startSpaServer({
      config: loadFwknopdConf(""),
      stanzas: access,
      replay,
      now,
      udpPort: 0,
      host: "127.0.0.1",
      firewall: fw,
    });
    const sock = createSocket("udp4");
    try {
      const heap0 = process.memoryUsage().heapUsed;
      const t0 = Date.now();
      const valid = packet({ port: srv.udpPort }).encoded.wire;
      const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      let sent = 0;
      // paced to the receive buffer (net.core.rmem_max): kernel drops are not server failures
      for (let batch = 0; batch < 1000; batch++) {
        const pending: Promise<void>[] = [];
        for (let i = 0; i < 100; i++) {
          const r = randomBytes(400);
          let msg: Buffer;
          const kind = i % 4;
          if (kind === 0) msg = r.subarray(0, 50 + (r[0] as number));
          else if (kind === 1)
            msg = Buffer.from(Array.from(r.subarray(0, 160 + (r[1] as number)), (b) => B64[b & 63]).join(""));
          else if (kind === 2)
            msg = Buffer.from(valid.slice(0, 100) + Array.from(r.subarray(0, 104), (b) => B64[b & 63]).join(""));
          else msg = Buffer.from(`U2FsdGVkX1${valid}`);
          pending.push(new Promise((res) => sock.send(msg, srv.udpPort, "127.0.0.1", () => res())));
          sent++;
        }
        if (batch === 500) pending.push(new Promise((res) => sock.send(valid, srv.udpPort, "127.0.0.1", () => res())));
        await Promise.all(pending);
        const tb = Date.now();
        while (srv.processed < sent - 50 && Date.now() - tb < 200) await new Promise((r) => setImmediate(r));
      }
      const t1 = Date.now();
      await until(
        () => srv.processed >= sent * 0.99 && fw.grants.length >= 1,
        60_000,
        () => `processed=${srv.processed} sent=${sent} grants=${fw.grants.length} sendMs=${t1 - t0}`,
      );
      expect(sent).toBe(100_000);
      expect(fw.grants).toHaveLength(1);
      expect(replay.size).toBe(1);
      expect(process.memoryUsage().heapUsed - heap0).toBeLessThan(100 * 1024 * 1024);
    } finally {
      sock.close();
      await srv.close();
    }
  }, 120_000);
});

describe("command messages run without a shell", () => {
  it("splits on whitespace; shell metacharacters stay literal", () => {
    expect(splitCommand("/usr/bin/touch /tmp/a; rm -rf /")).toEqual(["/usr/bin/touch", "/tmp/a;", "rm", "-rf", "/"]);
  });
});

describe("command execution (ENABLE_CMD_EXEC, CMD_CYCLE_OPEN)", () => {
  it("runSpaCommand runs argv without a shell", async () => {
    const { mkdtempSync, existsSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const { runSpaCommand } = await import("../src/index.ts");
    const d = mkdtempSync(join(tmpdir(), "fwkit-cmd-"));
    try {
      const r = await runSpaCommand(`/usr/bin/touch ${join(d, "x;y")} ${join(d, "$(z)")}`);
      expect(r.exitCode).toBe(0);
      expect(existsSync(join(d, "x;y"))).toBe(true);
      expect(existsSync(join(d, "$(z)"))).toBe(true);
      expect((await runSpaCommand("/nonexistent/binary")).exitCode).toBe(127);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
  it("CMD_CYCLE variables are substituted per word", async () => {
    const { expandCycleCommand } = await import("../src/index.ts");
    const g = {
      kind: "cmd-cycle",
      stanza: access[0]!,
      allowIp: "10.0.0.2",
      ports: [{ proto: "tcp", port: 22 }],
      timeout: 30,
      expiresAt: 0,
      messageType: 1,
      username: "u",
      srcIp: "10.0.0.9",
      dstIp: "0.0.0.0",
    } as AccessGrant;
    expect(
      expandCycleCommand("/usr/sbin/nft add element inet f s { $IP . $PROTO . $PORT timeout $TIMEOUT } $PKT_SRC", g),
    ).toEqual([
      "/usr/sbin/nft",
      "add",
      "element",
      "inet",
      "f",
      "s",
      "{",
      "10.0.0.2",
      ".",
      "tcp",
      ".",
      "22",
      "timeout",
      "30",
      "}",
      "10.0.0.9",
    ]);
  });
});
