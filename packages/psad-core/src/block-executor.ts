import { applyToState, type BlockAction, blockMessage } from "./auto-block.ts";
import type { BlockState } from "./block-state.ts";
import type { BlockingBackend } from "./blocking.ts";
import { PsadError } from "./errors.ts";

/** What the executor needs from a backend (the iptables backend, a dry-run recorder, …). */
export type BlockExecutorBackend = Pick<BlockingBackend, "block" | "unblock"> & {
  flush(deleteChains: boolean): Promise<void>;
};

/** Result of {@link applyBlockActions}. */
export interface BlockApplyResult {
  /** State after the actions that succeeded (persist it). */
  state: BlockState;
  /** Actions applied successfully, in order. */
  applied: BlockAction[];
  /** psad's syslog lines for the applied actions. */
  messages: string[];
  /** Actions that failed; the state keeps the old entry, so a failed removal is retried on the next decision. */
  failures: { action: BlockAction; error: PsadError }[];
}

/**
 * The thin executor: run the decided actions against a backend, one at a time, and fold the successful ones into
 * the state. Never throws for a failed action (it is reported in `failures`, psad's "could not add iptables block
 * rule for: X" case).
 * @param actions - from `decideBlocks` / `decideManualBlock` / `decideManualUnblock` / `decideFlush` / `decideRestore`
 * @param state - the state the actions were decided on
 * @param backend - e.g. `createIptablesBlocking(...)`
 * @returns new state, applied actions, syslog messages, failures
 * @example
 * const r = await applyBlockActions(decision.actions, state, backend);
 * await saveBlockState(file, r.state);
 */
export async function applyBlockActions(
  actions: readonly BlockAction[],
  state: BlockState,
  backend: BlockExecutorBackend,
): Promise<BlockApplyResult> {
  let st = state;
  const applied: BlockAction[] = [];
  const messages: string[] = [];
  const failures: BlockApplyResult["failures"] = [];
  for (const action of actions) {
    try {
      if (action.kind === "add") {
        const e = action.entry;
        await backend.block({ ip: e.ip, family: e.family, dl: e.dl, timeout: e.timeout });
      } else if (action.kind === "remove") await backend.unblock(action.ip);
      else if (action.kind === "flush") await backend.flush(action.deleteChains);
    } catch (e) {
      const error =
        e instanceof PsadError
          ? e
          : new PsadError(
              "PSAD_BLOCK_FAILED",
              `${action.kind} failed: ${(e as Error)?.message ?? String(e)}`,
              {},
              {
                cause: e,
              },
            );
      failures.push({ action, error });
      continue;
    }
    st = applyToState(st, action);
    applied.push(action);
    const m = blockMessage(action);
    if (m) messages.push(m);
  }
  return { state: st, applied, messages, failures };
}
