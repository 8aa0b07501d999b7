/**
 * @fwkit/fwsnort — Snort rules to iptables/ip6tables: fwsnort-compatible artefacts, correct on iptables 1.8.
 */
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
