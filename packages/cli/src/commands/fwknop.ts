/**
 * `fwkit fwknop` — the fwknop Single Packet Authorization client, with fwknop 2.6.10's option names.
 * Composition only: packets, keys and `~/.fwknoprc` handling come from @fwkit/spa-protocol.
 */
import { randomBytes } from "node:crypto";
import { open } from "node:fs/promises";
import type { ClientOptions, ClientPacket, DigestType, EncryptionMode } from "@fwkit/spa-protocol";
import { Command, Option } from "commander";
import { z } from "zod";
import { CliError } from "../errors.ts";
import type { Io } from "../io.ts";
import { validateOptions } from "../options.ts";
import type { CommandResult } from "../output.ts";
import { type CommandContext, handle } from "../run.ts";

const DIGESTS = ["md5", "sha1", "sha256", "sha384", "sha512", "sha3_256", "sha3_512"] as const;
const MODES = ["CBC", "ECB", "CFB", "OFB", "CTR", "legacy"] as const;

const digest = z
  .string()
  .transform((v) => v.trim().toLowerCase().replace("-", "_"))
  .pipe(z.enum(DIGESTS));
const mode = z
  .string()
  .transform((v) => (v.trim().toLowerCase() === "legacy" ? "legacy" : v.trim().toUpperCase()))
  .pipe(z.enum(MODES));
const port = z.coerce.number().int().min(1).max(65535);
/** A value that will end up in a config line: no line breaks. */
const line = z
  .string()
  .min(1)
  .regex(/^[^\r\n]*$/, "must be a single line");

const clientSchema = z.strictObject({
  namedConfig: line.optional(),
  access: line.optional(),
  allowIp: line.optional(),
  destination: line.optional(),
  useHmac: z.boolean().optional(),
  savePacket: z.string().min(1).optional(),
  savePacketAppend: z.boolean().default(false),
  serverCmd: line.optional(),
  natAccess: line.optional(),
  serverPort: port.optional(),
  serverProto: z.enum(["udp", "tcp", "http"]).optional(),
  sourceIp: z.boolean().optional(),
  sourcePort: port.optional(),
  userAgent: line.optional(),
  spoofUser: line.optional(),
  keyGen: z.boolean().default(false),
  keyGenFile: z.string().min(1).optional(),
  keyLen: z.coerce.number().int().min(1).max(32).optional(),
  hmacKeyLen: z.coerce.number().int().min(1).max(128).optional(),
  keyRijndael: line.optional(),
  keyBase64Rijndael: line.optional(),
  keyHmac: line.optional(),
  keyBase64Hmac: line.optional(),
  randPort: z.boolean().optional(),
  test: z.boolean().default(false),
  verbose: z.boolean().default(false),
  digestType: digest.optional(),
  encryptionMode: mode.optional(),
  fwTimeout: z.coerce.number().int().min(0).max(65536).optional(),
  hmacDigestType: digest.optional(),
  rcFile: z.union([z.string().min(1), z.literal(false)]).optional(),
  saveRcStanza: z.boolean().default(false),
  forceStanza: z.boolean().default(false),
  stanzaList: z.boolean().default(false),
  natLocal: z.boolean().optional(),
  natPort: port.optional(),
  natRandPort: z.boolean().optional(),
  timeOffsetPlus: line.optional(),
  timeOffsetMinus: line.optional(),
  saveArgs: z.boolean().default(true),
  json: z.boolean().default(false),
});
type ClientArgs = z.infer<typeof clientSchema>;

const MESSAGE_TYPE_NAMES = [
  "Command msg",
  "Access msg",
  "NAT access msg",
  "Access msg with timeout",
  "NAT access msg with timeout",
  "Local NAT access msg",
  "Local NAT access msg with timeout",
];

const random = (n: number) => new Uint8Array(randomBytes(n));
const now = () => Math.floor(Date.now() / 1000);

