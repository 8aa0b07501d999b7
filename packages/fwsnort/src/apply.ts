/**
 * Loading a translation into the running firewall (`--ipt-apply`), removing it (`--ipt-flush`) and listing it
 * (`--ipt-list`), through @fwkit/iptables-chainmgr's atomic batch (`plan` + one `iptables-restore --noflush`).
 * Only fwsnort's six chains and the jump rules into them are touched; the rest of the live policy stays as it
 * is (fwsnort 1.6.8 replaced the whole filter table with a snapshot). A payload iptables rejects changes nothing.
 */
import {
  type ChainMgrResult,
  type ManagedChain,
  type ManagedChains,
  type Plan,
  plan,
  renderRestore,
} from "@fwkit/iptables-chainmgr";
import type { ParsedPolicy } from "@fwkit/iptables-parse";
import { fwsnortChainSet, type LayoutOptions } from "./render-iptcmds.ts";
import type { FwsnortChain, Translation } from "./types.ts";

/** fwsnort's chain names (spec §9.1). */
export const FWSNORT_CHAINS: readonly FwsnortChain[] = [
  "FWSNORT_FORWARD",
  "FWSNORT_FORWARD_ESTAB",
  "FWSNORT_INPUT",
  "FWSNORT_INPUT_ESTAB",
  "FWSNORT_OUTPUT",
  "FWSNORT_OUTPUT_ESTAB",
];

/** The part of `ChainMgr` this module uses (a real `ChainMgr`, or a fake in tests). */
export interface BatchMgr {
  currentPolicy(tables: readonly string[]): Promise<ParsedPolicy>;
  apply(p: Plan, opts?: { test?: boolean }): Promise<ChainMgrResult>;
}

/** Outcome of an apply or flush. */
export interface ApplyResult {
  /** True when iptables-restore accepted the payload (or there was nothing to do). */
  ok: boolean;
  /** The `iptables-restore --noflush` payload that was (or would have been) fed. */
  payload: string;
  plan: Plan;
  /** iptables-restore's stderr lines when it failed, and its classified code. */
  stderr: string[];
  code?: string;
  /** Number of rules loaded into the fwsnort chains (apply only). */
  rules: number;
}

function tableRules(policy: ParsedPolicy) {
  return policy.tables.find((t) => t.name === "filter")?.chains ?? [];
}

/**
 * The desired state for chainmgr: every fwsnort chain of the layout with its full content and the jumps from
 * the built-in chains; fwsnort chains present in `current` but not in the layout are removed.
 * @param translation - the translation
 * @param current - the live filter table (for stale fwsnort chains), optional
 * @param o - layout options
 * @returns the managed-chains description
 */
export function fwsnortManagedChains(
  translation: Translation,
  current?: ParsedPolicy,
  o: LayoutOptions = {},
): ManagedChains {
  const set = fwsnortChainSet(translation, o);
  const chains: ManagedChain[] = set.chains.map((name) => ({
    table: "filter",
    name,
    rules: set.rules.get(name) ?? [],
    jumps: set.jumps
      .filter((j) => j.chain === name)
      .map((j) => ({ from: j.from, position: j.position, matches: j.matches })),
  }));
  const live = new Set(current ? tableRules(current).map((c) => c.name) : []);
  for (const c of FWSNORT_CHAINS) {
    if (!set.chains.includes(c) && live.has(c)) chains.push({ table: "filter", name: c, state: "absent" });
  }
  return { chains };
}

/**
 * Pure: the plan that loads `translation` into a policy that currently is `current`.
 * @param current - live filter table (iptables-save parsed)
 * @param translation - the translation
 * @param o - layout options
 * @returns the chainmgr plan
 */
export function planApply(current: ParsedPolicy, translation: Translation, o: LayoutOptions = {}): Plan {
  return plan(current, fwsnortManagedChains(translation, current, o));
}

/**
 * Pure: the plan that removes every fwsnort chain and every rule referring to one (`--ipt-flush`).
 * @param current - live filter table
 * @returns the plan (empty when no fwsnort chain exists)
 */
