import { timingSafeEqual } from "node:crypto";
import { b64Decode, b64Encode } from "./base64.ts";
import { hashB64, hashRaw } from "./digest.ts";
import { fkoError, SpaError, type SpaErrorCode } from "./errors.ts";
import { isValidUsername, parseAccessMessage, parseCommandMessage, parseNatAccess } from "./message.ts";
import { type DigestType, MessageType, type MessageTypeValue } from "./types.ts";

/** Protocol version string carried by fwknop 2.6.x packets. */
export const SPA_PROTOCOL_VERSION = "3.0.0";

/** Limits of libfko (fko_limits.h) used by the codec. */
export const SPA_LIMITS = {
  MIN_ENCODED_MSG: 36,
  MAX_ENCODED_MSG: 1500,
  MAX_USERNAME_B64: 64,
  MAX_USERNAME_RAW: 48,
  MAX_MESSAGE_B64: 256,
  MAX_NAT_RAW: 127,
  MAX_SERVER_AUTH_RAW: 63,
  MAX_TIMESTAMP_CHARS: 12,
  MAX_VERSION_CHARS: 8,
  MAX_CLIENT_TIMEOUT: 65536,
  RAND_DIGITS: 16,
  MIN_GNUPG_MSG: 400,
  MIN_SERVER_PAYLOAD: 140,
  MAX_SERVER_PAYLOAD: 1500,
  MAX_TIMESTAMP: 2147483647,
} as const;

/** The decoded fields of an SPA plaintext. */
export interface SpaMessage {
  /** 16 decimal digits. */
  rand: string;
  username: string;
  /** Unix seconds. */
  timestamp: number;
  version: string;
  messageType: MessageTypeValue;
  /** `allowIp,proto/port…` or `allowIp,command`. */
  message: string;
  /** `host,port` for types 2, 4, 5, 6. */
  natAccess?: string;
  /** Optional server_auth field (ignored by fwknopd). */
  serverAuth?: string;
  /** Client timeout for types 3, 4, 6. */
  clientTimeout?: number;
  digestType: DigestType;
}

/** Fields needed to build a plaintext; `rand` and `version` have defaults supplied by the encoder. */
export interface SpaMessageInput {
  rand: string;
  username: string;
  timestamp: number;
  version?: string;
  messageType: MessageTypeValue;
  message: string;
  natAccess?: string;
  serverAuth?: string;
  clientTimeout?: number;
  digestType?: DigestType;
}

const NAT_TYPES: ReadonlySet<number> = new Set([2, 4, 5, 6]);
const TIMEOUT_TYPES: ReadonlySet<number> = new Set([3, 4, 6]);

/** True for message types that carry a NAT field (2, 4, 5, 6). */
export function isNatType(t: number): boolean {
  return NAT_TYPES.has(t);
}

/** True for message types that carry a client timeout (3, 4, 6). */
export function isTimeoutType(t: number): boolean {
  return TIMEOUT_TYPES.has(t);
}

function invalid(code: SpaErrorCode, fko: string, message: string): SpaError {
  return fkoError(code, fko, message);
}

/**
 * Build the SPA plaintext (`rand:user:ts:version:type:msg[:nat][:auth][:timeout]:digest`) from fields,
 * enforcing every limit so that the result is decodable by fwknopd. A client timeout of 0 downgrades
 * types 3/4/6 to 1/2/5 like libfko.
 * @throws {SpaError} SPA_INVALID_ARGUMENT / SPA_DECODE_* when a field would be rejected by the decoder
 */
