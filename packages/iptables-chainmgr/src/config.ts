import type { Result } from "@fwkit/iptables-parse";
import { z } from "zod";
import type { ManagedChains } from "./batch-types.ts";
import { ChainMgrError, isChainMgrError } from "./errors.ts";
import { IPTABLES_TABLES, validateChainName, validateTable } from "./names.ts";
import { validateRulespec } from "./render-restore.ts";

const argv = z.array(z.string().min(1)).min(1);
const jump = z.strictObject({
  from: z.string().min(1),
  position: z.union([z.number().int().min(1), z.literal("append")]).optional(),
  matches: z.array(z.string().min(1)).optional(),
});
const chain = z.strictObject({
  table: z.enum(IPTABLES_TABLES as [string, ...string[]]),
  name: z.string().min(1),
  state: z.enum(["present", "absent"]).optional(),
  rules: z.array(argv).optional(),
  jumps: z.array(jump).optional(),
});
const schema = z.strictObject({ chains: z.array(chain) });

/**
 * Validate untrusted input (a JSON/YAML policy file, CLI input) as {@link ManagedChains}: shape first (unknown keys
 * are errors), then the same name and rulespec checks `plan` applies.
 * @param input - parsed JSON (unknown)
 * @returns `{ ok: true, value }` or `{ ok: false, error }` with code CHAINMGR_CONFIG_INVALID (`details.issues`:
 *   path + message per problem) or the code of the failed name/rulespec check
 * @example parseManagedChainsConfig(JSON.parse(text))
 */
export function parseManagedChainsConfig(input: unknown): Result<ManagedChains, ChainMgrError> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const issues = r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    return {
      ok: false,
      error: new ChainMgrError(
        "CHAINMGR_CONFIG_INVALID",
        `[*] Invalid managed-chains config:\n${z.prettifyError(r.error)}`,
        { issues },
      ),
    };
  }
  try {
    for (const c of r.data.chains) {
      validateTable(c.table);
      validateChainName(c.name, "chain", true);
      for (const rule of c.rules ?? []) validateRulespec(rule);
      for (const j of c.jumps ?? []) validateChainName(j.from, "chain", true);
    }
  } catch (e) {
    if (isChainMgrError(e)) return { ok: false, error: e };
    throw e;
  }
  return { ok: true, value: r.data as ManagedChains };
}
