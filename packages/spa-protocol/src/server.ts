import { type AccessStanza, addressListMatches } from "./access-conf.ts";
import { isB64Charset } from "./base64.ts";
import { isSpaError, SpaError, type SpaErrorCode } from "./errors.ts";
import type { FwknopdConfig } from "./fwknopd-conf.ts";
import { type DecodedSpaGpg, decodeSpaGpg, type GpgDecodeKeys } from "./gpg.ts";
import { isStrictIpv4, type ProtoPort, parseAccessMessage, parseCommandMessage, parseNatAccess } from "./message.ts";
import { type DecodedSpa, decodeSpa } from "./packet.ts";
import { SPA_LIMITS } from "./plaintext.ts";
import { type ReplayCache, replayDigest } from "./replay-cache.ts";
import { SALTED_PREFIX_B64 } from "./rijndael.ts";
import type { Clock } from "./types.ts";

/** A captured SPA candidate (payload as received, after the transport layer). */
export interface IncomingPacket {
  payload: string;
  srcIp: string;
  srcPort: number;
  /** 0.0.0.0 in UDP-server mode (as fwknopd records it). */
  dstIp: string;
  dstPort: number;
  /** IP protocol number: 17 UDP, 6 TCP. */
  proto: number;
}

/** What the server decided to do for an authenticated, policy-approved packet. */
export interface AccessGrant {
  /** `access`: open ports; `command`: run `command`; `cmd-cycle`: run the stanza's CMD_CYCLE_OPEN. */
  kind: "access" | "command" | "cmd-cycle";
  stanza: AccessStanza;
  /** The address the rules are for (packet source when the SPA said 0.0.0.0). */
  allowIp: string;
  ports: ProtoPort[];
  /** Seconds the access lasts. */
  timeout: number;
  /** Unix time at which the rules expire (`_exp_<epoch>`). */
  expiresAt: number;
  messageType: number;
  nat?: { host: string; port: number };
  command?: string;
  username: string;
  srcIp: string;
  dstIp: string;
}

/** A log line as fwknopd would emit it (level plus text). Never contains keys or plaintext. */
export interface ServerLogLine {
  level: "info" | "warning" | "debug";
  message: string;
}

/** Result of {@link processSpaPacket}. */
export interface ProcessResult {
  /** `ignored`: silently dropped (size / prefix); `rejected`: refused; `granted`: see `grant`; `test`: would grant (`--test`). */
  outcome: "ignored" | "rejected" | "granted" | "test";
  /** Stable code of the last reason a packet was refused. */
  code?: SpaErrorCode | "SPA_NOT_SPA_DATA" | "SPA_STANZA_EXPIRED" | "SPA_NO_STANZA_MATCH";
  grant?: AccessGrant;
  /** Decoded fields (only for authenticated packets). Secret: do not log. */
  decoded?: DecodedSpa;
  log: ServerLogLine[];
}

/** Dependencies of the server core: clock and replay cache are injected. */
export interface ServerContext {
  config: FwknopdConfig;
  stanzas: readonly AccessStanza[];
  replay: ReplayCache;
  now: Clock;
  /** `--test`: decide but do not add to the replay cache nor touch the firewall. */
  testMode?: boolean;
}

/**
 * Unwrap an SPA-over-HTTP request (`GET /<data> HTTP/1.1` with a `User-Agent: Fwknop…` header): text after
 * `GET /` up to whitespace, `-`→`+`, `_`→`/`. Returns undefined when not an fwknop request.
 */
export function unwrapHttp(payload: string, allowAnyUserAgent = false): string | undefined {
  if (!payload.startsWith("GET /")) return undefined;
  if (!allowAnyUserAgent && !/\r?\nUser-Agent: Fwknop/i.test(payload)) return undefined;
  const m = /^GET \/(\S+)/.exec(payload);
  if (!m) return undefined;
  return (m[1] as string).replaceAll("-", "+").replaceAll("_", "/");
}

function portsAllowed(stanza: AccessStanza, ports: ProtoPort[]): boolean {
  const has = (list: ProtoPort[], p: ProtoPort) => list.some((x) => x.proto === p.proto && x.port === p.port);
  if (stanza.restrictPorts && ports.some((p) => has(stanza.restrictPorts as ProtoPort[], p))) return false;
  if (stanza.openPorts && !ports.every((p) => has(stanza.openPorts as ProtoPort[], p))) return false;
  return true;
}

type Pre = { done: ProcessResult } | { data: string; digest: string; now: number };

