/** Thin IO shell of the server: sockets, digest.cache file, iptables executor, command execution. */
import { execFile, spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { SpaError } from "./errors.ts";
import type { Executor, FwRule, SpaFirewall } from "./firewall.ts";
import type { GpgDecodeKeys } from "./gpg.ts";
import {
  DIGEST_CACHE_HEADER,
  type DigestCacheEntry,
  formatDigestCacheLine,
  MemoryReplayCache,
  parseDigestCache,
} from "./replay-cache.ts";
import {
  type AccessGrant,
  type GpgKeyLoader,
  type IncomingPacket,
  type ProcessResult,
  processSpaPacket,
  processSpaPacketAsync,
  type ServerContext,
  type ServerLogLine,
} from "./server.ts";

/**
 * Default {@link Executor}: `execFile` with an argv array (never a shell), `LC_ALL=C`, a timeout and a maxBuffer.
 * `new IptablesFirewall(config, nodeExecutor)` runs every ChainMgr command through it.
 */
export const nodeExecutor: Executor = (file, args) =>
  new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { timeout: 30_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LC_ALL: "C" } },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === "number"
            ? (err as { code: number }).code
            : 1
          : 0;
        resolve({ stdout: String(stdout), stderr: String(stderr), exitCode: code });
      },
    );
  });

/**
 * Open (or create, mode 0600, with fwknopd's header) a digest.cache file and return a replay cache that appends
 * every new entry to it, so a packet accepted before a restart is still refused after it.
 * @throws {SpaError} SPA_IO when the file cannot be read or created
 */
export function openDigestCacheFile(path: string): { cache: MemoryReplayCache; loaded: number; skipped: number } {
  let entries: DigestCacheEntry[] = [];
  let skipped = 0;
  try {
    if (existsSync(path)) ({ entries, skipped } = parseDigestCache(readFileSync(path, "utf8")));
    else writeFileSync(path, `${DIGEST_CACHE_HEADER}\n`, { mode: 0o600, flag: "wx" });
  } catch (e) {
    throw new SpaError("SPA_IO", "cannot open digest cache", { path }, { cause: e });
  }
  const cache = new MemoryReplayCache(entries, (e) =>
    appendFileSync(path, `${formatDigestCacheLine(e)}\n`, { mode: 0o600 }),
  );
  return { cache, loaded: entries.length, skipped };
}

/** Parse `/etc/passwd`-style text into name → {uid, gid}. */
export function parsePasswd(text: string): Map<string, { uid: number; gid: number }> {
  const m = new Map<string, { uid: number; gid: number }>();
  for (const l of text.split("\n")) {
    const p = l.split(":");
    if (p.length >= 4 && /^\d+$/.test(p[2] ?? "") && /^\d+$/.test(p[3] ?? "")) {
      m.set(p[0] as string, { uid: Number(p[2]), gid: Number(p[3]) });
    }
  }
  return m;
}

/** Split a command message into argv on whitespace (fwknopd runs it with execvpe, never a shell). */
export function splitCommand(command: string): string[] {
  return command.split(/\s+/).filter(Boolean);
}

/**
 * Run an SPA command message as the configured user (CMD_EXEC_USER/GROUP), without a shell, with a timeout.
 * @returns exit code and captured output
 * @throws {SpaError} SPA_INVALID_ARGUMENT for an empty command or unknown user
 */
