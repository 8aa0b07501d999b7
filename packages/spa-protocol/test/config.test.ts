import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { corpusPath } from "@fwkit/test-utils";
import { describe, expect, it } from "vitest";
import {
  addressListMatches,
  type ClientOptions,
  parseAccessConf,
  parseFwknopdConf,
  parseFwknoprc,
  parseTimeOffset,
  resolveRcOptions,
  saveRcStanza,
} from "../src/index.ts";

const dir = corpusPath("fwknop-test-conf");
const files = dir ? readdirSync(dir) : [];
const read = (f: string) => readFileSync(join(dir as string, f), "utf8");
const io = {
  readFile: (p: string) => readFileSync(p, "utf8"),
  listDir: (p: string) => readdirSync(p),
};
const access = (f: string) =>
  parseAccessConf(read(f), {
    file: join(dir as string, f),
    io,
    resolvePath: (p) => join(dir as string, basename(p)),
  });

describe.skipIf(!dir)("access.conf reader on the fwknop test corpus", () => {
  const accessFiles = files.filter((f) => f.endsWith("access.conf") || f === "multi_stanzas_with_broken_keys.conf");
  it("reads every access.conf of the corpus without throwing", () => {
    expect(accessFiles.length).toBeGreaterThan(100);
    let stanzas = 0;
    for (const f of accessFiles) stanzas += access(f).stanzas.length;
    expect(stanzas).toBeGreaterThanOrEqual(150); // require_force_nat_access.conf is refused, as by fwknopd
  });
  it("hmac_access.conf: base64 keys and timeout", () => {
    const { stanzas, diagnostics } = access("hmac_access.conf");
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(stanzas).toHaveLength(1);
    expect(stanzas[0]!.key!.length).toBe(32);
    expect(stanzas[0]!.hmacKey!.length).toBe(64);
    expect(stanzas[0]!.fwAccessTimeout).toBe(3);
    expect(stanzas[0]!.hmacDigestType).toBe("sha256");
  });
  it("require_src_access.conf: SOURCE list, OPEN_PORTS, REQUIRE_SOURCE_ADDRESS", () => {
    const s = access("require_src_access.conf").stanzas[0]!;
    expect(s.requireSourceAddress).toBe(true);
    expect(s.openPorts).toEqual([
      { proto: "udp", port: 6001 },
      { proto: "tcp", port: 22 },
      { proto: "tcp", port: 80 },
    ]);
    expect(addressListMatches(s.source, "127.0.0.9")).toBe(true);
    expect(addressListMatches(s.source, "23.43.200.1")).toBe(true);
    expect(addressListMatches(s.source, "10.10.10.11")).toBe(false);
  });
  it("equal keys, invalid HMAC type, invalid SOURCE, invalid ACCESS_EXPIRE are errors", () => {
    const eq = access("hmac_equal_keys_access.conf");
    expect(eq.stanzas.map((s) => s.index)).toEqual([1, 3]);
    expect(eq.diagnostics.some((d) => d.severity === "error" && /differ/.test(d.message))).toBe(true);
    for (const f of ["hmac_invalid_type_access.conf", "invalid_expire_access.conf"]) {
      expect(
        access(f).diagnostics.some((d) => d.severity === "error"),
        f,
      ).toBe(true);
    }
    expect(access("invalid_source_access.conf").stanzas.map((s) => s.index)).toEqual([2]);
  });
  it("expired stanza, FORCE_NAT, CMD exec user, legacy mode", () => {
    expect(access("expired_stanza_access.conf").stanzas[0]!.accessExpire).toBeLessThan(1e9);
    expect(access("force_nat_access.conf").stanzas[0]!.forceNat).toEqual({ ip: "192.168.1.123", port: 22 });
    const c = access("cmd_setuid_access.conf").stanzas[0]!;
    expect([c.enableCmdExec, c.cmdExecUser]).toEqual([true, "nobody"]);
    expect(access("legacy_iv_long_key_access.conf").stanzas[0]!.encryptionMode).toBe("legacy");
  });
  it("FORCE_SNAT / FORCE_MASQUERADE without FORCE_NAT or FORWARD_ALL is an error (fwknopd: Data error)", () => {
    const r = access("require_force_nat_access.conf");
    expect(r.stanzas).toEqual([]);
    expect(r.diagnostics.some((d) => d.severity === "error" && /requires either FORCE_NAT/.test(d.message))).toBe(true);
    for (const f of [
      "hmac_force_masq_access.conf",
      "hmac_forward_all_access.conf",
      "open_ports_force_masq_access.conf",
    ]) {
      expect(access(f).stanzas, f).toHaveLength(1);
    }
  });
  it("%include, %include_keys and include loops", () => {
    const inc = access("include1_hmac_access.conf");
    expect(inc.stanzas.length).toBeGreaterThanOrEqual(3);
    const keys = access("include_keys1_hmac_access.conf");
    const hm = access("hmac_access.conf").stanzas[0]!;
    expect(keys.stanzas[0]!.key!.equals(hm.key!)).toBe(true);
    const loop = access("include_r1_hmac_access.conf");
    expect(loop.diagnostics.some((d) => /loop/.test(d.message))).toBe(true);
  });
});

