export { classifyStderr, isHarmlessWarning, STDERR_PATTERNS, type StderrPattern } from "./classify-stderr.ts";
export { defaultDrop } from "./default-drop.ts";
export { defaultLog } from "./default-log.ts";
export { IptablesParseError, type IptablesParseErrorDetails, isIptablesParseError } from "./errors.ts";
export { formatSave } from "./format-save.ts";
export { type FwCheckChain, type FwCheckOptions, type FwCheckResult, fwCheck } from "./fw-check.ts";
export {
  DEFAULT_FIREWALL_CMD,
  DEFAULT_FWD_ARGS,
  DEFAULT_IP6TABLES,
  DEFAULT_IPT_ALARM,
  DEFAULT_IPTABLES,
  familyFromBinaryName,
  IptablesParse,
  type RunCommandOptions,
} from "./iptables-parse.ts";
export { type IptablesVersion, parseIptablesVersion } from "./iptables-version.ts";
export { DEFAULT_KILL_GRACE_MS, DEFAULT_MAX_BUFFER, nodeExecutor } from "./node-executor.ts";
export {
  type ExtendedKey,
  PARSE_KEYS,
  type ParseKeySpec,
  type ParseKeys,
  type RegularKey,
  SEARCH_KEYS,
  type SearchKey,
} from "./parse-keys.ts";
export { parseListing } from "./parse-listing.ts";
export { parsePolicy } from "./parse-policy.ts";
export { parseSave } from "./parse-save.ts";
export { type ComparableRule, chainPolicy, comparableRule, findChain, listTableChains } from "./policy-query.ts";
export { protocolName, protocolNumber } from "./protocols.ts";
export { splitShellWords } from "./shell-words.ts";
export { quoteSaveWord, type SaveToken, type TokenizeResult, tokenizeSaveLine } from "./tokenize-save.ts";
export type {
  DefaultDropReport,
  DefaultLogReport,
  Diagnostic,
  ExecResult,
  ExecStyle,
  Executor,
  Family,
  IptablesParseErrorCode,
  IptablesParseOptions,
  ListingFormat,
  NegatableField,
  ParsedChain,
  ParsedPolicy,
  ParsedRule,
  ParsedTable,
  ParseOptions,
  PathAccess,
  PerlStatus,
  PortVal,
  Result,
  RuleDetails,
  RunOptions,
  RunOutcome,
  Severity,
  SuccessRule,
} from "./types.ts";
export {
  chainNameProblem,
  IPTABLES_TABLES,
  MAX_CHAIN_NAME_BYTES,
  STANDARD_TARGETS,
  validateChainName,
  validateNewChainName,
  validateTableName,
  validateTargetName,
} from "./validate-names.ts";
