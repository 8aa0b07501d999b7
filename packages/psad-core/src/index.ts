/**
 * @fwkit/psad-core — psad for Node.js: iptables LOG parsing, port-scan detection, signatures,
 * passive OS fingerprinting and psad-compatible reports. Every export is documented at its declaration.
 */
export { type AnalysisResult, type AnalyzeOptions, analyzeLog } from "./analyze.ts";
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
export { isPsadError, PsadError, type PsadErrorCode } from "./errors.ts";
export { type GnuplotOptions, renderGnuplot } from "./gnuplot.ts";
export { type DataFilePaths, loadDetectorSetup, loadPsadConfig, loadPsadDataFiles } from "./io.ts";
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
export type { Diagnostic, Result } from "./types.ts";
