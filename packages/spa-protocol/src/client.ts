import { b64Decode } from "./base64.ts";
import { SpaError } from "./errors.ts";
import { isStrictIpv4, parseAccessMessage } from "./message.ts";
import { type EncodedSpa, encodeSpa, type SpaKeys } from "./packet.ts";
import { randomDigits } from "./random.ts";
import { parseTimeOffset } from "./time-offset.ts";
import {
  type Clock,
  type DigestType,
  type EncryptionMode,
  MessageType,
  type MessageTypeValue,
  type RandomBytes,
} from "./types.ts";

/** Transport of the SPA packet (`-P/--server-proto`). */
export type ServerProto = "udp" | "tcp" | "http";

/** fwknop client options (long option names in camelCase). */
export interface ClientOptions {
  /** `-A/--access`, e.g. `tcp/22,udp/53`. */
  access?: string;
  /** `-a/--allow-ip`. */
  allowIp?: string;
  /** `-s/--source-ip`: put 0.0.0.0 in the packet (server uses the packet source). */
  sourceIp?: boolean;
  /** `-D/--destination` (SPA server host). */
  destination?: string;
  /** `-p/--server-port`, default 62201. */
  serverPort?: number;
  /** `-P/--server-proto`, default udp. */
  serverProto?: ServerProto;
  /** `-N/--nat-access host:port`. */
  natAccess?: string;
  /** `--nat-local`. */
  natLocal?: boolean;
  /** `--nat-port`. */
  natPort?: number;
  /** `--nat-rand-port`. */
  natRandPort?: boolean;
  /** `-f/--fw-timeout`. */
  fwTimeout?: number;
  /** `-C/--server-cmd`. */
  serverCmd?: string;
  /** `-m/--digest-type`, default sha256. */
  digestType?: DigestType;
  /** `-M/--encryption-mode`, default CBC. */
  encryptionMode?: EncryptionMode;
  /** `--use-hmac` (implied by an HMAC key). */
  useHmac?: boolean;
  /** `--hmac-digest-type`, default sha256. */
  hmacDigestType?: DigestType;
  /** `--key-rijndael` (raw text). */
  keyRijndael?: string;
  /** `--key-base64-rijndael`. */
  keyBase64Rijndael?: string;
  /** `--key-hmac` (raw text). */
  keyHmac?: string;
  /** `--key-base64-hmac`. */
  keyBase64Hmac?: string;
  /** `-U/--spoof-user`. */
  spoofUser?: string;
  /** `--time-offset-plus`, e.g. `5min`. */
  timeOffsetPlus?: string;
  /** `--time-offset-minus`. */
  timeOffsetMinus?: string;
  /** rc `TIME_OFFSET` (signed), e.g. `-1s`. */
  timeOffset?: string;
  /** `-r/--rand-port`: random destination port 10000–65535. */
  randPort?: boolean;
  /** `-u/--user-agent` for HTTP mode. */
  httpUserAgent?: string;
}

/** Injected environment of the client (no process/env access in the library). */
export interface ClientDeps {
  random: RandomBytes;
  now: Clock;
  /** The local user name (from SPOOF_USER / LOGNAME / USER, resolved by the caller); default `NO_USER`. */
  localUser?: string;
}

/** A packet ready to send plus where to send it. `encoded.plaintext` is secret. */
export interface ClientPacket {
  encoded: EncodedSpa;
  destination: string;
  port: number;
  proto: ServerProto;
  messageType: MessageTypeValue;
  message: string;
  natAccess?: string;
  clientTimeout?: number;
  username: string;
  timestamp: number;
}

function keyFrom(raw: string | undefined, b64: string | undefined, what: string): Buffer | undefined {
  if (b64 !== undefined) {
    const k = b64Decode(b64);
    if (!k || k.length === 0) throw new SpaError("SPA_KEY_INVALID", `${what} is not valid base64`);
    return k;
  }
  return raw === undefined ? undefined : Buffer.from(raw, "utf8");
}

/**
 * Resolve keys from client options (`--key-*`), as fwknop does: base64 forms win over raw ones; an HMAC key
 * turns HMAC on.
 * @throws {SpaError} SPA_KEY_INVALID when no Rijndael key is given, a base64 key is malformed, or
 *   `--use-hmac` is set without an HMAC key
 */
export function clientKeys(o: ClientOptions): SpaKeys {
  const key = keyFrom(o.keyRijndael, o.keyBase64Rijndael, "Rijndael key");
  if (!key)
    throw new SpaError("SPA_KEY_INVALID", "a Rijndael key is required (--key-rijndael / --key-base64-rijndael)");
  const hmacKey = keyFrom(o.keyHmac, o.keyBase64Hmac, "HMAC key");
  if (o.useHmac && !hmacKey) throw new SpaError("SPA_KEY_INVALID", "--use-hmac needs --key-hmac or --key-base64-hmac");
  const keys: SpaKeys = { key, mode: o.encryptionMode ?? "CBC" };
  if (hmacKey) {
    if (hmacKey.length > 128) throw new SpaError("SPA_KEY_INVALID", "HMAC key longer than 128 bytes");
    keys.hmacKey = hmacKey;
    keys.hmacType = o.hmacDigestType ?? "sha256";
  }
  return keys;
}