export function buildPlaintext(input: SpaMessageInput): string {
  const digestType = input.digestType ?? "sha256";
  let type: number = input.messageType;
  const timeout = input.clientTimeout ?? 0;
  if (!Number.isInteger(type) || type < 0 || type > 6) {
    throw invalid("SPA_DECODE_MSGTYPE", "FKO_ERROR_INVALID_DATA_MESSAGE_TYPE_VALIDFAIL", "message type must be 0…6");
  }
  if (!Number.isInteger(timeout) || timeout < 0 || timeout > SPA_LIMITS.MAX_CLIENT_TIMEOUT) {
    throw invalid(
      "SPA_DECODE_TIMEOUT",
      "FKO_ERROR_INVALID_DATA_CLIENT_TIMEOUT_NEGATIVE",
      "client timeout must be 0…65536",
    );
  }
  if (timeout === 0 && isTimeoutType(type)) type = type === 3 ? 1 : type === 4 ? 2 : 5;
  if (timeout > 0 && (type === 1 || type === 2 || type === 5)) type = type === 1 ? 3 : type === 2 ? 4 : 6;
  if (!/^\d{16}$/.test(input.rand)) {
    throw invalid("SPA_DECODE_RAND", "FKO_ERROR_INVALID_DATA_RAND_LEN_VALIDFAIL", "rand must be 16 decimal digits");
  }
  const user = Buffer.from(input.username, "utf8");
  if (user.length > SPA_LIMITS.MAX_USERNAME_RAW || !isValidUsername(user)) {
    throw invalid(
      "SPA_DECODE_USERNAME",
      "FKO_ERROR_INVALID_DATA_USER_VALIDFAIL",
      "invalid username (1…48 allowed chars)",
    );
  }
  if (!Number.isInteger(input.timestamp) || input.timestamp < 0 || input.timestamp > SPA_LIMITS.MAX_TIMESTAMP) {
    throw invalid("SPA_DECODE_TIMESTAMP", "FKO_ERROR_INVALID_DATA_TIMESTAMP_VALIDFAIL", "timestamp must be 0…2^31-1");
  }
  const version = input.version ?? SPA_PROTOCOL_VERSION;
  if (version.length < 1 || version.length > SPA_LIMITS.MAX_VERSION_CHARS || !/^[\x21-\x39\x3b-\x7e]+$/.test(version)) {
    throw invalid(
      "SPA_DECODE_VERSION",
      "FKO_ERROR_INVALID_DATA_VERSION_VALIDFAIL",
      "version must be 1…8 printable chars",
    );
  }
  const okMsg = type === 0 ? parseCommandMessage(input.message) : parseAccessMessage(input.message);
  const msgB64 = b64Encode(input.message);
  if (!okMsg || msgB64.length > SPA_LIMITS.MAX_MESSAGE_B64) {
    throw invalid("SPA_DECODE_ACCESS", "FKO_ERROR_INVALID_SPA_ACCESS_MSG", "invalid or too long SPA message");
  }
  if (okMsg && "ports" in okMsg && isNatType(type) && okMsg.ports.length !== 1) {
    throw invalid("SPA_DECODE_ACCESS", "FKO_ERROR_INVALID_SPA_ACCESS_MSG", "only one proto/port is allowed with NAT");
  }
  const parts = [input.rand, b64Encode(user), String(input.timestamp), version, String(type), msgB64];
  if (isNatType(type)) {
    const nat = input.natAccess ?? "";
    if (!parseNatAccess(nat) || nat.length > SPA_LIMITS.MAX_NAT_RAW) {
      throw invalid("SPA_DECODE_NAT", "FKO_ERROR_INVALID_DATA_NAT_ACCESS_VALIDFAIL", "invalid NAT access string");
    }
    parts.push(b64Encode(nat));
  } else if (input.natAccess !== undefined) {
    throw new SpaError("SPA_INVALID_ARGUMENT", "natAccess is only valid for message types 2, 4, 5, 6");
  }
  if (input.serverAuth !== undefined) {
    const sa = Buffer.from(input.serverAuth, "utf8");
    if (sa.length < 1 || sa.length > SPA_LIMITS.MAX_SERVER_AUTH_RAW) {
      throw invalid(
        "SPA_DECODE_SERVER_AUTH",
        "FKO_ERROR_INVALID_DATA_SRVAUTH_MISSING",
        "server_auth must be 1…63 bytes",
      );
    }
    parts.push(b64Encode(sa));
  }
  if (isTimeoutType(type)) parts.push(String(timeout));
  const encoded = parts.join(":");
  const plain = `${encoded}:${b64Encode(hashRaw(digestType, encoded))}`;
  if (plain.length < SPA_LIMITS.MIN_ENCODED_MSG || plain.length >= SPA_LIMITS.MAX_ENCODED_MSG) {
    throw invalid(
      "SPA_DECODE_MSGLEN",
      "FKO_ERROR_INVALID_DATA_ENCODE_MSGLEN_VALIDFAIL",
      "plaintext length out of range",
    );
  }
  return plain;
}

/** Digest types by the length of their unpadded base64 (SHA256/SHA3-256 and SHA512/SHA3-512 share one). */
const DIGEST_CANDIDATES: Readonly<Record<number, readonly DigestType[]>> = {
  22: ["md5"],
  27: ["sha1"],
  43: ["sha256", "sha3_256"],
  64: ["sha384"],
  86: ["sha512", "sha3_512"],
};
const NO_CANDIDATES: readonly DigestType[] = [];

