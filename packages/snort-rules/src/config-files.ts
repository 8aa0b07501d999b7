/** `classification.config` and `reference.config` readers. */
import type { Diagnostic, Reference } from "./types.ts";

/** One `config classification: name,description,priority` entry. */
export interface Classification {
  name: string;
  description: string;
  priority: number;
}

/** One `config reference: system url-prefix` entry. */
export interface ReferenceSystem {
  name: string;
  urlPrefix: string;
}

function lines(text: string): string[] {
  return text.replace(/^\uFEFF/, "").split(/\r?\n/);
}

/**
 * Read `classification.config` text (also accepts the same lines inside snort.conf).
 * @param text - file contents
 * @param file - file name for diagnostics
 * @returns entries in file order and SNORT_BAD_CONFIG diagnostics for malformed lines
 * @example
 * parseClassificationConfig("config classification: web-application-attack,Web Application Attack,1")
 *   .classifications[0]?.priority // 1
 */
export function parseClassificationConfig(
  text: string,
  file?: string,
): { classifications: Classification[]; diagnostics: Diagnostic[] } {
  const classifications: Classification[] = [];
  const diagnostics: Diagnostic[] = [];
  lines(text).forEach((raw, i) => {
    const l = raw.trim();
    if (!l || l.startsWith("#")) return;
    const m = /^config\s+classification\s*:\s*(.*)$/i.exec(l);
    if (!m) {
      if (!/^config\s+reference\s*:/i.test(l))
        diagnostics.push(bad(file, i + 1, "not a 'config classification:' line"));
      return;
    }
    const parts = (m[1] as string).split(",").map((s) => s.trim());
    const prio = parts.length === 3 ? Number(parts[2]) : Number.NaN;
    if (parts.length !== 3 || !/^[A-Za-z0-9_.-]+$/.test(parts[0] as string) || !Number.isInteger(prio) || prio < 0) {
      diagnostics.push(bad(file, i + 1, "expected 'config classification: <name>,<description>,<priority>'"));
      return;
    }
    classifications.push({ name: parts[0] as string, description: parts[1] as string, priority: prio });
  });
  return { classifications, diagnostics };
}

/**
 * Read `reference.config` text.
 * @param text - file contents
 * @param file - file name for diagnostics
 * @returns systems in file order and SNORT_BAD_CONFIG diagnostics for malformed lines
 * @example
 * parseReferenceConfig("config reference: bugtraq http://www.securityfocus.com/bid/").systems[0]?.name // "bugtraq"
 */
export function parseReferenceConfig(
  text: string,
  file?: string,
): { systems: ReferenceSystem[]; diagnostics: Diagnostic[] } {
  const systems: ReferenceSystem[] = [];
  const diagnostics: Diagnostic[] = [];
  lines(text).forEach((raw, i) => {
    const l = raw.trim();
    if (!l || l.startsWith("#")) return;
    const m = /^config\s+reference\s*:\s*(\S+)\s+(\S+)\s*$/i.exec(l);
    if (!m) {
      if (!/^config\s+classification\s*:/i.test(l)) {
        diagnostics.push(bad(file, i + 1, "expected 'config reference: <system> <url-prefix>'"));
      }
      return;
    }
    systems.push({ name: (m[1] as string).toLowerCase(), urlPrefix: m[2] as string });
  });
  return { systems, diagnostics };
}

/**
 * URL of a rule reference: the system's prefix + id (unknown systems: `undefined`; `url` gets `http://`).
 * @param ref - a rule reference
 * @param systems - from {@link parseReferenceConfig}
 * @returns the URL or undefined
 */
export function referenceUrl(ref: Reference, systems: readonly ReferenceSystem[]): string | undefined {
  const s = systems.find((x) => x.name === ref.system.toLowerCase());
  if (s) return s.urlPrefix + ref.id;
  if (ref.system.toLowerCase() === "url") return /^[a-z]+:\/\//i.test(ref.id) ? ref.id : `http://${ref.id}`;
  return undefined;
}

function bad(file: string | undefined, line: number, message: string): Diagnostic {
  const d: Diagnostic = { code: "SNORT_BAD_CONFIG", severity: "error", message, line };
  if (file !== undefined) d.file = file;
  return d;
}