describe.skipIf(!dir)("fwknopd.conf reader on the corpus", () => {
  const confs = files.filter((f) => f.endsWith("fwknopd.conf"));
  it("reads all of them; invalid chain specs are errors", () => {
    expect(confs.length).toBeGreaterThan(40);
    for (const f of confs) {
      const r = parseFwknopdConf(read(f), [], f);
      if (f.startsWith("invalid_ipt_input_chain")) {
        expect(r.config, f).toBeUndefined();
      }
    }
  });
  it("defaults, UDP server, $VAR expansion", () => {
    const d = parseFwknopdConf("").config!;
    expect([d.udpservPort, d.maxSpaPacketAge, d.enableSpaPacketAging, d.iptInputAccess.toChain]).toEqual([
      62201,
      120,
      true,
      "FWKNOP_INPUT",
    ]);
    expect(parseFwknopdConf(read("udp_server_fwknopd.conf")).config!.enableUdpServer).toBe(true);
    expect(parseFwknopdConf(read("var_expansion_fwknopd.conf")).config!.pidFile).toBe("/var/run/test.pid");
    expect(parseFwknopdConf(read("var_expansion_invalid_fwknopd.conf")).config).toBeUndefined();
  });
});

describe.skipIf(!dir)("~/.fwknoprc reader on the corpus", () => {
  it("reads every fwknoprc_* file", () => {
    const rcs = files.filter((f) => f.startsWith("fwknoprc"));
    expect(rcs.length).toBeGreaterThan(40);
    for (const f of rcs) expect(parseFwknoprc(read(f)).stanzas.length, f).toBeGreaterThan(0);
  });
  it("maps [default] keys to client options", () => {
    const r = resolveRcOptions(read("fwknoprc_hmac_defaults"));
    expect(r.ok).toBe(true);
    const o = (r as { value: ClientOptions }).value;
    expect(o).toMatchObject({
      access: "tcp/22",
      destination: "127.0.0.1",
      allowIp: "127.0.0.2",
      useHmac: true,
      hmacDigestType: "sha256",
      serverPort: 62201,
      spoofUser: "mbrtest",
      timeOffset: "-1s",
      encryptionMode: "CBC",
    });
  });
  it("named stanzas override [default]; errors are typed", () => {
    const r = resolveRcOptions(read("fwknoprc_stanza_list"), "stanza_1");
    expect(r.ok && r.value.keyRijndael).toBe("testkey_1");
    const missing = resolveRcOptions(read("fwknoprc_stanza_list"), "nope");
    expect(!missing.ok && missing.error.code).toBe("SPA_CONFIG_INVALID");
    const inv = resolveRcOptions(read("fwknoprc_hmac_invalid_type"));
    expect(!inv.ok && inv.error.code).toBe("SPA_CONFIG_INVALID");
    expect(parseTimeOffset("-1D")).toBe(-86400);
    expect(parseTimeOffset("5min")).toBe(300);
  });
  it("--save-rc-stanza round-trips through the reader", () => {
    const o: ClientOptions = {
      destination: "10.0.0.1",
      access: "tcp/22",
      allowIp: "10.0.0.2",
      keyRijndael: "k1",
      useHmac: false,
    };
    const text = saveRcStanza(read("fwknoprc_stanza_list"), "stanza_1", o);
    const r = resolveRcOptions(text, "stanza_1");
    expect(r.ok && r.value).toMatchObject(o);
    expect(resolveRcOptions(text, "stanza_2").ok).toBe(true);
    expect(parseFwknoprc(text).stanzas.filter((s) => s.name === "stanza_1")).toHaveLength(1);
  });
});
