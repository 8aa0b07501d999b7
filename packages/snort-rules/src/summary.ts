/** Pure building blocks of `fwkit snort check` / `fwkit snort show` (JSON-serialisable results). */
import { parseRuleset } from "./parse-ruleset.ts";
import type { Diagnostic, Dialect, Rule, RuleEntry, Severity } from "./types.ts";
import type { VariableTable } from "./variables.ts";

/** Options of {@link summarizeRuleset}. */
export interface SummarizeOptions {
  dialect?: Dialect | "auto";
  strict?: boolean;
  /** include info diagnostics in `diagnostics` (they are always counted); default false */
  includeInfo?: boolean;
  /** resolve header variables against this table (undefined variables become errors) */
  variables?: VariableTable;
}

/** Per-file figures. */
export interface FileSummary {
  path: string;
  rules: number;
  enabled: number;
  disabled: number;
  rejected: number;
  errors: number;
  warnings: number;
}

/** Result of {@link summarizeRuleset}: counts, per-option-family rule counts and diagnostics (JSON-safe). */
export interface RulesetSummary {
  files: FileSummary[];
  totals: { rules: number; enabled: number; disabled: number; rejected: number } & Record<Severity, number>;
  dialects: Record<Dialect, number>;
  actions: Record<string, number>;
  protocols: Record<string, number>;
  /** option family -> number of usable rules (enabled + disabled) that use it at least once */
  optionFamilies: Record<string, number>;
  /** diagnostic code -> count */
  codes: Record<string, number>;
  diagnostics: Diagnostic[];
  /** true when no error diagnostic was found (the check command exits 1 otherwise) */
  ok: boolean;
}

/**
 * Option families a rule uses: keywords, plus content modifiers (`nocase`, `depth`, …, `http_uri`) and Snort 3
 * sticky buffers. `range` options count under their keyword (`dsize`, `itype`, …); verbatim options under theirs.
 * @param rule - a rule
 * @returns the distinct family names, sorted
 */
export function optionFamilies(rule: Rule): string[] {
  const s = new Set<string>();
  for (const o of rule.options) {
    switch (o.kind) {
      case "content":
        s.add(o.keyword);
        for (const m of o.modifiers) s.add(m.name);
        break;
      case "range":
        s.add(o.keyword);
        break;
      case "raw":
        s.add(o.keyword);
        break;
      case "buffer":
        s.add(o.name);
        break;
      default:
        s.add(o.kind);
    }
  }
  return [...s].sort();
}

function bump(rec: Record<string, number>, k: string, n = 1): void {
  rec[k] = (rec[k] ?? 0) + n;
}

function sortRecord(rec: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(rec).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}

/**
 * Parse every file and summarise: rule counts, per-family counts, diagnostics (what `fwkit snort check` prints).
 * @param files - `{ path, text }` for each rule file (the caller reads them; this function does no IO)
 * @param opts - dialect / strict mode / whether to list info diagnostics
 * @returns a JSON-serialisable summary; `ok` is false when any error diagnostic exists
 * @example
 * summarizeRuleset([{ path: "a.rules", text: 'alert tcp any any -> any 80 (msg:"x"; sid:1;)' }]).totals.rules // 1
 */
export function summarizeRuleset(
  files: readonly { path: string; text: string }[],
  opts: SummarizeOptions = {},
): RulesetSummary {
  const sum: RulesetSummary = {
    files: [],
    totals: { rules: 0, enabled: 0, disabled: 0, rejected: 0, error: 0, warning: 0, info: 0 },
    dialects: { snort2: 0, snort3: 0, suricata: 0 },
    actions: {},
    protocols: {},
    optionFamilies: {},
    codes: {},
    diagnostics: [],
    ok: true,
  };
  for (const f of files) {
    const r = parseRuleset(f.text, {
      file: f.path,
      ...(opts.dialect ? { dialect: opts.dialect } : {}),
      ...(opts.strict ? { strict: true } : {}),
      ...(opts.variables ? { variables: opts.variables } : {}),
    });
    const fs: FileSummary = {
      path: f.path,
      rules: 0,
      enabled: 0,
      disabled: 0,
      rejected: r.rejected.length,
      errors: 0,
      warnings: 0,
    };
    for (const e of r.rules) {
      fs.rules++;
      if (e.rule.disabled) fs.disabled++;
      else fs.enabled++;
      sum.dialects[e.rule.dialect]++;
      bump(sum.actions, e.rule.action);
      bump(sum.protocols, e.rule.protocol);
      for (const fam of optionFamilies(e.rule)) bump(sum.optionFamilies, fam);
    }
    for (const d of r.diagnostics) {
      sum.totals[d.severity]++;
      bump(sum.codes, d.code);
      if (d.severity === "error") fs.errors++;
      if (d.severity === "warning") fs.warnings++;
      if (d.severity !== "info" || opts.includeInfo) sum.diagnostics.push(d);
    }
    sum.totals.rules += fs.rules;
    sum.totals.enabled += fs.enabled;
    sum.totals.disabled += fs.disabled;
    sum.totals.rejected += fs.rejected;
    sum.files.push(fs);
  }
  sum.actions = sortRecord(sum.actions);
  sum.protocols = sortRecord(sum.protocols);
  sum.optionFamilies = sortRecord(sum.optionFamilies);
  sum.codes = sortRecord(sum.codes);
  sum.ok = sum.totals.error === 0;
  return sum;
}

