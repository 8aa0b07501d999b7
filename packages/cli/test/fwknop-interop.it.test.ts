/**
 * Interop of `fwkit fwknop` / `fwkit fwknopd` with Debian's fwknop 2.6.10, in a throwaway network namespace that
 * holds a TCP listener on 127.0.0.1:2222 behind a DROP rule:
 * (a) the real `fwknop` → `fwkit fwknopd` (run() in-process; its FIREWALL_EXE is a wrapper running iptables inside
 *     the namespace): the port opens, a replay and a wrong HMAC key are refused, the rule expires, and a restart
 *     with the same digest file still refuses the old packet;
 * (b) `fwkit fwknop` → the real `fwknopd` (UDP server mode, inside the namespace): our client sends its datagram
 *     to a loopback relay in this process, which hands exactly those bytes to fwknopd inside the namespace.
 */
import { createSocket } from "node:dgram";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { writeFile as writeFileP } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNetns, run as exec, makeWrappers, missingFor, type Netns, skipWithReason } from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode, run } from "../src/index.ts";
import { fakeIo } from "./fake-io.ts";

const skip = skipWithReason(
  "fwkit fwknop/fwknopd interop with fwknop 2.6.10",
  missingFor(["fwknop", "fwknopd", "iptables", "iptables-nft", "python3"]),
);

const KEY = "vGlu2bu3nHOvYE0sJTaOcJXKTGG3mXDNMSZKsf2z9F8=";
const HKEY = "xqQ6JnnLe0dGmdYPaP1SOJbNrb3LPk4pEzqqnGmb8iKFUy7j+dqI+RY3p4OErXl9Vsn73ZD1eYG/3bbO4Z91hA==";

