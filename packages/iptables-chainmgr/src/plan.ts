import type { ParsedChain, ParsedPolicy, ParsedRule } from "@fwkit/iptables-parse";
import type { JumpSpec, ManagedChain, ManagedChains, Plan, PlanOp, PlanTable } from "./batch-types.ts";
import { ChainMgrError } from "./errors.ts";
import { validateChainName, validateTable } from "./names.ts";
import { validateRulespec } from "./render-restore.ts";

/** Built-in chain names: they cannot be managed (declaring one would flush the whole built-in chain). */
export const BUILTIN_CHAINS: readonly string[] = ["INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING"];

function findChain(policy: ParsedPolicy, table: string, chain: string): ParsedChain | undefined {
  return policy.tables.find((t) => t.name === table)?.chains.find((c) => c.name === chain);
}

function tableChains(policy: ParsedPolicy, table: string): ParsedChain[] {
  return policy.tables.find((t) => t.name === table)?.chains ?? [];
}

/** A jump rule with nothing but `-j CHAIN` (from save input: its rulespec; from -L input: its columns). */
function isPlainJump(rule: ParsedRule, chain: string): boolean {
  const spec = rule.details?.rulespec;
  if (spec !== undefined) return spec.trim() === `-j ${chain}`;
  const any = (v: string) => v === "" || v === "0.0.0.0/0" || v === "::/0";
  const anyIf = (v: string) => v === "" || v === "*";
  return (
    (rule.protocol === "all" || rule.protocol === "") &&
    any(rule.src) &&
    any(rule.dst) &&
    anyIf(rule.intf_in) &&
    anyIf(rule.intf_out) &&
    !rule.extended
  );
}

/** Deletion ops for `rules` (all in `chain`): by rulespec when every rule has one, else by number, highest first. */
function deletions(chain: string, rules: readonly ParsedRule[]): PlanOp[] {
  if (rules.every((r) => r.details?.rulespec !== undefined)) {
    return rules.map((r) => ({ op: "delete", chain, rulespec: r.details.rulespec as string }));
  }
  return [...rules].sort((a, b) => b.rule_num - a.rule_num).map((r) => ({ op: "deleteNum", chain, num: r.rule_num }));
}

function key(table: string, chain: string): string {
  return `${table}/${chain}`;
}

/**
 * Compute the atomic change set that makes the managed chains look like `desired`, touching nothing else
 * (pure). Every present managed chain is declared (created or flushed) and refilled; jump rules into it are
 * kept when exactly the wanted plain `-j CHAIN` jump already exists, otherwise the stale ones are deleted
 * and the wanted ones inserted; absent chains lose every reference in their table, then are flushed and deleted.
 * @param current - the live policy of the affected tables (ideally `iptables-save` parsed, so deletions use rulespecs)
 * @param desired - the managed chains
 * @returns the plan (empty `tables` when there is nothing to do)
 * @throws {ChainMgrError} CHAINMGR_INVALID_NAME for bad/built-in/duplicate names; CHAINMGR_BAD_RULESPEC for
 *   unusable rule argv or a jump from a managed chain
 * @example plan(current, { chains: [{ table: "filter", name: "FWKIT", rules: [["-s", "10.0.0.0/8", "-j", "DROP"]], jumps: [{ from: "INPUT" }] }] })
 */