function precheck(pkt: IncomingPacket, ctx: ServerContext, log: ServerLogLine[]): Pre {
  const info = (m: string) => log.push({ level: "info", message: m });
  const debug = (m: string) => log.push({ level: "debug", message: m });
  let data = pkt.payload;
  if (data.length < SPA_LIMITS.MIN_SERVER_PAYLOAD || data.length > SPA_LIMITS.MAX_SERVER_PAYLOAD) {
    return { done: { outcome: "ignored", code: "SPA_BAD_LENGTH", log } };
  }
  if (data.startsWith(SALTED_PREFIX_B64) || (data.length > SPA_LIMITS.MIN_GNUPG_MSG && data.startsWith("hQ"))) {
    debug("Data is not a valid SPA message format");
    return { done: { outcome: "ignored", code: "SPA_PREFIX_REJECTED", log } };
  }
  if (ctx.config.enableSpaOverHttp && data.startsWith("GET /")) {
    const u = unwrapHttp(data, ctx.config.allowAnyUserAgent);
    if (u === undefined) {
      debug("Data is not an SPA message");
      return { done: { outcome: "rejected", code: "SPA_NOT_SPA_DATA", log } };
    }
    data = u;
  }
  if (!isB64Charset(data)) {
    debug("Data is not an SPA message");
    return { done: { outcome: "rejected", code: "SPA_NOT_SPA_DATA", log } };
  }
  if (!ctx.stanzas.some((s) => addressListMatches(s.source, pkt.srcIp))) {
    info(`No access data found for source IP: ${pkt.srcIp}`);
    return { done: { outcome: "rejected", code: "SPA_NO_SOURCE_MATCH", log } };
  }
  const digest = replayDigest(pkt.payload);
  if (ctx.config.enableDigestPersistence && ctx.replay.has(digest)) {
    info(`Replay detected from source IP: ${pkt.srcIp}, destination IP: ${pkt.dstIp}`);
    return { done: { outcome: "rejected", code: "SPA_REPLAY", log } };
  }
  return { data, digest, now: Math.floor(ctx.now()) };
}

/** Which decoder a stanza uses for this packet, or why it is skipped. */
type StanzaStep = { skip: ProcessResult["code"] | null } | { decode: "rijndael" | "gpg" };

function stanzaStep(
  st: AccessStanza,
  pkt: IncomingPacket,
  data: string,
  now: number,
  log: ServerLogLine[],
): StanzaStep {
  const info = (m: string) => log.push({ level: "info", message: m });
  const tag = `(stanza #${st.index})`;
  if (!addressListMatches(st.source, pkt.srcIp)) return { skip: null };
  if (!addressListMatches(st.destination, pkt.dstIp)) return { skip: null };
  info(`${tag} SPA Packet from IP: ${pkt.srcIp} received with access source match`);
  if (st.accessExpire !== undefined && now >= st.accessExpire) {
    info(`${tag} Access stanza has expired`);
    return { skip: "SPA_STANZA_EXPIRED" };
  }
  const isRijndael = data.length < SPA_LIMITS.MIN_GNUPG_MSG;
  if (st.key && (isRijndael || st.enableCmdExec)) return { decode: "rijndael" };
  if (st.gpgDecryptId && !isRijndael) return { decode: "gpg" };
  info(`${tag} No stanza encryption mode match for encryption type: ${isRijndael ? 1 : 2}.`);
  return { skip: "SPA_ENCRYPTION_TYPE_UNKNOWN" };
}

function decodeRijndael(st: AccessStanza, data: string): DecodedSpa {
  return decodeSpa(data, {
    key: st.key as Buffer,
    mode: st.encryptionMode,
    ...(st.hmacKey ? { hmacKey: st.hmacKey, hmacType: st.hmacDigestType } : {}),
  });
}

type PolicyOutcome = { grant: AccessGrant } | { code: NonNullable<ProcessResult["code"]> } | { abort: ProcessResult };

