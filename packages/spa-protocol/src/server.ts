import { type AccessStanza, addressListMatches } from "./access-conf.ts";
import { isB64Charset } from "./base64.ts";
import { isSpaError, type SpaErrorCode } from "./errors.ts";
import type { FwknopdConfig } from "./fwknopd-conf.ts";
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

/**
 * fwknopd's per-packet logic (spec §4.4) as a pure function: size window, prefix-replay defence, HTTP unwrap,
 * charset, source pre-check, replay lookup, then per stanza: SOURCE/DESTINATION, expiry, HMAC → decrypt →
 * decode, replay-cache insert, timeout clamp, packet age, allow-IP, REQUIRE_SOURCE_ADDRESS, REQUIRE_USERNAME,
 * NAT enablement, command / CMD_CYCLE, RESTRICT_PORTS / OPEN_PORTS. The first stanza that passes wins.
 * Never throws for any packet content.
 */
export function processSpaPacket(pkt: IncomingPacket, ctx: ServerContext): ProcessResult {
  const log: ServerLogLine[] = [];
  const info = (m: string) => log.push({ level: "info", message: m });
  const debug = (m: string) => log.push({ level: "debug", message: m });
  let data = pkt.payload;
  if (data.length < SPA_LIMITS.MIN_SERVER_PAYLOAD || data.length > SPA_LIMITS.MAX_SERVER_PAYLOAD) {
    return { outcome: "ignored", code: "SPA_BAD_LENGTH", log };
  }
  if (data.startsWith(SALTED_PREFIX_B64) || (data.length > SPA_LIMITS.MIN_GNUPG_MSG && data.startsWith("hQ"))) {
    debug("Data is not a valid SPA message format");
    return { outcome: "ignored", code: "SPA_PREFIX_REJECTED", log };
  }
  if (ctx.config.enableSpaOverHttp && data.startsWith("GET /")) {
    const u = unwrapHttp(data, ctx.config.allowAnyUserAgent);
    if (u === undefined) {
      debug("Data is not an SPA message");
      return { outcome: "rejected", code: "SPA_NOT_SPA_DATA", log };
    }
    data = u;
  }
  if (!isB64Charset(data)) {
    debug("Data is not an SPA message");
    return { outcome: "rejected", code: "SPA_NOT_SPA_DATA", log };
  }
  if (!ctx.stanzas.some((s) => addressListMatches(s.source, pkt.srcIp))) {
    info(`No access data found for source IP: ${pkt.srcIp}`);
    return { outcome: "rejected", code: "SPA_NO_SOURCE_MATCH", log };
  }
  const digest = replayDigest(pkt.payload);
  if (ctx.config.enableDigestPersistence && ctx.replay.has(digest)) {
    info(`Replay detected from source IP: ${pkt.srcIp}, destination IP: ${pkt.dstIp}`);
    return { outcome: "rejected", code: "SPA_REPLAY", log };
  }
  const now = Math.floor(ctx.now());
  let lastCode: ProcessResult["code"] = "SPA_NO_STANZA_MATCH";
  let stored = false;
  for (const st of ctx.stanzas) {
    const tag = `(stanza #${st.index})`;
    if (!addressListMatches(st.source, pkt.srcIp)) continue;
    if (!addressListMatches(st.destination, pkt.dstIp)) continue;
    info(`${tag} SPA Packet from IP: ${pkt.srcIp} received with access source match`);
    if (st.accessExpire !== undefined && now >= st.accessExpire) {
      info(`${tag} Access stanza has expired`);
      lastCode = "SPA_STANZA_EXPIRED";
      continue;
    }
    const isRijndael = data.length < SPA_LIMITS.MIN_GNUPG_MSG;
    if (!st.key || !(isRijndael || st.enableCmdExec)) {
      info(`${tag} No stanza encryption mode match for encryption type: ${isRijndael ? 1 : 2}.`);
      lastCode = "SPA_ENCRYPTION_TYPE_UNKNOWN";
      continue;
    }
    let dec: DecodedSpa;
    try {
      dec = decodeSpa(data, {
        key: st.key,
        mode: st.encryptionMode,
        ...(st.hmacKey ? { hmacKey: st.hmacKey, hmacType: st.hmacDigestType } : {}),
      });
    } catch (e) {
      if (!isSpaError(e)) throw e;
      info(`${tag} Error creating fko context: ${e.details.fko ?? e.code}`);
      if (!stored) lastCode = e.code;
      continue;
    }
    if (!stored && !ctx.testMode && ctx.config.enableDigestPersistence) {
      ctx.replay.add({
        digest,
        proto: pkt.proto,
        srcIp: pkt.srcIp,
        srcPort: pkt.srcPort,
        dstIp: pkt.dstIp,
        dstPort: pkt.dstPort,
        time: now,
      });
    }
    stored = true;
    const clientTimeout = dec.clientTimeout ?? 0;
    const timeout = clientTimeout > 0 ? Math.min(clientTimeout, st.maxFwTimeout) : st.fwAccessTimeout;
    if (ctx.config.enableSpaPacketAging) {
      const diff = Math.abs(now - dec.timestamp);
      if (diff > ctx.config.maxSpaPacketAge) {
        info(`${tag} SPA data time difference is too great (${diff} seconds).`);
        lastCode = "SPA_PACKET_AGE";
        continue;
      }
    }
    const isCmd = dec.messageType === 0;
    const parsed = isCmd ? parseCommandMessage(dec.message) : parseAccessMessage(dec.message);
    if (!parsed || !isStrictIpv4(parsed.allowIp)) {
      info(`${tag} [${pkt.srcIp}] Invalid allow IP in SPA data`);
      return { outcome: "rejected", code: "SPA_DECODE_ACCESS", log };
    }
    let allowIp = parsed.allowIp;
    if (allowIp === "0.0.0.0") {
      if (st.requireSourceAddress) {
        info(`${tag} Got 0.0.0.0 when valid source IP was required.`);
        lastCode = "SPA_SOURCE_REQUIRED";
        continue;
      }
      allowIp = pkt.srcIp;
    }
    if (st.requireUsername !== undefined && st.requireUsername !== dec.username) {
      info(`${tag} Username in SPA data (${dec.username}) does not match required username: ${st.requireUsername}`);
      lastCode = "SPA_USERNAME_MISMATCH";
      continue;
    }
    const t = dec.messageType;
    if ((t === 2 || t === 4) && !ctx.config.enableIptForwarding) {
      info(`${tag} SPA packet from ${pkt.srcIp} requested NAT access, but is not enabled`);
      lastCode = "SPA_NAT_DISABLED";
      continue;
    }
    if ((t === 5 || t === 6) && !ctx.config.enableIptLocalNat) {
      info(`${tag} SPA packet from ${pkt.srcIp} requested local NAT access, but is not enabled`);
      lastCode = "SPA_NAT_DISABLED";
      continue;
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
    let grant: AccessGrant;
    if (st.cmdCycleOpen) {
      grant = { ...base, kind: "cmd-cycle", ports: "ports" in parsed ? parsed.ports : [] };
    } else if (isCmd) {
      if (!st.enableCmdExec) {
        info(`${tag} SPA Command message are not allowed in the current configuration.`);
        lastCode = "SPA_CMD_DISABLED";
        continue;
      }
      grant = { ...base, kind: "command", ports: [], command: (parsed as { command: string }).command };
    } else {
      const ports = (parsed as { ports: ProtoPort[] }).ports;
      if (!portsAllowed(st, ports)) {
        info(`${tag} One or more requested protocol/ports was denied per access.conf.`);
        lastCode = "SPA_ACCESS_DENIED";
        continue;
      }
      grant = { ...base, kind: "access", ports };
    }
    if (ctx.testMode) {
      info(`${tag} --test mode enabled, skipping firewall manipulation.`);
      return { outcome: "test", grant, decoded: dec, log };
    }
    return { outcome: "granted", grant, decoded: dec, log };
  }
  return { outcome: "rejected", code: lastCode, log };
}