/** The command-line options that map onto {@link ClientOptions} (only those given). */
function cliClientOptions(a: ClientArgs): ClientOptions {
  const o: ClientOptions = {};
  const set = <K extends keyof ClientOptions>(k: K, v: ClientOptions[K] | undefined) => {
    if (v !== undefined) o[k] = v;
  };
  set("access", a.access);
  set("allowIp", a.allowIp);
  set("sourceIp", a.sourceIp);
  set("destination", a.destination);
  set("serverPort", a.serverPort);
  set("serverProto", a.serverProto);
  set("natAccess", a.natAccess);
  set("natLocal", a.natLocal);
  set("natPort", a.natPort);
  set("natRandPort", a.natRandPort);
  set("fwTimeout", a.fwTimeout);
  set("serverCmd", a.serverCmd);
  set("digestType", a.digestType as DigestType | undefined);
  set("encryptionMode", a.encryptionMode as EncryptionMode | undefined);
  set("useHmac", a.useHmac);
  set("hmacDigestType", a.hmacDigestType as DigestType | undefined);
  set("keyRijndael", a.keyRijndael);
  set("keyBase64Rijndael", a.keyBase64Rijndael);
  set("keyHmac", a.keyHmac);
  set("keyBase64Hmac", a.keyBase64Hmac);
  set("spoofUser", a.spoofUser);
  set("timeOffsetPlus", a.timeOffsetPlus);
  set("timeOffsetMinus", a.timeOffsetMinus);
  set("randPort", a.randPort);
  set("httpUserAgent", a.userAgent);
  return o;
}

/**
 * Command-line options over rc-file options, as fwknop: a command-line allow IP replaces the rc one (and its
 * `ALLOW_IP source`), and a command-line key replaces both forms of the rc key.
 */
function overlay(rc: ClientOptions, cli: ClientOptions): ClientOptions {
  const base = { ...rc };
  if (cli.allowIp !== undefined || cli.sourceIp) {
    delete base.allowIp;
    delete base.sourceIp;
  }
  if (cli.keyRijndael !== undefined || cli.keyBase64Rijndael !== undefined) {
    delete base.keyRijndael;
    delete base.keyBase64Rijndael;
  }
  if (cli.keyHmac !== undefined || cli.keyBase64Hmac !== undefined) {
    delete base.keyHmac;
    delete base.keyBase64Hmac;
  }
  return { ...base, ...cli };
}

/** Read a file, or `undefined` when it does not exist. */
async function readOptional(io: Io, path: string): Promise<string | undefined> {
  try {
    return await io.readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CliError("CLI_IO", `cannot read ${path}: ${(e as Error).message}`, { path }, e);
  }
}

async function writeOut(io: Io, path: string, data: string): Promise<void> {
  try {
    await io.writeFile(path, data);
  } catch (e) {
    throw new CliError("CLI_IO", `cannot write ${path}: ${(e as Error).message}`, { path }, e);
  }
}

/**
 * Write a file that holds keys (rc file, `-K` file): created (or re-moded) 0600 first, as fwknop does, then written
 * through the Io.
 */
