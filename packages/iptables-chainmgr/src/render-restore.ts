import type { Plan, PlanOp } from "./batch-types.ts";
import { ChainMgrError } from "./errors.ts";

/** Options that are iptables commands (or the table switch): never allowed inside a rulespec. */
const COMMAND_OPTIONS = new Set([
  "-A",
  "--append",
  "-I",
  "--insert",
  "-D",
  "--delete",
  "-R",
  "--replace",
  "-C",
  "--check",
  "-F",
  "--flush",
  "-X",
  "--delete-chain",
  "-N",
  "--new-chain",
  "-P",
  "--policy",
  "-E",
  "--rename-chain",
  "-Z",
  "--zero",
  "-L",
  "--list",
  "-S",
  "--list-rules",
  "-t",
  "--table",
]);

/** Options whose argument is free text (so it may look like anything, e.g. `--comment -A`). */
const FREE_TEXT_OPTIONS = new Set([
  "--comment",
  "--string",
  "--log-prefix",
  "--nflog-prefix",
  "--hex-string",
  "--ulog-prefix",
]);

/**
 * Throws CHAINMGR_BAD_RULESPEC unless `rule` is a usable argv rulespec: non-empty, no empty items, no line
 * breaks or NUL bytes (they would split an iptables-restore line), no command options (`-A`, `-t`, …).
 * @param rule - argv rulespec without `-A CHAIN`
 */
export function validateRulespec(rule: readonly string[]): void {
  if (rule.length === 0) throw new ChainMgrError("CHAINMGR_BAD_RULESPEC", "[*] Empty rulespec.");
  for (let i = 0; i < rule.length; i++) {
    const t = rule[i] as string;
    if (typeof t !== "string" || t.length === 0 || /[\r\n\0]/.test(t)) {
      throw new ChainMgrError("CHAINMGR_BAD_RULESPEC", `[*] Bad rulespec item ${JSON.stringify(t)}.`, {
        rule: [...rule],
        index: i,
      });
    }
    if (COMMAND_OPTIONS.has(t) && !(i > 0 && FREE_TEXT_OPTIONS.has(rule[i - 1] as string))) {
      throw new ChainMgrError("CHAINMGR_BAD_RULESPEC", `[*] Command option ${t} inside a rulespec.`, {
        rule: [...rule],
        index: i,
      });
    }
  }
}

/**
 * Quote one argv item for an iptables-restore line. iptables-restore splits on blanks and honours double
 * quotes with backslash escapes (and nothing else), so items with blanks, quotes, backslashes or a leading
 * `#` are double-quoted with `\"` and `\\` escapes; everything else is written bare.
 * @param item - one argv item
 * @returns the item as restore text
 * @example quoteRestoreArg("ssh from lan") // "\"ssh from lan\""
 */
export function quoteRestoreArg(item: string): string {
  if (item.length > 0 && !/[\s"'\\]/.test(item) && !item.startsWith("#")) return item;
  return `"${item.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function line(op: PlanOp): string {
  const q = (xs: readonly string[]) => xs.map(quoteRestoreArg).join(" ");
  switch (op.op) {
    case "declare":
      return `:${op.chain} - [0:0]`;
    case "append":
      return `-A ${q([op.chain])} ${q(op.rule)}`;
    case "insert":
      return `-I ${q([op.chain])} ${op.position} ${q(op.rule)}`;
    case "delete":
      return `-D ${q([op.chain])} ${op.rulespec}`;
    case "deleteNum":
      return `-D ${q([op.chain])} ${op.num}`;
    case "flush":
      return `-F ${q([op.chain])}`;
    case "deleteChain":
      return `-X ${q([op.chain])}`;
  }
}

/**
 * Render a {@link Plan} as an `iptables-restore --noflush` payload (pure): per table `*table`, the
 * declarations of the managed chains (`:NAME - [0:0]` creates or flushes only that chain), then the
 * operations, then `COMMIT`. Tables without operations are omitted; an empty plan renders as `''`.
 * @param p - the plan
 * @returns restore text, ending with a newline
 * @example renderRestore(plan(current, desired))
 */
export function renderRestore(p: Plan): string {
  const out: string[] = [];
  for (const t of p.tables) {
    if (t.ops.length === 0) continue;
    out.push(`*${t.table}`);
    const declares = t.ops.filter((o) => o.op === "declare");
    const rest = t.ops.filter((o) => o.op !== "declare");
    for (const o of declares) out.push(line(o));
    for (const o of rest) out.push(line(o));
    out.push("COMMIT");
  }
  return out.length ? `${out.join("\n")}\n` : "";
}