export function planFlush(current: ParsedPolicy): Plan {
  return plan(current, { chains: FWSNORT_CHAINS.map((name) => ({ table: "filter", name, state: "absent" as const })) });
}

async function run(mgr: BatchMgr, p: Plan, test: boolean, rules: number): Promise<ApplyResult> {
  const payload = renderRestore(p);
  if (payload === "") return { ok: true, payload, plan: p, stderr: [], rules };
  const r = await mgr.apply(p, { test });
  const res: ApplyResult = { ok: r.rv === 1, payload, plan: p, stderr: r.rv === 1 ? [] : r.err, rules };
  if (r.rv !== 1) res.code = r.code ?? "IPT_COMMAND_FAILED";
  return res;
}

/**
 * Load the translation into the running firewall atomically: fwsnort's chains are created or replaced and the
 * jumps from INPUT/FORWARD/OUTPUT set, in one `iptables-restore --noflush` (`ip6tables-restore` when the
 * manager is IPv6). Other chains and rules are untouched; if iptables rejects any line nothing changes.
 * @param mgr - a `ChainMgr` for the translation's family
 * @param translation - the translation
 * @param o - layout options, `test: true` for `--test` (check only)
 * @returns the outcome with the payload
 * @example await applyTranslation(await ChainMgr.create({}), translation)
 */
export async function applyTranslation(
  mgr: BatchMgr,
  translation: Translation,
  o: LayoutOptions & { test?: boolean } = {},
): Promise<ApplyResult> {
  const current = await mgr.currentPolicy(["filter"]);
  const p = planApply(current, translation, o);
  const rules = p.tables
    .flatMap((t) => t.ops)
    .filter((op) => op.op === "append" && op.chain.startsWith("FWSNORT_")).length;
  return run(mgr, p, o.test === true, rules);
}

/**
 * Remove fwsnort from the running firewall (`--ipt-flush`): every rule that jumps to a fwsnort chain, then the
 * chains themselves, atomically. Nothing else changes.
 * @param mgr - a `ChainMgr`
 * @param o - `test: true` for a dry run
 * @returns the outcome
 */
export async function flushFwsnort(mgr: BatchMgr, o: { test?: boolean } = {}): Promise<ApplyResult> {
  const current = await mgr.currentPolicy(["filter"]);
  return run(mgr, planFlush(current), o.test === true, 0);
}

/** What `--ipt-list` shows. */
export interface FwsnortListing {
  chains: { name: string; rules: string[]; packets: string[] }[];
  /** Rules in other chains that jump to a fwsnort chain (`-A INPUT ! -i lo -j FWSNORT_INPUT`). */
  jumps: string[];
}

/**
 * Pure: the fwsnort chains and the jumps into them in a parsed filter table.
 * @param current - the live filter table (iptables-save parsed)
 * @returns rulespecs per chain (with packet counters when known) and the jump rules
 */
export function fwsnortListing(current: ParsedPolicy): FwsnortListing {
  const chains = tableRules(current);
  const names = new Set(FWSNORT_CHAINS as readonly string[]);
  const spec = (r: { details: { rulespec?: string }; raw: string }) => r.details.rulespec ?? r.raw;
  return {
    chains: chains
      .filter((c) => names.has(c.name))
      .map((c) => ({ name: c.name, rules: c.rules.map(spec), packets: c.rules.map((r) => r.packets) })),
    jumps: chains
      .filter((c) => !names.has(c.name))
      .flatMap((c) => c.rules.filter((r) => names.has(r.target)).map((r) => `-A ${c.name} ${spec(r)}`)),
  };
}

/**
 * List fwsnort's chains in the running firewall (`--ipt-list`).
 * @param mgr - a `ChainMgr`
 * @returns the listing
 */
export async function listFwsnort(mgr: BatchMgr): Promise<FwsnortListing> {
  return fwsnortListing(await mgr.currentPolicy(["filter"]));
}