function safeEqualStr(a: string, b: string): boolean {
  const ab = Buffer.from(a, "latin1");
  const bb = Buffer.from(b, "latin1");
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

function decodeField(field: string, code: SpaErrorCode, fko: string, what: string): string {
  const raw = b64Decode(field);
  if (raw === undefined) throw invalid(code, `${fko}_DECODEFAIL`, `${what} is not valid base64`);
  return raw.toString("latin1");
}

/**
 * Decode and validate an SPA plaintext in libfko's order (spec §1.8): length, printable, field count,
 * digest type by length, digest (constant time, SHA256→SHA3-256 / SHA512→SHA3-512 retry), then each field.
 * @throws {SpaError} one of the SPA_DECODE_* / SPA_DIGEST_* codes; details never contain the plaintext
 */
export function parsePlaintext(plain: string): SpaMessage {
  const n = plain.length;
  if (n < SPA_LIMITS.MIN_ENCODED_MSG || n >= SPA_LIMITS.MAX_ENCODED_MSG) {
    throw invalid(
      "SPA_DECODE_MSGLEN",
      "FKO_ERROR_INVALID_DATA_DECODE_MSGLEN_VALIDFAIL",
      "plaintext length out of range",
    );
  }
  let colons = 0;
  for (let i = 0; i < n; i++) {
    const c = plain.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) {
      throw invalid(
        "SPA_DECODE_NON_ASCII",
        "FKO_ERROR_INVALID_DATA_DECODE_NON_ASCII",
        "non-printable byte in plaintext",
      );
    }
    if (c === 0x3a) colons++;
  }
  if (colons < 6) {
    throw invalid("SPA_DECODE_FIELDS", "FKO_ERROR_INVALID_DATA_DECODE_LT_MIN_FIELDS", "too few fields");
  }
  if (colons > 9) {
    throw invalid("SPA_DECODE_FIELDS", "FKO_ERROR_INVALID_DATA_DECODE_WRONG_NUM_FIELDS", "too many fields");
  }
  const last = plain.lastIndexOf(":");
  const digest = plain.slice(last + 1);
  const encoded = plain.slice(0, last);
  const candidates = DIGEST_CANDIDATES[digest.length] ?? NO_CANDIDATES;
  if (candidates.length === 0) {
    throw invalid("SPA_DIGEST_TYPE_INVALID", "FKO_ERROR_INVALID_DIGEST_TYPE", "digest length matches no digest type");
  }
  let digestType: DigestType | undefined;
  for (const t of candidates) {
    if (safeEqualStr(hashB64(t, encoded), digest)) {
      digestType = t;
      break;
    }
  }
  if (!digestType) {
    throw invalid("SPA_DIGEST_MISMATCH", "FKO_ERROR_DIGEST_VERIFICATION_FAILED", "digest verification failed");
  }
  const f = encoded.split(":");
  const [randF, userF, tsF, verF, typeF, msgF] = f as [string, string, string, string, string, string];
  if (randF.length < SPA_LIMITS.RAND_DIGITS) {
    throw invalid("SPA_DECODE_RAND", "FKO_ERROR_INVALID_DATA_DECODE_RAND_MISSING", "random value missing");
  }
  if (userF.length < 1)
    throw invalid("SPA_DECODE_USERNAME", "FKO_ERROR_INVALID_DATA_DECODE_USERNAME_MISSING", "no username");
  if (userF.length > SPA_LIMITS.MAX_USERNAME_B64) {
    throw invalid("SPA_DECODE_USERNAME", "FKO_ERROR_INVALID_DATA_DECODE_USERNAME_TOOBIG", "username too long");
  }
  const username = decodeField(userF, "SPA_DECODE_USERNAME", "FKO_ERROR_INVALID_DATA_DECODE_USERNAME", "username");
  if (!isValidUsername(username)) {
    throw invalid("SPA_DECODE_USERNAME", "FKO_ERROR_INVALID_DATA_DECODE_USERNAME_VALIDFAIL", "invalid username");
  }
  if (tsF.length < 1)
    throw invalid("SPA_DECODE_TIMESTAMP", "FKO_ERROR_INVALID_DATA_DECODE_TIMESTAMP_MISSING", "no timestamp");
  if (tsF.length > SPA_LIMITS.MAX_TIMESTAMP_CHARS) {
    throw invalid("SPA_DECODE_TIMESTAMP", "FKO_ERROR_INVALID_DATA_DECODE_TIMESTAMP_TOOBIG", "timestamp too long");
  }
  const timestamp = Number(tsF);
  if (!/^\d+$/.test(tsF) || timestamp > SPA_LIMITS.MAX_TIMESTAMP) {
    throw invalid("SPA_DECODE_TIMESTAMP", "FKO_ERROR_INVALID_DATA_DECODE_TIMESTAMP_DECODEFAIL", "bad timestamp");
  }
  if (verF.length < 1)
    throw invalid("SPA_DECODE_VERSION", "FKO_ERROR_INVALID_DATA_DECODE_VERSION_MISSING", "no version");
  if (verF.length > SPA_LIMITS.MAX_VERSION_CHARS) {
    throw invalid("SPA_DECODE_VERSION", "FKO_ERROR_INVALID_DATA_DECODE_VERSION_TOOBIG", "version too long");
  }
  if (typeF.length < 1 || typeF.length > 2 || !/^\d+$/.test(typeF) || Number(typeF) > 6) {
    throw invalid("SPA_DECODE_MSGTYPE", "FKO_ERROR_INVALID_DATA_DECODE_MSGTYPE_DECODEFAIL", "bad message type");
  }
  const messageType = Number(typeF) as MessageTypeValue;
  const remaining = f.length - 5; // fields after the type
  const maxRemaining = messageType <= 1 ? 2 : messageType === 4 || messageType === 6 ? 4 : 3;
  if (remaining > maxRemaining) {
    throw invalid("SPA_DECODE_MSGTYPE", "FKO_ERROR_INVALID_DATA_DECODE_WRONG_NUM_FIELDS", "too many fields for type");
  }
  if (msgF.length < 1)
    throw invalid("SPA_DECODE_MESSAGE", "FKO_ERROR_INVALID_DATA_DECODE_MESSAGE_MISSING", "no message");
  if (msgF.length > SPA_LIMITS.MAX_MESSAGE_B64) {
    throw invalid("SPA_DECODE_MESSAGE", "FKO_ERROR_INVALID_DATA_DECODE_MESSAGE_TOOBIG", "message too long");
  }
  const message = decodeField(msgF, "SPA_DECODE_MESSAGE", "FKO_ERROR_INVALID_DATA_DECODE_MESSAGE", "message");
  if (messageType === MessageType.COMMAND ? !parseCommandMessage(message) : !parseAccessMessage(message)) {
    throw invalid(
      "SPA_DECODE_ACCESS",
      messageType === 0
        ? "FKO_ERROR_INVALID_DATA_DECODE_CMD_VALIDFAIL"
        : "FKO_ERROR_INVALID_DATA_DECODE_ACCESS_VALIDFAIL",
      "message fails validation",
    );
  }
  let idx = 6;
  const out: SpaMessage = {
    rand: randF.slice(0, 16),
    username,
    timestamp,
    version: verF,
    messageType,
    message,
    digestType,
  };
  if (isNatType(messageType)) {
    const natF = f[idx++];
    if (natF === undefined || natF.length < 1) {
      throw invalid("SPA_DECODE_NAT", "FKO_ERROR_INVALID_DATA_DECODE_NATACCESS_MISSING", "NAT field missing");
    }
    if (natF.length > SPA_LIMITS.MAX_MESSAGE_B64) {
      throw invalid("SPA_DECODE_NAT", "FKO_ERROR_INVALID_DATA_DECODE_NATACCESS_TOOBIG", "NAT field too long");
    }
    const nat = decodeField(natF, "SPA_DECODE_NAT", "FKO_ERROR_INVALID_DATA_DECODE_NATACCESS", "NAT field");
    if (!parseNatAccess(nat)) {
      throw invalid(
        "SPA_DECODE_NAT",
        "FKO_ERROR_INVALID_DATA_DECODE_NATACCESS_VALIDFAIL",
        "NAT field fails validation",
      );
    }
    out.natAccess = nat;
  }
  const tail = f.slice(idx);
  let authF: string | undefined;
  let timeoutF: string | undefined;
  if (isTimeoutType(messageType)) {
    if (tail.length === 2) [authF, timeoutF] = tail;
    else timeoutF = tail[0];
  } else if (tail.length > 0) {
    authF = tail.join(":");
  }
  if (authF !== undefined) {
    if (authF.length > SPA_LIMITS.MAX_MESSAGE_B64) {
      throw invalid("SPA_DECODE_SERVER_AUTH", "FKO_ERROR_INVALID_DATA_DECODE_SRVAUTH_TOOBIG", "server_auth too long");
    }
    out.serverAuth = decodeField(
      authF,
      "SPA_DECODE_SERVER_AUTH",
      "FKO_ERROR_INVALID_DATA_DECODE_SRVAUTH",
      "server_auth",
    );
  }
  if (isTimeoutType(messageType)) {
    if (timeoutF === undefined || timeoutF.length < 1) {
      throw invalid("SPA_DECODE_TIMEOUT", "FKO_ERROR_INVALID_DATA_DECODE_TIMEOUT_MISSING", "client timeout missing");
    }
    if (timeoutF.length > SPA_LIMITS.MAX_MESSAGE_B64) {
      throw invalid("SPA_DECODE_TIMEOUT", "FKO_ERROR_INVALID_DATA_DECODE_TIMEOUT_TOOBIG", "client timeout too long");
    }
    if (!/^\d+$/.test(timeoutF) || Number(timeoutF) > SPA_LIMITS.MAX_CLIENT_TIMEOUT) {
      throw invalid("SPA_DECODE_TIMEOUT", "FKO_ERROR_INVALID_DATA_DECODE_TIMEOUT_VALIDFAIL", "bad client timeout");
    }
    out.clientTimeout = Number(timeoutF);
  }
  return out;
}
