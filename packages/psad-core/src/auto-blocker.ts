import {
  type BlockAction,
  type BlockCandidate,
  type BlockDecision,
  type BlockPolicy,
  decideBlocks,
  decideFlush,
  decideManualBlock,
  decideManualUnblock,
  decideRestore,
} from "./auto-block.ts";
import { applyBlockActions, type BlockApplyResult, type BlockExecutorBackend } from "./block-executor.ts";
import { type BlockState, emptyBlockState } from "./block-state.ts";
import type { PsadError } from "./errors.ts";
import { loadBlockState, saveBlockState } from "./state-files.ts";
import type { Diagnostic, Result } from "./types.ts";

/** Options of {@link createAutoBlocker}. */
export interface AutoBlockerOptions extends BlockPolicy {
  /** Where to apply the decisions (e.g. `createIptablesBlocking(...)`). */
  backend: BlockExecutorBackend;
  /** JSON state file (persisted after every change); omitted: in memory only. */
  stateFile?: string;
  /** psad's AUTO_BLOCK_IPT_FILE to mirror (and to import when there is no JSON state yet). */
  psadFile?: string;
}

/** What one step did. */
export interface AutoBlockerStep extends BlockApplyResult {
  /** Candidates that reached the level but were not blocked (local, loopback, ignored, regex). */
  skipped: BlockDecision["skipped"];
}

/** The auto-response loop of the daemon (follow mode): state + decisions + executor + persistence. */
export interface AutoBlocker {
  /** Current state. */
  state(): BlockState;
  /** Start-up: load the state file (psad's file as fallback), flush (FLUSH_IPT_AT_INIT), renew unexpired blocks. */
  start(now: number): Promise<AutoBlockerStep & { diagnostics: Diagnostic[] }>;
  /** After each closed batch: expire, then block the batch's sources that reached AUTO_IDS_DANGER_LEVEL. */
  onBatch(alerts: readonly BlockCandidate[], now: number): Promise<AutoBlockerStep>;
  /** Timer tick without a batch: expiry only. */
  expire(now: number): Promise<AutoBlockerStep>;
  /** `--fw-block-ip`. */
  block(target: string, now: number): Promise<Result<AutoBlockerStep, PsadError>>;
  /** `--fw-rm-block-ip`. */
  unblock(target: string): Promise<Result<AutoBlockerStep, PsadError>>;
  /** `-F` / `-F -X`. */
  flush(deleteChains: boolean): Promise<AutoBlockerStep>;
}

/**
 * The daemon's auto-blocking loop in one object, for follow mode: it keeps the {@link BlockState}, runs the pure
 * decisions (`decideRestore` / `decideBlocks` / manual ones), applies them through the backend and saves the state
 * (atomically) whenever it changed. Steps never throw for a failed firewall change (see `failures`); a state file
 * that cannot be written throws PSAD_STATE_INVALID.
 * @param opts - policy (config, local addresses, allowlist, prefix tracker), backend, state files
 * @returns the blocker
 * @example
 * const blocker = createAutoBlocker({ config: ab, localAddrs, backend, stateFile, psadFile: ab.iptFile });
 * await blocker.start(now);
 * for (const alerts of batches) for (const m of (await blocker.onBatch(alerts, now)).messages) syslog(m);
 */
export function createAutoBlocker(opts: AutoBlockerOptions): AutoBlocker {
  let state: BlockState = emptyBlockState();
  const policy: BlockPolicy = opts;
  const persist = async () => {
    if (opts.stateFile) await saveBlockState(opts.stateFile, state, opts.psadFile ? { psadFile: opts.psadFile } : {});
  };
  const run = async (
    actions: readonly BlockAction[],
    skipped: BlockDecision["skipped"] = [],
  ): Promise<AutoBlockerStep> => {
    const r = await applyBlockActions(actions, state, opts.backend);
    const changed = r.applied.length > 0;
    state = r.state;
    if (changed) await persist();
    return { ...r, skipped };
  };
  return {
    state: () => state,
    async start(now) {
      const loaded = opts.stateFile
        ? await loadBlockState(opts.stateFile, {
            ...(opts.psadFile ? { psadFile: opts.psadFile } : {}),
            config: opts.config,
            now,
          })
        : { state: emptyBlockState(), diagnostics: [] };
      state = loaded.state;
      const d = decideRestore(state, now, policy);
      return { ...(await run(d.actions, d.skipped)), diagnostics: loaded.diagnostics };
    },
    async onBatch(alerts, now) {
      const d = decideBlocks(alerts, state, now, policy);
      return run(d.actions, d.skipped);
    },
    async expire(now) {
      const d = decideBlocks([], state, now, policy);
      return run(d.actions, d.skipped);
    },
    async block(target, now) {
      const d = decideManualBlock(target, state, now, policy);
      return d.ok ? { ok: true, value: await run(d.value) } : d;
    },
    async unblock(target) {
      const d = decideManualUnblock(target);
      return d.ok ? { ok: true, value: await run(d.value) } : d;
    },
    flush(deleteChains) {
      return run(decideFlush(deleteChains));
    },
  };
}