export function runSpaCommand(
  command: string,
  opts: { user?: string; group?: string; timeoutMs?: number; passwd?: string; groups?: string } = {},
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const argv = splitCommand(command);
  if (argv.length === 0) return Promise.reject(new SpaError("SPA_INVALID_ARGUMENT", "empty command"));
  let uid: number | undefined;
  let gid: number | undefined;
  if (opts.user) {
    const u = parsePasswd(opts.passwd ?? readFileSync("/etc/passwd", "utf8")).get(opts.user);
    if (!u) return Promise.reject(new SpaError("SPA_INVALID_ARGUMENT", "unknown CMD_EXEC_USER", { user: opts.user }));
    uid = u.uid;
    gid = u.gid;
  }
  if (opts.group) {
    const g = (opts.groups ?? readFileSync("/etc/group", "utf8"))
      .split("\n")
      .map((l) => l.split(":"))
      .find((p) => p[0] === opts.group);
    if (!g || !/^\d+$/.test(g[2] ?? "")) {
      return Promise.reject(new SpaError("SPA_INVALID_ARGUMENT", "unknown CMD_EXEC_GROUP", { group: opts.group }));
    }
    gid = Number(g[2]);
  }
  return new Promise((resolve) => {
    const child = spawn(argv[0] as string, argv.slice(1), {
      shell: false,
      timeout: opts.timeoutMs ?? 30_000,
      ...(uid !== undefined ? { uid } : {}),
      ...(gid !== undefined ? { gid } : {}),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => {
      if (stdout.length < 65536) stdout += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      if (stderr.length < 65536) stderr += d.toString();
    });
    child.on("error", (e) => resolve({ exitCode: 127, stdout, stderr: stderr + e.message }));
    child.on("close", (code) => resolve({ exitCode: code ?? 1, stdout, stderr }));
  });
}

/**
 * Expand fwknopd's CMD_CYCLE_OPEN/CLOSE variables (`$IP $SRC $PKT_SRC $DST $PORT $PROTO $TIMEOUT`) into an argv
 * (split on whitespace first, so a substituted value can never add arguments or reach a shell).
 */
export function expandCycleCommand(template: string, g: AccessGrant): string[] {
  const first = g.ports[0];
  const vars: Record<string, string> = {
    IP: g.allowIp,
    SRC: g.allowIp,
    PKT_SRC: g.srcIp,
    DST: g.dstIp,
    PORT: first ? String(first.port) : "",
    PROTO: first ? first.proto : "",
    TIMEOUT: String(g.timeout),
  };
  return splitCommand(template).map((w) =>
    w.replace(/\$(PKT_SRC|IP|SRC|DST|PORT|PROTO|TIMEOUT)/g, (_, k: string) => vars[k] ?? ""),
  );
}

/**
 * A {@link GpgKeyLoader} reading keys from the stanza's GnuPG home (GPG_HOME_DIR, else fwknopd.conf's) with the
 * `gpg` binary: the secret key of GPG_DECRYPT_ID (passphrase GPG_DECRYPT_PW, passed on stdin, never in argv) and
 * every public key of the keyring for signature checks. Results are cached per stanza.
 */
export function gpgHomeKeyLoader(defaults: { gpgHomeDir: string; gpgExe: string }): GpgKeyLoader {
  const cache = new Map<number, Promise<GpgDecodeKeys | undefined>>();
  const gpg = (exe: string, home: string, args: string[], input: string) =>
    new Promise<string>((resolve, reject) => {
      const child = execFile(
        exe,
        ["--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase-fd", "0", ...args],
        { timeout: 30_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, LC_ALL: "C" } },
        (err, stdout) =>
          err ? reject(new SpaError("SPA_KEY_INVALID", "gpg key export failed", { home })) : resolve(String(stdout)),
      );
      child.stdin?.end(`${input}\n`);
    });
  return (st) => {
    let p = cache.get(st.index);
    if (!p) {
      const exe = st.gpgExe ?? defaults.gpgExe;
      const home = st.gpgHomeDir ?? defaults.gpgHomeDir;
      const id = st.gpgDecryptId;
      p = id
        ? (async () => {
            const decryptKey = await gpg(exe, home, ["--armor", "--export-secret-keys", id], st.gpgDecryptPw ?? "");
            const pub = await gpg(exe, home, ["--armor", "--export"], "");
            const verificationKeys = pub
              .split(/(?=-----BEGIN PGP PUBLIC KEY BLOCK-----)/)
              .filter((b) => b.includes("BEGIN PGP PUBLIC KEY BLOCK"));
            return {
              decryptKey,
              verificationKeys,
              ...(st.gpgDecryptPw !== undefined ? { decryptPassphrase: st.gpgDecryptPw } : {}),
            };
          })()
        : Promise.resolve(undefined);
      cache.set(st.index, p);
    }
    return p;
  };
}

