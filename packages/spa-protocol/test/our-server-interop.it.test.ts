/**
 * Interop, the REAL fwknop client → OUR server: fwknop sends over UDP to our server on loopback; our server
 * opens the port through IptablesFirewall running real iptables inside a throwaway netns; a TCP connect that failed
 * before succeeds, the replayed packet is refused, a wrong-HMAC packet is refused before decryption, and the rule
 * is removed after FW_ACCESS_TIMEOUT.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNetns, missingFor, type Netns, run, skipWithReason } from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Executor,
  IptablesFirewall,
  loadAccessConf,
  loadFwknopdConf,
  MemoryReplayCache,
  type ProcessResult,
  type SpaServerHandle,
  sendSpa,
  startSpaServer,
} from "../src/index.ts";
import { ENC_B64, HMAC_B64 } from "./vectors.ts";

const skip = skipWithReason(
  "real fwknop client → our server + iptables",
  missingFor(["fwknop", "iptables", "python3"]),
);

const CONNECT = `import socket,sys
s=socket.socket(); s.settimeout(1.0); s.bind(("127.0.0.2",0))
try:
    s.connect(("127.0.0.1",2222)); print("OPEN")
except Exception as e:
    print("CLOSED")
`;
const LISTEN = `import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1",2222)); s.listen(16)
s.settimeout(30)
while True:
    try:
        c,_=s.accept(); c.close()
    except Exception:
        break
`;

describe.skipIf(skip)("fwkit server accepts the real client's packets and opens the port", () => {
  let ns: Netns;
  let srv: SpaServerHandle;
  let firewall: IptablesFirewall;
  const results: ProcessResult[] = [];
  const home = mkdtempSync(join(tmpdir(), "fwkit-fwknop-"));
  const fwknop = (args: string[]) =>
    run(
      "fwknop",
      [
        "--no-rc-file",
        "--no-save-args",
        "-A",
        "tcp/2222",
        "-a",
        "127.0.0.2",
        "-D",
        "127.0.0.1",
        "-p",
        String(srv.udpPort),
        "--key-base64-rijndael",
        ENC_B64,
        "--use-hmac",
        ...args,
      ],
      { env: { HOME: home } },
    );
  const connect = async () => (await ns.exec("python3", ["-c", CONNECT])).stdout.trim();

  beforeAll(async () => {
    ns = await createNetns("spasrv");
    const exec: Executor = async (file, args) => {
      const r = await ns.exec(file, args);
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.code };
    };
    await ns.execOk("iptables", ["-A", "INPUT", "-p", "tcp", "--dport", "2222", "-j", "DROP"]);
    void ns.exec("python3", ["-c", LISTEN], { timeoutMs: 60_000 });
    const config = loadFwknopdConf("FLUSH_IPT_AT_INIT Y\n");
    firewall = new IptablesFirewall(config, exec);
    await firewall.init();
    srv = await startSpaServer({
      config,
      stanzas: loadAccessConf(
        `SOURCE 127.0.0.0/8\nOPEN_PORTS tcp/2222\nKEY_BASE64 ${ENC_B64}\nHMAC_KEY_BASE64 ${HMAC_B64}\nREQUIRE_SOURCE_ADDRESS Y\nFW_ACCESS_TIMEOUT 3\n`,
      ),
      replay: new MemoryReplayCache(),
      now: () => Math.floor(Date.now() / 1000),
      udpPort: 0,
      host: "127.0.0.1",
      firewall,
      expireEveryMs: 250,
      onResult: (r) => results.push(r),
    });
    await new Promise((r) => setTimeout(r, 300));
  });
  afterAll(async () => {
    await srv?.close();
    await ns?.destroy();
    rmSync(home, { recursive: true, force: true });
  });

  it("closed → SPA from fwknop → open (FWKNOP_INPUT rule with _exp_) → replay refused → wrong HMAC refused → closed after expiry", async () => {
    expect(await connect()).toBe("CLOSED");
    const pkt = join(home, "pkt");
    const r = await fwknop(["--key-base64-hmac", HMAC_B64, "-B", pkt]);
    expect(r.code, r.stderr).toBe(0);
    const t0 = Date.now();
    while (results.length < 1 && Date.now() - t0 < 5000) await new Promise((res) => setTimeout(res, 20));
    expect(results[0]?.outcome).toBe("granted");
    await new Promise((res) => setTimeout(res, 300));
    const rules = await ns.execOk("iptables", ["-S", "FWKNOP_INPUT"]);
    expect(rules).toMatch(
      /-A FWKNOP_INPUT -s 127\.0\.0\.2\/32 -p tcp -m tcp --dport 2222 -m comment --comment _exp_\d+ -j ACCEPT/,
    );
    expect(await ns.execOk("iptables", ["-S", "INPUT"])).toMatch(/-A INPUT -j FWKNOP_INPUT\n-A INPUT -p tcp/);
    expect(await connect()).toBe("OPEN");

    await sendSpa(readFileSync(pkt, "utf8").trim(), { host: "127.0.0.1", port: srv.udpPort, proto: "udp" });
    const wrong = await fwknop(["--key-hmac", "some-other-hmac-key"]);
    expect(wrong.code, wrong.stderr).toBe(0);
    while (results.length < 3 && Date.now() - t0 < 10_000) await new Promise((res) => setTimeout(res, 20));
    expect(results[1]).toMatchObject({ outcome: "rejected", code: "SPA_REPLAY" });
    expect(results[2]).toMatchObject({ outcome: "rejected", code: "SPA_BAD_MAC" });

    await new Promise((res) => setTimeout(res, 4500));
    expect(await ns.execOk("iptables", ["-S", "FWKNOP_INPUT"])).not.toContain("_exp_");
    expect(await connect()).toBe("CLOSED");

    // --fw-list / --fw-flush
    expect(await firewall.list()).toContain("Chain FWKNOP_INPUT");
    await firewall.flush();
    expect((await ns.exec("iptables", ["-S", "FWKNOP_INPUT"])).code).not.toBe(0);
    expect(await ns.execOk("iptables", ["-S", "INPUT"])).not.toContain("FWKNOP_INPUT");
  });
});
