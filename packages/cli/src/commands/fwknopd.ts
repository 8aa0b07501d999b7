/**
 * `fwkit fwknopd` — the fwknop Single Packet Authorization server, with fwknopd 2.6.10's option names. It runs in
 * the foreground (as under systemd) until SIGTERM/SIGINT, or until `-C` packets were processed. Composition only:
 * config parsing, the per-packet decision, the replay cache and the iptables rules come from @fwkit/spa-protocol.
 */
import { mkdir } from "node:fs/promises";
import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import { dirname, resolve as resolvePath } from "node:path";
import type { AccessStanza, FwknopdConfig, ProcessResult, SpaFirewall } from "@fwkit/spa-protocol";
import { Command, Option } from "commander";
import { z } from "zod";
import { CliError, isCodedError } from "../errors.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";
import { readText, validateOptions } from "../options.ts";
import type { CommandResult } from "../output.ts";
import { type CommandContext, handle } from "../run.ts";

/**
 * Extras the caller of `run()` may put on the {@link Io} for the long-running server. Tests inject `signal` to stop
 * it; without one, SIGTERM and SIGINT stop it.
 */
export interface FwknopdIo extends Io {
  /** Aborting this stops the server (as SIGTERM would); `signal.reason === "SIGINT"` exits 130. */
  signal?: AbortSignal;
}

/** A path or value that ends up in a config line: no line breaks. */
const line = z
  .string()
  .min(1)
  .regex(/^[^\r\n]*$/, "must be a single line");

const serverSchema = z.strictObject({
  configFile: line.default("/etc/fwknop/fwknopd.conf"),
  accessFile: line.optional(),
  accessFolder: line.optional(),
  overrideConfig: z
    .string()
    .regex(/^[^\r\n,]+(,[^\r\n,]+)*$/, "a comma-separated list of files")
    .optional(),
  foreground: z.boolean().default(false),
  interface: line.optional(),
  digestFile: line.optional(),
  runDir: line.optional(),
  packetLimit: z.coerce.number().int().min(1).optional(),
  test: z.boolean().default(false),
  udpServer: z.boolean().default(false),
  verbose: z.boolean().default(false),
  dumpConfig: z.boolean().default(false),
  exitParseConfig: z.boolean().default(false),
  fwList: z.boolean().default(false),
  fwFlush: z.boolean().default(false),
  gpgHomeDir: line.optional(),
  gpgExe: line.optional(),
  sudoExe: line.optional(),
  json: z.boolean().default(false),
});
type ServerArgs = z.infer<typeof serverSchema>;

type Spa = typeof import("@fwkit/spa-protocol");

const now = () => Math.floor(Date.now() / 1000);

/** Config lines for the command-line options that override fwknopd.conf (applied after the `-O` files). */
function cliOverrides(a: ServerArgs): string {
  const out: string[] = [];
  if (a.runDir !== undefined) out.push(`FWKNOP_RUN_DIR ${a.runDir}`);
  if (a.digestFile !== undefined) out.push(`DIGEST_FILE ${a.digestFile}`);
  if (a.accessFile !== undefined) out.push(`ACCESS_FILE ${a.accessFile}`);
  if (a.gpgHomeDir !== undefined) out.push(`GPG_HOME_DIR ${a.gpgHomeDir}`);
  if (a.gpgExe !== undefined) out.push(`GPG_EXE ${a.gpgExe}`);
  if (a.sudoExe !== undefined) out.push(`SUDO_EXE ${a.sudoExe}`);
  return out.length ? `${out.join("\n")}\n` : "";
}