function randPort(random: RandomBytes): number {
  return 10000 + (Number(randomDigits(random, 6)) % 55536);
}

/**
 * Build an SPA packet from fwknop-style client options (what `fwknop` does before sending).
 * @throws {SpaError} SPA_INVALID_ARGUMENT for inconsistent options, SPA_KEY_INVALID, or a codec error
 * @example
 * const p = buildClientPacket(
 *   { access: "tcp/22", allowIp: "10.0.0.2", destination: "10.0.0.1", keyRijndael: "secret-pass" },
 *   { random: (n) => crypto.getRandomValues(new Uint8Array(n)), now: () => 1700000000 },
 * );
 */
export function buildClientPacket(o: ClientOptions, deps: ClientDeps): ClientPacket {
  const bad = (m: string) => new SpaError("SPA_INVALID_ARGUMENT", m);
  if (!o.destination) throw bad("-D/--destination is required");
  const keys = clientKeys(o);
  if (keys.mode === "legacy" && keys.hmacKey) throw bad("legacy encryption mode cannot be used with HMAC");
  let allowIp: string;
  if (o.sourceIp) allowIp = "0.0.0.0";
  else if (o.allowIp !== undefined) allowIp = o.allowIp;
  else throw bad("one of -a/--allow-ip or -s/--source-ip is required");
  if (!isStrictIpv4(allowIp)) throw bad("invalid allow IP");
  const timeout = o.fwTimeout ?? 0;
  if (!Number.isInteger(timeout) || timeout < 0 || timeout > 65536) throw bad("-f/--fw-timeout must be 0…65536");
  let messageType: MessageTypeValue;
  let message: string;
  let natAccess: string | undefined;
  if (o.serverCmd !== undefined) {
    if (o.natAccess || o.natLocal) throw bad("-C cannot be combined with NAT");
    messageType = MessageType.COMMAND;
    message = `${allowIp},${o.serverCmd}`;
  } else {
    if (!o.access) throw bad("-A/--access is required");
    message = `${allowIp},${o.access}`;
    const acc = parseAccessMessage(message);
    if (!acc) throw new SpaError("SPA_DECODE_ACCESS", "invalid SPA access message format");
    if (o.natAccess !== undefined || o.natLocal) {
      if (acc.ports.length !== 1) throw bad("only one proto/port may be given with NAT");
      const pp = acc.ports[0]!;
      if (o.natLocal) {
        const np = o.natPort ?? (o.natRandPort ? randPort(deps.random) : pp.port);
        natAccess = `${o.destination},${pp.port}`;
        message = `${allowIp},${pp.proto}/${np}`;
        messageType = timeout > 0 ? MessageType.CLIENT_TIMEOUT_LOCAL_NAT_ACCESS : MessageType.LOCAL_NAT_ACCESS;
      } else {
        const m = /^([^:,]+)[:,](\d{1,5})$/.exec(o.natAccess ?? "");
        if (!m) throw bad("-N must be host:port");
        natAccess = `${m[1]},${m[2]}`;
        if (o.natPort !== undefined) message = `${allowIp},${pp.proto}/${o.natPort}`;
        messageType = timeout > 0 ? MessageType.CLIENT_TIMEOUT_NAT_ACCESS : MessageType.NAT_ACCESS;
      }
    } else {
      messageType = timeout > 0 ? MessageType.CLIENT_TIMEOUT_ACCESS : MessageType.ACCESS;
    }
  }
  let offset = 0;
  if (o.timeOffset !== undefined) offset += parseTimeOffset(o.timeOffset);
  if (o.timeOffsetPlus !== undefined) offset += Math.abs(parseTimeOffset(o.timeOffsetPlus));
  if (o.timeOffsetMinus !== undefined) offset -= Math.abs(parseTimeOffset(o.timeOffsetMinus));
  const timestamp = Math.floor(deps.now()) + offset;
  const username = o.spoofUser ?? deps.localUser ?? "NO_USER";
  const input = {
    username,
    timestamp,
    messageType,
    message,
    digestType: o.digestType ?? "sha256",
    ...(natAccess !== undefined ? { natAccess } : {}),
    ...(timeout > 0 && messageType !== 0 ? { clientTimeout: timeout } : {}),
  };
  const encoded = encodeSpa(input, keys, { random: deps.random });
  const port = o.randPort ? randPort(deps.random) : (o.serverPort ?? 62201);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad("-p/--server-port must be 1…65535");
  const out: ClientPacket = {
    encoded,
    destination: o.destination,
    port,
    proto: o.serverProto ?? "udp",
    messageType,
    message,
    username,
    timestamp,
  };
  if (natAccess !== undefined) out.natAccess = natAccess;
  if (timeout > 0 && messageType !== 0) out.clientTimeout = timeout;
  return out;
}
