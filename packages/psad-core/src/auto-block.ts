import type { AutoBlockConfig } from "./auto-block-config.ts";
import type { BlockEntry, BlockState, BlockTarget } from "./block-state.ts";
import { normalizeBlockTarget, sortEntries } from "./block-state.ts";
import { type Cidr, cidrContains, parseCidr } from "./cidr.ts";
import type { DetectorState } from "./detector.ts";
import { PsadError } from "./errors.ts";
import type { Result } from "./types.ts";

/** A source that may be blocked: every `ScanAlert` fits (`src`, `dl`). */
export interface BlockCandidate {
  src: string;
  dl: number;
}

/** What besides the config decides whether an address may be blocked. */
export interface BlockPolicy {
  config: AutoBlockConfig;
  /** The host's own interface addresses (never blocked; psad's `%local_ips`). Injected, never probed here. */
  localAddrs?: readonly string[];
  /** Extra never-block networks (CIDR text), on top of auto_dl DL-0 entries and loopback/unspecified. */
  allowlist?: readonly string[];
  /**
   * ENABLE_AUTO_IDS_REGEX: whether a log prefix of `src` matched AUTO_BLOCK_REGEX (psad requires a match).
   * For a detector: `(src) => detector.state().sources.get(src)?.blockRegexMatched ?? false`.
   */
  prefixMatched?: (src: string) => boolean;
}

/** One firewall change (or state-only update) decided by the pure core. */
export type BlockAction =
  /** Add the block rules for `entry` (renew: re-applying a block kept across a restart). */
  | { kind: "add"; entry: BlockEntry; renew: boolean }
  /** Remove the block rules of `ip`. */
  | { kind: "remove"; ip: string; family: "ipv4" | "ipv6"; reason: "expired" | "manual" }
  /** The source's DL rose while blocked: new DL and timeout, no firewall change. */
  | { kind: "update"; entry: BlockEntry }
  /** Flush the PSAD_BLOCK chains (and delete them with `deleteChains`). */
  | { kind: "flush"; deleteChains: boolean };

/** Why a candidate at or above AUTO_IDS_DANGER_LEVEL was not blocked. */
export type BlockSkipReason = "invalid" | "loopback" | "unspecified" | "local" | "ignored" | "regex";

/** Result of a decision. */
export interface BlockDecision {
  actions: BlockAction[];
  /** Candidates that reached the level but must not be blocked (psad: "Skipping IP … from auto-block"). */
  skipped: { ip: string; reason: BlockSkipReason }[];
}

const ALWAYS_SAFE: readonly Cidr[] = ["127.0.0.0/8", "::1/128", "::ffff:127.0.0.0/104"].map(
  (t) => parseCidr(t) as Cidr,
);

function overlaps(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b.v6, b.words) || cidrContains(b, a.v6, a.words);
}

/**
 * Why `target` must never be blocked, or undefined when it may be: loopback, the unspecified address or a
 * /0 network, one of the host's addresses, or an ignored network (auto_dl DL 0, allowlist). Networks are refused
 * when they overlap any of these (psad refuses `--fw-block-ip` nets overlapping auto_dl DL-0 entries).
 * @param target - normalised target
 * @param policy - config, local addresses and allowlist
 * @returns the reason, or undefined
 * @example neverBlockReason(normalizeBlockTarget("127.0.0.1")!, policy) // "loopback"
 */
export function neverBlockReason(target: BlockTarget, policy: BlockPolicy): BlockSkipReason | undefined {
  const net = target.net;
  if (net.prefix === 0 || net.words.every((w) => w === 0)) return "unspecified";
  for (const s of ALWAYS_SAFE) if (overlaps(s, net)) return "loopback";
  for (const a of policy.localAddrs ?? []) {
    const l = parseCidr(a.replace(/\/\d+$/, ""));
    if (l && cidrContains(net, l.v6, l.words)) return "local";
  }
  for (const n of policy.config.ignoreNets) if (overlaps(n, net)) return "ignored";
  for (const t of policy.allowlist ?? []) {
    const n = parseCidr(t);
    if (n && overlaps(n, net)) return "ignored";
  }
  return undefined;
}

/**
 * The block timeout psad uses for a danger level (AUTO_BLOCK_DL<n>_TIMEOUT; 0 = permanent).
 * @param dl - danger level (clamped to 1..5)
 * @param config - auto-block settings
 * @returns seconds
 * @example timeoutForDl(3, config) // 3600
 */
export function timeoutForDl(dl: number, config: AutoBlockConfig): number {
  return config.timeouts[Math.min(5, Math.max(1, Math.trunc(dl)))] ?? 0;
}

/** True when the block has run out at `now` (psad: `now - since > timeout`; timeout 0 never expires). */
export function isExpired(e: BlockEntry, now: number): boolean {
  return e.timeout > 0 && now - e.since > e.timeout;
}

