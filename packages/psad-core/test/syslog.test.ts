import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { which } from "@fwkit/test-utils";
import { describe, expect, it } from "vitest";
import { createSyslogSender, formatSyslog, sanitizeSyslogText } from "../src/syslog.ts";

const T = Date.parse("2026-03-01T20:35:11.250Z") / 1000;
const H = { facility: 23, severity: 6, tag: "psad" };
const MSGS = [
  "scan detected (Nmap -sT or -sS scan): 192.0.2.7 -> 198.51.100.1 tcp: [1000-1019] flags: SYN tcp pkts: 20 DL: 2 total scan dsts: 1",
  'src: 192.0.2.7 signature match: "MISC MS SQL" (sid: 2050) tcp port: 1433',
];

describe("formatSyslog", () => {
  it("RFC 3164, as glibc writes to /dev/log (no host) and with a host", () => {
    expect(formatSyslog("hello", T, H)).toBe("<190>Mar  1 20:35:11 psad: hello");
    expect(formatSyslog("hello", T, { ...H, hostname: "fw1", pid: 42 })).toBe(
      "<190>Mar  1 20:35:11 fw1 psad[42]: hello",
    );
    expect(formatSyslog("x", T, { facility: 16, severity: 3, tag: "psad", tzOffsetMinutes: 60 })).toBe(
      "<131>Mar  1 21:35:11 psad: x",
    );
  });
  it("RFC 5424 with offset, nil values and sanitised header fields", () => {
    expect(formatSyslog("hello", T, { ...H, hostname: "fw1" }, "rfc5424")).toBe(
      "<190>1 2026-03-01T20:35:11.250Z fw1 psad - - - hello",
    );
    expect(formatSyslog("m", T, { ...H, hostname: "a b\u00e9", msgId: "SCAN", tzOffsetMinutes: -90 }, "rfc5424")).toBe(
      "<190>1 2026-03-01T19:05:11.250-01:30 ab psad - SCAN - m",
    );
  });
  it("control characters (log injection) become spaces", () => {
    expect(sanitizeSyslogText("a\nb\r\u0000c")).toBe("a b  c");
    expect(formatSyslog("evil\n<0>Jan  1 00:00:00 root: forged", T, H)).not.toContain("\n");
  });
});

describe("createSyslogSender", () => {
  it("UDP to a local collector (RFC 5424 datagrams, one per message)", async () => {
    const server = createSocket("udp4");
    const got: string[] = [];
    const done = new Promise<void>((resolve) =>
      server.on("message", (m) => {
        got.push(m.toString());
        if (got.length === MSGS.length) resolve();
      }),
    );
    await new Promise<void>((r) => server.bind(0, "127.0.0.1", r));
    try {
      const s = createSyslogSender({
        ...H,
        hostname: "fw1",
        target: { kind: "udp", host: "127.0.0.1", port: server.address().port },
        now: () => T,
      });
      await s.send(MSGS);
      await done;
      expect(got).toEqual(MSGS.map((m) => `<190>1 2026-03-01T20:35:11.250Z fw1 psad - - - ${m}`));
    } finally {
      server.close();
    }
  });

  it.each([
    ["octet-counting", "rfc5424"],
    ["lf", "rfc3164"],
  ] as const)("TCP to a local collector (%s framing, %s)", async (framing, format) => {
    let resolveData: (s: string) => void = () => undefined;
    const data = new Promise<string>((r) => {
      resolveData = r;
    });
    const server = createServer((sock) => {
      let buf = "";
      sock.on("data", (d) => {
        buf += d.toString();
      });
      sock.on("end", () => resolveData(buf));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as { port: number }).port;
      const s = createSyslogSender({
        ...H,
        hostname: "fw1",
        target: { kind: "tcp", host: "127.0.0.1", port, framing },
        format,
        now: () => T,
      });
      await s.send(MSGS);
      const lines = MSGS.map((m) => formatSyslog(m, T, { ...H, hostname: "fw1" }, format));
      expect(await data).toBe(
        framing === "lf"
          ? lines.map((l) => `${l}\n`).join("")
          : lines.map((l) => `${Buffer.byteLength(l)} ${l}`).join(""),
      );
    } finally {
      server.close();
    }
  });

  it("TCP to a closed port rejects with PSAD_ALERT_DELIVERY_FAILED", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((r) => server.close(() => r()));
    const s = createSyslogSender({ ...H, target: { kind: "tcp", host: "127.0.0.1", port } });
    await expect(s.send(["x"])).rejects.toMatchObject({ code: "PSAD_ALERT_DELIVERY_FAILED" });
  });

  // Node cannot bind AF_UNIX datagram sockets: a python3 one-liner plays syslogd, `logger -u` sends.
  const unixMissing = !which("logger") ? "needs util-linux logger" : !which("python3") ? "needs python3" : null;
  it.skipIf(unixMissing)("unix datagram socket (the /dev/log path) through logger", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fwkit-syslog-"));
    const path = join(dir, "log.sock");
    const py = spawn(
      "python3",
      [
        "-c",
        "import socket,sys\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(sys.argv[1])\nprint('ready',flush=True)\ns.settimeout(10)\nfor _ in range(int(sys.argv[2])):\n  print(s.recv(65536).decode(),flush=True)",
        path,
        String(MSGS.length + 1),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      let out = "";
      let exited = false;
      py.stdout.on("data", (d) => {
        out += d.toString();
      });
      py.on("exit", () => {
        exited = true;
      });
      const lines = () => out.split("\n").filter(Boolean);
      const waitFor = async (n: number) => {
        for (let i = 0; i < 200 && lines().length < n; i++) {
          if (exited) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        if (lines().length < n) throw new Error(`receiver got ${lines().length} of ${n} lines: ${out}`);
      };
      await waitFor(1);
      const s = createSyslogSender({ facility: 20, severity: 4, tag: "psad", target: { kind: "unix", path } });
      await s.send([...MSGS, "line\nbreak"]);
      await waitFor(MSGS.length + 2);
      const got = lines().slice(1);
      expect(got).toHaveLength(3);
      got.forEach((g, i) => {
        expect(g).toMatch(/^<164>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d psad: /);
        expect(g.slice(g.indexOf("psad: ") + 6)).toBe([...MSGS, "line break"][i]);
      });
    } finally {
      py.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!which("logger"))("unix socket that does not exist rejects", async () => {
    const s = createSyslogSender({ ...H, target: { kind: "unix", path: "/nonexistent/fwkit.sock" } });
    await expect(s.send(["x"])).rejects.toMatchObject({ code: "PSAD_ALERT_DELIVERY_FAILED" });
  });
});