/** Steps d–o of spec §4.4 for a stanza that authenticated and decrypted the packet. */
function applyPolicy(
  st: AccessStanza,
  dec: DecodedSpa,
  pkt: IncomingPacket,
  ctx: ServerContext,
  pre: { digest: string; now: number },
  log: ServerLogLine[],
  stored: boolean,
): PolicyOutcome {
  const info = (m: string) => log.push({ level: "info", message: m });
  const tag = `(stanza #${st.index})`;
  const now = pre.now;
  if (!stored && !ctx.testMode && ctx.config.enableDigestPersistence) {
    ctx.replay.add({
      digest: pre.digest,
      proto: pkt.proto,
      srcIp: pkt.srcIp,
      srcPort: pkt.srcPort,
      dstIp: pkt.dstIp,
      dstPort: pkt.dstPort,
      time: now,
    });
  }
  const clientTimeout = dec.clientTimeout ?? 0;
  const timeout = clientTimeout > 0 ? Math.min(clientTimeout, st.maxFwTimeout) : st.fwAccessTimeout;
  if (ctx.config.enableSpaPacketAging) {
    const diff = Math.abs(now - dec.timestamp);
    if (diff > ctx.config.maxSpaPacketAge) {
      info(`${tag} SPA data time difference is too great (${diff} seconds).`);
      return { code: "SPA_PACKET_AGE" };
    }
  }
  const isCmd = dec.messageType === 0;
  const parsed = isCmd ? parseCommandMessage(dec.message) : parseAccessMessage(dec.message);
  if (!parsed || !isStrictIpv4(parsed.allowIp)) {
    info(`${tag} [${pkt.srcIp}] Invalid allow IP in SPA data`);
    return { abort: { outcome: "rejected", code: "SPA_DECODE_ACCESS", log } };
  }
  let allowIp = parsed.allowIp;
  if (allowIp === "0.0.0.0") {
    if (st.requireSourceAddress) {
      info(`${tag} Got 0.0.0.0 when valid source IP was required.`);
      return { code: "SPA_SOURCE_REQUIRED" };
    }
    allowIp = pkt.srcIp;
  }
  if (st.requireUsername !== undefined && st.requireUsername !== dec.username) {
    info(`${tag} Username in SPA data (${dec.username}) does not match required username: ${st.requireUsername}`);
    return { code: "SPA_USERNAME_MISMATCH" };
  }
  const t = dec.messageType;
  if ((t === 2 || t === 4) && !ctx.config.enableIptForwarding) {
    info(`${tag} SPA packet from ${pkt.srcIp} requested NAT access, but is not enabled`);
    return { code: "SPA_NAT_DISABLED" };
  }
  if ((t === 5 || t === 6) && !ctx.config.enableIptLocalNat) {
    info(`${tag} SPA packet from ${pkt.srcIp} requested local NAT access, but is not enabled`);
    return { code: "SPA_NAT_DISABLED" };
  }
  const nat = dec.natAccess !== undefined ? parseNatAccess(dec.natAccess) : undefined;
  const base = {
    stanza: st,
    allowIp,
    timeout,
    expiresAt: now + timeout,
    messageType: t,
    username: dec.username,
    srcIp: pkt.srcIp,
    dstIp: pkt.dstIp,
    ...(nat ? { nat } : {}),
  };
  if (st.cmdCycleOpen) return { grant: { ...base, kind: "cmd-cycle", ports: "ports" in parsed ? parsed.ports : [] } };
  if (isCmd) {
    if (!st.enableCmdExec) {
      info(`${tag} SPA Command message are not allowed in the current configuration.`);
      return { code: "SPA_CMD_DISABLED" };
    }
    return { grant: { ...base, kind: "command", ports: [], command: (parsed as { command: string }).command } };
  }
  const ports = (parsed as { ports: ProtoPort[] }).ports;
  if (!portsAllowed(st, ports)) {
    info(`${tag} One or more requested protocol/ports was denied per access.conf.`);
    return { code: "SPA_ACCESS_DENIED" };
  }
  return { grant: { ...base, kind: "access", ports } };
}

function finish(grant: AccessGrant, dec: DecodedSpa, ctx: ServerContext, log: ServerLogLine[]): ProcessResult {
  if (ctx.testMode) {
    log.push({
      level: "info",
      message: `(stanza #${grant.stanza.index}) --test mode enabled, skipping firewall manipulation.`,
    });
    return { outcome: "test", grant, decoded: dec, log };
  }
  return { outcome: "granted", grant, decoded: dec, log };
}

function decodeFailed(st: AccessStanza, e: unknown, log: ServerLogLine[]): NonNullable<ProcessResult["code"]> {
  if (!isSpaError(e)) throw e;
  log.push({ level: "info", message: `(stanza #${st.index}) Error creating fko context: ${e.details.fko ?? e.code}` });
  return e.code;
}

/**
 * fwknopd's per-packet logic (spec §4.4) as a pure function: size window, prefix-replay defence, HTTP unwrap,
 * charset, source pre-check, replay lookup, then per stanza: SOURCE/DESTINATION, expiry, HMAC → decrypt →
 * decode, replay-cache insert, timeout clamp, packet age, allow-IP, REQUIRE_SOURCE_ADDRESS, REQUIRE_USERNAME,
 * NAT enablement, command / CMD_CYCLE, RESTRICT_PORTS / OPEN_PORTS. The first stanza that passes wins.
 * Rijndael only (GnuPG stanzas need {@link processSpaPacketAsync}). Never throws for any packet content.
 */