/** Seconds left on a block at `now` (0 when expired), or `Infinity` for a permanent block. */
export function remainingSeconds(e: BlockEntry, now: number): number {
  if (e.timeout === 0) return Number.POSITIVE_INFINITY;
  return Math.max(0, Math.floor(e.timeout - (now - e.since)));
}

/**
 * Every source of the detector's last closed batch with its DL — psad's candidates (`curr_scan`), which include
 * sources below MIN_DANGER_LEVEL that produced no alert (matters only when MIN_DANGER_LEVEL > AUTO_IDS_DANGER_LEVEL).
 * @param state - `detector.state()` right after a batch closed
 * @returns candidates for {@link decideBlocks}
 * @example decideBlocks(batchCandidates(det.state()), blockState, now, policy)
 */
export function batchCandidates(state: DetectorState): BlockCandidate[] {
  const out: BlockCandidate[] = [];
  for (const src of state.lastBatch) {
    const s = state.sources.get(src);
    if (s) out.push({ src, dl: s.dl });
  }
  return out;
}

/**
 * The pure auto-response core, run after each closed batch (psad's `auto_psad_response` then
 * `timeout_auto_blocked_ips`): expired blocks are removed, then every candidate with DL ≥ AUTO_IDS_DANGER_LEVEL
 * that is not blocked yet, not local/loopback/ignored and (with ENABLE_AUTO_IDS_REGEX) whose prefix matched is
 * added with the timeout of its DL. A blocked source whose DL rose gets the new DL's timeout (an `update`).
 * IPv4 and IPv6 alike. No IO, no clock: `now` is passed in.
 * @param alerts - candidates (a batch's `ScanAlert`s, or `{ src, dl }` records); several per source are fine
 * @param state - current block state
 * @param now - epoch seconds
 * @param policy - config, local addresses, allowlist, prefix-regex tracker
 * @returns actions for the executor and the skipped candidates
 * @example
 * const { actions } = decideBlocks(det.push(pkt), blockState, now, { config: autoBlock, localAddrs });
 * blockState = (await applyBlockActions(actions, blockState, backend)).state;
 */
