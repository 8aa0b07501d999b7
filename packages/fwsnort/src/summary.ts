/**
 * The report fwsnort prints on stdout (spec §13): the per-file Success/Fail/Total table (with the Ipt_apply
 * column in `--ipt-sync` mode), the verdict line, the `--snort-sid` variant, the final message with the
 * artefact paths, plus — new — a per-reason count of the rules that were not translated.
 */
import { iptStr } from "./render-sh.ts";
import type { FileCounts, SkipCode, Translation } from "./types.ts";

/** Options of {@link renderSummary}. */
export interface SummaryOptions {
  /** `--ipt-sync` layout: an `Ipt_apply` column and the "Found N applicable snort rules" line. */
  iptSync?: boolean;
  /** `--snort-sid` layout: `[+] Found sid: N in <file>` lines instead of the table. */
  sidMode?: boolean;
  /** Omit the per-reason skip count block (it is not part of fwsnort's output). */
  noSkipCounts?: boolean;
}

const pad = (s: string | number, n: number) => String(s).padEnd(n, " ");

function totals(files: readonly FileCounts[]): { success: number; fail: number; total: number; apply: number } {
  const t = { success: 0, fail: 0, total: 0, apply: 0 };
  for (const f of files) {
    t.success += f.success;
    t.fail += f.fail;
    t.total += f.total;
    t.apply += f.iptApply ?? 0;
  }
  return t;
}

