import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type AccessGrant,
  buildClientPacket,
  type ClientOptions,
  type Executor,
  expiredRuleNumbers,
  type FwknopdConfig,
  formatDigestCacheLine,
  type IncomingPacket,
  IptablesFirewall,
  loadAccessConf,
  loadFwknopdConf,
  MemoryReplayCache,
  managedChains,
  openDigestCacheFile,
  parseDigestCache,
  planGrantRules,
  processSpaPacket,
  replayDigest,
  type ServerContext,
  unwrapHttp,
} from "../src/index.ts";
import { ENC_B64, HMAC_B64, PASS, REPLAY_ACCESS_CONF, vectors } from "./vectors.ts";

const V_TS = 1795312430;
const replayConf = loadFwknopdConf("ENABLE_IPT_FORWARDING Y\nENABLE_IPT_LOCAL_NAT Y\nENABLE_SPA_PACKET_AGING N\n");
const pkt = (payload: string, srcIp = "10.99.0.2"): IncomingPacket => ({
  payload,
  srcIp,
  srcPort: 40000,
  dstIp: "10.99.0.1",
  dstPort: 62201,
  proto: 17,
});
const ctx = (over: Partial<ServerContext> = {}, conf = replayConf, access = REPLAY_ACCESS_CONF): ServerContext => ({
  config: conf,
  stanzas: loadAccessConf(access),
  replay: new MemoryReplayCache(),
  now: () => V_TS,
  ...over,
});