function diagLine(d: Diagnostic): string {
  const loc = `${d.file ?? "-"}:${d.line ?? 0}${d.column !== undefined ? `:${d.column}` : ""}`;
  return `${loc}: ${d.severity} ${d.code}${d.sid !== undefined ? ` (sid ${d.sid})` : ""}: ${d.message}`;
}

/**
 * Human-readable text of a summary (what `fwkit snort check` prints without `--json`).
 * @param s - from {@link summarizeRuleset}
 * @param opts - `maxDiagnostics` listed (default 50), `families` listed (default all)
 * @returns multi-line text ending in a newline
 */
export function formatSummary(s: RulesetSummary, opts: { maxDiagnostics?: number } = {}): string {
  const max = opts.maxDiagnostics ?? 50;
  const out: string[] = [];
  const t = s.totals;
  out.push(
    `${s.files.length} file(s): ${t.rules} rules (${t.enabled} enabled, ${t.disabled} disabled), ${t.rejected} rejected; ` +
      `${t.error} error(s), ${t.warning} warning(s), ${t.info} info`,
  );
  out.push(
    `dialects: ${
      Object.entries(s.dialects)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ") || "-"
    }`,
  );
  out.push(
    `actions: ${
      Object.entries(s.actions)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ") || "-"
    }`,
  );
  out.push(
    `protocols: ${
      Object.entries(s.protocols)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ") || "-"
    }`,
  );
  out.push("option families (rules using each):");
  const fams = Object.entries(s.optionFamilies);
  const width = Math.max(8, ...fams.map(([k]) => k.length));
  for (const [k, n] of fams) out.push(`  ${k.padEnd(width)} ${String(n).padStart(6)}`);
  if (s.diagnostics.length) {
    out.push(`diagnostics (${s.diagnostics.length}${s.diagnostics.length > max ? `, first ${max} shown` : ""}):`);
    for (const d of s.diagnostics.slice(0, max)) out.push(`  ${diagLine(d)}`);
  }
  out.push(s.ok ? "OK" : "FAILED: errors found");
  return `${out.join("\n")}\n`;
}

/** JSON form of a rule: content bytes become lower-case hex strings; everything else is already plain data. */
export type RuleJson = Omit<Rule, "options"> & { options: unknown[] };

/**
 * Convert a rule to plain JSON data (`Uint8Array` content bytes -> `"bytesHex"` strings).
 * @param rule - a rule
 * @returns a JSON-serialisable object
 */
export function ruleToJson(rule: Rule): RuleJson {
  return {
    ...rule,
    options: rule.options.map((o) => {
      if (o.kind !== "content") return o;
      const { bytes, ...rest } = o;
      return { ...rest, bytesHex: Buffer.from(bytes).toString("hex") };
    }),
  };
}

/** One match of {@link findRulesBySid}. */
export interface FoundRule {
  file: string;
  line: number;
  raw: string;
  rule: RuleJson;
  diagnostics: Diagnostic[];
}

/**
 * Find every rule with this sid (and gid, when given) across files (what `fwkit snort show --sid N` prints).
 * @param files - `{ path, text }` per rule file
 * @param sid - signature id
 * @param gid - optional generator id
 * @returns matches in file order (empty when not found: the command reports SNORT_SID_NOT_FOUND)
 */
export function findRulesBySid(
  files: readonly { path: string; text: string }[],
  sid: number,
  gid?: number,
  opts: { dialect?: Dialect | "auto" } = {},
): FoundRule[] {
  const out: FoundRule[] = [];
  for (const f of files) {
    const r = parseRuleset(f.text, { file: f.path, ...(opts.dialect ? { dialect: opts.dialect } : {}) });
    const hit = (e: RuleEntry) => e.rule.sid === sid && (gid === undefined || e.rule.gid === gid);
    for (const e of r.rules) {
      if (hit(e))
        out.push({
          file: f.path,
          line: e.source.line,
          raw: e.source.raw,
          rule: ruleToJson(e.rule),
          diagnostics: e.diagnostics,
        });
    }
  }
  return out;
}

/**
 * Human-readable text of {@link findRulesBySid} results (what `fwkit snort show` prints without `--json`).
 * @param found - matches
 * @returns text: location, rule text and the AST as indented JSON per match
 */
export function formatFoundRules(found: readonly FoundRule[]): string {
  return found.map((f) => `${f.file}:${f.line}\n${f.raw}\n${JSON.stringify(f.rule, null, 2)}\n`).join("\n");
}