function basename(file: string): string {
  return file.replace(/^.*\//, "");
}

/**
 * The per-reason skip block: `[+] Rules not translated, by reason:` then one `    CODE  count` line per
 * reason (largest first, then by code). Empty when nothing was skipped.
 * @param counts - per-code counts (Translation.skipCounts)
 * @returns lines (no trailing newline), or `[]`
 */
export function skipCountLines(counts: Partial<Record<SkipCode, number>>): string[] {
  const rows = (Object.entries(counts) as [SkipCode, number][])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (rows.length === 0) return [];
  const w = Math.max(...rows.map(([c]) => c.length));
  return ["[+] Rules not translated, by reason:", ...rows.map(([c, n]) => `    ${pad(c, w)}  ${n}`)];
}

/**
 * Render fwsnort's stdout table byte-for-byte in layout (spec §13; `printf "%-30s%-10s…"`), followed by the
 * verdict (`[+] Generated iptables rules for N out of M signatures: P%`), the ipt-sync line when enabled, and
 * the per-reason skip counts. In `sidMode` the table is replaced by `[+] Found sid: …` lines.
 * @param translation - the translation (uses `files`, `translated`, `skipped`, `skipCounts`, `family`)
 * @param o - layout variant
 * @returns the text, newline-terminated
 * @example renderSummary(t).split("\n")[1] // "    Snort Rules File          Success   Fail      Total     "
 */
export function renderSummary(translation: Translation, o: SummaryOptions = {}): string {
  const L: string[] = [];
  const str = iptStr(translation.family);
  if (o.sidMode) {
    L.push("[+] Parsing Snort rules files...");
    const found = [
      ...translation.translated.map((t) => ({ file: t.file, line: t.line, sid: t.sid, ok: true })),
      ...translation.skipped
        .filter(
          (s) =>
            s.sid !== undefined && (s.code === "FWSNORT_EMPTY_TRANSLATION" || s.code === "FWSNORT_IPT_SYNC_BLOCKED"),
        )
        .map((s) => ({ file: s.file, line: s.line, sid: s.sid as number, ok: false })),
    ].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
    for (const f of found) {
      L.push(`[+] Found sid: ${f.sid} in ${basename(f.file)}`);
      L.push(f.ok ? "    Successful translation." : "    Unsuccessful translation.");
    }
  } else {
    const sync = o.iptSync === true;
    L.push(`${"=-".repeat(34)}=`);
    const head = ["Success", "Fail", ...(sync ? ["Ipt_apply"] : []), "Total"];
    L.push(`${pad("    Snort Rules File", 30)}${head.map((h) => pad(h, 10)).join("")}`, "");
    for (const f of translation.files) {
      const cols = [f.success, f.fail, ...(sync ? [f.iptApply ?? 0] : []), f.total];
      L.push(`${pad(`[+] ${basename(f.file)}`, 30)}${cols.map((c) => pad(c, 10)).join("")}`);
    }
    const t = totals(translation.files);
    L.push(`${" ".repeat(30)}${"=".repeat(sync ? 39 : 29)}`);
    const cols = [t.success, t.fail, ...(sync ? [t.apply] : []), t.total];
    L.push(`${" ".repeat(30)}${cols.map((c) => pad(c, 10)).join("")}`, "");
    if (t.success > 0) {
      const pct = ((t.success / t.total) * 100).toFixed(2);
      L.push(`[+] Generated ${str} rules for ${t.success} out of ${t.total} signatures: ${pct}%`);
    } else {
      L.push("[+] No rules parsed.");
    }
    if (sync) L.push(`[+] Found ${t.apply} applicable snort rules to your current ${str}`, "    policy.");
  }
  if (!o.noSkipCounts) {
    const block = skipCountLines(translation.skipCounts);
    if (block.length > 0) L.push("", ...block);
  }
  return `${L.join("\n")}\n`;
}

/** Paths and state for {@link renderFinalMessage}. */
export interface FinalMessageOptions {
  /** fwsnort.log path, when one was written. */
  logFile?: string;
  /** fwsnort_iptcmds.sh path. */
  script: string;
  /** fwsnort.save path. */
  saveFile: string;
  /** fwsnort.sh path. */
  shFile: string;
  /** Restore binary named in the instructions (default `/sbin/iptables-restore` / `/sbin/ip6tables-restore`). */
  restore?: string;
  /** Extra restore arguments named in the instructions (e.g. `--noflush`). */
  restoreArgs?: readonly string[];
}

/**
 * The lines fwsnort prints after the table (spec §13): log file, script path, and the instructions for
 * loading `fwsnort.save` (the root variant; we write a self-contained file in every case).
 * @param translation - the translation (family)
 * @param o - paths
 * @returns the text, newline-terminated
 */
export function renderFinalMessage(translation: Translation, o: FinalMessageOptions): string {
  const str = iptStr(translation.family);
  const restore = [o.restore ?? `/sbin/${str}-restore`, ...(o.restoreArgs ?? [])].join(" ");
  const L: string[] = [""];
  if (o.logFile !== undefined) L.push(`[+] Logfile: ${o.logFile}`);
  L.push(`[+] ${str} script (individual commands): ${o.script}`, "", "");
  L.push(`    Main fwsnort ${str}-save file: ${o.saveFile}`, "");
  L.push("    You can instantiate the fwsnort policy with the following command:", "");
  L.push(`    ${restore} < ${o.saveFile}`, "", `    Or just execute: ${o.shFile}`, "");
  return `${L.join("\n")}\n`;
}

/**
 * Render `fwsnort.log` (spec §9.5, §13): `[+] Begin parsing cycle.`, then per rules file `[+] Parsing <file>`
 * followed by one line per rule that was not translated (fwsnort's wording, with its `[-] ` prefix) and per
 * approximation warning (`[*] …`, new), in line order.
 * @param translation - the translation
 * @returns the log text, newline-terminated
 * @example renderFwsnortLog(t).split("\n")[0] // "[+] Begin parsing cycle."
 */
export function renderFwsnortLog(translation: Translation): string {
  const L = ["[+] Begin parsing cycle."];
  type Entry = { line: number; text: string };
  const byFile = new Map<string, Entry[]>();
  const push = (file: string, e: Entry) => byFile.set(file, [...(byFile.get(file) ?? []), e]);
  for (const s of translation.skipped) {
    push(basename(s.file), { line: s.line, text: /^\[[-+*]\] /.test(s.message) ? s.message : `[-] ${s.message}` });
  }
  for (const d of translation.diagnostics) {
    const file = (d as { file?: string }).file;
    if (d.severity !== "warning" || file === undefined) continue;
    const sid = (d as { sid?: number }).sid;
    const line = (d as { line?: number }).line ?? 0;
    push(basename(file), {
      line,
      text: `[*] ${sid !== undefined ? `SID: ${sid}, ` : ""}${d.code}: ${d.message} at line: ${line}`,
    });
  }
  for (const f of translation.files) {
    L.push(`[+] Parsing ${f.file}`);
    for (const e of (byFile.get(basename(f.file)) ?? []).sort((a, b) => a.line - b.line)) L.push(e.text);
  }
  return `${L.join("\n")}\n`;
}
