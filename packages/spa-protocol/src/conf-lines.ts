/** One `KEY value` line of an fwknop config file. */
export interface ConfLine {
  /** 1-based line number. */
  line: number;
  key: string;
  value: string;
}

/** A `[name]` section header of an rc file. */
export interface SectionLine {
  line: number;
  section: string;
}

/**
 * Lex fwknop's config syntax: `#` comment lines, blank lines, `KEY<whitespace>value` where the value stops at the
 * first `;` (fwknop's `%[^;\n\r]`) and is trimmed; `[section]` headers when `sections` is true.
 */
export function lexConf(text: string, sections = false): Array<ConfLine | SectionLine> {
  const out: Array<ConfLine | SectionLine> = [];
  const lines = text.split(/\r?\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] as string).trim();
    if (raw === "" || raw.startsWith("#")) continue;
    if (sections) {
      const m = /^\[([^\]]*)\]/.exec(raw);
      if (m) {
        out.push({ line: i + 1, section: (m[1] as string).trim() });
        continue;
      }
    }
    const m = /^(\S+)(?:\s+([^;]*))?/.exec(raw);
    if (!m) continue;
    out.push({ line: i + 1, key: m[1] as string, value: (m[2] ?? "").trim() });
  }
  return out;
}

/** Parse fwknop's `Y`/`N` booleans (case-insensitive); undefined when neither. */
export function parseYesNo(v: string): boolean | undefined {
  const u = v.trim().toUpperCase();
  if (u === "Y" || u === "YES") return true;
  if (u === "N" || u === "NO") return false;
  return undefined;
}