describe("processSpaPacket: spec §4.4 check order", () => {
  it.each(Object.keys(vectors).filter((k) => k.startsWith("V")))(
    "%s is accepted by the same stanza as fwknopd",
    (id) => {
      const r = processSpaPacket(pkt(vectors[id]!.wire), ctx({ testMode: true }));
      expect(r.outcome).toBe("test");
      expect(r.grant?.stanza.index).toBe(vectors[id]!.stanza);
      expect(
        r.log.some(
          (l) => l.message === `(stanza #${vectors[id]!.stanza}) --test mode enabled, skipping firewall manipulation.`,
        ),
      ).toBe(true);
    },
  );

  it("size window, prefix trick, charset", () => {
    const c = ctx();
    expect(processSpaPacket(pkt("A".repeat(139)), c)).toMatchObject({ outcome: "ignored", code: "SPA_BAD_LENGTH" });
    expect(processSpaPacket(pkt("A".repeat(1501)), c)).toMatchObject({ outcome: "ignored" });
    expect(processSpaPacket(pkt(`U2FsdGVkX1${vectors.V01!.wire}`), c)).toMatchObject({ code: "SPA_PREFIX_REJECTED" });
    expect(processSpaPacket(pkt(`${vectors.V01!.wire}\n`), c)).toMatchObject({ code: "SPA_NOT_SPA_DATA" });
  });

  it("replay: the second copy is refused; digest stored before policy checks; not stored in --test", () => {
    const c = ctx();
    expect(processSpaPacket(pkt(vectors.V02!.wire), c).outcome).toBe("granted");
    expect(c.replay.has(replayDigest(vectors.V02!.wire))).toBe(true);
    expect(processSpaPacket(pkt(vectors.V02!.wire), c)).toMatchObject({ outcome: "rejected", code: "SPA_REPLAY" });
    const aging = ctx({}, loadFwknopdConf(""));
    const old = processSpaPacket(pkt(vectors.V01!.wire), { ...aging, now: () => V_TS + 300 });
    expect(old).toMatchObject({ outcome: "rejected", code: "SPA_PACKET_AGE" });
    expect(old.log.some((l) => l.message.includes("SPA data time difference is too great (300 seconds)."))).toBe(true);
    expect(aging.replay.size).toBe(1);
    const t = ctx({ testMode: true });
    processSpaPacket(pkt(vectors.V01!.wire), t);
    expect(t.replay.size).toBe(0);
  });

  const live: ClientOptions = {
    access: "tcp/22",
    allowIp: "10.99.0.2",
    destination: "10.99.0.1",
    keyBase64Rijndael: ENC_B64,
    keyBase64Hmac: HMAC_B64,
    spoofUser: "alice",
  };
  const policy = `SOURCE 10.99.0.0/24\nKEY_BASE64 ${ENC_B64}\nHMAC_KEY_BASE64 ${HMAC_B64}\nREQUIRE_USERNAME alice\nREQUIRE_SOURCE_ADDRESS Y\nOPEN_PORTS tcp/22,udp/53,tcp/443\nFW_ACCESS_TIMEOUT 5\nMAX_FW_TIMEOUT 100\n`;
  const build = (o: Partial<ClientOptions>, now = 1700000000) =>
    buildClientPacket({ ...live, ...o }, { random: (n) => new Uint8Array(n).fill(7), now: () => now }).encoded.wire;
  const pctx = () => ctx({ now: () => 1700000000 }, loadFwknopdConf(""), policy);

  it("live policy negatives of spec §5.5 give fwknopd's verdicts", () => {
    expect(processSpaPacket(pkt(build({ timeOffsetMinus: "5min" })), pctx())).toMatchObject({ code: "SPA_PACKET_AGE" });
    const bob = processSpaPacket(pkt(build({ spoofUser: "bob" })), pctx());
    expect(bob.code).toBe("SPA_USERNAME_MISMATCH");
    expect(bob.log.at(-1)?.message).toBe(
      "(stanza #1) Username in SPA data (bob) does not match required username: alice",
    );
    expect(processSpaPacket(pkt(build({ access: "tcp/8080" })), pctx())).toMatchObject({ code: "SPA_ACCESS_DENIED" });
    expect(processSpaPacket(pkt(build({ allowIp: undefined, sourceIp: true })), pctx())).toMatchObject({
      code: "SPA_SOURCE_REQUIRED",
    });
    const w = build({});
    const flipped = w.slice(0, -1) + (w.endsWith("A") ? "B" : "A");
    const f = processSpaPacket(pkt(flipped), pctx());
    expect(f.code).toBe("SPA_BAD_MAC");
    expect(f.log.at(-1)?.message).toContain("FKO_ERROR_INVALID_DATA_HMAC_COMPAREFAIL");
    expect(processSpaPacket(pkt(w, "192.168.1.1"), pctx())).toMatchObject({ code: "SPA_NO_SOURCE_MATCH" });
  });

  it("grants: timeout default / clamp to MAX_FW_TIMEOUT, 0.0.0.0 → packet source, NAT needs forwarding", () => {
    const g = processSpaPacket(pkt(build({ access: "tcp/22,udp/53" })), pctx()).grant!;
    expect([g.timeout, g.expiresAt, g.allowIp, g.ports.length]).toEqual([5, 1700000005, "10.99.0.2", 2]);
    expect(processSpaPacket(pkt(build({ fwTimeout: 1000 })), pctx()).grant!.timeout).toBe(100);
    const open = `SOURCE ANY\nKEY_BASE64 ${ENC_B64}\nHMAC_KEY_BASE64 ${HMAC_B64}\n`;
    const octx = () => ctx({ now: () => 1700000000 }, loadFwknopdConf(""), open);
    expect(
      processSpaPacket(pkt(build({ allowIp: undefined, sourceIp: true }), "10.99.0.7"), octx()).grant!.allowIp,
    ).toBe("10.99.0.7");
    expect(processSpaPacket(pkt(build({ natAccess: "192.168.10.2:22" })), octx())).toMatchObject({
      code: "SPA_NAT_DISABLED",
    });
    expect(processSpaPacket(pkt(build({ access: undefined, serverCmd: "/bin/true" })), octx())).toMatchObject({
      code: "SPA_CMD_DISABLED",
    });
    const exp = ctx({ now: () => 1700000000 }, loadFwknopdConf(""), `${open}ACCESS_EXPIRE_EPOCH 1600000000\n`);
    expect(processSpaPacket(pkt(build({})), exp)).toMatchObject({ code: "SPA_STANZA_EXPIRED" });
  });

  it("SPA over IPv6: SOURCE with an IPv6 CIDR, -s packet → grant for the IPv6 source", () => {
    const open = `SOURCE 2001:db8::/32\nKEY_BASE64 ${ENC_B64}\nHMAC_KEY_BASE64 ${HMAC_B64}\n`;
    const c = ctx({ now: () => 1700000000 }, loadFwknopdConf(""), open);
    const r = processSpaPacket(
      { ...pkt(build({ allowIp: undefined, sourceIp: true })), srcIp: "2001:db8::7", dstIp: "::" },
      c,
    );
    expect(r.outcome).toBe("granted");
    expect(r.grant?.allowIp).toBe("2001:db8::7");
    expect(processSpaPacket({ ...pkt(build({})), srcIp: "2001:db9::7" }, c).code).toBe("SPA_NO_SOURCE_MATCH");
  });

  it("SPA over HTTP unwrapping (-P http)", () => {
    const w = vectors.V02!.wire;
    const req = `GET /${w.replaceAll("+", "-").replaceAll("/", "_")} HTTP/1.1\r\nUser-Agent: Fwknop/2.6.10\r\nAccept: */*\r\n\r\n`;
    expect(unwrapHttp(req)).toBe(w);
    expect(unwrapHttp(req.replace("Fwknop/2.6.10", "curl/8"))).toBeUndefined();
    const c = ctx({}, loadFwknopdConf("ENABLE_SPA_OVER_HTTP Y\nENABLE_SPA_PACKET_AGING N\n"));
    expect(processSpaPacket(pkt(req), c).outcome).toBe("granted");
  });
});

