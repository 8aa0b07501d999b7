/** IPv6 (beyond fwknop 2.6.10, which is IPv4-only): SPA over UDP/IPv6 with `-s`, rules through ip6tables in a netns. */
import { randomBytes } from "node:crypto";
import { createNetns, missingFor, skipWithReason } from "@fwkit/test-utils";
import { describe, expect, it } from "vitest";
import {
  type AccessGrant,
  buildClientPacket,
  type Executor,
  IptablesFirewall,
  loadAccessConf,
  loadFwknopdConf,
  MemoryReplayCache,
  sendSpa,
  startSpaServer,
} from "../src/index.ts";
import { ENC_B64, HMAC_B64 } from "./vectors.ts";

const skip = skipWithReason("IPv6 / ip6tables", missingFor(["ip6tables"]));

describe.skipIf(skip)("SPA over IPv6 with ip6tables rules", () => {
  it("our client → our server on ::1 (-s) → ip6tables FWKNOP_INPUT rule with _exp_, removed after expiry", async () => {
    const ns = await createNetns("spa6");
    const exec: Executor = async (file, args) => {
      const r = await ns.exec(file, args);
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.code };
    };
    const config = loadFwknopdConf("FIREWALL_EXE /usr/sbin/iptables\n");
    const firewall = new IptablesFirewall(config, exec, { ipv6: true });
    const grants: AccessGrant[] = [];
    let clock = Math.floor(Date.now() / 1000);
    const srv = await startSpaServer({
      config,
      stanzas: loadAccessConf(
        `SOURCE ::1/128\nKEY_BASE64 ${ENC_B64}\nHMAC_KEY_BASE64 ${HMAC_B64}\nFW_ACCESS_TIMEOUT 2\n`,
      ),
      replay: new MemoryReplayCache(),
      now: () => clock,
      udpPort: 0,
      host: "::1",
      firewall,
      expireEveryMs: 100,
      onGrant: (g) => grants.push(g),
    });
    try {
      await firewall.init();
      const p = buildClientPacket(
        { access: "tcp/22", sourceIp: true, destination: "::1", keyBase64Rijndael: ENC_B64, keyBase64Hmac: HMAC_B64 },
        { random: (n) => new Uint8Array(randomBytes(n)), now: () => clock },
      );
      await sendSpa(p.encoded.wire, { host: "::1", port: srv.udpPort, proto: "udp" });
      const t0 = Date.now();
      while (grants.length < 1 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
      expect(grants[0]?.allowIp).toBe("::1");
      const rules = await ns.execOk("ip6tables", ["-S", "FWKNOP_INPUT"]);
      expect(rules).toMatch(
        /-A FWKNOP_INPUT -s ::1\/128 -p tcp -m tcp --dport 22 -m comment --comment _exp_\d+ -j ACCEPT/,
      );
      clock += 3;
      await new Promise((r) => setTimeout(r, 500));
      expect(await ns.execOk("ip6tables", ["-S", "FWKNOP_INPUT"])).not.toContain("_exp_");
    } finally {
      await srv.close();
      await ns.destroy();
    }
  });
});
