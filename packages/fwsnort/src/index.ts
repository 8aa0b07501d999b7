/**
 * @fwkit/fwsnort — Snort rules to iptables/ip6tables: fwsnort-compatible artefacts, correct on iptables 1.8.
 */

export {
  type ApplyResult,
  applyTranslation,
  type BatchMgr,
  FWSNORT_CHAINS,
  type FwsnortListing,
  flushFwsnort,
  fwsnortListing,
  fwsnortManagedChains,
  listFwsnort,
  planApply,
  planFlush,
} from "./apply.ts";
export { type Capabilities, capabilities, NO_IPT_TEST_CAPABILITIES } from "./capabilities.ts";
export {
  type BlacklistEntry,
  DEFAULT_FWSNORT_CONF,
  defaultFwsnortConfig,
  type FwsnortConfig,
  MAX_CONFIG_EXPANSION_PASSES,
  parseFwsnortConfig,
  safeParseFwsnortConfig,
} from "./config.ts";
export {
  FWSNORT_ERROR_CODES,
  FwsnortError,
  type FwsnortErrorCode,
  type FwsnortErrorDetails,
  isFwsnortError,
} from "./errors.ts";
export {
  ARTEFACT_MODES,
  type Artefact,
  type ArtefactFs,
  archiveFile,
  nodeArtefactFs,
  type RuleFile,
  type RuleFileSelection,
  type RuleFileSet,
  type RuleSource,
  readRuleFiles,
  type WriteResult,
  writeArtefacts,
} from "./io.ts";
export { type IptSyncOptions, type IptSyncResult, iptSync, type SyncDecision } from "./ipt-sync.ts";
export {
  type BuiltinChain,
  type ChainSet,
  fwsnortChainSet,
  type IptCmdsOptions,
  type JumpRule,
  type LayoutOptions,
  renderIptCmds,
} from "./render-iptcmds.ts";
export { type RenderSaveOptions, renderSave, saveRuleArgs } from "./render-save.ts";
export { type BannerOptions, type FwsnortShOptions, perlLocaltime, renderFwsnortSh } from "./render-sh.ts";
export {
  type FinalMessageOptions,
  renderFinalMessage,
  renderFwsnortLog,
  renderSummary,
  type SummaryOptions,
  skipCountLines,
} from "./summary.ts";
export {
  type RulesFileInput,
  type TranslateOptions,
  type TranslateSelection,
  translateRuleset,
} from "./translate.ts";
export { byteTestU32 } from "./translate-u32.ts";
export type {
  ChainLayout,
  Family,
  FileCounts,
  FwsnortChain,
  FwsnortWarning,
  IptRule,
  SkipCode,
  SkippedRule,
  TargetMode,
  TranslatedRule,
  Translation,
} from "./types.ts";
