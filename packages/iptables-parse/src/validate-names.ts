/**
 * Table, chain and target name validation, run before anything is executed. The rules are iptables 1.8.9's own
 * (`assert_valid_chain_name()` in xshared.c, checked against the real binaries on both backends):
 * a chain name is at most 28 bytes, does not start with `-` or `!`, and contains no whitespace. Everything else is
 * allowed — IPTables::ChainMgr's own test chain `SC~!@#^%&$*-[]+={}-test` is a valid name. We additionally reject
 * empty names and control characters (an argv element cannot carry NUL; the others are never intended).
 */
import { IptablesParseError } from "./errors.ts";
import type { Family } from "./types.ts";

/** The tables iptables knows (IPv4 and IPv6 alike, nat included for ip6tables). */
export const IPTABLES_TABLES: readonly string[] = ["filter", "nat", "mangle", "raw", "security"];

/** Longest chain / target name iptables accepts, in bytes (`must be under 29 chars`). */
export const MAX_CHAIN_NAME_BYTES = 28;

/** Built-in targets a user chain may not be named after (`chain name may not clash with target name`). */
export const STANDARD_TARGETS: readonly string[] = ["ACCEPT", "DROP", "QUEUE", "RETURN"];

/** Why `name` is not a usable chain/target name, or `undefined` when it is. */
export function chainNameProblem(name: string): string | undefined {
  if (typeof name !== "string" || name === "") return "empty name";
  if (Buffer.byteLength(name, "utf8") > MAX_CHAIN_NAME_BYTES)
    return `name \`${name}' too long (must be under ${MAX_CHAIN_NAME_BYTES + 1} chars)`;
  if (name.startsWith("-") || name.startsWith("!")) return `name not allowed to start with \`${name[0]}'`;
  if (/[\s\u0000-\u001f\u007f]/.test(name)) return `invalid name \`${name}' (whitespace or control character)`;
  return undefined;
}

/** Throw `IPT_INVALID_NAME` unless `table` is one of {@link IPTABLES_TABLES}. */
export function validateTableName(table: string, _family: Family = "ipv4"): string {
  if (!IPTABLES_TABLES.includes(table)) {
    throw new IptablesParseError("IPT_INVALID_NAME", `[*] Invalid table name \`${String(table)}'.`, {
      table,
      valid: IPTABLES_TABLES,
    });
  }
  return table;
}

/** Throw `IPT_INVALID_NAME` unless `chain` is a name iptables accepts (see module docs). */
export function validateChainName(chain: string): string {
  const why = chainNameProblem(chain);
  if (why) throw new IptablesParseError("IPT_INVALID_NAME", `[*] Invalid chain ${why}.`, { chain });
  return chain;
}

/** Throw `IPT_INVALID_NAME` unless `target` is a usable `-j` target (a built-in/extension target or a chain name). */
export function validateTargetName(target: string): string {
  const why = chainNameProblem(target);
  if (why) throw new IptablesParseError("IPT_INVALID_NAME", `[*] Invalid target ${why}.`, { target });
  return target;
}

/**
 * Throw `IPT_INVALID_NAME` unless `chain` may be *created* with `-N`: a valid chain name that is not a standard
 * target. (iptables also refuses names of loadable target extensions such as `LOG` or `MARK`; that is reported by
 * iptables itself as `IPT_INVALID_NAME` through classifyStderr.)
 */
export function validateNewChainName(chain: string): string {
  validateChainName(chain);
  if (STANDARD_TARGETS.includes(chain)) {
    throw new IptablesParseError(
      "IPT_INVALID_NAME",
      `[*] Invalid chain name \`${chain}': clashes with a target name.`,
      {
        chain,
      },
    );
  }
  return chain;
}
