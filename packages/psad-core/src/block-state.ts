import ipaddr from "ipaddr.js";
import { z } from "zod";
import { type Cidr, parseCidr } from "./cidr.ts";
import { PsadError } from "./errors.ts";
import type { Diagnostic, Result } from "./types.ts";

/** One blocked address or network (psad's `auto_blocked_iptables` line, plus what psad forgot to keep). */
export interface BlockEntry {
  /** Canonical form: dotted IPv4 / compressed lower-case IPv6, `addr/len` for networks. */
  ip: string;
  family: "ipv4" | "ipv6";
  /** When the block was first added (epoch seconds). Renewals after a restart keep it. */
  since: number;
  /** Danger level the block is for (raised while blocked when the source's DL rises). */
  dl: number;
  /** Seconds from `since` until removal; 0 = permanent (AUTO_BLOCK_DL<n>_TIMEOUT). */
  timeout: number;
  /** `auto` (a scan), `manual` (--fw-block-ip) or `import` (psad's file, which has no DL). */
  origin: "auto" | "manual" | "import";
}

/** Persisted auto-blocking state (JSON document, version 1). Entries are sorted by `ip`. */
export interface BlockState {
  version: 1;
  entries: readonly BlockEntry[];
}

/** A state with nothing blocked. */
export function emptyBlockState(): BlockState {
  return { version: 1, entries: [] };
}

/** A normalised block target. */
export interface BlockTarget {
  ip: string;
  family: "ipv4" | "ipv6";
  net: Cidr;
  /** True for a network (prefix shorter than the full address). */
  isNet: boolean;
}

function wordsToText(net: Cidr): string {
  if (!net.v6) {
    const w = net.words[0] as number;
    return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
  }
  const bytes: number[] = [];
  for (const w of net.words) bytes.push(w >>> 24, (w >>> 16) & 255, (w >>> 8) & 255, w & 255);
  return ipaddr.fromByteArray(bytes).toString();
}

/**
 * Normalise an address or network given to auto-blocking (`1.2.3.4`, `1.2.3.0/24`, `1.2.3.4/255.255.255.0`,
 * any IPv6 notation incl. psad's full 8×4 form, `2001:db8::/32`). Networks are reduced to their network address,
 * as iptables lists them.
 * @param text - address or network
 * @returns the target, or undefined when it is not an address
 * @example normalizeBlockTarget("2001:0db8:0000:0000:0000:0000:0000:0002")?.ip // "2001:db8::2"
 */
export function normalizeBlockTarget(text: string): BlockTarget | undefined {
  const net = parseCidr(text.trim());
  if (!net) return undefined;
  const full = net.v6 ? 128 : 32;
  const addr = wordsToText(net);
  const isNet = net.prefix < full;
  return { ip: isNet ? `${addr}/${net.prefix}` : addr, family: net.v6 ? "ipv6" : "ipv4", net, isNet };
}

const entrySchema = z.strictObject({
  ip: z.string().min(1).max(64),
  family: z.enum(["ipv4", "ipv6"]),
  since: z.number().finite().nonnegative(),
  dl: z.number().int().min(0).max(5),
  timeout: z.number().int().nonnegative(),
  origin: z.enum(["auto", "manual", "import"]),
});
const stateSchema = z.strictObject({ version: z.literal(1), entries: z.array(entrySchema).max(1_000_000) });

/** Sort entries by ip and keep one entry per ip (the first). */
export function sortEntries(entries: Iterable<BlockEntry>): BlockEntry[] {
  const seen = new Map<string, BlockEntry>();
  for (const e of entries) if (!seen.has(e.ip)) seen.set(e.ip, e);
  return [...seen.values()].sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
}

/**
 * Validate a block-state JSON document read from disk (untrusted): shape (zod) and every address.
 * @param value - the parsed JSON
 * @returns the state (addresses re-normalised, sorted), or PSAD_STATE_INVALID with `details.issues`
 * @example const r = parseBlockState(JSON.parse(text)); if (r.ok) state = r.value;
 */
export function parseBlockState(value: unknown): Result<BlockState, PsadError> {
  const r = stateSchema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    return {
      ok: false,
      error: new PsadError("PSAD_STATE_INVALID", `invalid block state: ${z.prettifyError(r.error)}`, { issues }),
    };
  }
  const entries: BlockEntry[] = [];
  for (const [i, e] of r.data.entries.entries()) {
    const t = normalizeBlockTarget(e.ip);
    if (!t || t.family !== e.family) {
      return {
        ok: false,
        error: new PsadError(
          "PSAD_STATE_INVALID",
          `invalid block state: entries.${i}.ip is not an ${e.family} address`,
          {
            issues: [{ path: `entries.${i}.ip`, message: "not an address of that family" }],
          },
        ),
      };
    }
    entries.push({ ...e, ip: t.ip });
  }
  return { ok: true, value: { version: 1, entries: sortEntries(entries) } };
}

/** One line of psad's `auto_blocked_iptables` file. */
export interface AutoBlockedLine {
  ip: string;
  family: "ipv4" | "ipv6";
  /** Block time; undefined for psad's old format (address only). */
  since: number | undefined;
}

/**
 * Read psad's `auto_blocked_iptables` file (`<ip> <epoch>` per line; the old format has the address only).
 * psad reads IPv4 lines only; IPv6 lines written by this package are read too. Never throws.
 * @param text - file content
 * @returns lines and diagnostics (PSAD_STATE_INVALID with line numbers)
 * @example parseAutoBlockedIptables("192.0.2.7 1763776800\n").lines[0] // { ip: "192.0.2.7", family: "ipv4", since: 1763776800 }
 */
export function parseAutoBlockedIptables(text: string): { lines: AutoBlockedLine[]; diagnostics: Diagnostic[] } {
  const lines: AutoBlockedLine[] = [];
  const diagnostics: Diagnostic[] = [];
  const rows = text.split(/\r?\n/);
  for (let n = 0; n < rows.length; n++) {
    const row = (rows[n] as string).trim();
    if (row === "" || row.startsWith("#")) continue;
    const m = /^(\S+)(?:\s+(\d+))?\s*$/.exec(row);
    const t = m ? normalizeBlockTarget(m[1] as string) : undefined;
    if (!m || !t) {
      diagnostics.push({
        code: "PSAD_STATE_INVALID",
        severity: "warning",
        line: n + 1,
        message: `line ${n + 1}: expected "<ip> <epoch>"`,
      });
      continue;
    }
    lines.push({ ip: t.ip, family: t.family, since: m[2] === undefined ? undefined : Number(m[2]) });
  }
  return { lines, diagnostics };
}

/**
 * psad's `auto_blocked_iptables` text for a state (`<ip> <epoch>` per line), so psad's own `-S` and restart logic
 * can read what this package blocked.
 * @param state - the block state
 * @returns file content (empty when nothing is blocked)
 * @example formatAutoBlockedIptables(state) // "192.0.2.7 1763776800\n"
 */
export function formatAutoBlockedIptables(state: BlockState): string {
  return state.entries.map((e) => `${e.ip} ${Math.floor(e.since)}\n`).join("");
}