describe("digest.cache (fwknopd format) and restart persistence", () => {
  const dir = mkdtempSync(join(tmpdir(), "fwkit-dc-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it("replay id is SHA256 of the wire, base64 without =", () => {
    expect(replayDigest("abc")).toBe("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0");
  });
  it("format/parse round trip; junk lines skipped", () => {
    const e = {
      digest: "hodIrMv0iisfvSDVtp6n2XvgPgbosu+GDo9gTD7Vync",
      proto: 17,
      srcIp: "10.99.0.2",
      srcPort: 45061,
      dstIp: "10.99.0.1",
      dstPort: 62201,
      time: 1795312505,
    };
    const line = formatDigestCacheLine(e);
    expect(line).toBe("hodIrMv0iisfvSDVtp6n2XvgPgbosu+GDo9gTD7Vync 17 10.99.0.2 45061 10.99.0.1 62201 1795312505");
    expect(parseDigestCache(`# header\n${line}\ngarbage line\n${"x".repeat(5000)}\n`)).toEqual({
      entries: [e],
      skipped: 2,
    });
  });
  it("a packet accepted before a restart is still refused after it", () => {
    const path = join(dir, "digest.cache");
    const first = openDigestCacheFile(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(processSpaPacket(pkt(vectors.V02!.wire), ctx({ replay: first.cache })).outcome).toBe("granted");
    expect(readFileSync(path, "utf8").split("\n")[0]).toBe(
      "# <digest> <proto> <src_ip> <src_port> <dst_ip> <dst_port> <time>",
    );
    const second = openDigestCacheFile(path);
    expect(second.loaded).toBe(1);
    expect(processSpaPacket(pkt(vectors.V02!.wire), ctx({ replay: second.cache })).code).toBe("SPA_REPLAY");
  });
});

describe("firewall rules exactly as fwknopd makes them (spec §4.5)", () => {
  const conf: FwknopdConfig = loadFwknopdConf("ENABLE_IPT_FORWARDING Y\nENABLE_IPT_LOCAL_NAT Y\n");
  const base = {
    stanza: loadAccessConf("SOURCE ANY\nKEY k\n")[0]!,
    username: "alice",
    srcIp: "10.99.0.2",
    dstIp: "0.0.0.0",
  };
  const g = (o: Partial<AccessGrant>): AccessGrant => ({
    kind: "access",
    allowIp: "10.99.0.2",
    ports: [{ proto: "tcp", port: 22 }],
    timeout: 20,
    expiresAt: 1795312525,
    messageType: 1,
    ...base,
    ...o,
  });
  const render = (rs: ReturnType<typeof planGrantRules>) =>
    rs.map((r) => `-t ${r.table} -A ${r.chain} ${r.spec.join(" ")}`);
  it("access rule", () => {
    expect(
      render(
        planGrantRules(
          g({
            ports: [
              { proto: "tcp", port: 22 },
              { proto: "udp", port: 53 },
            ],
          }),
          conf,
        ),
      ),
    ).toEqual([
      "-t filter -A FWKNOP_INPUT -p 6 -s 10.99.0.2 -d 0.0.0.0/0 --dport 22 -m comment --comment _exp_1795312525 -j ACCEPT",
      "-t filter -A FWKNOP_INPUT -p 17 -s 10.99.0.2 -d 0.0.0.0/0 --dport 53 -m comment --comment _exp_1795312525 -j ACCEPT",
    ]);
  });
  it("NAT access and local NAT", () => {
    expect(render(planGrantRules(g({ messageType: 2, nat: { host: "192.168.10.2", port: 22 } }), conf))).toEqual([
      "-t filter -A FWKNOP_FORWARD -p 6 -s 10.99.0.2 --dport 22 -m comment --comment _exp_1795312525 -j ACCEPT",
      "-t nat -A FWKNOP_PREROUTING -p 6 -s 10.99.0.2 -d 0.0.0.0/0 --dport 22 -m comment --comment _exp_1795312525 -j DNAT --to-destination 192.168.10.2:22",
    ]);
    expect(
      render(
        planGrantRules(
          g({ messageType: 5, ports: [{ proto: "tcp", port: 55000 }], nat: { host: "10.99.0.1", port: 22 } }),
          conf,
        ),
      ),
    ).toEqual([
      "-t filter -A FWKNOP_INPUT -p 6 -s 10.99.0.2 -d 0.0.0.0/0 --dport 22 -m comment --comment _exp_1795312525 -j ACCEPT",
      "-t nat -A FWKNOP_PREROUTING -p 6 -s 10.99.0.2 -d 0.0.0.0/0 --dport 55000 -m comment --comment _exp_1795312525 -j DNAT --to-destination 10.99.0.1:22",
    ]);
  });
  it("NAT uses only the first proto/port; local NAT (type 6 too) opens the NAT port in FWKNOP_INPUT", () => {
    const two = [
      { proto: "udp" as const, port: 53 },
      { proto: "tcp" as const, port: 22 },
    ];
    expect(
      render(planGrantRules(g({ messageType: 4, ports: two, nat: { host: "192.168.10.2", port: 2222 } }), conf)),
    ).toEqual([
      "-t filter -A FWKNOP_FORWARD -p 17 -s 10.99.0.2 --dport 2222 -m comment --comment _exp_1795312525 -j ACCEPT",
      "-t nat -A FWKNOP_PREROUTING -p 17 -s 10.99.0.2 -d 0.0.0.0/0 --dport 53 -m comment --comment _exp_1795312525 -j DNAT --to-destination 192.168.10.2:2222",
    ]);
    expect(
      render(planGrantRules(g({ messageType: 6, ports: two, nat: { host: "10.99.0.1", port: 22 } }), conf))[0],
    ).toBe(
      "-t filter -A FWKNOP_INPUT -p 17 -s 10.99.0.2 -d 0.0.0.0/0 --dport 22 -m comment --comment _exp_1795312525 -j ACCEPT",
    );
  });
  it("FORCE_NAT, FORWARD_ALL, FORCE_SNAT, FORCE_MASQUERADE, DISABLE_DNAT, SNAT_TRANSLATE_IP (fwknopd 2.6.10 shapes)", () => {
    const snatConf = loadFwknopdConf("ENABLE_IPT_FORWARDING Y\nENABLE_IPT_SNAT Y\nSNAT_TRANSLATE_IP 10.1.2.3\n");
    const masqConf = loadFwknopdConf("ENABLE_IPT_FORWARDING Y\nENABLE_IPT_SNAT Y\n");
    const st = (extra: string) => loadAccessConf(`SOURCE ANY\nKEY k\n${extra}`)[0]!;
    const x = "-m comment --comment _exp_1795312525";
    // FORCE_NAT on a plain access message, SNAT chains off: FORWARD + DNAT only
    expect(render(planGrantRules(g({ stanza: st("FORCE_NAT 192.168.1.123 22\n") }), conf))).toEqual([
      `-t filter -A FWKNOP_FORWARD -p 6 -s 10.99.0.2 --dport 22 ${x} -j ACCEPT`,
      `-t nat -A FWKNOP_PREROUTING -p 6 -s 10.99.0.2 -d 0.0.0.0/0 --dport 22 ${x} -j DNAT --to-destination 192.168.1.123:22`,
    ]);
    // ENABLE_IPT_SNAT with SNAT_TRANSLATE_IP: SNAT without a port; without it: MASQUERADE to the first port
    const nat = { messageType: 2, nat: { host: "192.168.10.2", port: 2222 } };
    expect(render(planGrantRules(g(nat), snatConf))[2]).toBe(
      `-t nat -A FWKNOP_POSTROUTING -p 6 -d 192.168.10.2 --dport 2222 ${x} -j SNAT --to-source 10.1.2.3`,
    );
    expect(render(planGrantRules(g(nat), masqConf))[2]).toBe(
      `-t nat -A FWKNOP_MASQUERADE -p 6 -d 192.168.10.2 --dport 2222 ${x} -j MASQUERADE --to-ports 22`,
    );
    // FORCE_SNAT beats SNAT_TRANSLATE_IP; FORCE_MASQUERADE beats it too
    expect(
      render(planGrantRules(g({ stanza: st("FORCE_NAT 123.4.4.4 22\nFORCE_SNAT 33.3.3.3\n") }), snatConf))[2],
    ).toBe(`-t nat -A FWKNOP_POSTROUTING -p 6 -d 123.4.4.4 --dport 22 ${x} -j SNAT --to-source 33.3.3.3`);
    expect(render(planGrantRules(g({ stanza: st("FORCE_NAT 123.4.4.4 22\nFORCE_MASQUERADE Y\n") }), snatConf))[2]).toBe(
      `-t nat -A FWKNOP_MASQUERADE -p 6 -d 123.4.4.4 --dport 22 ${x} -j MASQUERADE --to-ports 22`,
    );
    // DISABLE_DNAT drops the PREROUTING rule; FORCE_MASQUERADE without the SNAT chains adds nothing
    expect(
      render(planGrantRules(g({ stanza: st("FORCE_NAT 123.4.4.4 22\nFORCE_MASQUERADE Y\nDISABLE_DNAT Y\n") }), conf)),
    ).toEqual([`-t filter -A FWKNOP_FORWARD -p 6 -s 10.99.0.2 --dport 22 ${x} -j ACCEPT`]);
    // FORWARD_ALL: no proto/port anywhere; DNAT ALL only with FORCE_NAT; SNAT/MASQUERADE ALL by source
    expect(render(planGrantRules(g({ stanza: st("FORCE_NAT 192.168.1.123 22\nFORWARD_ALL Y\n") }), conf))).toEqual([
      `-t filter -A FWKNOP_FORWARD -s 10.99.0.2 ${x} -j ACCEPT`,
      `-t nat -A FWKNOP_PREROUTING -s 10.99.0.2 -d 0.0.0.0/0 ${x} -j DNAT --to-destination 192.168.1.123`,
    ]);
    expect(render(planGrantRules(g({ stanza: st("FORWARD_ALL Y\nFORCE_MASQUERADE Y\n") }), masqConf))).toEqual([
      `-t filter -A FWKNOP_FORWARD -s 10.99.0.2 ${x} -j ACCEPT`,
      `-t nat -A FWKNOP_MASQUERADE -s 10.99.0.2 ${x} -j MASQUERADE`,
    ]);
    expect(
      render(planGrantRules(g({ stanza: st("FORWARD_ALL Y\nFORCE_SNAT 123.4.4.4\nDISABLE_DNAT Y\n") }), masqConf)),
    ).toEqual([
      `-t filter -A FWKNOP_FORWARD -s 10.99.0.2 ${x} -j ACCEPT`,
      `-t nat -A FWKNOP_POSTROUTING -s 10.99.0.2 ${x} -j SNAT --to-source 123.4.4.4`,
    ]);
  });
  it("ENABLE_IPT_OUTPUT mirror rule and the managed chains per config", () => {
    const out = loadFwknopdConf("ENABLE_IPT_OUTPUT Y\n");
    expect(render(planGrantRules(g({}), out))[1]).toBe(
      "-t filter -A FWKNOP_OUTPUT -p 6 -d 10.99.0.2 -s 0.0.0.0/0 --sport 22 -m comment --comment _exp_1795312525 -j ACCEPT",
    );
    const names = (c: FwknopdConfig) => managedChains(c).map((x) => `${x.table}/${x.toChain}`);
    expect(names(out)).toEqual(["filter/FWKNOP_INPUT", "filter/FWKNOP_OUTPUT"]);
    expect(names(loadFwknopdConf("ENABLE_IPT_SNAT Y\n"))).toEqual(["filter/FWKNOP_INPUT"]);
    expect(names(loadFwknopdConf("ENABLE_IPT_LOCAL_NAT Y\nENABLE_IPT_SNAT Y\n"))).toEqual([
      "filter/FWKNOP_INPUT",
      "filter/FWKNOP_FORWARD",
      "nat/FWKNOP_PREROUTING",
      "nat/FWKNOP_POSTROUTING",
      "nat/FWKNOP_MASQUERADE",
    ]);
  });
  it("IPv6 packet source with -s (allow IP 0.0.0.0) gives ip6tables-ready rules", () => {
    expect(render(planGrantRules(g({ allowIp: "2001:db8::2", srcIp: "2001:db8::2" }), conf))).toEqual([
      "-t filter -A FWKNOP_INPUT -p 6 -s 2001:db8::2 -d ::/0 --dport 22 -m comment --comment _exp_1795312525 -j ACCEPT",
    ]);
  });
  it("expired rule numbers from an iptables -L listing, highest first", () => {
    const listing = `Chain FWKNOP_INPUT (1 references)
num  target     prot opt source               destination
1    ACCEPT     6    --  10.99.0.2            0.0.0.0/0            tcp dpt:22 /* _exp_100 */
2    ACCEPT     6    --  10.99.0.3            0.0.0.0/0            tcp dpt:22 /* _exp_300 */
3    ACCEPT     17   --  10.99.0.2            0.0.0.0/0            udp dpt:53 /* _exp_150 */
`;
    expect(expiredRuleNumbers(listing, 200)).toEqual([
      { num: 3, expiresAt: 150 },
      { num: 1, expiresAt: 100 },
    ]);
  });
});

describe("test helpers sanity", () => {
  it("PASS is the spec passphrase", () => expect(PASS).toBe("fwknop-interop-pass"));
});

describe("IptablesFirewall through iptables-chainmgr (recorded argv, fake iptables)", () => {
  /** A tiny fake iptables: knows chains and rules per table, answers -N/-C/-A/-I/-D/-F/-X/-L like iptables 1.8.9. */
  function fakeIptables() {
    const calls: string[] = [];
    const chains = new Map<string, string[][]>([
      ["filter/INPUT", []],
      ["filter/FORWARD", []],
      ["filter/OUTPUT", []],
      ["nat/PREROUTING", []],
      ["nat/POSTROUTING", []],
    ]);
    const exec: Executor = async (file, argv) => {
      const a = [...argv];
      calls.push([file, ...a].join(" "));
      if (a[0] === "--version") return { stdout: "iptables v1.8.9 (nf_tables)\n", stderr: "", exitCode: 0 };
      if (file.endsWith("iptables-save")) {
        const t = a[a.indexOf("-t") + 1] as string;
        const mine = [...chains].filter(([k]) => k.startsWith(`${t}/`));
        const decl = mine.map(([k]) => `:${k.slice(t.length + 1)} ${k.includes("FWKNOP") ? "-" : "ACCEPT"} [0:0]`);
        const rules = mine.flatMap(([k, rs]) => rs.map((r) => `[0:0] -A ${k.slice(t.length + 1)} ${r.join(" ")}`));
        return { stdout: [`*${t}`, ...decl, ...rules, "COMMIT", ""].join("\n"), stderr: "", exitCode: 0 };
      }
      while (a[0] === "-w") a.splice(0, a[1] && /^\d+$/.test(a[1]) ? 2 : 1);
      let table = "filter";
      const ti = a.indexOf("-t");
      if (ti >= 0) {
        table = a[ti + 1] as string;
        a.splice(ti, 2);
      }
      const [op, chain, ...rest] = a;
      const key = `${table}/${chain}`;
      const rules = chains.get(key);
      const nochain = { stdout: "", stderr: "iptables: No chain/target/match by that name.\n", exitCode: 1 };
      const same = (r: string[]) => r.join(" ") === rest.join(" ");
      switch (op) {
        case "-N":
          if (rules) return { stdout: "", stderr: "iptables: Chain already exists.\n", exitCode: 1 };
          chains.set(key, []);
          return { stdout: "", stderr: "", exitCode: 0 };
        case "-C":
          if (!rules) return nochain;
          return rules.some(same)
            ? { stdout: "", stderr: "", exitCode: 0 }
            : { stdout: "", stderr: "iptables: Bad rule (does a matching rule exist in that chain?).\n", exitCode: 1 };
        case "-A":
          rules?.push(rest);
          return rules ? { stdout: "", stderr: "", exitCode: 0 } : nochain;
        case "-I": {
          if (!rules) return nochain;
          const pos = /^\d+$/.test(rest[0] ?? "") ? Number(rest.shift()) : 1;
          rules.splice(pos - 1, 0, rest);
          return { stdout: "", stderr: "", exitCode: 0 };
        }
        case "-D": {
          if (!rules) return nochain;
          const i = /^\d+$/.test(rest[0] ?? "") && rest.length === 1 ? Number(rest[0]) - 1 : rules.findIndex(same);
          if (i < 0 || i >= rules.length) return nochain;
          rules.splice(i, 1);
          return { stdout: "", stderr: "", exitCode: 0 };
        }
        case "-F":
          if (!rules) return nochain;
          rules.length = 0;
          return { stdout: "", stderr: "", exitCode: 0 };
        case "-X":
          return chains.delete(key) ? { stdout: "", stderr: "", exitCode: 0 } : nochain;
        case "-v":
        case "-L": {
          // `-L C --line-numbers -n` (fwknopd's listing) or `-v -n -L C --line-numbers` (ChainMgr's parser)
          const verbose = op === "-v";
          const name = verbose ? (a[a.indexOf("-L") + 1] as string) : (chain as string);
          const rs = chains.get(`${table}/${name}`);
          if (!rs) return nochain;
          const builtin = !name.startsWith("FWKNOP");
          const title = builtin
            ? `Chain ${name} (policy ACCEPT${verbose ? " 0 packets, 0 bytes" : ""})`
            : `Chain ${name} (1 references)`;
          const cols = verbose
            ? "num   pkts bytes target     prot opt in     out     source               destination"
            : "num  target     prot opt source               destination";
          const body = rs.map((r, i) => {
            const j = (r[r.indexOf("-j") + 1] ?? "").padEnd(10);
            const c = r.includes("--comment") ? ` /* ${r[r.indexOf("--comment") + 1]} */` : "";
            const mid = verbose ? `        0     0 ${j} 0    --  *      *      ` : `    ${j} 0    -- `;
            return `${i + 1}${mid} 0.0.0.0/0            0.0.0.0/0           ${c}`;
          });
          return { stdout: `${[title, cols, ...body].join("\n")}\n`, stderr: "", exitCode: 0 };
        }
        default:
          return { stdout: "", stderr: `unexpected ${op}\n`, exitCode: 2 };
      }
    };
    return { exec, calls, chains };
  }
  const stanza = loadAccessConf("SOURCE ANY\nKEY k\n")[0]!;
  const grant = (expiresAt: number): AccessGrant => ({
    kind: "access",
    stanza,
    allowIp: "10.99.0.2",
    ports: [{ proto: "tcp", port: 22 }],
    timeout: 30,
    expiresAt,
    messageType: 1,
    username: "alice",
    srcIp: "10.99.0.2",
    dstIp: "0.0.0.0",
  });

  it("init / grant (-C before -A, no duplicate) / expire by number / list / flush", async () => {
    const fake = fakeIptables();
    const fw = new IptablesFirewall(loadFwknopdConf(""), fake.exec);
    await fw.init();
    expect(fake.chains.get("filter/INPUT")).toEqual([["-j", "FWKNOP_INPUT"]]);
    expect(await fw.grant(grant(100))).toHaveLength(1);
    expect(await fw.grant(grant(100))).toHaveLength(0);
    expect(await fw.grant(grant(300))).toHaveLength(1);
    const spec = "-p 6 -s 10.99.0.2 -d 0.0.0.0/0 --dport 22 -m comment --comment _exp_100 -j ACCEPT";
    expect(fake.calls).toContain(`/usr/sbin/iptables -w 30 -t filter -C FWKNOP_INPUT ${spec}`);
    expect(fake.calls).toContain(`/usr/sbin/iptables -w 30 -t filter -A FWKNOP_INPUT ${spec}`);
    expect(await fw.list()).toMatch(/^Listing rules in fwknopd iptables chains...\n\nChain FWKNOP_INPUT/);
    expect(await fw.expire(200)).toBe(1);
    expect(fake.calls.at(-1)).toBe("/usr/sbin/iptables -w 30 -t filter -D FWKNOP_INPUT 1");
    expect(fake.chains.get("filter/FWKNOP_INPUT")?.map((r) => r.at(-3))).toEqual(["_exp_300"]);
    await fw.flush();
    expect(fake.chains.has("filter/FWKNOP_INPUT")).toBe(false);
    expect(fake.chains.get("filter/INPUT")).toEqual([]);
  });

  it("a grant re-creates a chain deleted by --fw-flush while running (fwknopd's mk_chain)", async () => {
    const fake = fakeIptables();
    const fw = new IptablesFirewall(loadFwknopdConf(""), fake.exec);
    await fw.init();
    await fw.flush();
    expect(await fw.grant(grant(100))).toHaveLength(1);
    expect(fake.chains.get("filter/INPUT")).toEqual([["-j", "FWKNOP_INPUT"]]);
  });
});
