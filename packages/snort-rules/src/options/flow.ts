/** The `flow` option: a set of flow-state members, conflicts rejected. */
import type { FlowFlag } from "../types.ts";

/** Every accepted `flow` member. */
const FLOW_FLAGS: readonly FlowFlag[] = [
  "established",
  "not_established",
  "stateless",
  "to_server",
  "from_client",
  "to_client",
  "from_server",
  "no_stream",
  "only_stream",
  "no_frag",
  "only_frag",
];

const GROUPS: readonly (readonly FlowFlag[])[] = [
  ["established", "not_established", "stateless"],
  ["to_server", "from_client", "to_client", "from_server"],
  ["no_stream", "only_stream"],
  ["no_frag", "only_frag"],
];

/**
 * Parse a `flow` value.
 * @returns the members in source order (lower-cased), whether any were not lower-case, or an error
 */
export function parseFlow(
  value: string,
): { ok: true; flags: FlowFlag[]; nonLowercase: boolean } | { ok: false; error: string } {
  const flags: FlowFlag[] = [];
  let nonLowercase = false;
  for (const part of value.split(",")) {
    const t = part.trim();
    const lower = t.toLowerCase();
    if (!(FLOW_FLAGS as readonly string[]).includes(lower)) return { ok: false, error: `unknown flow member '${t}'` };
    if (lower !== t) nonLowercase = true;
    const f = lower as FlowFlag;
    if (flags.includes(f)) return { ok: false, error: `duplicate flow member '${t}'` };
    const group = GROUPS.find((g) => g.includes(f)) as readonly FlowFlag[];
    const other = flags.find((x) => group.includes(x) && !sameDirection(x, f));
    if (other) return { ok: false, error: `conflicting flow members '${other}' and '${f}'` };
    flags.push(f);
  }
  return { ok: true, flags, nonLowercase };
}

/** `to_server` ≡ `from_client` and `to_client` ≡ `from_server` (redundant, not conflicting). */
function sameDirection(a: FlowFlag, b: FlowFlag): boolean {
  const s = (x: FlowFlag) => (x === "from_client" ? "to_server" : x === "from_server" ? "to_client" : x);
  return s(a) === s(b);
}
