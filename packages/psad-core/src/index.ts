/**
 * @fwkit/psad-core — psad for Node.js: iptables LOG parsing, port-scan detection, signatures,
 * passive OS fingerprinting and psad-compatible reports. Every export is documented at its declaration.
 */
export {
  type AlertContext,
  type AlertDelivery,
  type AlertSettings,
  type AlertSkipReason,
  type AlertThrottleState,
  alertSettings,
  alertsFor,
  createAlertThrottleState,
  type EmailAlertDetail,
  type EmailMessage,
  perlLocaltime,
  renderEmailAlert,
} from "./alerts.ts";
export { type AnalysisResult, type AnalyzeOptions, analyzeLog } from "./analyze.ts";
export {
  applyToState,
  type BlockAction,
  type BlockCandidate,
  type BlockDecision,
  type BlockPolicy,
  type BlockSkipReason,
  batchCandidates,
  blockMessage,
  decideBlocks,
  decideFlush,
  decideManualBlock,
  decideManualUnblock,
  decideRestore,
  isExpired,
  neverBlockReason,
  remainingSeconds,
  timeoutForDl,
} from "./auto-block.ts";
export {
  type AutoBlockConfig,
  type AutoChainSpec,
  DEFAULT_AUTO_CHAINS,
  parseAutoBlockConfig,
  parseAutoChain,
} from "./auto-block-config.ts";
export {
  type AutoBlocker,
  type AutoBlockerOptions,
  type AutoBlockerStep,
  createAutoBlocker,
} from "./auto-blocker.ts";
export { applyBlockActions, type BlockApplyResult, type BlockExecutorBackend } from "./block-executor.ts";
export {
  type AutoBlockedLine,
  type BlockEntry,
  type BlockState,
  type BlockTarget,
  emptyBlockState,
  formatAutoBlockedIptables,
  normalizeBlockTarget,
  parseAutoBlockedIptables,
  parseBlockState,
} from "./block-state.ts";
export { type BlockingBackend, type BlockRequest, blockTimeoutFor } from "./blocking.ts";
export { type Cidr, cidrContains, parseCidr, shortIpv6 } from "./cidr.ts";
export { defaultPsadConfig, type PsadConfig, type PsadConfText, parsePsadConfig, parsePsadConfText } from "./config.ts";
export {
  type CountMode,
  type Criterion,
  CSV_FIELD_NAMES,
  type CsvField,
  type CsvOptions,
  type CsvWriter,
  createCsvWriter,
  csvValue,
  matchCriterion,
  parseCsvFields,
  renderCsv,
} from "./csv.ts";
export {
  type AutoDlEntry,
  extractSnortRuleInfo,
  type IcmpTypes,
  type IpOptionTable,
  type P0fSig,
  type PosfSig,
  type ProtocolTable,
  parseAutoDl,
  parseClassificationConfig,
  parseIcmpTypes,
  parseIpOptions,
  parsePfOs,
  parsePosf,
  parseProtocols,
  parseSnortRuleDl,
  type SnortRuleInfo,
} from "./data-files.ts";
export {
  type BatchPair,
  type CreateDetectorOptions,
  createDetector,
  type Detector,
  type DetectorCounters,
  type DetectorState,
  type IgnoreReason,
  type InvalidIcmp,
  type PairState,
  type ScanAlert,
  type SigHit,
  type SourceState,
} from "./detector.ts";
export { dshieldLine, dshieldSubject } from "./dshield.ts";
export { createSmtpMailer, type Mailer, type MailReceipt, type SmtpMailerOptions } from "./email.ts";
export { isPsadError, PsadError, type PsadErrorCode } from "./errors.ts";
export {
  type FollowFileOptions,
  type FollowJournalOptions,
  followFile,
  followJournal,
} from "./follow.ts";
export { type FwAnalyzeInput, type FwAnalyzeResult, fwAnalyze } from "./fw-analyze.ts";
export { type FwAnalyzeLiveOptions, fwAnalyzeLive } from "./fw-analyze-live.ts";
export { type GnuplotOptions, renderGnuplot } from "./gnuplot.ts";
export { type HtmlReportOptions, renderHtmlReport } from "./html-report.ts";
export { type DataFilePaths, loadDetectorSetup, loadPsadConfig, loadPsadDataFiles } from "./io.ts";
export {
  type BlockChainMgr,
  blockRulespecs,
  createIptablesBlocking,
  type IptablesBlocking,
  type IptablesBlockingOptions,
} from "./iptables-blocking.ts";
export { parseJournalLine } from "./journal.ts";
export { type ReadLine, readLines } from "./line-reader.ts";
export { decodeIpOptions, decodeTcpOptions, type TcpOption } from "./options.ts";
export { createP0fMatcher, newPosfState, type P0fMatcher, type PosfState, posfUpdate } from "./os-fingerprint.ts";
export { emptyPacket, type NestedPacket, type Packet, TCP_FLAG } from "./packet.ts";
export {
  createLogLineParser,
  flagString,
  type LineErrorCode,
  type LineParse,
  type LogLineParser,
  type LogLineParserOptions,
  normalizeAddress,
} from "./parse-log-line.ts";
export {
  type AnalysisJson,
  analysisToJson,
  type DestinationSummary,
  renderReport,
  renderSyslogMsgs,
  type SourceSummary,
} from "./report.ts";
export { buildDetectorSetup, type DetectorOptions, type DetectorSetup, type PsadDataFiles } from "./setup.ts";
export {
  createSignatureMatcher,
  type IntRange,
  type NetSpec,
  type ParseSignaturesOptions,
  type PortSpec,
  parseIntRange,
  parseSignatures,
  type Signature,
  type SignatureMatcher,
} from "./signatures.ts";
export {
  loadBlockState,
  loadStatusSnapshot,
  saveBlockState,
  saveStatusSnapshot,
  writeFileAtomic,
} from "./state-files.ts";
export {
  parseStatusSnapshot,
  type RenderStatusOptions,
  renderStatus,
  type StatusSnapshot,
  statusSnapshot,
} from "./status.ts";
export {
  createSyslogSender,
  formatSyslog,
  type SyslogFormat,
  type SyslogHeader,
  type SyslogSender,
  type SyslogSenderOptions,
  type SyslogTarget,
  sanitizeSyslogText,
} from "./syslog.ts";
export {
  createTrafficCollector,
  type TrafficBucket,
  type TrafficCollector,
  type TrafficCollectorOptions,
  type TrafficStats,
} from "./traffic-stats.ts";
export type { Diagnostic, Result } from "./types.ts";
