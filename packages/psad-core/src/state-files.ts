import { open, readFile, rename, unlink } from "node:fs/promises";
import type { AutoBlockConfig } from "./auto-block-config.ts";
import {
  type BlockEntry,
  type BlockState,
  emptyBlockState,
  formatAutoBlockedIptables,
  parseAutoBlockedIptables,
  parseBlockState,
  sortEntries,
} from "./block-state.ts";
import { PsadError } from "./errors.ts";
import { parseStatusSnapshot, type StatusSnapshot } from "./status.ts";
import type { Diagnostic } from "./types.ts";

let tmpCounter = 0;

/**
 * Write a file atomically: a temporary file next to it (mode 0600), fsync, then rename over the target, so a
 * reader (or a crash) never sees a half-written file.
 * @param file - target path
 * @param text - content
 * @throws {PsadError} PSAD_STATE_INVALID when the file cannot be written (details: file)
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${++tmpCounter}`;
  try {
    const fh = await open(tmp, "w", 0o600);
    try {
      await fh.writeFile(text, "utf8");
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw new PsadError("PSAD_STATE_INVALID", `cannot write ${file}`, { file }, { cause: e });
  }
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new PsadError("PSAD_STATE_INVALID", `cannot read ${file}`, { file }, { cause: e });
  }
}

/**
 * Persist the block state as JSON (atomic), and psad's `auto_blocked_iptables` (`<ip> <epoch>`) next to it when
 * `psadFile` is given, so psad's own tools see the same blocks.
 * @param file - JSON state path
 * @param state - the state
 * @param options - `psadFile`: AUTO_BLOCK_IPT_FILE to mirror
 * @throws {PsadError} PSAD_STATE_INVALID when a file cannot be written
 * @example await saveBlockState("/var/lib/fwkit/psad-blocks.json", r.state, { psadFile: autoBlock.iptFile });
 */
export async function saveBlockState(
  file: string,
  state: BlockState,
  options: { psadFile?: string } = {},
): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
  if (options.psadFile) await writeFileAtomic(options.psadFile, formatAutoBlockedIptables(state));
}

/**
 * Load the persisted block state. A missing JSON file falls back to psad's `auto_blocked_iptables` (`psadFile`),
 * whose entries carry no DL: they get AUTO_IDS_DANGER_LEVEL and AUTO_BLOCK_TIMEOUT, as psad's restart does. Bad
 * content never throws: it yields an empty state and diagnostics (PSAD_STATE_INVALID).
 * @param file - JSON state path
 * @param options - `psadFile` + `config` for the fallback import, `now` for old-format lines without a time
 * @returns the state and diagnostics
 * @throws {PsadError} PSAD_STATE_INVALID only when a file exists but cannot be read (permissions …)
 * @example const { state } = await loadBlockState(file, { psadFile: cfg.iptFile, config: cfg, now: Date.now() / 1000 });
 */
export async function loadBlockState(
  file: string,
  options: { psadFile?: string; config?: AutoBlockConfig; now?: number } = {},
): Promise<{ state: BlockState; diagnostics: Diagnostic[] }> {
  const text = await readOptional(file);
  if (text !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return {
        state: emptyBlockState(),
        diagnostics: [{ code: "PSAD_STATE_INVALID", severity: "error", key: file, message: `${file}: not JSON` }],
      };
    }
    const r = parseBlockState(json);
    if (!r.ok)
      return {
        state: emptyBlockState(),
        diagnostics: [{ code: "PSAD_STATE_INVALID", severity: "error", key: file, message: r.error.message }],
      };
    return { state: r.value, diagnostics: [] };
  }
  if (!options.psadFile) return { state: emptyBlockState(), diagnostics: [] };
  const psadText = await readOptional(options.psadFile);
  if (psadText === undefined) return { state: emptyBlockState(), diagnostics: [] };
  const parsed = parseAutoBlockedIptables(psadText);
  const dl = options.config?.dangerLevel ?? 5;
  const timeout = options.config?.defaultTimeout ?? 3600;
  const entries: BlockEntry[] = parsed.lines.map((l) => ({
    ip: l.ip,
    family: l.family,
    since: l.since ?? options.now ?? 0,
    dl,
    timeout,
    origin: "import",
  }));
  return {
    state: { version: 1, entries: sortEntries(entries) },
    diagnostics: parsed.diagnostics.map((d) => ({ ...d, key: options.psadFile })),
  };
}

/**
 * Persist a status snapshot (what `-S` prints) as JSON, atomically.
 * @param file - path
 * @param snapshot - from `statusSnapshot(...)`
 * @throws {PsadError} PSAD_STATE_INVALID when it cannot be written
 */
export async function saveStatusSnapshot(file: string, snapshot: StatusSnapshot): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(snapshot)}\n`);
}

/**
 * Read a status snapshot written by {@link saveStatusSnapshot}.
 * @param file - path
 * @returns the snapshot, or undefined when the file does not exist
 * @throws {PsadError} PSAD_STATE_INVALID when it cannot be read or is not a valid snapshot
 */
export async function loadStatusSnapshot(file: string): Promise<StatusSnapshot | undefined> {
  const text = await readOptional(file);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PsadError("PSAD_STATE_INVALID", `${file}: not JSON`, { file }, { cause: e });
  }
  const r = parseStatusSnapshot(json);
  if (!r.ok) throw r.error;
  return r.value;
}
