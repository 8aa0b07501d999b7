/**
 * GnuPG mode interop (spec §2.7/§5.7) with throw-away RSA-2048 keys made by `gpg` at test time:
 * the real fwknop client's GPG packets decode with decodeSpaGpg (openpgp.js), and encodeSpaGpg packets are
 * accepted by the real fwknopd (pcap replay, GPG_FINGERPRINT_ID / GPG_REMOTE_ID).
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { missingFor, run, skipWithReason } from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decodeSpaGpg,
  encodeSpaGpg,
  gpgHomeKeyLoader,
  loadAccessConf,
  loadFwknopdConf,
  MemoryReplayCache,
  type ProcessResult,
  processSpaPacketAsync,
  startSpaServer,
} from "../src/index.ts";
import { replayIntoFwknopd } from "./fwknopd-harness.ts";
import { HMAC_B64 } from "./vectors.ts";

const skip = skipWithReason("GnuPG mode interop", missingFor(["gpg", "fwknop", "fwknopd"]));
const random = (n: number) => new Uint8Array(randomBytes(n));
const dir = mkdtempSync(join(tmpdir(), "fwkit-gpg-"));
const home = (w: string) => join(dir, w);
const gpg = (w: string, args: string[]) =>
  execFileSync("gpg", ["--batch", "--pinentry-mode", "loopback", "--passphrase", "", ...args], {
    env: { ...process.env, GNUPGHOME: home(w) },
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 60_000,
  }).toString();
const fpr = (w: string, uid: string) =>
  (gpg(w, ["--list-keys", "--with-colons", uid]).match(/^fpr:+([0-9A-F]{40}):/m) as RegExpMatchArray)[1] as string;

let SRV = "";
let CLI = "";
const armored: Record<string, string> = {};

describe.skipIf(skip)("GnuPG mode", () => {
  beforeAll(() => {
    for (const w of ["srv", "cli"]) {
      mkdirSync(home(w), { mode: 0o700 });
      gpg(w, ["--quick-gen-key", `${w} <${w}@fwkit.test>`, "rsa2048", "default", "never"]);
      gpg(w, ["--quick-add-key", fpr(w, w), "rsa2048", "encr", "never"]);
    }
    SRV = fpr("srv", "srv");
    CLI = fpr("cli", "cli");
    armored.srvPub = gpg("srv", ["--export", "--armor", SRV]);
    armored.cliPub = gpg("cli", ["--export", "--armor", CLI]);
    armored.srvSec = gpg("srv", ["--export-secret-keys", "--armor", SRV]);
    armored.cliSec = gpg("cli", ["--export-secret-keys", "--armor", CLI]);
    execFileSync("gpg", ["--batch", "--import"], {
      input: armored.cliPub,
      env: { ...process.env, GNUPGHOME: home("srv") },
      stdio: "pipe",
    });
    execFileSync("gpg", ["--batch", "--import"], {
      input: armored.srvPub,
      env: { ...process.env, GNUPGHOME: home("cli") },
      stdio: "pipe",
    });
    gpg("srv", ["--yes", "--quick-sign-key", CLI]);
    gpg("cli", ["--yes", "--quick-sign-key", SRV]);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a packet from the real fwknop client (-g, signed, HMAC) decodes with decodeSpaGpg", async () => {
    const pkt = join(dir, "pkt");
    const r = await run(
      "fwknop",
      [
        "--no-rc-file",
        "--no-save-args",
        "-D",
        "127.0.0.1",
        "-T",
        "-A",
        "tcp/22",
        "-a",
        "127.0.0.2",
        "-U",
        "alice",
        "-g",
      ]
        .concat(["--gpg-home-dir", home("cli"), "--gpg-recipient", SRV.slice(-16), "--gpg-signer-key", CLI.slice(-16)])
        .concat(["--gpg-no-signing-pw", "--key-base64-hmac", HMAC_B64, "--use-hmac", "-B", pkt]),
      { env: { HOME: dir } },
    );
    const wire = readFileSync(pkt, "utf8").trim();
    expect(wire.length, r.stderr).toBeGreaterThan(1000);
    const d = await decodeSpaGpg(wire, {
      decryptKey: armored.srvSec as string,
      verificationKeys: [armored.cliPub as string],
      hmacKey: Buffer.from(HMAC_B64, "base64"),
    });
    expect(d).toMatchObject({ username: "alice", message: "127.0.0.2,tcp/22", messageType: 1 });
    expect(d.signatures[0]).toMatchObject({ valid: true, fingerprint: CLI, shortId: CLI.slice(-8) });
    await expect(decodeSpaGpg(wire, { decryptKey: armored.srvSec as string, hmacKey: "wrong" })).rejects.toMatchObject({
      code: "SPA_BAD_MAC",
    });
  });

  it("encodeSpaGpg packets are accepted by the real fwknopd (fingerprint and short-ID stanzas)", async () => {
    const mk = async (hmac: boolean) =>
      (
        await encodeSpaGpg(
          { username: "alice", timestamp: Math.floor(Date.now() / 1000), messageType: 1, message: "10.1.2.3,tcp/22" },
          {
            recipientKey: armored.srvPub as string,
            signerKey: armored.cliSec as string,
            ...(hmac ? { hmacKey: Buffer.from(HMAC_B64, "base64") } : {}),
          },
          { random },
        )
      ).wire;
    const w1 = await mk(true);
    const w2 = await mk(false);
    expect(w1.startsWith("hQ")).toBe(false);
    const stanza = (extra: string) =>
      `SOURCE ANY\nGPG_HOME_DIR ${home("srv")}\nGPG_DECRYPT_ID ${SRV.slice(-16)}\nGPG_ALLOW_NO_PW Y\nGPG_REQUIRE_SIG Y\n${extra}`;
    const { accepted, log } = await replayIntoFwknopd(
      [w1, w2],
      [
        stanza(`GPG_FINGERPRINT_ID ${CLI}\nHMAC_KEY_BASE64 ${HMAC_B64}\n`),
        stanza(`GPG_REMOTE_ID ${CLI.slice(-8)}\n`),
      ].join("\n"),
    );
    expect(accepted, log.slice(-3000)).toEqual([[1], [2]]);
  }, 60_000);

  it("our server (processSpaPacketAsync) grants the real client's GnuPG packet; wrong signer ID is refused", async () => {
    const pkt = join(dir, "pkt2");
    await run(
      "fwknop",
      [
        "--no-rc-file",
        "--no-save-args",
        "-D",
        "127.0.0.1",
        "-T",
        "-A",
        "tcp/22",
        "-a",
        "127.0.0.2",
        "-U",
        "alice",
        "-g",
      ]
        .concat(["--gpg-home-dir", home("cli"), "--gpg-recipient", SRV.slice(-16), "--gpg-signer-key", CLI.slice(-16)])
        .concat(["--gpg-no-signing-pw", "--key-base64-hmac", HMAC_B64, "--use-hmac", "-B", pkt]),
      { env: { HOME: dir } },
    );
    const wire = readFileSync(pkt, "utf8").trim();
    const conf = (id: string) =>
      `SOURCE ANY\nGPG_HOME_DIR ${home("srv")}\nGPG_DECRYPT_ID ${SRV.slice(-16)}\nGPG_ALLOW_NO_PW Y\nGPG_REMOTE_ID ${id}\nHMAC_KEY_BASE64 ${HMAC_B64}\n`;
    const decide = (id: string) =>
      processSpaPacketAsync(
        { payload: wire, srcIp: "10.0.0.2", srcPort: 1, dstIp: "10.0.0.1", dstPort: 62201, proto: 17 },
        {
          config: loadFwknopdConf("ENABLE_SPA_PACKET_AGING N\n"),
          stanzas: loadAccessConf(conf(id)),
          replay: new MemoryReplayCache(),
          now: () => Math.floor(Date.now() / 1000),
          gpgKeys: async () => ({ decryptKey: armored.srvSec as string, verificationKeys: [armored.cliPub as string] }),
        },
      );
    const ok = await decide(CLI.slice(-8));
    expect(ok.outcome).toBe("granted");
    expect(ok.grant).toMatchObject({ allowIp: "127.0.0.2", ports: [{ proto: "tcp", port: 22 }] });
    expect((await decide("DEADBEEF")).code).toBe("SPA_BAD_SIGNATURE");
  });

  it("live: the real client sends a GnuPG packet over UDP to our server, keys read from GPG_HOME_DIR", async () => {
    const results: ProcessResult[] = [];
    const srv = await startSpaServer({
      config: loadFwknopdConf("ENABLE_SPA_PACKET_AGING Y\n"),
      stanzas: loadAccessConf(
        `SOURCE 127.0.0.0/8\nGPG_HOME_DIR ${home("srv")}\nGPG_DECRYPT_ID ${SRV.slice(-16)}\nGPG_ALLOW_NO_PW Y\nGPG_FINGERPRINT_ID ${CLI}\nHMAC_KEY_BASE64 ${HMAC_B64}\n`,
      ),
      replay: new MemoryReplayCache(),
      now: () => Math.floor(Date.now() / 1000),
      udpPort: 0,
      host: "127.0.0.1",
      gpgKeys: gpgHomeKeyLoader({ gpgHomeDir: "/nonexistent", gpgExe: "gpg" }),
      onResult: (r) => results.push(r),
    });
    try {
      const r = await run(
        "fwknop",
        [
          "--no-rc-file",
          "--no-save-args",
          "-D",
          "127.0.0.1",
          "-p",
          String(srv.udpPort),
          "-A",
          "tcp/22",
          "-a",
          "127.0.0.2",
          "-g",
        ]
          .concat([
            "--gpg-home-dir",
            home("cli"),
            "--gpg-recipient",
            SRV.slice(-16),
            "--gpg-signer-key",
            CLI.slice(-16),
          ])
          .concat(["--gpg-no-signing-pw", "--key-base64-hmac", HMAC_B64, "--use-hmac"]),
        { env: { HOME: dir } },
      );
      expect(r.code, r.stderr).toBe(0);
      const t0 = Date.now();
      while (results.length < 1 && Date.now() - t0 < 20_000) await new Promise((res) => setTimeout(res, 50));
      expect(results[0]?.outcome, JSON.stringify(results[0]?.log)).toBe("granted");
      expect(results[0]?.grant).toMatchObject({ allowIp: "127.0.0.2", ports: [{ proto: "tcp", port: 22 }] });
    } finally {
      await srv.close();
    }
  }, 60_000);
});
