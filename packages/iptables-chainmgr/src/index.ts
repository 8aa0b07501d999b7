export type { JumpSpec, ManagedChain, ManagedChains, Plan, PlanOp, PlanTable } from "./batch-types.ts";
export { buildIptMatches, type IptMatches } from "./build-ipt-matches.ts";
export {
  ChainMgr,
  type ChainMgrExtraOptions,
  type ChainMgrResult,
  type EnsureResult,
  type RulePosition,
} from "./chain-mgr.ts";
export { parseManagedChainsConfig } from "./config.ts";
export { ChainMgrError, type ChainMgrErrorCode, type ChainMgrErrorDetails, isChainMgrError } from "./errors.ts";
export { type FindResult, matchIpRule, validateSearchKeys } from "./find-ip-rule.ts";
export { IPTABLES_TABLES, MAX_CHAIN_NAME_BYTES, validateChainName, validateTable } from "./names.ts";
export { inetNtop6, normalizeNet } from "./normalize-net.ts";
export type { ParseObj } from "./parse-obj.ts";
export { BUILTIN_CHAINS, plan } from "./plan.ts";
export { quoteRestoreArg, renderRestore, validateRulespec } from "./render-restore.ts";
export type { RuleExt } from "./rule-ext.ts";
export { stateCompare } from "./state-compare.ts";