const CONNECT = `import socket
s=socket.socket(); s.settimeout(1.0); s.bind(("127.0.0.2",0))
try:
    s.connect(("127.0.0.1",2222)); print("OPEN")
except Exception:
    print("CLOSED")
`;
const LISTEN = `import socket
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1",2222)); s.listen(16)
s.settimeout(55)
while True:
    try:
        c,_=s.accept(); c.close()
    except Exception:
        break
`;
/** Send the bytes of a file as one UDP datagram to 127.0.0.1:62201 (run inside the namespace). */
const SEND = `import socket,sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(open(sys.argv[1],"rb").read(),("127.0.0.1",62201))
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error("timed out");
    await sleep(50);
  }
}

describe.skipIf(skip)("fwkit fwknop / fwknopd against fwknop 2.6.10 in a network namespace", () => {
  let ns: Netns;
  let dir: string;
  const connect = async () => (await ns.exec("python3", ["-c", CONNECT])).stdout.trim();
  const accessConf = (timeout: number) =>
    `SOURCE 127.0.0.0/8\nOPEN_PORTS tcp/2222\nKEY_BASE64 ${KEY}\nHMAC_KEY_BASE64 ${HKEY}\nREQUIRE_SOURCE_ADDRESS Y\nFW_ACCESS_TIMEOUT ${timeout}\n`;

  beforeAll(async () => {
    ns = await createNetns("fwknopcli");
    dir = mkdtempSync(join(tmpdir(), "fwkit-cli-spa-"));
    chmodSync(dir, 0o700);
    await ns.execOk("iptables", ["-A", "INPUT", "-p", "tcp", "--dport", "2222", "-j", "DROP"]);
    void ns.exec("python3", ["-c", LISTEN], { timeoutMs: 60_000 });
    await sleep(300);
  });
  afterAll(async () => {
    await ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("(a) the real fwknop's packet makes fwkit fwknopd open the port; replay and wrong HMAC refused; rule expires; replay still refused after a restart", async () => {
    const w = makeWrappers(ns, "nft", dir);
    const port = await (async () => {
      const s = createSocket("udp4");
      await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
      const p = s.address().port;
      await new Promise<void>((r) => s.close(() => r()));
      return p;
    })();
    const conf = join(dir, "a-fwknopd.conf");
    const access = join(dir, "a-access.conf");
    const digest = join(dir, "a-run", "digest.cache");
    writeFileSync(conf, `UDPSERV_PORT ${port}\nFIREWALL_EXE ${w.v4}\nFLUSH_IPT_AT_INIT Y\nFLUSH_IPT_AT_EXIT Y\n`);
    writeFileSync(access, accessConf(3));
    const argv = ["fwknopd", "-f", "-c", conf, "-a", access, "-d", digest, "-i", "127.0.0.1", "--json"];
    const home = join(dir, "home");
    mkdirSync(home);
    const fwknop = (args: string[]) =>
      exec(
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
          String(port),
        ].concat(["--key-base64-rijndael", KEY, "--use-hmac", ...args]),
        { env: { HOME: home } },
      );
    const fwRules = async () => (await ns.exec("iptables", ["-S", "FWKNOP_INPUT"])).stdout;

    const ac = new AbortController();
    const io = Object.assign(fakeIo(), { signal: ac.signal });
    const done = run(argv, io);
    await until(() => io.err.includes("Starting fwknopd"), 10_000);
    expect(await ns.execOk("iptables", ["-S", "INPUT"])).toMatch(/-A INPUT -j FWKNOP_INPUT\n/);
    expect(await connect()).toBe("CLOSED");

    const pkt = join(dir, "a-pkt");
    const r = await fwknop(["--key-base64-hmac", HKEY, "-B", pkt]);
    expect(r.code, r.stderr).toBe(0);
    await until(() => io.err.includes("Added access rule"), 5000);
    expect(await fwRules()).toMatch(
      /-A FWKNOP_INPUT -s 127\.0\.0\.2\/32 -p tcp -m tcp --dport 2222 -m comment --comment _exp_\d+ -j ACCEPT/,
    );
    expect(await connect()).toBe("OPEN");
    const list = fakeIo();
    expect(await run(["fwknopd", "-c", conf, "--fw-list"], list)).toBe(ExitCode.Ok);
    expect(list.out).toMatch(
      /Chain FWKNOP_INPUT[\s\S]*ACCEPT +6 +-- +127\.0\.0\.2 +0\.0\.0\.0\/0 .*dpt:2222 \/\* _exp_\d+ \*\//,
    );

    // (c) the same datagram again, (d) the real client with a wrong HMAC key
    const wire = readFileSync(pkt, "utf8").trim();
    const udp = createSocket("udp4");
    await new Promise<void>((res) => udp.send(wire, port, "127.0.0.1", () => res()));
    await until(() => io.err.includes("Replay detected"), 5000);
    const wrong = await fwknop(["--key-hmac", "some-other-hmac-key"]);
    expect(wrong.code, wrong.stderr).toBe(0);
    await until(() => /\(stanza #1\) Error creating fko context: .*HMAC_COMPAREFAIL/.test(io.err), 5000);

    // FW_ACCESS_TIMEOUT 3: the rule goes, the port closes
    await until(async () => !(await fwRules()).includes("_exp_"), 8000);
    expect(await connect()).toBe("CLOSED");

    ac.abort();
    expect(await done).toBe(ExitCode.Ok);
    const summary = JSON.parse(io.out) as { processed: number; granted: number; codes: Record<string, number> };
    expect(summary).toMatchObject({ processed: 3, granted: 1, codes: { SPA_REPLAY: 1, SPA_BAD_MAC: 1 } });
    // FLUSH_IPT_AT_EXIT: chain and jump rule gone
    expect((await ns.exec("iptables", ["-S", "FWKNOP_INPUT"])).code).not.toBe(0);
    expect(await ns.execOk("iptables", ["-S", "INPUT"])).not.toContain("FWKNOP_INPUT");

    // restart with the same digest file: the packet accepted before is still a replay
    const keep = join(dir, "a-keep.conf");
    writeFileSync(keep, "FLUSH_IPT_AT_EXIT N\n");
    const ac2 = new AbortController();
    const io2 = Object.assign(fakeIo(), { signal: ac2.signal });
    const done2 = run([...argv, "-O", keep], io2);
    await until(() => io2.err.includes("Starting fwknopd"), 10_000);
    expect(io2.err).toMatch(/digest\.cache: 1 entries loaded/);
    await new Promise<void>((res) => udp.send(wire, port, "127.0.0.1", () => res()));
    await until(() => io2.err.includes("Replay detected"), 5000);
    udp.close();
    ac2.abort();
    expect(await done2).toBe(ExitCode.Ok);
    expect(JSON.parse(io2.out)).toMatchObject({ processed: 1, granted: 0, codes: { SPA_REPLAY: 1 } });
    expect(await connect()).toBe("CLOSED");
    // FLUSH_IPT_AT_EXIT N left the chain; --fw-flush removes it and its jump rule
    expect(await ns.execOk("iptables", ["-S", "INPUT"])).toContain("-j FWKNOP_INPUT");
    expect(await run(["fwknopd", "-c", conf, "--fw-flush"], fakeIo())).toBe(ExitCode.Ok);
    expect((await ns.exec("iptables", ["-S", "FWKNOP_INPUT"])).code).not.toBe(0);
    expect(await ns.execOk("iptables", ["-S", "INPUT"])).not.toContain("FWKNOP_INPUT");
  });

  it("(b) fwkit fwknop's packet makes the real fwknopd open the port; replay and wrong HMAC refused", async () => {
    const run_ = join(dir, "b-run");
    mkdirSync(run_);
    const conf = join(dir, "b-fwknopd.conf");
    const access = join(dir, "b-access.conf");
    writeFileSync(conf, "ENABLE_UDP_SERVER Y\nUDPSERV_PORT 62201\nPCAP_INTF lo\n", { mode: 0o600 });
    writeFileSync(access, accessConf(30), { mode: 0o600 });
    const daemon = ns.exec(
      "fwknopd",
      ["-f", "-v", "-c", conf, "-a", access, "-d", join(run_, "digest.cache"), "-p", join(run_, "pid"), "-r", run_],
      { timeoutMs: 40_000 },
    );
    // the relay: our client sends to this loopback socket, each datagram is handed unchanged to fwknopd in the ns
    const relay = createSocket("udp4");
    await new Promise<void>((r) => relay.bind(0, "127.0.0.1", r));
    const received: Buffer[] = [];
    relay.on("message", (m) => received.push(m));
    const relayed = async (): Promise<Buffer> => {
      await until(() => received.length > 0, 5000);
      const d = received.shift() as Buffer;
      const f = join(dir, "b-dgram");
      writeFileSync(f, d);
      await ns.execOk("python3", ["-c", SEND, f]);
      await sleep(700);
      return d;
    };
    const ours = (args: string[]) =>
      run(
        ["fwknop", "--no-rc-file", "-A", "tcp/2222", "-a", "127.0.0.2", "-D", "127.0.0.1"].concat([
          "-p",
          String(relay.address().port),
          "--key-base64-rijndael",
          KEY,
          "--json",
          ...args,
        ]),
        fakeIo({ USER: "alice" }),
      );
    try {
      await until(() => {
        try {
          return readFileSync(join(run_, "pid"), "utf8").trim() !== "";
        } catch {
          return false;
        }
      }, 10_000);
      await sleep(500);
      expect(await connect()).toBe("CLOSED");

      expect(await ours(["--key-base64-hmac", HKEY])).toBe(ExitCode.Ok);
      const first = await relayed();
      expect((await ns.execOk("iptables", ["-S", "FWKNOP_INPUT"])).trim()).toMatch(
        /-A FWKNOP_INPUT -s 127\.0\.0\.2\/32 -p tcp -m tcp --dport 2222 -m comment --comment _exp_\d+ -j ACCEPT/,
      );
      expect(await connect()).toBe("OPEN");

      received.push(first); // (c) replay the same datagram
      await relayed();
      expect(await ours(["--key-hmac", "some-other-hmac-key"])).toBe(ExitCode.Ok); // (d)
      await relayed();
    } finally {
      relay.close();
      const pid = readFileSync(join(run_, "pid"), "utf8").trim();
      if (/^\d+$/.test(pid)) await ns.exec("kill", [pid]);
    }
    const out = await daemon;
    const log = out.stdout + out.stderr;
    expect(log).toMatch(/\(stanza #1\) SPA Packet from IP: 127\.0\.0\.1 received with access source match/);
    expect(log).toMatch(/Added access rule to FWKNOP_INPUT for 127\.0\.0\.2 -> 0\.0\.0\.0\/0 tcp\/2222/);
    expect(log).toContain("Replay detected from source IP: 127.0.0.1");
    expect(log).toMatch(/\(stanza #1\) Error creating fko context: .*FKO_ERROR_INVALID_DATA_HMAC_COMPAREFAIL/);
    expect(log.match(/Added access rule/g)).toHaveLength(1);
  });
});

const skipRc = skipWithReason("fwkit fwknop rc files vs fwknop 2.6.10", missingFor(["fwknop"], false));

describe.skipIf(skipRc)("~/.fwknoprc and --key-gen are interchangeable with the real fwknop", () => {
  const diskIo = (env: Record<string, string> = {}) =>
    Object.assign(fakeIo(env), { writeFile: (p: string, d: string) => writeFileP(p, d) });
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), "fwkit-cli-rc-"));
  });
  afterAll(() => {
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("a stanza saved by fwknop --save-rc-stanza drives fwkit fwknop, and vice versa", async () => {
    const theirs = await exec(
      "fwknop",
      ["-n", "srv", "-A", "tcp/2222", "-a", "127.0.0.2", "-D", "127.0.0.1", "-p", "40001", "-m", "sha384"]
        .concat(["--key-base64-rijndael", KEY, "--key-base64-hmac", HKEY, "--use-hmac", "--hmac-digest-type", "sha512"])
        .concat(["--save-rc-stanza", "--test", "--no-save-args"]),
      { env: { HOME: home } },
    );
    expect(theirs.code, theirs.stderr).toBe(0);
    const io = fakeIo({ HOME: home, USER: "alice" });
    expect(await run(["fwknop", "-n", "srv", "-T", "--json"], io)).toBe(ExitCode.Ok);
    const p = JSON.parse(io.out) as Record<string, unknown>;
    expect(p).toMatchObject({
      destination: "127.0.0.1",
      port: 40001,
      message: "127.0.0.2,tcp/2222",
      digestType: "sha384",
      hmacDigestType: "sha512",
    });

    const rc = join(home, "ours.rc");
    const save = diskIo({ USER: "alice" });
    const argv = ["fwknop", "--rc-file", rc, "-n", "mine", "--save-rc-stanza", "-A", "udp/53", "-a", "10.0.0.3"];
    argv.push("-D", "10.9.9.9", "--key-base64-rijndael", KEY, "--key-base64-hmac", HKEY, "-M", "CTR", "-T");
    expect(await run(argv, save)).toBe(ExitCode.Ok);
    const real = await exec("fwknop", ["--rc-file", rc, "-n", "mine", "--test", "--no-save-args"], {
      env: { HOME: home },
    });
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toMatch(/Message String: 10\.0\.0\.3,udp\/53\n/);
    expect(real.stdout).toMatch(/HMAC Type: 3 \(SHA256\)\n/);
    expect(real.stdout).toMatch(/Encryption Mode: 6 \(CTR\)\n/);
    // and our -T field dump agrees with fwknop's, line for line, on every field that is not random or secret
    const ours = fakeIo({ USER: "alice" });
    expect(await run(["fwknop", "--rc-file", rc, "-n", "mine", "-T"], ours)).toBe(ExitCode.Ok);
    const fields = (out: string) =>
      out
        .split("\n")
        .filter((l) =>
          /^ *(FKO Version|Message Type|Message String|Nat Access|Client Timeout|Digest Type|HMAC Type|Encryption Type|Encryption Mode):/.test(
            l,
          ),
        );
    expect(fields(ours.out)).toHaveLength(9);
    expect(fields(ours.out)).toEqual(fields(real.stdout.split("Generating SPA packet")[0] ?? ""));
  });

  it("--key-gen prints the same two lines as fwknop --key-gen, with the same key lengths", async () => {
    const shape = (out: string) =>
      [...out.matchAll(/^(KEY_BASE64|HMAC_KEY_BASE64): (\S+)$/gm)].map((m) => [
        m[1],
        Buffer.from(m[2] ?? "", "base64").length,
      ]);
    for (const extra of [[], ["--key-len", "16", "--hmac-key-len", "20"], ["--hmac-digest-type", "sha384"]]) {
      const real = await exec("fwknop", ["--key-gen", "--no-save-args", ...extra], { env: { HOME: home } });
      expect(real.code, real.stderr).toBe(0);
      const io = fakeIo();
      expect(await run(["fwknop", "--key-gen", ...extra], io)).toBe(ExitCode.Ok);
      expect(shape(io.out), extra.join(" ")).toEqual(shape(real.stdout));
      expect(shape(io.out)).toHaveLength(2);
    }
  });
});
