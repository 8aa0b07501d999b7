/** Rule-file text -> `{ rules, diagnostics }` (comments, disabled rules, continuations, var/include/ruletype). */
import {
  type Classification,
  parseClassificationConfig,
  parseReferenceConfig,
  type ReferenceSystem,
} from "./config-files.ts";
import { ACTIONS } from "./keywords.ts";
import { type ParseRuleOptions, parseRuleWithDiagnostics } from "./parse-rule.ts";
import type { Diagnostic, RuleEntry, RuleSource } from "./types.ts";
import { parseVariableLine, type VariableDefinition } from "./variables.ts";

/** Options of {@link parseRuleset}. */
export type ParseRulesetOptions = Omit<ParseRuleOptions, "line" | "disabled"> & {
  /** do not parse commented-out rules at all (they are then absent from `rules` and `diagnostics`) */
  skipDisabled?: boolean;
};

/** An `include <path>` line. */
export interface IncludeDirective {
  path: string;
  line: number;
  file?: string;
}

/** A rule text that could not be used (error diagnostics). */
export interface RejectedRule {
  source: RuleSource;
  diagnostics: Diagnostic[];
}

/** Result of {@link parseRuleset}. */
export interface RulesetResult {
  /** usable rules (enabled and disabled) in file order */
  rules: RuleEntry[];
  /** rule lines with error diagnostics */
  rejected: RejectedRule[];
  /** `var`, `ipvar`, `portvar` definitions in order */
  variables: VariableDefinition[];
  includes: IncludeDirective[];
  /** names declared with `ruletype NAME { … }` */
  ruletypes: string[];
  classifications: Classification[];
  referenceSystems: ReferenceSystem[];
  /** every diagnostic (file-level and per rule), in line order */
  diagnostics: Diagnostic[];
}

/** Maximum physical lines joined into one logical rule (continuations / Snort 3 multi-line rules). */
export const MAX_JOINED_LINES = 500;

const ALL_ACTIONS = new Set([...ACTIONS.snort2, ...ACTIONS.snort3, ...ACTIONS.suricata]);
const IGNORED_DIRECTIVES =
  /^(config|preprocessor|output|dynamicpreprocessor|dynamicengine|dynamicdetection|event_filter|suppress|rate_filter|threshold|decoder|attribute_table)\b/;

function looksLikeRuleStart(l: string, ruletypes: ReadonlySet<string>): boolean {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\s+[A-Za-z]/.exec(l);
  return m !== null && (ALL_ACTIONS.has(m[1] as string) || ruletypes.has(m[1] as string));
}

/** Parenthesis balance of rule text outside quotes, scanned incrementally (positive = unclosed `(`). */
interface ParenState {
  depth: number;
  quoted: boolean;
  /** a `(` outside quotes was seen */
  opened: boolean;
}

function scanParens(s: string, st: ParenState): ParenState {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 /* \\ */) {
      i++;
      continue;
    }
    if (c === 34 /* " */) st.quoted = !st.quoted;
    else if (!st.quoted && c === 40 /* ( */) {
      st.depth++;
      st.opened = true;
    } else if (!st.quoted && c === 41 /* ) */) st.depth--;
  }
  return st;
}

