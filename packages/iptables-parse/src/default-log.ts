import { binName, isAnyToAny, isEmptyPolicy, isLogTarget } from "./rule-predicates.ts";
import type { DefaultLogReport, ParsedPolicy, ParsedTable, PerlStatus } from "./types.ts";

/**
 * IPTables::Parse `default_log`: the protocols that have an any→any logging rule (`LOG`, `ULOG`, and — unlike
 * Perl — `NFLOG`) in `chain` or in any user chain reachable from it by `-j`/`-g` (followed transitively, with a
 * cycle guard), e.g. `{all: ""}` or `{tcp: ""}`.
 *
 * Fixes over Perl (spec §3.2): works on `-v` listings (K/M counters, `--line-numbers`) and save input, chains
 * with 10, 20, … references are not ignored, sub-chains are found in every format, interfaces are considered,
 * protocol keys are names, and when no logging rule is reachable from `chain` the failure message is returned
 * — what Perl returns live (it lists only that chain) — instead of the empty hash with rv 1 that Perl returns
 * for whole-table files, so the answer no longer depends on how much of the table was given.
 *
 * @param policy - a parsed policy (any format)
 * @param table - table name
 * @param chain - chain name
 * @returns `[report, 1]`, or `[message, 0]` with Perl's exact message
 */
export function defaultLog(policy: ParsedPolicy, table: string, chain: string): PerlStatus<DefaultLogReport> {
  const bin = binName(policy);
  if (isEmptyPolicy(policy)) return [`[-] Could not get ${bin} output!`, 0];
  const noLog: [string, 0] = [`[-] There are no default logging rules in the ${bin} policy!`, 0];
  const t: ParsedTable | undefined = policy.tables.find(
    (x) => x.name === table && x.chains.some((c) => c.name === chain),
  );
  if (t === undefined) return noLog;
  const byName = new Map(t.chains.map((c) => [c.name, c] as const));
  const report: DefaultLogReport = {};
  const visited = new Set<string>([chain]);
  const queue: string[] = [chain];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    const ch = byName.get(name);
    if (ch === undefined) continue;
    for (const r of ch.rules) {
      if (isLogTarget(r.target)) {
        if (isAnyToAny(r)) report[r.protocol] = "";
      } else if (r.target !== "" && byName.has(r.target) && !visited.has(r.target)) {
        visited.add(r.target);
        queue.push(r.target);
      }
    }
  }
  if (Object.keys(report).length === 0) return noLog;
  return [report, 1];
}
