import { createSocket } from "node:dgram";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeSpa, resolveRcOptions } from "@fwkit/spa-protocol";
import { afterAll, describe, expect, it } from "vitest";
import { ExitCode, run } from "../src/index.ts";
import { fakeIo } from "./fake-io.ts";

const KEY = "vGlu2bu3nHOvYE0sJTaOcJXKTGG3mXDNMSZKsf2z9F8=";
const HKEY = "xqQ6JnnLe0dGmdYPaP1SOJbNrb3LPk4pEzqqnGmb8iKFUy7j+dqI+RY3p4OErXl9Vsn73ZD1eYG/3bbO4Z91hA==";
const keys = { key: Buffer.from(KEY, "base64"), hmacKey: Buffer.from(HKEY, "base64") };
const dir = mkdtempSync(join(tmpdir(), "fwkit-cli-fwknop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = ["--no-rc-file", "-A", "tcp/22", "-a", "10.0.0.2", "-D", "127.0.0.1"];
const withKeys = [...base, "--key-base64-rijndael", KEY, "--key-base64-hmac", HKEY];

interface PacketJson {
  destination: string;
  port: number;
  proto: string;
  message: string;
  username: string;
  digestType: string;
  hmacDigestType: string | null;
  encryptionMode: string;
  wire: string;
  sent: boolean;
  bytesSent?: number;
  messageType: number;
  clientTimeout?: number;
}

async function runJson<T>(argv: string[], env: Record<string, string> = {}) {
  const io = fakeIo(env);
  const code = await run([...argv, "--json"], io);
  return { code, json: JSON.parse(io.out) as T, io };
}

describe("fwkit fwknop --key-gen", () => {
  it("prints KEY_BASE64 (32 bytes) and HMAC_KEY_BASE64 (64 bytes for sha256), fresh each time", async () => {
    const io = fakeIo();
    expect(await run(["fwknop", "--key-gen"], io)).toBe(ExitCode.Ok);
    const m = /^KEY_BASE64: (\S+)\nHMAC_KEY_BASE64: (\S+)\n$/.exec(io.out);
    expect(m).not.toBeNull();
    expect(Buffer.from(m?.[1] ?? "", "base64")).toHaveLength(32);
    expect(Buffer.from(m?.[2] ?? "", "base64")).toHaveLength(64);
    const again = fakeIo();
    await run(["fwknop", "-k"], again);
    expect(again.out).not.toBe(io.out);
  });

  it("honours --key-len, --hmac-key-len and --hmac-digest-type", async () => {
    const a = await runJson<{ keyBase64: string; hmacKeyBase64: string }>([
      "fwknop",
      "--key-gen",
      "--key-len",
      "16",
      "--hmac-key-len",
      "20",
    ]);
    expect(Buffer.from(a.json.keyBase64, "base64")).toHaveLength(16);
    expect(Buffer.from(a.json.hmacKeyBase64, "base64")).toHaveLength(20);
    const b = await runJson<{ hmacKeyBase64: string }>(["fwknop", "--key-gen", "--hmac-digest-type", "sha512"]);
    expect(Buffer.from(b.json.hmacKeyBase64, "base64")).toHaveLength(128);
    const bad = await runJson<{ error: { code: string } }>(["fwknop", "--key-gen", "--key-len", "33"]);
    expect(bad.code).toBe(ExitCode.Usage);
    expect(bad.json.error.code).toBe("CLI_USAGE");
  });

  it("-K writes the keys to a file created with mode 0600 and does not print them", async () => {
    const file = join(dir, "keys");
    const io = fakeIo();
    expect(await run(["fwknop", "-K", file], io)).toBe(ExitCode.Ok);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(io.written.get(file)).toMatch(/^KEY_BASE64: \S+\nHMAC_KEY_BASE64: \S+\n$/);
    expect(io.out).not.toMatch(/KEY_BASE64:/);
  });
});

describe("fwkit fwknop --test (build, do not send)", () => {
  it("builds a packet the keys decode to the requested access, with fwknop's field dump", async () => {
    const io = fakeIo({ USER: "alice" });
    expect(await run(["fwknop", ...withKeys, "--test"], io)).toBe(ExitCode.Ok);
    expect(io.out).toMatch(/^SPA Field Values:\n=================\n {7}Username: alice\n/);
    expect(io.out).toMatch(/ Message String: 10\.0\.0\.2,tcp\/22\n/);
    expect(io.out).toMatch(/ {6}HMAC Type: 3 \(SHA256\)\n/);
    expect(io.out).toMatch(/test mode enabled, SPA packet not actually sent\.\n$/);
    const wire = /Final SPA Data: (\S+)/.exec(io.out)?.[1] ?? "";
    const d = decodeSpa(wire, keys);
    expect(d.message).toBe("10.0.0.2,tcp/22");
    expect(d.username).toBe("alice");
    expect(d.messageType).toBe(1);
  });

  it("maps -U, -f, -m, -M, --hmac-digest-type, -s, -C and -N onto the packet", async () => {
    const { code, json } = await runJson<PacketJson>(
      [
        "fwknop",
        ...withKeys,
        "--test",
        "-U",
        "bob",
        "-f",
        "60",
        "-m",
        "sha512",
        "-M",
        "cfb",
        "--hmac-digest-type",
        "SHA384",
      ],
      { USER: "alice" },
    );
    expect(code).toBe(ExitCode.Ok);
    expect(json).toMatchObject({
      username: "bob",
      messageType: 3,
      clientTimeout: 60,
      digestType: "sha512",
      encryptionMode: "CFB",
      hmacDigestType: "sha384",
      sent: false,
    });
    const d = decodeSpa(json.wire, { ...keys, mode: "CFB", hmacType: "sha384" });
    expect(d).toMatchObject({ username: "bob", clientTimeout: 60, digestType: "sha512" });

    const s = await runJson<PacketJson>([
      "fwknop",
      ...withKeys.filter((x) => x !== "-a" && x !== "10.0.0.2"),
      "-s",
      "-T",
    ]);
    expect(s.json.message).toBe("0.0.0.0,tcp/22");
    const c = await runJson<PacketJson>(
      ["fwknop", "--no-rc-file", "-D", "h", "-a", "10.0.0.2", "-C", "uptime", "-T"].concat([
        "--key-base64-rijndael",
        KEY,
        "--key-base64-hmac",
        HKEY,
      ]),
    );
    expect(c.json).toMatchObject({ messageType: 0, message: "10.0.0.2,uptime" });
    const n = await runJson<PacketJson & { natAccess: string }>(["fwknop", ...withKeys, "-N", "192.168.1.5:22", "-T"]);
    expect(n.json).toMatchObject({ messageType: 2, natAccess: "192.168.1.5,22" });
  });

  it("-B saves the wire (with a newline) and -b appends", async () => {
    const file = join(dir, "pkt");
    const io = fakeIo();
    expect(await run(["fwknop", ...withKeys, "-T", "-B", file, "--json"], io)).toBe(ExitCode.Ok);
    const wire = (JSON.parse(io.out) as PacketJson).wire;
    expect(io.written.get(file)).toBe(`${wire}\n`);
    writeFileSync(file, "earlier\n");
    const io2 = fakeIo();
    await run(["fwknop", ...withKeys, "-T", "-B", file, "-b", "--json"], io2);
    expect(io2.written.get(file)).toBe(`earlier\n${(JSON.parse(io2.out) as PacketJson).wire}\n`);
  });

  it("refuses inconsistent options as usage errors (exit 2)", async () => {
    const cases: string[][] = [
      ["--no-rc-file", "-A", "tcp/22", "-a", "10.0.0.2", "--key-rijndael", "k", "-T"], // no -D
      ["--no-rc-file", "-A", "tcp/22", "-D", "h", "--key-rijndael", "k", "-T"], // no -a / -s
      [...base, "--key-rijndael", "k", "--use-hmac", "-T"], // --use-hmac without a key
      [...withKeys, "-P", "icmp", "-T"],
      [...withKeys, "-m", "sha999", "-T"],
      [...withKeys, "-p", "70000", "-T"],
      [...withKeys, "-a", "010.0.0.1", "-T"],
      [...withKeys, "-B", join(dir, "x"), "-b", "--bogus"],
    ];
    for (const argv of cases) {
      const io = fakeIo();
      expect(await run(["fwknop", ...argv], io), argv.join(" ")).toBe(ExitCode.Usage);
      expect(io.err, argv.join(" ")).toMatch(/^fwkit: CLI_USAGE: /);
    }
  });
});

describe("fwkit fwknop and ~/.fwknoprc", () => {
  const home = join(dir, "home");
  const rc = join(home, ".fwknoprc");
  const rcText = `[default]\nDIGEST_TYPE sha512\n\n[srv]\nSPA_SERVER 127.0.0.1\nSPA_SERVER_PORT 40000\nACCESS tcp/22\nALLOW_IP 10.0.0.9\nKEY_BASE64 ${KEY}\nHMAC_KEY_BASE64 ${HKEY}\nUSE_HMAC Y\n`;

  it("-n takes [default] then the named stanza, and command-line options override both", async () => {
    rmSync(home, { recursive: true, force: true });
    mkdirSync(home);
    writeFileSync(rc, rcText, { mode: 0o600 });
    const { code, json } = await runJson<PacketJson>(["fwknop", "-n", "srv", "-T"], { HOME: home });
    expect(code).toBe(ExitCode.Ok);
    expect(json).toMatchObject({
      destination: "127.0.0.1",
      port: 40000,
      message: "10.0.0.9,tcp/22",
      digestType: "sha512",
    });
    expect(decodeSpa(json.wire, keys).message).toBe("10.0.0.9,tcp/22");
    const o = await runJson<PacketJson>(["fwknop", "-n", "srv", "-T", "-s", "-A", "udp/53", "-m", "md5"], {
      HOME: home,
    });
    expect(o.json).toMatchObject({ message: "0.0.0.0,udp/53", digestType: "md5" });
    const other = await runJson<PacketJson>(["fwknop", "--rc-file", rc, "-n", "srv", "-T"]);
    expect(other.json.destination).toBe("127.0.0.1");
  });

  it("a missing named stanza is SPA_CONFIG_INVALID (exit 2); --no-rc-file ignores the file", async () => {
    const { code, json } = await runJson<{ error: { code: string } }>(["fwknop", "-n", "nosuch", "-T"], {
      HOME: home,
    });
    expect(code).toBe(ExitCode.Usage);
    expect(json.error.code).toBe("SPA_CONFIG_INVALID");
    const io = fakeIo({ HOME: home });
    expect(await run(["fwknop", "--no-rc-file", "-A", "tcp/22", "-T"], io)).toBe(ExitCode.Usage);
  });

  it("--stanza-list lists the stanzas", async () => {
    const { json } = await runJson<{ stanzas: string[] }>(["fwknop", "--stanza-list"], { HOME: home });
    expect(json.stanzas).toEqual(["default", "srv"]);
  });

  it("--save-rc-stanza updates the -n stanza (keeping its other keys), writes 0600, and the result reads back", async () => {
    chmodSync(rc, 0o644);
    const io = fakeIo({ HOME: home });
    const code = await run(["fwknop", "-n", "srv", "--save-rc-stanza", "-A", "tcp/2222", "-D", "10.1.1.1", "-T"], io);
    expect(code).toBe(ExitCode.Ok);
    const saved = io.written.get(rc) ?? "";
    expect(statSync(rc).mode & 0o777).toBe(0o600);
    expect(saved).toMatch(/^\[default\]\nDIGEST_TYPE sha512\n/);
    const r = resolveRcOptions(saved, "srv");
    expect(r.ok && r.value).toMatchObject({
      access: "tcp/2222",
      destination: "10.1.1.1",
      allowIp: "10.0.0.9",
      keyBase64Rijndael: KEY,
      keyBase64Hmac: HKEY,
      serverPort: 40000,
    });
    const forced = fakeIo({ HOME: home });
    await run(
      ["fwknop", "-n", "new", "--save-rc-stanza", "--force-stanza", "-A", "tcp/1", "-D", "h", "-s", "-T"].concat([
        "--key-rijndael",
        "secret-pw",
      ]),
      forced,
    );
    const r2 = resolveRcOptions(forced.written.get(rc) ?? "", "new");
    expect(r2.ok && r2.value).toEqual({
      access: "tcp/1",
      destination: "h",
      sourceIp: true,
      keyRijndael: "secret-pw",
      digestType: "sha512",
    });
  });

  it("--key-gen --save-rc-stanza -n stores the new keys in the stanza", async () => {
    const io = fakeIo({ HOME: home });
    expect(await run(["fwknop", "--key-gen", "-n", "k", "--save-rc-stanza", "--json"], io)).toBe(ExitCode.Ok);
    const out = JSON.parse(io.out) as { keyBase64: string; hmacKeyBase64: string };
    const r = resolveRcOptions(io.written.get(rc) ?? "", "k");
    expect(r.ok && r.value).toMatchObject({
      keyBase64Rijndael: out.keyBase64,
      keyBase64Hmac: out.hmacKeyBase64,
      useHmac: true,
    });
  });
});

describe("fwkit fwknop sends", () => {
  it("one UDP datagram carrying exactly the wire to -D:-p", async () => {
    const sock = createSocket("udp4");
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", r));
    const got = new Promise<string>((r) => sock.once("message", (m) => r(m.toString("latin1"))));
    const port = String(sock.address().port);
    const { code, json } = await runJson<PacketJson>(["fwknop", ...withKeys, "-p", port]);
    const payload = await got;
    sock.close();
    expect(code).toBe(ExitCode.Ok);
    expect(json).toMatchObject({ sent: true, proto: "udp", bytesSent: json.wire.length });
    expect(payload).toBe(json.wire);
    expect(decodeSpa(payload, keys).message).toBe("10.0.0.2,tcp/22");
  });

  it("-P http sends fwknop's GET request over TCP", async () => {
    let resolveGot: (s: string) => void = () => undefined;
    const got = new Promise<string>((r) => {
      resolveGot = r;
    });
    const srv = createServer((s) => {
      let buf = "";
      s.on("data", (d) => {
        buf += d.toString("latin1");
      });
      s.on("end", () => {
        resolveGot(buf);
        s.end();
      });
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = String((srv.address() as { port: number }).port);
    const { code, json } = await runJson<PacketJson>(["fwknop", ...withKeys, "-p", port, "-P", "http"]);
    const req = await got;
    srv.close();
    expect(code).toBe(ExitCode.Ok);
    const path = /^GET \/(\S+) HTTP\/1\.1\r\n/.exec(req)?.[1] ?? "";
    expect(path.replaceAll("-", "+").replaceAll("_", "/")).toBe(json.wire);
    expect(req).toMatch(/\r\nUser-Agent: Fwknop\/2\.6\.10\r\n/);
  });
});

/** A UDP port that was free a moment ago. */
async function freeUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("fwkit fwknopd", () => {
  const conf = join(dir, "fwknopd.conf");
  const access = join(dir, "access.conf");
  const keysFile = join(dir, "keys.conf");
  const digest = join(dir, "digest.cache");
  const setup = (udpPort: number, extra = "") => {
    writeFileSync(conf, `UDPSERV_PORT ${udpPort};\nENABLE_DIGEST_PERSISTENCE Y\n${extra}`);
    writeFileSync(keysFile, `KEY_BASE64 ${KEY}\nHMAC_KEY_BASE64 ${HKEY}\n`);
    writeFileSync(
      access,
      `SOURCE 127.0.0.0/8\nOPEN_PORTS tcp/22\n%include_keys ${keysFile}\nREQUIRE_SOURCE_ADDRESS Y\n`,
    );
  };
  const args = ["fwknopd", "-c", conf, "-a", access, "-d", digest];

  it("--exit-parse-config reads fwknopd.conf and access.conf (with %include_keys) and exits", async () => {
    setup(62201);
    const io = fakeIo();
    expect(await run([...args, "--exit-parse-config"], io)).toBe(ExitCode.Ok);
    expect(io.out).toBe("Configs parsed, exiting.\n");
    const { json } = await runJson<{ stanzas: number }>([...args, "--exit-parse-config"]);
    expect(json.stanzas).toBe(1);
  });

  it("refuses to start on an invalid access.conf or fwknopd.conf (SPA_CONFIG_INVALID, exit 2)", async () => {
    setup(62201);
    writeFileSync(access, "SOURCE ANY\nKEY __CHANGEME__\n");
    const a = await runJson<{ error: { code: string; details: { issues: string[] } } }>([...args, "-t"]);
    expect(a.code).toBe(ExitCode.Usage);
    expect(a.json.error.code).toBe("SPA_CONFIG_INVALID");
    expect(a.json.error.details.issues.join("\n")).toMatch(/__CHANGEME__/);
    setup(62201, "MAX_SPA_PACKET_AGE soon\n");
    const c = await runJson<{ error: { code: string; details: { issues: string[] } } }>([...args, "-t"]);
    expect(c.code).toBe(ExitCode.Usage);
    expect(c.json.error.details.issues.join("\n")).toMatch(/MAX_SPA_PACKET_AGE/);
    const io = fakeIo();
    expect(await run(["fwknopd", "-c", join(dir, "nope.conf"), "-t"], io)).toBe(ExitCode.Failure);
    expect(io.err).toMatch(/^fwkit: CLI_IO: /);
  });

  it("-D dumps the config and stanzas without any key material; -O overrides", async () => {
    setup(62201);
    const over = join(dir, "over.conf");
    writeFileSync(over, "MAX_SPA_PACKET_AGE 60\n");
    const io = fakeIo();
    expect(await run([...args, "-D", "-O", over], io)).toBe(ExitCode.Ok);
    expect(io.out).toMatch(/MAX_SPA_PACKET_AGE {11}= {2}'60'/);
    expect(io.out).toMatch(/DIGEST_FILE += {2}'.*digest\.cache'/);
    expect(io.out).toMatch(/SOURCE \(1\): {2}127\.0\.0\.0\/8/);
    expect(io.out).not.toContain(KEY);
    expect(io.out).not.toContain(HKEY);
    const { json } = await runJson<unknown>([...args, "-D"]);
    expect(JSON.stringify(json)).not.toContain(KEY.slice(0, 20));
  });

  it("runs until stopped: accepts our client's packet in --test mode, refuses a wrong HMAC key, reports counts", async () => {
    const port = await freeUdpPort();
    setup(port);
    const ac = new AbortController();
    const io = Object.assign(fakeIo(), { signal: ac.signal });
    const done = run([...args, "-t", "-i", "127.0.0.1", "--json"], io);
    await until(() => io.err.includes("Starting fwknopd"));
    expect(io.err).toContain(`UDP server on 127.0.0.1:${port}`);
    const send = (extra: string[]) =>
      run(
        ["fwknop", "--no-rc-file", "-A", "tcp/22", "-a", "10.0.0.2", "-D", "127.0.0.1", "-p", String(port), ...extra],
        fakeIo(),
      );
    expect(await send(["--key-base64-rijndael", KEY, "--key-base64-hmac", HKEY])).toBe(ExitCode.Ok);
    await until(() => io.err.includes("--test mode enabled"));
    expect(await send(["--key-base64-rijndael", KEY, "--key-hmac", "not-the-hmac-key"])).toBe(ExitCode.Ok);
    await new Promise((r) => setTimeout(r, 300));
    ac.abort();
    expect(await done).toBe(ExitCode.Ok);
    const json = JSON.parse(io.out) as {
      processed: number;
      test: number;
      rejected: number;
      codes: Record<string, number>;
    };
    expect(json).toMatchObject({ processed: 2, test: 1, rejected: 1, codes: { SPA_BAD_MAC: 1 } });
    expect(io.err).not.toContain(KEY);
  });

  it("-C exits by itself after that many packets; SIGINT-like abort exits 130", async () => {
    const port = await freeUdpPort();
    setup(port);
    const io = fakeIo();
    const done = run([...args, "-t", "-i", "lo", "-C", "1"], io);
    await until(() => io.err.includes("Starting fwknopd"));
    const sock = createSocket("udp4");
    await new Promise<void>((r) => sock.send("x".repeat(200), port, "127.0.0.1", () => r()));
    sock.close();
    expect(await done).toBe(ExitCode.Ok);
    expect(io.err).toContain(`UDP server on 127.0.0.1:${port}`);
    expect(io.out).toMatch(/fwknopd stopped \(limit\): 1 packet\(s\) processed/);

    const ac = new AbortController();
    const io2 = Object.assign(fakeIo(), { signal: ac.signal });
    const done2 = run([...args, "-t", "-i", "127.0.0.1"], io2);
    await until(() => io2.err.includes("Starting fwknopd"));
    ac.abort("SIGINT");
    expect(await done2).toBe(ExitCode.Interrupted);
  });
});

describe("fwkit fwknopd access.conf sources and listen errors", () => {
  const d = mkdtempSync(join(tmpdir(), "fwkit-cli-fwknopd-"));
  afterAll(() => rmSync(d, { recursive: true, force: true }));
  const conf = join(d, "fwknopd.conf");
  writeFileSync(conf, "ENABLE_DIGEST_PERSISTENCE N\n");

  it("--access-folder reads every *.conf file of the folder (through %include_folder), in name order", async () => {
    const folder = join(d, "access.d");
    mkdirSync(folder);
    writeFileSync(join(folder, "b.conf"), `SOURCE 10.0.0.0/8\nKEY_BASE64 ${KEY}\n`);
    writeFileSync(join(folder, "a.conf"), `SOURCE ANY\nKEY secret-pw\nOPEN_PORTS tcp/22\n`);
    writeFileSync(join(folder, "ignored.txt"), "SOURCE nonsense\n");
    const { code, json } = await runJson<{ stanzas: { source: string; file: string }[] }>([
      "fwknopd",
      "-c",
      conf,
      "--access-folder",
      folder,
      "-D",
    ]);
    expect(code).toBe(ExitCode.Ok);
    expect(json.stanzas.map((s) => [s.source, s.file])).toEqual([
      ["ANY", join(folder, "a.conf")],
      ["10.0.0.0/8", join(folder, "b.conf")],
    ]);
  });

  it("a missing %include file is a config error that names it", async () => {
    const access = join(d, "access.conf");
    writeFileSync(access, `%include ${join(d, "missing.conf")}\nSOURCE ANY\nKEY secret-pw\n`);
    const { code, json } = await runJson<{ error: { code: string; details: { issues: string[] } } }>([
      "fwknopd",
      "-c",
      conf,
      "-a",
      access,
      "--exit-parse-config",
    ]);
    expect(code).toBe(ExitCode.Usage);
    expect(json.error.code).toBe("SPA_CONFIG_INVALID");
    expect(json.error.details.issues.join("\n")).toContain("missing.conf");
  });

  it("a UDP port already in use is CLI_IO (exit 1), not an internal error", async () => {
    const busy = createSocket("udp4");
    await new Promise<void>((r) => busy.bind(0, "127.0.0.1", r));
    const port = busy.address().port;
    writeFileSync(join(d, "busy.conf"), `UDPSERV_PORT ${port}\nENABLE_DIGEST_PERSISTENCE N\n`);
    const access = join(d, "ok.conf");
    writeFileSync(access, "SOURCE ANY\nKEY secret-pw\n");
    const io = fakeIo();
    const code = await run(
      ["fwknopd", "-c", join(d, "busy.conf"), "-a", access, "-t", "-i", "127.0.0.1", "-C", "1"],
      io,
    );
    busy.close();
    expect(code).toBe(ExitCode.Failure);
    expect(io.err).toMatch(new RegExp(`fwkit: CLI_IO: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
  });
});
