export {
  ACCESS_KEYS,
  type AccessConfIo,
  type AccessConfOptions,
  type AccessStanza,
  type AddressList,
  addressListMatches,
  loadAccessConf,
  parseAccessConf,
  parseAccessExpire,
  parseAddressList,
  parsePortList,
} from "./access-conf.ts";
export { b64Decode, b64Encode, b64EncodePadded, isB64Charset } from "./base64.ts";
export {
  buildClientPacket,
  type ClientDeps,
  type ClientOptions,
  type ClientPacket,
  clientKeys,
  type ServerProto,
} from "./client.ts";
export { DIGEST_B64_LENGTH, DIGEST_TYPE_NUMBER, DIGEST_TYPES, parseDigestType } from "./digest.ts";
export { isSpaError, SpaError, type SpaErrorCode, type SpaErrorDetails } from "./errors.ts";
export {
  type Executor,
  expiredRuleNumbers,
  type FwRule,
  IptablesFirewall,
  type IptablesFirewallOptions,
  managedChains,
  planGrantRules,
  type SpaFirewall,
} from "./firewall.ts";
export {
  FWKNOPD_DEFAULTS,
  type FwknopdConfig,
  type IptChainSpec,
  loadFwknopdConf,
  parseFwknopdConf,
  parseIptChainSpec,
} from "./fwknopd-conf.ts";
export {
  type DecodedSpaGpg,
  decodeSpaGpg,
  encodeSpaGpg,
  GPG_PREFIX_B64,
  type GpgDecodeKeys,
  type GpgEncodeKeys,
  toOldFormatFirstPacket,
} from "./gpg.ts";
export { computeHmac, MAX_HMAC_KEY_LEN, verifyHmac } from "./hmac.ts";
export { DEFAULT_HMAC_KEY_LEN, formatKeyGen, type GeneratedKeys, generateKeys, type KeyGenOptions } from "./keygen.ts";
export {
  type AccessRequest,
  type CommandRequest,
  isStrictIpv4,
  isValidUsername,
  type NatRequest,
  type ProtoPort,
  parseAccessMessage,
  parseCommandMessage,
  parseNatAccess,
  parseProtoPort,
} from "./message.ts";
export {
  type DecodedSpa,
  decodeSpa,
  type EncodedSpa,
  type EncodeOptions,
  encodeSpa,
  hmacLength,
  keyBytes,
  type SpaEncodeInput,
  type SpaKeys,
} from "./packet.ts";
export {
  buildPlaintext,
  isNatType,
  isTimeoutType,
  parsePlaintext,
  SPA_LIMITS,
  SPA_PROTOCOL_VERSION,
  type SpaMessage,
  type SpaMessageInput,
} from "./plaintext.ts";
export { randomDigits } from "./random.ts";
export { parseFwknoprc, RC_KEYS, type RcStanza, rcToClientOptions, resolveRcOptions, saveRcStanza } from "./rc-file.ts";
export {
  DIGEST_CACHE_HEADER,
  type DigestCacheEntry,
  formatDigestCacheLine,
  MemoryReplayCache,
  parseDigestCache,
  type ReplayCache,
  replayDigest,
} from "./replay-cache.ts";
export {
  ENCRYPTION_MODE_NUMBER,
  ENCRYPTION_MODES,
  effectivePassphrase,
  evpBytesToKey,
  parseEncryptionMode,
  RIJNDAEL_MAX_KEYSIZE,
  rijndaelDecrypt,
  rijndaelEncrypt,
  SALTED_PREFIX_B64,
} from "./rijndael.ts";
export {
  type AccessGrant,
  type GpgKeyLoader,
  type IncomingPacket,
  type ProcessResult,
  processSpaPacket,
  processSpaPacketAsync,
  type ServerContext,
  type ServerLogLine,
  unwrapHttp,
} from "./server.ts";
export {
  expandCycleCommand,
  gpgHomeKeyLoader,
  nodeExecutor,
  openDigestCacheFile,
  parsePasswd,
  runSpaCommand,
  type SpaServerHandle,
  type SpaServerOptions,
  splitCommand,
  startSpaServer,
} from "./server-io.ts";
export { parseTimeOffset } from "./time-offset.ts";
export { formatHttpRequest, type SendTarget, sendSpa } from "./transport.ts";
export {
  type Clock,
  type Diagnostic,
  type DigestType,
  type EncryptionMode,
  type KeyMaterial,
  MessageType,
  type MessageTypeValue,
  type RandomBytes,
  type Result,
} from "./types.ts";