/** Options of {@link startSpaServer}. */
export interface SpaServerOptions extends ServerContext {
  /** UDP port (UDPSERV_PORT); 0 picks a free one. */
  udpPort?: number;
  /** Also listen on TCP (ENABLE_TCP_SERVER / SPA over HTTP); port or undefined for none. */
  tcpPort?: number;
  /** Bind address, default 0.0.0.0 (use 127.0.0.1 in tests). */
  host?: string;
  firewall?: SpaFirewall;
  /** Called for every log line (the library never prints). */
  onLog?: (line: ServerLogLine) => void;
  /** Called after each processed packet. */
  onResult?: (r: ProcessResult, pkt: IncomingPacket) => void;
  /** Called after a grant has been applied. */
  onGrant?: (g: AccessGrant, rules: FwRule[]) => void;
  /** Expiry check period in ms (UDPSERV_SELECT_TIMEOUT), default 500. */
  expireEveryMs?: number;
  /** GnuPG keys per stanza; when set, packets go through processSpaPacketAsync (serialised, queue ≤ 1000). */
  gpgKeys?: GpgKeyLoader;
  /** Run command messages (type 0); default: runSpaCommand. */
  runCommand?: (g: AccessGrant) => Promise<unknown>;
}

/** A running server. */
export interface SpaServerHandle {
  udpPort: number;
  tcpPort?: number;
  /** Stop listening and the expiry timer. */
  close(): Promise<void>;
  /** Packets processed so far. */
  readonly processed: number;
}

/**
 * fwknopd's UDP-server mode (`ENABLE_UDP_SERVER`, `-U`) plus an optional TCP/HTTP listener: every datagram (max
 * 1500 bytes) goes through {@link processSpaPacket}; grants go to the firewall; expiry runs on a timer. Never
 * replies to the network. Packets are processed one at a time in arrival order.
 */