export function plan(current: ParsedPolicy, desired: ManagedChains): Plan {
  const byTable = new Map<string, ManagedChain[]>();
  const seen = new Set<string>();
  for (const c of desired.chains) {
    validateTable(c.table);
    validateChainName(c.name, "chain", true);
    if (BUILTIN_CHAINS.includes(c.name)) {
      throw new ChainMgrError("CHAINMGR_INVALID_NAME", `[*] Built-in chain ${c.name} cannot be managed.`, {
        chain: c.name,
      });
    }
    const k = key(c.table, c.name);
    if (seen.has(k)) throw new ChainMgrError("CHAINMGR_INVALID_NAME", `[*] Chain ${k} is listed twice.`, { chain: k });
    seen.add(k);
    for (const r of c.rules ?? []) validateRulespec(r);
    for (const j of c.jumps ?? []) {
      validateChainName(j.from, "chain", true);
      validateRulespec([...(j.matches ?? []), "-j", c.name]);
      if (j.position !== undefined && j.position !== "append" && !(Number.isInteger(j.position) && j.position >= 1)) {
        throw new ChainMgrError("CHAINMGR_BAD_POSITION", `[*] Bad jump position ${String(j.position)}.`, {
          position: j.position,
        });
      }
    }
    const list = byTable.get(c.table) ?? [];
    list.push(c);
    byTable.set(c.table, list);
  }
  const presentKeys = new Set(
    desired.chains.filter((c) => (c.state ?? "present") === "present").map((c) => key(c.table, c.name)),
  );

  const tables: PlanTable[] = [];
  for (const [table, chains] of byTable) {
    const ops: PlanOp[] = [];
    const present = chains.filter((c) => (c.state ?? "present") === "present");
    const absent = chains.filter((c) => c.state === "absent");
    // Rules left in each unmanaged chain after deletions (for clamping insert positions).
    const remaining = new Map<string, number>();
    const count = (chain: string) => remaining.get(chain) ?? findChain(current, table, chain)?.rules.length ?? 0;
    const deleted = new Set<string>();
    const tail: PlanOp[] = [];

    for (const c of present) {
      ops.push({ op: "declare", chain: c.name });
    }
    for (const c of present) {
      for (const r of c.rules ?? []) ops.push({ op: "append", chain: c.name, rule: [...r] });
    }
    for (const c of present) {
      const wanted = c.jumps ?? [];
      const byFrom = new Map<string, JumpSpec[]>();
      for (const j of wanted) {
        if (presentKeys.has(key(table, j.from))) {
          throw new ChainMgrError(
            "CHAINMGR_BAD_RULESPEC",
            `[*] ${j.from} is managed too: put the jump to ${c.name} into its rules.`,
            { from: j.from, chain: c.name },
          );
        }
        byFrom.set(j.from, [...(byFrom.get(j.from) ?? []), j]);
      }
      // Existing jumps to this chain from unmanaged chains.
      for (const from of tableChains(current, table)) {
        if (presentKeys.has(key(table, from.name))) continue;
        const existing = from.rules.filter((r) => r.target === c.name);
        const want = byFrom.get(from.name) ?? [];
        const keep =
          existing.length === 1 &&
          want.length === 1 &&
          (want[0]?.matches ?? []).length === 0 &&
          isPlainJump(existing[0] as ParsedRule, c.name);
        if (keep) {
          byFrom.delete(from.name);
          continue;
        }
        if (existing.length > 0) {
          ops.push(...deletions(from.name, existing));
          for (const r of existing) deleted.add(`${from.name}#${r.rule_num}`);
          remaining.set(from.name, count(from.name) - existing.length);
        }
      }
      for (const [from, specs] of byFrom) {
        for (const j of specs) {
          const rule = [...(j.matches ?? []), "-j", c.name];
          if (j.position === "append") {
            tail.push({ op: "append", chain: from, rule });
          } else {
            const n = count(from);
            const position = Math.min(j.position ?? 1, n + 1);
            ops.push({ op: "insert", chain: from, position, rule });
          }
          remaining.set(from, count(from) + 1);
        }
      }
    }
    // Absent chains: drop references from chains that stay, then flush all of them (they may reference each
    // other), then delete them.
    const absentKeys = new Set(absent.map((c) => key(table, c.name)));
    const existing = absent.filter((c) => findChain(current, table, c.name) !== undefined);
    for (const c of existing) {
      for (const from of tableChains(current, table)) {
        const k = key(table, from.name);
        if (from.name === c.name || presentKeys.has(k) || absentKeys.has(k)) continue;
        const refs = from.rules.filter((r) => r.target === c.name && !deleted.has(`${from.name}#${r.rule_num}`));
        if (refs.length > 0) ops.push(...deletions(from.name, refs));
      }
    }
    for (const c of existing) ops.push({ op: "flush", chain: c.name });
    for (const c of existing) ops.push({ op: "deleteChain", chain: c.name });
    ops.push(...tail);
    if (ops.length > 0) tables.push({ table, ops });
  }
  return {
    family: current.family,
    tables,
    managed: desired.chains.map((c) => key(c.table, c.name)),
  };
}