export function processSpaPacket(pkt: IncomingPacket, ctx: ServerContext): ProcessResult {
  const log: ServerLogLine[] = [];
  const pre = precheck(pkt, ctx, log);
  if ("done" in pre) return pre.done;
  let lastCode: ProcessResult["code"] = "SPA_NO_STANZA_MATCH";
  let stored = false;
  for (const st of ctx.stanzas) {
    const step = stanzaStep(st, pkt, pre.data, pre.now, log);
    if ("skip" in step) {
      if (step.skip && !stored) lastCode = step.skip;
      continue;
    }
    if (step.decode === "gpg") {
      log.push({ level: "info", message: `(stanza #${st.index}) GnuPG stanza needs processSpaPacketAsync` });
      if (!stored) lastCode = "SPA_ENCRYPTION_TYPE_UNKNOWN";
      continue;
    }
    let dec: DecodedSpa;
    try {
      dec = decodeRijndael(st, pre.data);
    } catch (e) {
      const c = decodeFailed(st, e, log);
      if (!stored) lastCode = c;
      continue;
    }
    const r = applyPolicy(st, dec, pkt, ctx, pre, log, stored);
    stored = true;
    if ("abort" in r) return r.abort;
    if ("code" in r) {
      lastCode = r.code;
      continue;
    }
    return finish(r.grant, dec, ctx, log);
  }
  return { outcome: "rejected", code: lastCode, log };
}

/** Loads the GnuPG keys of a stanza (e.g. `gpg --export-secret-keys` from GPG_HOME_DIR, done by the shell). */
export type GpgKeyLoader = (stanza: AccessStanza) => Promise<GpgDecodeKeys | undefined>;

function gpgSignatureOk(st: AccessStanza, d: DecodedSpaGpg, log: ServerLogLine[]): boolean {
  const tag = `(stanza #${st.index})`;
  if (st.gpgDisableSig) return true;
  const sig = d.signatures[0];
  if (!sig) {
    if (!st.gpgRequireSig) return true;
    log.push({ level: "info", message: `${tag} Missing GPG signature.` });
    return false;
  }
  if (!sig.valid && !st.gpgIgnoreSigVerifyError) {
    log.push({ level: "info", message: `${tag} Bad GPG signature.` });
    return false;
  }
  const ids = (st.gpgRemoteId ?? []).map((x) => x.toUpperCase());
  const fprs = (st.gpgFingerprintId ?? []).map((x) => x.toUpperCase().replace(/\s+/g, ""));
  if (fprs.length && sig.fingerprint && fprs.includes(sig.fingerprint)) return true;
  if (ids.length && (ids.includes(sig.shortId) || ids.includes(sig.keyId))) return true;
  log.push({
    level: "info",
    message: `${tag} Incoming SPA packet signed by ID: ${sig.shortId}, but that ID is not in the GPG_REMOTE_ID list.`,
  });
  return false;
}

/**
 * {@link processSpaPacket} plus GnuPG stanzas (GPG_DECRYPT_ID …): GnuPG packets (≥ 400 chars) are HMAC-checked,
 * decrypted with openpgp and their signer checked against GPG_REMOTE_ID / GPG_FINGERPRINT_ID.
 */
export async function processSpaPacketAsync(
  pkt: IncomingPacket,
  ctx: ServerContext & { gpgKeys?: GpgKeyLoader },
): Promise<ProcessResult> {
  const log: ServerLogLine[] = [];
  const pre = precheck(pkt, ctx, log);
  if ("done" in pre) return pre.done;
  let lastCode: ProcessResult["code"] = "SPA_NO_STANZA_MATCH";
  let stored = false;
  for (const st of ctx.stanzas) {
    const step = stanzaStep(st, pkt, pre.data, pre.now, log);
    if ("skip" in step) {
      if (step.skip && !stored) lastCode = step.skip;
      continue;
    }
    let dec: DecodedSpa;
    try {
      if (step.decode === "rijndael") dec = decodeRijndael(st, pre.data);
      else {
        const keys = await ctx.gpgKeys?.(st);
        if (!keys) throw new SpaError("SPA_KEY_INVALID", "no GnuPG key for stanza", { fko: "GPG_KEY_UNAVAILABLE" });
        const g = await decodeSpaGpg(pre.data, {
          ...keys,
          ...(st.hmacKey ? { hmacKey: st.hmacKey, hmacType: st.hmacDigestType } : {}),
        });
        if (!gpgSignatureOk(st, g, log)) {
          if (!stored) lastCode = "SPA_BAD_SIGNATURE";
          continue;
        }
        dec = { ...g, mode: "CBC" };
      }
    } catch (e) {
      const c = decodeFailed(st, e, log);
      if (!stored) lastCode = c;
      continue;
    }
    const r = applyPolicy(st, dec, pkt, ctx, pre, log, stored);
    stored = true;
    if ("abort" in r) return r.abort;
    if ("code" in r) {
      lastCode = r.code;
      continue;
    }
    return finish(r.grant, dec, ctx, log);
  }
  return { outcome: "rejected", code: lastCode, log };
}
