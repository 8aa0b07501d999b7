/**
 * The thin IO shell around the pure translator (spec §4, §9.5): selecting and reading rule files, and writing
 * the artefacts with their modes (fwsnort.save 0600, the scripts 0500) after rotating the previous copies into
 * the archive directory (`<name>.old`, `.old2` … `.old5`). The filesystem is injected; `nodeArtefactFs()` is the
 * real one.
 */
import { chmod, mkdir, open, readdir, readFile, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";

/** What reading rule files needs (structurally satisfied by the cli's `Io`). */
export interface RuleSource {
  readFile(path: string): Promise<string>;
  /** Names in a directory, or `undefined` when `path` is not a directory. */
  readDir(path: string): Promise<string[] | undefined>;
}

/** Which rule files to read (fwsnort's `--snort-rdir`, `--snort-rfile`, `--include-type`, `--exclude-type`, `--add-deleted`). */
export interface RuleFileSelection {
  /** Rule directories (every `*.rules` file in them). Ignored when `rfiles` is given. */
  rdirs?: readonly string[];
  /** Explicit rule files (override `rdirs`). */
  rfiles?: readonly string[];
  /** Keep only files whose type (basename without `.rules`) is listed. */
  includeTypes?: readonly string[];
  /** Drop files whose type is listed. */
  excludeTypes?: readonly string[];
  /** Also read paths containing `deleted.rules` (skipped by default). */
  addDeleted?: boolean;
  /** Base for relative paths (default: paths are used as given). */
  cwd?: string;
}

/** One rule file read from disk. */
export interface RuleFile {
  /** Absolute (or cwd-relative) path. */
  path: string;
  /** Basename, e.g. `web-misc.rules`. */
  name: string;
  /** Type: basename without `.rules`. */
  type: string;
  text: string;
}

/** Result of {@link readRuleFiles}. */
export interface RuleFileSet {
  /** Files in sorted path order (fwsnort's processing order). */
  files: RuleFile[];
  /** `--include-type`/`--exclude-type` values that match no file (fwsnort dies listing the valid types). */
  unknownTypes: string[];
  /** Types present in the scanned files. */
  validTypes: string[];
}

/**
 * Select and read rule files the way fwsnort does (spec §4): `rfiles` or every `*.rules` in `rdirs`, sorted by
 * path, type filters, `deleted.rules` skipped unless `addDeleted`.
 * @param src - file access (the cli's Io, or {@link nodeArtefactFs})
 * @param sel - the selection
 * @returns the files and any unknown types
 * @throws the reader's error when a directory or file cannot be read
 */
export async function readRuleFiles(src: RuleSource, sel: RuleFileSelection): Promise<RuleFileSet> {
  const abs = (p: string) => (sel.cwd && !isAbsolute(p) ? resolve(sel.cwd, p) : p);
  let paths: string[] = [];
  if (sel.rfiles && sel.rfiles.length > 0) paths = sel.rfiles.map(abs);
  else {
    for (const d of sel.rdirs ?? []) {
      const dir = abs(d);
      const names = await src.readDir(dir);
      if (names === undefined) paths.push(dir);
      else for (const n of names) paths.push(join(dir, n));
    }
  }
  const candidates = [...new Set(paths)]
    .sort()
    .map((path) => ({ path, name: basename(path), m: /^(\S+)\.rules$/.exec(basename(path)) }))
    .filter((c) => c.m !== null)
    .map((c) => ({ path: c.path, name: c.name, type: (c.m as RegExpExecArray)[1] as string }));
  const validTypes = [...new Set(candidates.map((c) => c.type))].sort();
  const unknownTypes = [...(sel.includeTypes ?? []), ...(sel.excludeTypes ?? [])].filter(
    (t) => !validTypes.includes(t),
  );
  const inc = sel.includeTypes && sel.includeTypes.length > 0 ? new Set(sel.includeTypes) : undefined;
  const exc = new Set(sel.excludeTypes ?? []);
  const files: RuleFile[] = [];
  for (const c of candidates) {
    if (inc && !inc.has(c.type)) continue;
    if (exc.has(c.type)) continue;
    if (c.path.includes("deleted.rules") && !sel.addDeleted) continue;
    files.push({ ...c, text: await src.readFile(c.path) });
  }
  return { files, unknownTypes, validTypes };
}

/** The filesystem operations the artefact writer needs (inject a fake or use {@link nodeArtefactFs}). */
export interface ArtefactFs extends RuleSource {
  /** Write `data` to `path` with exactly `mode` (atomic replace). */
  writeFile(path: string, data: string, mode: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** Create a directory (and parents) with `mode` when missing. */
  mkdir(path: string, mode: number): Promise<void>;
}

/**
 * The real filesystem. `writeFile` writes a temporary file next to the target with the final mode (never
 * wider while being written), fsyncs it, then renames it over the target.
 * @returns an {@link ArtefactFs}
 */
export function nodeArtefactFs(): ArtefactFs {
  let seq = 0;
  return {
    readFile: (path) => readFile(path, "utf8"),
    readDir: async (path) => ((await stat(path)).isDirectory() ? (await readdir(path)).sort() : undefined),
    async writeFile(path, data, mode) {
      const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++seq}.tmp`);
      const fh = await open(tmp, "wx", mode & 0o600);
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      try {
        await chmod(tmp, mode);
        await rename(tmp, path);
      } catch (e) {
        await unlink(tmp).catch(() => undefined);
        throw e;
      }
    },
    rename: (from, to) => rename(from, to),
    exists: async (path) => {
      try {
        await stat(path);
        return true;
      } catch {
        return false;
      }
    },
    async mkdir(path, mode) {
      await mkdir(path, { recursive: true, mode });
    },
  };
}

/** One file to write. */
export interface Artefact {
  path: string;
  content: string;
  /** File mode, e.g. `0o600` for fwsnort.save, `0o500` for the scripts. */
  mode: number;
}

/** Standard artefact modes (spec §9): fwsnort.save 0600; fwsnort.sh and fwsnort_iptcmds.sh 0500. */
export const ARTEFACT_MODES: Readonly<{ save: number; script: number; backup: number; log: number }> = {
  save: 0o600,
  script: 0o500,
  backup: 0o600,
  log: 0o600,
};

/**
 * Move `path` into `archiveDir` as `<name>.old`, shifting older copies to `.old2` … `.old5` (the oldest is
 * overwritten), like fwsnort's `archive()`. Nothing happens when `path` does not exist.
 * @param fs - filesystem
 * @param path - the file about to be replaced
 * @param archiveDir - the archive directory (created 0700 when missing)
 * @returns the archive path, or undefined when there was nothing to archive
 */
export async function archiveFile(fs: ArtefactFs, path: string, archiveDir: string): Promise<string | undefined> {
  if (!(await fs.exists(path))) return undefined;
  await fs.mkdir(archiveDir, 0o700);
  const base = join(archiveDir, `${basename(path)}.old`);
  for (let i = 4; i > 1; i--) {
    if (await fs.exists(`${base}${i}`)) await fs.rename(`${base}${i}`, `${base}${i + 1}`);
  }
  if (await fs.exists(base)) await fs.rename(base, `${base}2`);
  await fs.rename(path, base);
  return base;
}

/** Result of {@link writeArtefacts}. */
export interface WriteResult {
  written: string[];
  archived: string[];
}

/**
 * Write every artefact with its mode, archiving the previous version of each first (when `archiveDir` is set).
 * The output directory is created 0700 when missing.
 * @param fs - filesystem
 * @param artefacts - files to write
 * @param opts - `archiveDir`: where old copies go (omit to overwrite without archiving)
 * @returns the paths written and archived
 */
export async function writeArtefacts(
  fs: ArtefactFs,
  artefacts: readonly Artefact[],
  opts: { archiveDir?: string } = {},
): Promise<WriteResult> {
  const res: WriteResult = { written: [], archived: [] };
  for (const a of artefacts) {
    await fs.mkdir(dirname(a.path), 0o700);
    if (opts.archiveDir !== undefined) {
      const old = await archiveFile(fs, a.path, opts.archiveDir);
      if (old) res.archived.push(old);
    }
    await fs.writeFile(a.path, a.content, a.mode);
    res.written.push(a.path);
  }
  return res;
}
