import { ChainMgrError } from "./errors.ts";

/** The tables iptables knows (validated before any command runs). */
export const IPTABLES_TABLES: readonly string[] = ["filter", "nat", "mangle", "raw", "security"];

/** iptables' limit: chain and target names are at most 28 bytes (XT_EXTENSION_MAXNAMELEN - 1). */
export const MAX_CHAIN_NAME_BYTES = 28;

/**
 * Throws `CHAINMGR_INVALID_NAME` unless `table` is one of iptables' tables.
 * @param table - table name, e.g. `filter`
 * @throws {ChainMgrError} CHAINMGR_INVALID_NAME for anything else (so no odd string ever reaches argv)
 */
export function validateTable(table: string): void {
  if (!IPTABLES_TABLES.includes(table)) {
    throw new ChainMgrError("CHAINMGR_INVALID_NAME", `[*] Invalid table name '${table}'.`, { table });
  }
}

/**
 * Throws `CHAINMGR_INVALID_NAME` unless `name` is a chain or target name iptables 1.8.9 accepts: 1–28 bytes,
 * no whitespace or control characters, not starting with `-` or `!`. Shell metacharacters are fine (commands
 * are argv arrays), so upstream's test chain `SC~!@#^%&$*-[]+={}-test` is valid. With `forRestore`, quotes and
 * backslashes are refused too (they would change meaning in an iptables-restore payload).
 * @param name - chain or target name
 * @param what - `chain` or `target`, used in the message
 * @param forRestore - the name goes into an iptables-restore payload
 */
export function validateChainName(name: string, what: "chain" | "target" = "chain", forRestore = false): void {
  const bad =
    typeof name !== "string" ||
    name.length === 0 ||
    Buffer.byteLength(name, "utf8") > MAX_CHAIN_NAME_BYTES ||
    /[\s\u0000-\u001f\u007f]/.test(name) ||
    (forRestore && /["'\\]/.test(name)) ||
    name.startsWith("-") ||
    name.startsWith("!");
  if (bad) throw new ChainMgrError("CHAINMGR_INVALID_NAME", `[*] Invalid ${what} name '${name}'.`, { [what]: name });
}