export async function startSpaServer(opts: SpaServerOptions): Promise<SpaServerHandle> {
  const host = opts.host ?? "0.0.0.0";
  let processed = 0;
  let chain: Promise<void> = Promise.resolve();
  let queued = 0;
  const handle = (pkt: IncomingPacket) => {
    if (opts.gpgKeys) {
      if (queued >= 1000) return;
      queued++;
      chain = chain.then(async () => {
        const r = await processSpaPacketAsync(pkt, opts);
        queued--;
        after(r, pkt);
      });
      return;
    }
    after(processSpaPacket(pkt, opts), pkt);
  };
  const after = (r: ProcessResult, pkt: IncomingPacket) => {
    processed++;
    for (const l of r.log) opts.onLog?.(l);
    opts.onResult?.(r, pkt);
    if (r.outcome !== "granted" || !r.grant) return;
    const g = r.grant;
    chain = chain.then(async () => {
      try {
        if (g.kind === "access" && opts.firewall) {
          const rules = await opts.firewall.grant(g);
          const chains = [...new Set(rules.map((r) => r.chain))].join(",");
          const pp = g.ports.map((p) => `${p.proto}/${p.port}`).join(",");
          opts.onLog?.({
            level: "info",
            message: `Added access rule to ${chains} for ${g.allowIp} -> ${pp}, expires at ${g.expiresAt}`,
          });
          opts.onGrant?.(g, rules);
        } else if (g.kind === "command" && g.command !== undefined) {
          const run =
            opts.runCommand ??
            ((x: AccessGrant) =>
              x.stanza.enableCmdSudoExec
                ? runSpaCommand(
                    [
                      opts.config.sudoExe,
                      "-u",
                      x.stanza.cmdSudoExecUser ?? "root",
                      ...(x.stanza.cmdSudoExecGroup ? ["-g", x.stanza.cmdSudoExecGroup] : []),
                      x.command as string,
                    ].join(" "),
                  )
                : runSpaCommand(x.command as string, {
                    ...(x.stanza.cmdExecUser ? { user: x.stanza.cmdExecUser } : {}),
                    ...(x.stanza.cmdExecGroup ? { group: x.stanza.cmdExecGroup } : {}),
                  }));
          await run(g);
          opts.onGrant?.(g, []);
        } else if (g.kind === "cmd-cycle" && g.stanza.cmdCycleOpen) {
          const runArgv = (argv: string[]) =>
            runSpaCommand(argv.join(" "), {
              ...(g.stanza.cmdExecUser ? { user: g.stanza.cmdExecUser } : {}),
              ...(g.stanza.cmdExecGroup ? { group: g.stanza.cmdExecGroup } : {}),
            });
          await runArgv(expandCycleCommand(g.stanza.cmdCycleOpen, g));
          const close = g.stanza.cmdCycleClose;
          if (close && close !== "NONE") {
            const t = setTimeout(
              () => {
                chain = chain.then(() => runArgv(expandCycleCommand(close, g)).then(() => undefined));
              },
              (g.stanza.cmdCycleTimer ?? g.timeout) * 1000,
            );
            t.unref();
          }
          opts.onGrant?.(g, []);
        } else {
          opts.onGrant?.(g, []);
        }
      } catch (e) {
        opts.onLog?.({ level: "warning", message: `action failed: ${(e as Error).message}` });
      }
    });
  };
  const udp: Socket = createSocket({ type: host.includes(":") ? "udp6" : "udp4", recvBufferSize: 4 * 1024 * 1024 });
  udp.on("message", (msg, rinfo) => {
    if (msg.length > 1500) return;
    handle({
      payload: msg.toString("latin1"),
      srcIp: rinfo.address,
      srcPort: rinfo.port,
      dstIp: "0.0.0.0",
      dstPort: opts.udpPort ?? 62201,
      proto: 17,
    });
  });
  udp.on("error", (e) => opts.onLog?.({ level: "warning", message: `UDP socket error: ${e.message}` }));
  await new Promise<void>((res, rej) => {
    udp.once("error", rej);
    udp.bind(opts.udpPort ?? 62201, host, () => {
      udp.off("error", rej);
      res();
    });
  });
  let tcp: Server | undefined;
  if (opts.tcpPort !== undefined) {
    tcp = createServer((sock) => {
      let buf = Buffer.alloc(0);
      sock.setTimeout(1000, () => sock.destroy());
      sock.on("data", (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length > 1500) sock.destroy();
      });
      sock.on("error", () => undefined);
      sock.on("close", () => {
        if (buf.length === 0 || buf.length > 1500) return;
        handle({
          payload: buf.toString("latin1"),
          srcIp: (sock.remoteAddress ?? "").replace(/^::ffff:/, ""),
          srcPort: sock.remotePort ?? 0,
          dstIp: (sock.localAddress ?? "0.0.0.0").replace(/^::ffff:/, ""),
          dstPort: sock.localPort ?? 0,
          proto: 6,
        });
      });
      sock.on("end", () => sock.end());
    });
    await new Promise<void>((res) => tcp?.listen(opts.tcpPort, host, res));
  }
  const timer = setInterval(() => {
    if (!opts.firewall) return;
    const fw = opts.firewall;
    chain = chain.then(async () => {
      try {
        const n = await fw.expire(Math.floor(opts.now()));
        if (n) opts.onLog?.({ level: "info", message: `Removed ${n} expired rule(s)` });
      } catch (e) {
        opts.onLog?.({ level: "warning", message: `expiry failed: ${(e as Error).message}` });
      }
    });
  }, opts.expireEveryMs ?? 500);
  timer.unref();
  const addr = udp.address();
  const tcpAddr = tcp?.address();
  return {
    udpPort: addr.port,
    ...(tcpAddr && typeof tcpAddr === "object" ? { tcpPort: tcpAddr.port } : {}),
    get processed() {
      return processed;
    },
    async close() {
      clearInterval(timer);
      await new Promise<void>((res) => udp.close(() => res()));
      if (tcp) await new Promise<void>((res) => tcp?.close(() => res()));
      await chain;
    },
  };
}