/** `text.split(/\r?\n/)` without a regex split (one `\r` before each `\n` removed). */
function splitLines(text: string): string[] {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length - 1; i++) {
    const l = lines[i] as string;
    if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/** Leading white space of a physical line (only computed when a diagnostic needs a column). */
function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** Make columns relative to the physical line (the parser saw it without leading blanks / `#`). */
function shiftColumns(diags: Diagnostic[], by: number): void {
  if (by === 0) return;
  for (const d of diags) if (d.column !== undefined) d.column += by;
}

/**
 * Parse the text of a rule file (or snort.conf-style file). Never throws on content.
 * @param text - file contents (decode as latin-1 or UTF-8; both work)
 * @param opts - file name for diagnostics, dialect (default auto per rule), extra ruletypes, strict mode
 * @returns rules, rejected rule texts, variables, includes, ruletypes, embedded config entries and diagnostics
 * @example
 * parseRuleset('# alert tcp any any -> any 80 (msg:"off"; sid:2;)\nalert tcp any any -> any 80 (msg:"on"; sid:1;)')
 *   .rules.map((e) => e.rule.disabled) // [true, false]
 */
export function parseRuleset(text: string, opts: ParseRulesetOptions = {}): RulesetResult {
  const out: RulesetResult = {
    rules: [],
    rejected: [],
    variables: [],
    includes: [],
    ruletypes: [],
    classifications: [],
    referenceSystems: [],
    diagnostics: [],
  };
  const ruletypes = new Set(opts.ruletypes ?? []);
  let ruletypeList: string[] = [...ruletypes];
  // one options object per call, updated per rule (parseRuleWithDiagnostics does not keep it): no spread per line
  const ruleOpts: ParseRuleOptions = { ...opts, line: 0, ruletypes: ruletypeList, disabled: false };
  const physical = splitLines(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const fileDiag = (line: number, d: Omit<Diagnostic, "line" | "file">): void => {
    const full: Diagnostic = { ...d, line };
    if (opts.file !== undefined) full.file = opts.file;
    out.diagnostics.push(full);
  };
  let inRuletype = false;
  for (let i = 0; i < physical.length; i++) {
    const lineNo = i + 1;
    const physicalLine = physical[i] as string;
    let l = physicalLine.trim();
    if (inRuletype) {
      if (l.includes("}")) inRuletype = false;
      continue;
    }
    if (l === "") continue;
    if (l.startsWith("#")) {
      if (opts.skipDisabled) continue;
      const body = l.replace(/^#\s*/, "");
      if (looksLikeRuleStart(body, ruletypes) && body.includes("(")) {
        ruleOpts.line = lineNo;
        ruleOpts.disabled = true;
        const r = parseRuleWithDiagnostics(body, ruleOpts);
        if (r.diagnostics.length) shiftColumns(r.diagnostics, indentOf(physicalLine) + l.length - body.length);
        if (r.rule && !r.diagnostics.some((d) => d.severity === "error")) {
          const source: RuleSource = { line: lineNo, raw: body };
          if (opts.file !== undefined) source.file = opts.file;
          const info: Diagnostic = {
            code: "SNORT_DISABLED_RULE",
            severity: "info",
            message: "commented-out rule",
            line: lineNo,
          };
          if (opts.file !== undefined) info.file = opts.file;
          if (r.rule.sid !== undefined) info.sid = r.rule.sid;
          const diags = [info, ...r.diagnostics];
          out.rules.push({ rule: r.rule, source, diagnostics: diags });
          for (const d of diags) out.diagnostics.push(d);
        }
      }
      continue;
    }
    // backslash continuation
    let joined = 0;
    while (l.endsWith("\\") && i + 1 < physical.length && joined < MAX_JOINED_LINES) {
      l = `${l.slice(0, -1)}${(physical[++i] as string).trim()}`;
      joined++;
    }
    // Snort 3 multi-line rule without backslashes (parenthesis-driven)
    if (!l.endsWith(")") && looksLikeRuleStart(l, ruletypes)) {
      const st = scanParens(l, { depth: 0, quoted: false, opened: false });
      if (st.depth > 0 || !st.opened) {
        let j = i;
        const pieces = [l];
        while ((st.depth > 0 || !st.opened) && j + 1 < physical.length && pieces.length <= MAX_JOINED_LINES) {
          const next = (physical[j + 1] as string).trim();
          if (next === "" || next.startsWith("#") || looksLikeRuleStart(next, ruletypes)) break;
          if (!st.opened && !next.startsWith("(")) break;
          scanParens(next, st);
          pieces.push(next);
          j++;
        }
        if (st.depth <= 0 && st.opened) {
          l = pieces.join(" ");
          i = j;
        }
      }
    }
    const first = /^(\S+)/.exec(l)?.[1] ?? "";
    if (first === "var" || first === "ipvar" || first === "portvar") {
      const v = parseVariableLine(l);
      if (v.ok) {
        const def: VariableDefinition = { ...v.value, line: lineNo };
        if (opts.file !== undefined) def.file = opts.file;
        out.variables.push(def);
      } else fileDiag(lineNo, { code: "SNORT_BAD_CONFIG", severity: "error", message: v.error });
      continue;
    }
    if (first === "include") {
      const p = l.slice(7).trim();
      if (!p) fileDiag(lineNo, { code: "SNORT_BAD_CONFIG", severity: "error", message: "include without a path" });
      else {
        const inc: IncludeDirective = { path: p, line: lineNo };
        if (opts.file !== undefined) inc.file = opts.file;
        out.includes.push(inc);
      }
      continue;
    }
    if (first === "ruletype") {
      const m = /^ruletype\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(l);
      if (m) {
        ruletypes.add(m[1] as string);
        ruletypeList = [...ruletypes];
        ruleOpts.ruletypes = ruletypeList;
        out.ruletypes.push(m[1] as string);
        if (!l.includes("}")) inRuletype = true;
      } else fileDiag(lineNo, { code: "SNORT_BAD_CONFIG", severity: "error", message: "bad ruletype line" });
      continue;
    }
    if (/^config\s+classification\s*:/i.test(l)) {
      const c = parseClassificationConfig(l);
      out.classifications.push(...c.classifications);
      for (const d of c.diagnostics) fileDiag(lineNo, { code: d.code, severity: d.severity, message: d.message });
      continue;
    }
    if (/^config\s+reference\s*:/i.test(l)) {
      const c = parseReferenceConfig(l);
      out.referenceSystems.push(...c.systems);
      for (const d of c.diagnostics) fileDiag(lineNo, { code: d.code, severity: d.severity, message: d.message });
      continue;
    }
    if (IGNORED_DIRECTIVES.test(l) && !looksLikeRuleStart(l, ruletypes)) continue;
    ruleOpts.line = lineNo;
    ruleOpts.disabled = false;
    const r = parseRuleWithDiagnostics(l, ruleOpts);
    if (r.diagnostics.length) shiftColumns(r.diagnostics, indentOf(physicalLine));
    const source: RuleSource = { line: lineNo, raw: l };
    if (opts.file !== undefined) source.file = opts.file;
    for (const d of r.diagnostics) out.diagnostics.push(d);
    if (!r.rule || r.diagnostics.some((d) => d.severity === "error")) {
      out.rejected.push({ source, diagnostics: r.diagnostics });
    } else out.rules.push({ rule: r.rule, source, diagnostics: r.diagnostics });
  }
  return out;
}