async function writePrivate(io: Io, path: string, data: string): Promise<void> {
  try {
    const fh = await open(path, "a", 0o600);
    try {
      await fh.chmod(0o600);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw new CliError("CLI_IO", `cannot create ${path}: ${(e as Error).message}`, { path }, e);
  }
  await writeOut(io, path, data);
}

/** Library misuse errors (missing -D, bad key options, …) are usage errors of the command. */
function asUsage(e: unknown): never {
  const code = (e as { code?: unknown }).code;
  if (code === "SPA_INVALID_ARGUMENT" || code === "SPA_KEY_INVALID") {
    throw new CliError("CLI_USAGE", (e as Error).message, { code }, e);
  }
  throw e;
}

type Spa = typeof import("@fwkit/spa-protocol");

function fieldDump(spa: Spa, p: ClientPacket, o: ClientOptions): string {
  const digestNum = spa.DIGEST_TYPE_NUMBER;
  const modeNum = spa.ENCRYPTION_MODE_NUMBER;
  const dg: DigestType = o.digestType ?? "sha256";
  const hm: DigestType | undefined = p.encoded.hmac ? (o.hmacDigestType ?? "sha256") : undefined;
  const md: EncryptionMode = o.encryptionMode ?? "CBC";
  const row = (k: string, v: string) => `${k.padStart(15)}: ${v}`;
  return [
    "SPA Field Values:",
    "=================",
    row("Username", p.username),
    row("Timestamp", String(p.timestamp)),
    row("FKO Version", spa.SPA_PROTOCOL_VERSION),
    row("Message Type", `${p.messageType} (${MESSAGE_TYPE_NAMES[p.messageType] ?? "?"})`),
    row("Message String", p.message),
    row("Nat Access", p.natAccess ?? "<NULL>"),
    row("Client Timeout", String(p.clientTimeout ?? 0)),
    row("Digest Type", `${digestNum[dg]} (${dg.toUpperCase()})`),
    row("HMAC Type", hm ? `${digestNum[hm]} (${hm.toUpperCase()})` : "0 (None)"),
    row("Encryption Type", "1 (Rijndael)"),
    row("Encryption Mode", `${modeNum[md]} (${md})`),
    row("Final SPA Data", p.encoded.wire),
    "",
  ].join("\n");
}

function packetData(p: ClientPacket, o: ClientOptions): Record<string, unknown> {
  return {
    destination: p.destination,
    port: p.port,
    proto: p.proto,
    messageType: p.messageType,
    message: p.message,
    ...(p.natAccess !== undefined ? { natAccess: p.natAccess } : {}),
    ...(p.clientTimeout !== undefined ? { clientTimeout: p.clientTimeout } : {}),
    username: p.username,
    timestamp: p.timestamp,
    digestType: o.digestType ?? "sha256",
    hmacDigestType: p.encoded.hmac ? (o.hmacDigestType ?? "sha256") : null,
    encryptionMode: o.encryptionMode ?? "CBC",
    wire: p.encoded.wire,
  };
}

async function client(io: Io, rawOpts: unknown): Promise<CommandResult> {
  const a = validateOptions(clientSchema, rawOpts);
  const spa = await import("@fwkit/spa-protocol");
  const cli = cliClientOptions(a);
  const rcPath = a.rcFile === false ? undefined : (a.rcFile ?? (io.env.HOME ? `${io.env.HOME}/.fwknoprc` : undefined));
  const rcText = rcPath ? await readOptional(io, rcPath) : undefined;
  if (a.rcFile === false && (a.namedConfig !== undefined || a.saveRcStanza || a.stanzaList)) {
    throw new CliError("CLI_USAGE", "--no-rc-file cannot be combined with -n, --save-rc-stanza or --stanza-list");
  }

  if (a.savePacketAppend && a.savePacket === undefined) {
    throw new CliError("CLI_USAGE", "-b/--save-packet-append needs -B/--save-packet <file>");
  }
  if (a.stanzaList) {
    const { stanzas } = spa.parseFwknoprc(rcText ?? "", rcPath);
    const names = stanzas.map((s) => s.name);
    return {
      data: { rcFile: rcPath ?? null, stanzas: names },
      text: `The following stanzas are configured in ${rcPath ?? "(no rc file: $HOME is not set)"}:\n${names.map((n) => `  ${n}`).join("\n")}\n`,
    };
  }
  if (a.saveRcStanza && a.namedConfig === undefined) {
    throw new CliError("CLI_USAGE", "--save-rc-stanza needs -n/--named-config <stanza>");
  }
  if (a.saveRcStanza && !rcPath) throw new CliError("CLI_USAGE", "--save-rc-stanza needs --rc-file or $HOME");

  /** --save-rc-stanza: the stanza's current options (unless --force-stanza) with these on top; returns the new text. */
  const saveStanza = async (extra: ClientOptions): Promise<string> => {
    const name = a.namedConfig as string;
    let existing: ClientOptions = {};
    if (!a.forceStanza) {
      const st = spa.parseFwknoprc(rcText ?? "").stanzas.find((s) => s.name === name);
      if (st) {
        const r = spa.rcToClientOptions(st.values);
        if (!r.ok) throw r.error;
        existing = r.value;
      }
    }
    let text: string;
    try {
      text = spa.saveRcStanza(rcText ?? "", name, overlay(existing, { ...cli, ...extra }));
    } catch (e) {
      asUsage(e);
    }
    await writePrivate(io, rcPath as string, text);
    return text;
  };

  if (a.keyGen || a.keyGenFile !== undefined) {
    let keys: { keyBase64: string; hmacKeyBase64: string };
    try {
      keys = spa.generateKeys(random, {
        ...(a.keyLen !== undefined ? { keyLen: a.keyLen } : {}),
        ...(a.hmacKeyLen !== undefined ? { hmacKeyLen: a.hmacKeyLen } : {}),
        ...(a.hmacDigestType !== undefined ? { hmacDigestType: a.hmacDigestType as DigestType } : {}),
      });
    } catch (e) {
      asUsage(e);
    }
    const lines = spa.formatKeyGen(keys);
    const data: Record<string, unknown> = {};
    let text = "";
    if (a.keyGenFile !== undefined) {
      await writePrivate(io, a.keyGenFile, lines);
      data.keyGenFile = a.keyGenFile;
      text += `[+] Wrote Rijndael and HMAC keys to: ${a.keyGenFile}\n`;
    } else {
      Object.assign(data, keys);
      text += lines;
    }
    if (a.saveRcStanza) {
      await saveStanza({ keyBase64Rijndael: keys.keyBase64, keyBase64Hmac: keys.hmacKeyBase64, useHmac: true });
      data.rcFile = rcPath;
      data.stanza = a.namedConfig;
      text += `[+] Wrote Rijndael and HMAC keys to rc file: ${data.rcFile} (stanza [${a.namedConfig}])\n`;
    }
    return { data, text };
  }

  // --save-rc-stanza first writes the stanza, then the packet is built from it (as fwknop does)
  const data0: Record<string, unknown> = {};
  const effectiveRc = a.saveRcStanza ? await saveStanza({}) : rcText;
  if (a.saveRcStanza) {
    data0.rcFile = rcPath;
    data0.stanza = a.namedConfig;
  }
  let rcOpts: ClientOptions = {};
  if (effectiveRc !== undefined || a.namedConfig !== undefined) {
    const r = spa.resolveRcOptions(effectiveRc ?? "", a.namedConfig);
    if (!r.ok) throw r.error;
    rcOpts = r.value;
  }
  const opts = overlay(rcOpts, cli);
  const localUser = io.env.SPOOF_USER ?? io.env.LOGNAME ?? io.env.USER;
  let packet: ClientPacket;
  try {
    packet = spa.buildClientPacket(opts, { random, now, ...(localUser ? { localUser } : {}) });
  } catch (e) {
    asUsage(e);
  }
  const data: Record<string, unknown> = { ...packetData(packet, opts), ...data0 };
  let text = a.test || a.verbose ? fieldDump(spa, packet, opts) : "";

  if (a.savePacket !== undefined) {
    const prev = a.savePacketAppend ? ((await readOptional(io, a.savePacket)) ?? "") : "";
    await writeOut(io, a.savePacket, `${prev}${packet.encoded.wire}\n`);
    data.savedPacket = a.savePacket;
  }
  if (a.test) {
    data.sent = false;
    text += "\ntest mode enabled, SPA packet not actually sent.\n";
    return { data, text };
  }
  const bytes = await spa.sendSpa(packet.encoded.wire, {
    host: packet.destination,
    port: packet.port,
    proto: packet.proto,
    ...(opts.httpUserAgent ? { userAgent: opts.httpUserAgent } : {}),
    ...(a.sourcePort !== undefined ? { sourcePort: a.sourcePort } : {}),
  });
  data.sent = true;
  data.bytesSent = bytes;
  if (a.verbose) {
    text += `\nsend_spa_packet: bytes sent: ${bytes} (${packet.proto} to ${packet.destination}:${packet.port})\n`;
  }
  return { data, text };
}

/** The `fwknop` command (the SPA client). */
export function fwknopCommand(ctx: CommandContext): Command {
  const cmd = new Command("fwknop")
    .description("fwknop SPA client: send a Single Packet Authorization packet to an fwknopd server (fwknop 2.6.10)")
    .usage("-A <port list> [-s|-a <ip>] -D <spa_server> [options]")
    .option("-n, --named-config <stanza>", "use a named stanza of ~/.fwknoprc ([default] always applies)")
    .option("-A, --access <list>", "ports/protocols to open on the server, e.g. tcp/22,udp/53")
    .option("-a, --allow-ip <ip>", "IP address to allow within the SPA packet")
    .option("-D, --destination <host>", "hostname or IP address of the fwknopd server")
    .option("--use-hmac", "add an HMAC to the SPA packet (implied by an HMAC key)")
    .option("-B, --save-packet <file>", "save the generated packet data to this file")
    .option("-b, --save-packet-append", "append to the -B file instead of overwriting it")
    .option("-C, --server-cmd <command>", "command for fwknopd to run (ENABLE_CMD_EXEC on the server)")
    .option("-N, --nat-access <host:port>", "gain NAT access to an internal service")
    .option("-p, --server-port <port>", "destination port of the SPA packet (default 62201)")
    .addOption(new Option("-P, --server-proto <proto>", "transport of the SPA packet").choices(["udp", "tcp", "http"]))
    .option("-s, --source-ip", "put 0.0.0.0 in the packet: the server allows the packet's source address")
    .option("-S, --source-port <port>", "source port of the SPA packet")
    .option("-u, --user-agent <ua>", "HTTP User-Agent with -P http (default Fwknop/2.6.10)")
    .option("-U, --spoof-user <user>", "username within the SPA packet")
    .option("-k, --key-gen", "generate Rijndael + HMAC keys (KEY_BASE64 / HMAC_KEY_BASE64)")
    .option("-K, --key-gen-file <file>", "write the generated keys to this file (mode 0600)")
    .option("--key-len <bytes>", "Rijndael key length for --key-gen (1-32, default 32)")
    .option("--hmac-key-len <bytes>", "HMAC key length for --key-gen (1-128, default by digest type)")
    .option("--key-rijndael <key>", "Rijndael key (visible in ps: prefer the rc file)")
    .option("--key-base64-rijndael <key>", "base64 Rijndael key")
    .option("--key-hmac <key>", "HMAC key")
    .option("--key-base64-hmac <key>", "base64 HMAC key")
    .option("-r, --rand-port", "send to a random port 10000-65535")
    .option("-T, --test", "build the SPA packet and print its fields, but do not send it")
    .option("-v, --verbose", "print the packet fields")
    .option("-m, --digest-type <type>", "md5, sha1, sha256 (default), sha384, sha512, sha3_256, sha3_512")
    .option("-M, --encryption-mode <mode>", "CBC (default), ECB, CFB, OFB, CTR or legacy")
    .option("-f, --fw-timeout <seconds>", "firewall timeout requested from the server")
    .option("--hmac-digest-type <type>", "HMAC digest: md5, sha1, sha256 (default), sha384, sha512, sha3_256, sha3_512")
    .option("--rc-file <file>", "rc file (default $HOME/.fwknoprc)")
    .option("--no-rc-file", "do not read an rc file")
    .option("--save-rc-stanza", "save the command-line options to the -n stanza of the rc file")
    .option("--force-stanza", "with --save-rc-stanza: replace the whole stanza")
    .option("--stanza-list", "list the stanzas of the rc file")
    .option("--nat-local", "access a local service via a forwarded port on the server")
    .option("--nat-port <port>", "port to forward for NAT access")
    .option("--nat-rand-port", "random port for NAT access")
    .option("--time-offset-plus <time>", "add time to the SPA timestamp, e.g. 5min")
    .option("--time-offset-minus <time>", "subtract time from the SPA timestamp")
    .option("--no-save-args", "accepted for compatibility (fwkit never writes ~/.fwknop.run)")
    .addOption(new Option("--json", "print one JSON document on stdout"))
    .addHelpText(
      "after",
      "\nExamples:\n  fwkit fwknop --key-gen\n  fwkit fwknop -A tcp/22 -a 198.51.100.7 -D spa.example.net --key-base64-rijndael KEY --key-base64-hmac HKEY\n  fwkit fwknop -n myserver --test --json\n",
    );
  handle(cmd, ctx, (_args, opts) => client(ctx.io, opts));
  return cmd;
}