async function loadConfig(spa: Spa, io: Io, a: ServerArgs): Promise<FwknopdConfig> {
  const text = await readText(io, a.configFile);
  const overrides: string[] = [];
  for (const f of a.overrideConfig?.split(",") ?? []) overrides.push(await readText(io, f));
  overrides.push(cliOverrides(a));
  const r = spa.parseFwknopdConf(text, overrides, a.configFile);
  for (const d of r.diagnostics) if (d.severity === "warning") io.stderr(`Warning: ${d.message}\n`);
  if (!r.config) {
    throw new spa.SpaError("SPA_CONFIG_INVALID", `invalid fwknopd config ${a.configFile}`, {
      file: a.configFile,
      issues: r.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}: ${d.message}`),
    });
  }
  return r.config;
}

/**
 * access.conf with its `%include` / `%include_folder` / `%include_keys` files, all read through the Io: the
 * (synchronous) parser is re-run until every file it asked for has been read.
 */
async function loadAccess(
  spa: Spa,
  io: Io,
  config: FwknopdConfig,
  a: ServerArgs,
): Promise<{ stanzas: AccessStanza[]; source: string }> {
  const folder = a.accessFolder ?? (a.accessFile === undefined ? config.accessFolder : undefined);
  const source = folder ?? config.accessFile;
  const text = folder !== undefined ? `%include_folder ${folder}\n` : await readText(io, config.accessFile);
  const files = new Map<string, string | Error>();
  const dirs = new Map<string, string[] | Error>();
  for (let pass = 0; pass < 50; pass++) {
    const wantFiles = new Set<string>();
    const wantDirs = new Set<string>();
    const r = spa.parseAccessConf(text, {
      ...(folder === undefined ? { file: config.accessFile } : {}),
      resolvePath: (p) => resolvePath(io.cwd, p),
      io: {
        readFile(p) {
          const v = files.get(p);
          if (v instanceof Error) throw v;
          if (v === undefined) wantFiles.add(p);
          return v ?? "";
        },
        listDir(p) {
          const v = dirs.get(p);
          if (v instanceof Error) throw v;
          if (v === undefined) wantDirs.add(p);
          return v ?? [];
        },
      },
    });
    if (wantFiles.size === 0 && wantDirs.size === 0) {
      for (const d of r.diagnostics) {
        if (d.severity === "warning") io.stderr(`Warning: ${d.file ? `${d.file}:` : ""}${d.line}: ${d.message}\n`);
      }
      const errors = r.diagnostics.filter((d) => d.severity === "error");
      if (errors.length > 0 || r.stanzas.length === 0) {
        throw new spa.SpaError("SPA_CONFIG_INVALID", `invalid access.conf ${source}`, {
          file: source,
          issues: errors.length
            ? errors.map((d) => `${d.file ?? source}:${d.line}: ${d.message}`)
            : ["no valid access stanzas"],
        });
      }
      return { stanzas: r.stanzas, source };
    }
    for (const p of wantFiles) {
      files.set(p, await io.readFile(p).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
    }
    for (const p of wantDirs) {
      const names = await io.readDir(p).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
      dirs.set(p, names === undefined ? new Error(`${p} is not a directory`) : names);
    }
  }
  throw new spa.SpaError("SPA_CONFIG_INVALID", "access.conf includes too many files", { file: source });
}

/** What may be shown of a stanza (never its keys). */
function stanzaSummary(s: AccessStanza): Record<string, unknown> {
  return {
    index: s.index,
    ...(s.file ? { file: s.file } : {}),
    line: s.line,
    source: s.sourceText,
    openPorts: s.openPorts?.map((p) => `${p.proto}/${p.port}`) ?? null,
    restrictPorts: s.restrictPorts?.map((p) => `${p.proto}/${p.port}`) ?? null,
    key: s.key ? "<see the access.conf file>" : null,
    keyLen: s.key?.length ?? null,
    hmacKey: s.hmacKey ? "<see the access.conf file>" : null,
    hmacKeyLen: s.hmacKey?.length ?? null,
    hmacDigestType: s.hmacDigestType,
    encryptionMode: s.encryptionMode,
    fwAccessTimeout: s.fwAccessTimeout,
    maxFwTimeout: s.maxFwTimeout,
    requireSourceAddress: s.requireSourceAddress,
    requireUsername: s.requireUsername ?? null,
    enableCmdExec: s.enableCmdExec,
    gpgDecryptId: s.gpgDecryptId ?? null,
  };
}

function dumpText(a: ServerArgs, config: FwknopdConfig, stanzas: AccessStanza[]): string {
  const out = ["Current fwknopd config settings:"];
  const rows: Array<[string, string]> = [
    ["CONFIG_FILE", a.configFile],
    ["OVERRIDE_CONFIG", a.overrideConfig ?? "<not set>"],
    ...Object.entries(config.raw),
  ];
  rows.forEach(([k, v], i) => {
    out.push(`${String(i).padStart(3)}. ${k.padEnd(28)} =  '${v}'`);
  });
  out.push("", "Current fwknopd access settings:");
  for (const s of stanzas) {
    out.push(`SOURCE (${s.index}):  ${s.sourceText}`, "==============================================================");
    for (const [k, v] of Object.entries(stanzaSummary(s))) {
      if (k === "index" || k === "source") continue;
      out.push(`${k.padStart(27)}:  ${v === null ? "<not set>" : Array.isArray(v) ? v.join(", ") : String(v)}`);
    }
    out.push("");
  }
  return `${out.join("\n")}\n`;
}

/** `-i`: an address to bind, or an interface whose first address is bound (default: every IPv4 address). */
function bindAddress(intf: string | undefined): string {
  if (intf === undefined) return "0.0.0.0";
  if (isIP(intf)) return intf;
  const addrs = networkInterfaces()[intf];
  const a = addrs?.find((x) => x.family === "IPv4") ?? addrs?.[0];
  if (!a) throw new CliError("CLI_USAGE", `no interface ${intf} with an address`, { interface: intf });
  return a.address;
}

async function requireRoot(): Promise<void> {
  if (process.getuid?.() === 0) return;
  const { IptablesParseError } = await import("@fwkit/iptables-parse");
  throw new IptablesParseError(
    "IPT_PERMISSION_DENIED",
    "fwknopd manages iptables rules and needs root (use -t/--test to process packets without the firewall)",
  );
}

/** Start listening; a socket error (address in use, no such address) is an IO error, not a bug. */
async function listen<T>(host: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (e) {
    // fwkit errors pass through; errno errors (EADDRINUSE, EADDRNOTAVAIL, EACCES…) become CLI_IO
    if (isCodedError(e) && !/^E[A-Z]+$/.test(e.code)) throw e;
    throw new CliError("CLI_IO", `cannot listen on ${host}:${port}: ${(e as Error).message}`, { host, port }, e);
  }
}

/** Resolve when the server should stop: injected signal, SIGTERM/SIGINT, or the -C packet limit. */
function stopSignal(io: FwknopdIo, limit: AbortController): { stopped: Promise<string>; dispose(): void } {
  const cleanups: Array<() => void> = [];
  const stopped = new Promise<string>((resolve) => {
    const onAbort = (s: AbortSignal) => () => resolve(typeof s.reason === "string" ? s.reason : "SIGTERM");
    for (const s of [io.signal, limit.signal]) {
      if (!s) continue;
      if (s.aborted) return onAbort(s)();
      const f = onAbort(s);
      s.addEventListener("abort", f, { once: true });
      cleanups.push(() => s.removeEventListener("abort", f));
    }
    if (!io.signal) {
      for (const sig of ["SIGTERM", "SIGINT"] as const) {
        const f = () => resolve(sig);
        process.once(sig, f);
        cleanups.push(() => process.off(sig, f));
      }
    }
  });
  return {
    stopped,
    dispose: () => {
      for (const c of cleanups) c();
    },
  };
}

async function server(io: FwknopdIo, rawOpts: unknown): Promise<CommandResult> {
  const a = validateOptions(serverSchema, rawOpts);
  const spa = await import("@fwkit/spa-protocol");
  const config = await loadConfig(spa, io, a);

  if (a.fwList || a.fwFlush) {
    await requireRoot();
    const fw = new spa.IptablesFirewall(config, spa.nodeExecutor);
    if (a.fwFlush) {
      await fw.flush();
      return { data: { flushed: true }, text: "Deleting any existing firewall rules...\n" };
    }
    const listing = await fw.list();
    return { data: { listing }, text: listing };
  }

  const { stanzas, source } = await loadAccess(spa, io, config, a);
  if (a.dumpConfig) {
    return {
      data: { configFile: a.configFile, config: config.raw, accessFile: source, stanzas: stanzas.map(stanzaSummary) },
      text: dumpText(a, config, stanzas),
    };
  }
  if (a.exitParseConfig) {
    return {
      data: { configFile: a.configFile, accessFile: source, stanzas: stanzas.length },
      text: "Configs parsed, exiting.\n",
    };
  }

  if (!a.test) await requireRoot();
  const host = bindAddress(a.interface);
  const log = (level: "info" | "warning" | "debug", message: string) => {
    if (level === "debug" && !a.verbose) return;
    io.stderr(`${level === "warning" ? "Warning: " : ""}${message}\n`);
  };

  let replay: import("@fwkit/spa-protocol").ReplayCache;
  if (config.enableDigestPersistence) {
    await mkdir(dirname(config.digestFile), { recursive: true, mode: 0o700 }).catch(() => undefined);
    const opened = spa.openDigestCacheFile(config.digestFile);
    replay = opened.cache;
    log("info", `Digest cache ${config.digestFile}: ${opened.loaded} entries loaded, ${opened.skipped} skipped`);
  } else {
    replay = new spa.MemoryReplayCache();
  }

  let firewall: SpaFirewall | undefined;
  if (!a.test) {
    firewall = new spa.IptablesFirewall(config, spa.nodeExecutor);
    await firewall.init();
  }
  const counts = { processed: 0, granted: 0, test: 0, rejected: 0, ignored: 0 };
  const codes: Record<string, number> = {};
  const limit = new AbortController();
  const stop = stopSignal(io, limit);
  let srv: import("@fwkit/spa-protocol").SpaServerHandle | undefined;
  let reason: string;
  try {
    srv = await listen(host, config.udpservPort, () =>
      spa.startSpaServer({
        config,
        stanzas,
        replay,
        now,
        testMode: a.test,
        udpPort: config.udpservPort,
        ...(config.enableTcpServer ? { tcpPort: config.tcpservPort } : {}),
        host,
        ...(firewall ? { firewall } : {}),
        ...(stanzas.some((s) => s.gpgDecryptId) ? { gpgKeys: spa.gpgHomeKeyLoader(config) } : {}),
        onLog: (l) => log(l.level, l.message),
        onResult: (r: ProcessResult) => {
          counts.processed++;
          counts[r.outcome]++;
          if (r.code) codes[r.code] = (codes[r.code] ?? 0) + 1;
          if (a.packetLimit !== undefined && counts.processed >= a.packetLimit) {
            log("info", `Packet limit (${a.packetLimit}) reached`);
            limit.abort("limit");
          }
        },
      }),
    );
    const tcp = srv.tcpPort !== undefined ? `, TCP server on ${host}:${srv.tcpPort}` : "";
    log(
      "info",
      `Starting fwknopd: UDP server on ${host}:${srv.udpPort}${tcp}, ${stanzas.length} access stanza(s)${a.test ? ", --test mode" : ""}`,
    );
    reason = await stop.stopped;
  } finally {
    stop.dispose();
    await srv?.close();
    if (firewall && config.flushIptAtExit) await firewall.flush();
  }
  log("info", `Shutting down fwknopd (${reason})`);
  return {
    data: { host, udpPort: srv.udpPort, testMode: a.test, stoppedBy: reason, ...counts, codes },
    text: `fwknopd stopped (${reason}): ${counts.processed} packet(s) processed, ${counts.granted} granted, ${counts.test} accepted in --test mode, ${counts.rejected} rejected, ${counts.ignored} ignored\n`,
    exitCode: reason === "SIGINT" ? ExitCode.Interrupted : ExitCode.Ok,
  };
}

/** The `fwknopd` command (the SPA server). */
export function fwknopdCommand(ctx: CommandContext): Command {
  const cmd = new Command("fwknopd")
    .description(
      "fwknopd SPA server: UDP server mode, access.conf stanzas, replay cache and iptables rules (fwknopd 2.6.10)",
    )
    .option("-c, --config-file <file>", "fwknopd.conf", "/etc/fwknop/fwknopd.conf")
    .option("-a, --access-file <file>", "access.conf (default ACCESS_FILE of fwknopd.conf)")
    .option("--access-folder <dir>", "read every *.conf file of this folder as access.conf")
    .option("-O, --override-config <files>", "comma-separated files whose entries override fwknopd.conf")
    .option("-f, --foreground", "accepted for compatibility: fwkit fwknopd always runs in the foreground")
    .option("-i, --interface <intf|addr>", "listen on this interface's address (or this address); default all")
    .option("-d, --digest-file <file>", "digest.cache file (default DIGEST_FILE)")
    .option("-r, --run-dir <dir>", "FWKNOP_RUN_DIR")
    .option("-C, --packet-limit <n>", "exit after processing this many candidate SPA packets")
    .option("-t, --test", "process SPA packets but make no firewall changes (and store no digests)")
    .option("-U, --udp-server", "accepted for compatibility: UDP server mode is the only mode")
    .option("-v, --verbose", "also log debug messages")
    .option("-D, --dump-config", "print the config and access stanzas (without keys) and exit")
    .option("--exit-parse-config", "parse the config files and exit (exit 2 when invalid)")
    .option("--fw-list", "list the rules fwknopd has created and exit")
    .option("--fw-flush", "flush the rules fwknopd has created and exit")
    .option("--gpg-home-dir <dir>", "GPG_HOME_DIR")
    .option("--gpg-exe <path>", "GPG_EXE")
    .option("--sudo-exe <path>", "SUDO_EXE")
    .addOption(new Option("--json", "print one JSON document on stdout (at exit)"))
    .addHelpText(
      "after",
      "\nRuns until SIGTERM / SIGINT (logs on stderr). Examples:\n  sudo fwkit fwknopd -f\n  fwkit fwknopd -c fwknopd.conf -a access.conf --exit-parse-config\n  sudo fwkit fwknopd --fw-list\n",
    );
  handle(cmd, ctx, (_args, opts) => server(ctx.io as FwknopdIo, opts));
  return cmd;
}
