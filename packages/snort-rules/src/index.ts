/**
 * @fwkit/snort-rules — Snort 2 / Snort 3 / Suricata rule parser and formatter (typed AST, diagnostics with stable
 * codes, variable resolution, exact address/port set semantics, rule selection).
 */
export {
  contentModifierBuffer,
  type PayloadMatch,
  type PayloadOption,
  payloadMatches,
  pcreFlagBuffer,
} from "./buffers.ts";
export {
  type Classification,
  parseClassificationConfig,
  parseReferenceConfig,
  type ReferenceSystem,
  referenceUrl,
} from "./config-files.ts";
export {
  isSnortRulesError,
  SNORT_RULES_ERROR_CODES,
  SnortRulesError,
  type SnortRulesErrorCode,
  type SnortRulesErrorDetails,
} from "./errors.ts";
export { type FormatRuleOptions, formatOption, formatRule } from "./format-rule.ts";
export {
  formatAddressExpr,
  formatPortExpr,
  MAX_LIST_DEPTH,
  type ParseOut,
  parseAddressExpr,
  parsePortExpr,
} from "./header.ts";
export { MAX_INCLUDE_DEPTH, parseRulesetWithIncludes, type ReadRuleFile } from "./includes.ts";
export { type DecodedContent, decodeContent, encodeContent } from "./options/content.ts";
export { rangeBounds } from "./options/range.ts";
export {
  MAX_OPTIONS_PER_RULE,
  type ParseRuleOptions,
  parseRule,
  parseRuleWithDiagnostics,
  type RuleParseResult,
  safeParseRule,
} from "./parse-rule.ts";
export {
  type IncludeDirective,
  MAX_JOINED_LINES,
  type ParseRulesetOptions,
  parseRuleset,
  type RejectedRule,
  type RulesetResult,
} from "./parse-ruleset.ts";
export { createRule, type RuleInit } from "./rule.ts";
export { buildSidIndex, type RuleSelection, ruleFileType, type SidInfo, selectRules } from "./select.ts";
export { type AddressSet, addressSet, addressSetToCidrs, type Interval, portSet } from "./sets.ts";
export {
  type FileSummary,
  type FoundRule,
  findRulesBySid,
  formatFoundRules,
  formatSummary,
  optionFamilies,
  type RuleJson,
  type RulesetSummary,
  ruleToJson,
  type SummarizeOptions,
  summarizeRuleset,
} from "./summary.ts";
export type {
  AddrExpr,
  ByteFlag,
  ContentModifier,
  ContentOption,
  Diagnostic,
  Dialect,
  Direction,
  FlowFlag,
  HttpModifierName,
  PcreOption,
  PortExpr,
  RangeExpr,
  RangeKeyword,
  Reference,
  Result,
  Rule,
  RuleEntry,
  RuleOption,
  RuleSource,
  Severity,
} from "./types.ts";
export {
  MAX_VARIABLE_DEPTH,
  MAX_VARIABLE_EXPANSIONS,
  parseFwsnortConf,
  parseVariableLine,
  type ResolveError,
  resolveAddressExpr,
  resolvePortExpr,
  type VariableDefinition,
  type VariableTable,
  variableTable,
} from "./variables.ts";
