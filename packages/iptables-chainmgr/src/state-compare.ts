/**
 * IPTables::ChainMgr's `state_compare`: true when two comma-separated state lists contain the same words,
 * in any order (`ESTABLISHED,RELATED` = `RELATED,ESTABLISHED`).
 * @param a - e.g. `ESTABLISHED,RELATED`
 * @param b - e.g. `RELATED,ESTABLISHED`
 * @returns whether the two lists are the same set
 * @example stateCompare("ESTABLISHED,RELATED", "RELATED,ESTABLISHED") // true
 */
export function stateCompare(a: string, b: string): boolean {
  const sa = a.split(",");
  const sb = b.split(",");
  return sa.every((s) => sb.includes(s)) && sb.every((s) => sa.includes(s));
}