export function decideBlocks(
  alerts: readonly BlockCandidate[],
  state: BlockState,
  now: number,
  policy: BlockPolicy,
): BlockDecision {
  const cfg = policy.config;
  const actions: BlockAction[] = [];
  const skipped: BlockDecision["skipped"] = [];
  const current = new Map<string, BlockEntry>();
  for (const e of state.entries) {
    if (isExpired(e, now)) actions.push({ kind: "remove", ip: e.ip, family: e.family, reason: "expired" });
    else current.set(e.ip, e);
  }
  if (!cfg.enabled || !cfg.iptablesMethod) return { actions, skipped };
  const best = new Map<string, number>();
  for (const a of alerts) if (a.dl >= cfg.dangerLevel) best.set(a.src, Math.max(best.get(a.src) ?? 0, a.dl));
  for (const [src, dl] of [...best.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    const t = normalizeBlockTarget(src);
    if (!t) {
      skipped.push({ ip: src, reason: "invalid" });
      continue;
    }
    const why = neverBlockReason(t, policy);
    if (why) {
      skipped.push({ ip: t.ip, reason: why });
      continue;
    }
    if (cfg.regex && !(policy.prefixMatched?.(src) ?? false)) {
      skipped.push({ ip: t.ip, reason: "regex" });
      continue;
    }
    const have = current.get(t.ip);
    if (have) {
      if (dl > have.dl) actions.push({ kind: "update", entry: { ...have, dl, timeout: timeoutForDl(dl, cfg) } });
      continue;
    }
    const entry: BlockEntry = {
      ip: t.ip,
      family: t.family,
      since: now,
      dl,
      timeout: timeoutForDl(dl, cfg),
      origin: "auto",
    };
    current.set(t.ip, entry);
    actions.push({ kind: "add", entry, renew: false });
  }
  return { actions, skipped };
}

/**
 * psad `--fw-block-ip <ip|net>`: block now with the DL forced to AUTO_IDS_DANGER_LEVEL (psad's daemon does the
 * same). Refused (PSAD_BLOCK_REFUSED, `details.reason`) for loopback, unspecified, local or ignored targets, and
 * PSAD_BLOCK_REFUSED with reason `invalid` for text that is not an address. Already blocked: no action.
 * @param target - address or network
 * @param state - current state
 * @param now - epoch seconds
 * @param policy - config etc.
 * @returns the actions
 * @example decideManualBlock("192.0.2.0/24", state, now, policy)
 */
export function decideManualBlock(
  target: string,
  state: BlockState,
  now: number,
  policy: BlockPolicy,
): Result<BlockAction[], PsadError> {
  const t = normalizeBlockTarget(target);
  const refuse = (reason: BlockSkipReason) => ({
    ok: false as const,
    error: new PsadError("PSAD_BLOCK_REFUSED", `refusing to block ${t?.ip ?? target}: ${reason}`, {
      ip: t?.ip ?? target,
      reason,
    }),
  });
  if (!t) return refuse("invalid");
  const why = neverBlockReason(t, policy);
  if (why) return refuse(why);
  if (state.entries.some((e) => e.ip === t.ip)) return { ok: true, value: [] };
  const dl = policy.config.dangerLevel;
  const entry: BlockEntry = {
    ip: t.ip,
    family: t.family,
    since: now,
    dl,
    timeout: timeoutForDl(dl, policy.config),
    origin: "manual",
  };
  return { ok: true, value: [{ kind: "add", entry, renew: false }] };
}

/**
 * psad `--fw-rm-block-ip <ip|net>`: remove the block rules (also when the state does not list them, as psad does).
 * @param target - address or network
 * @returns the action, or PSAD_BLOCK_REFUSED (reason `invalid`) for text that is not an address
 * @example decideManualUnblock("192.0.2.7")
 */
export function decideManualUnblock(target: string): Result<BlockAction[], PsadError> {
  const t = normalizeBlockTarget(target);
  if (!t)
    return {
      ok: false,
      error: new PsadError("PSAD_BLOCK_REFUSED", `not an address: ${target}`, { ip: target, reason: "invalid" }),
    };
  return { ok: true, value: [{ kind: "remove", ip: t.ip, family: t.family, reason: "manual" }] };
}

/**
 * psad `-F/--Flush` [`-X/--fw-del-chains`]: flush the PSAD_BLOCK chains (delete them with `deleteChains`) and
 * forget every block.
 * @param deleteChains - also delete the chains and their jump rules
 * @returns the action
 * @example decideFlush(true) // [{ kind: "flush", deleteChains: true }]
 */
export function decideFlush(deleteChains: boolean): BlockAction[] {
  return [{ kind: "flush", deleteChains }];
}

/**
 * Start-up (psad's `renew_auto_blocked_ips`), only with ENABLE_AUTO_IDS=Y (otherwise no action, as psad): with
 * FLUSH_IPT_AT_INIT the chains are flushed first; every persisted
 * block that has not expired is re-applied with its original block time (so it does not outlive its timeout), the
 * expired ones are removed.
 * @param state - persisted state (e.g. from `loadBlockState`)
 * @param now - epoch seconds
 * @param policy - config etc. (blocks that are now never-block, e.g. a new local address, are removed)
 * @returns the actions
 * @example const { actions } = decideRestore(await loadBlockState(file, config), now, policy);
 */
export function decideRestore(state: BlockState, now: number, policy: BlockPolicy): BlockDecision {
  const actions: BlockAction[] = [];
  const skipped: BlockDecision["skipped"] = [];
  // psad does nothing at start-up unless ENABLE_AUTO_IDS=Y (and the iptables method is on)
  if (!policy.config.enabled || !policy.config.iptablesMethod) return { actions, skipped };
  if (policy.config.flushAtInit) actions.push({ kind: "flush", deleteChains: false });
  for (const e of state.entries) {
    const t = normalizeBlockTarget(e.ip);
    const why = t ? neverBlockReason(t, policy) : "invalid";
    if (why) {
      skipped.push({ ip: e.ip, reason: why });
      actions.push({ kind: "remove", ip: e.ip, family: e.family, reason: "manual" });
    } else if (isExpired(e, now)) actions.push({ kind: "remove", ip: e.ip, family: e.family, reason: "expired" });
    else actions.push({ kind: "add", entry: e, renew: true });
  }
  return { actions, skipped };
}

/**
 * The state after an action succeeded (pure). `flush` forgets everything.
 * @param state - before
 * @param action - a successfully applied action
 * @returns after
 */
export function applyToState(state: BlockState, action: BlockAction): BlockState {
  switch (action.kind) {
    case "add":
    case "update":
      return {
        version: 1,
        entries: sortEntries([action.entry, ...state.entries.filter((e) => e.ip !== action.entry.ip)]),
      };
    case "remove":
      return { version: 1, entries: state.entries.filter((e) => e.ip !== action.ip) };
    case "flush":
      return { version: 1, entries: [] };
    default: {
      const never: never = action;
      return never;
    }
  }
}

/**
 * psad's syslog text for an applied action: `added iptables auto-block against X for N seconds` /
 * `(unlimited timeout)`, `renewed iptables auto-block against …`, `removed iptables auto-block against X`,
 * `flushing existing psad iptables auto-response chains`. Updates have none.
 * @param action - the applied action
 * @returns the message, or undefined
 * @example blockMessage(action) // "added iptables auto-block against 192.0.2.7 for 3600 seconds"
 */
export function blockMessage(action: BlockAction): string | undefined {
  switch (action.kind) {
    case "add": {
      const t = action.entry.timeout === 0 ? "(unlimited timeout)" : `for ${action.entry.timeout} seconds`;
      return `${action.renew ? "renewed" : "added"} iptables auto-block against ${action.entry.ip} ${t}`;
    }
    case "remove":
      return `removed iptables auto-block against ${action.ip}`;
    case "flush":
      return "flushing existing psad iptables auto-response chains";
    default:
      return undefined;
  }
}
