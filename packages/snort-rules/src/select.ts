/** Rule selection helpers (what fwsnort's --snort-sid / --include-type / --include-regex … options need). */
import type { Classification } from "./config-files.ts";
import type { RuleEntry } from "./types.ts";

/** Selection criteria; every given criterion must hold. */
export interface RuleSelection {
  /** keep only these sids (fwsnort `--snort-sid`) */
  sids?: readonly number[];
  /** drop these sids (fwsnort `--exclude-sid`) */
  excludeSids?: readonly number[];
  /** keep only these gids */
  gids?: readonly number[];
  /** keep only rules from `<type>.rules` files (fwsnort `--include-type`, exact basename match) */
  includeTypes?: readonly string[];
  /** drop rules from `<type>.rules` files (fwsnort `--exclude-type`) */
  excludeTypes?: readonly string[];
  /** keep only these classtypes */
  includeClasstypes?: readonly string[];
  /** drop these classtypes */
  excludeClasstypes?: readonly string[];
  /** keep rules whose raw text matches (fwsnort `--include-regex`) */
  includeRegex?: RegExp;
  /** drop rules whose raw text matches (fwsnort `--exclude-regex`, applied before includeRegex) */
  excludeRegex?: RegExp;
  /** keep rules whose msg matches */
  msgRegex?: RegExp;
  /** keep only rules from these files (exact path) */
  files?: readonly string[];
  /** `enabled` (default), `disabled` or `all` */
  state?: "enabled" | "disabled" | "all";
}

/**
 * The rule type of a rule file: its basename without `.rules` (`/x/web-cgi.rules` -> `web-cgi`).
 * @param file - a path
 * @returns the type, or undefined when the name does not end in `.rules`
 */
export function ruleFileType(file: string): string | undefined {
  const base = file.split(/[\\/]/).pop() ?? "";
  const m = /^(\S+)\.rules$/.exec(base);
  return m ? (m[1] as string) : undefined;
}

function testRe(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}

/**
 * Filter rule entries. Regexes are tested against the rule's source text (`source.raw`).
 * @param entries - parsed rules (from parseRuleset)
 * @param sel - criteria
 * @returns the entries that match, in input order
 * @example
 * selectRules(parseRuleset(text, { file: "web-cgi.rules" }).rules, { includeTypes: ["web-cgi"], sids: [1000] })
 */
export function selectRules(entries: readonly RuleEntry[], sel: RuleSelection): RuleEntry[] {
  const state = sel.state ?? "enabled";
  return entries.filter((e) => {
    const r = e.rule;
    if (state === "enabled" && r.disabled) return false;
    if (state === "disabled" && !r.disabled) return false;
    if (sel.sids && (r.sid === undefined || !sel.sids.includes(r.sid))) return false;
    if (sel.excludeSids && r.sid !== undefined && sel.excludeSids.includes(r.sid)) return false;
    if (sel.gids && !sel.gids.includes(r.gid)) return false;
    const type = e.source.file !== undefined ? ruleFileType(e.source.file) : undefined;
    if (sel.includeTypes && (type === undefined || !sel.includeTypes.includes(type))) return false;
    if (sel.excludeTypes && type !== undefined && sel.excludeTypes.includes(type)) return false;
    if (sel.includeClasstypes && (r.classtype === undefined || !sel.includeClasstypes.includes(r.classtype)))
      return false;
    if (sel.excludeClasstypes && r.classtype !== undefined && sel.excludeClasstypes.includes(r.classtype)) return false;
    if (sel.excludeRegex && testRe(sel.excludeRegex, e.source.raw)) return false;
    if (sel.includeRegex && !testRe(sel.includeRegex, e.source.raw)) return false;
    if (sel.msgRegex && (r.msg === undefined || !testRe(sel.msgRegex, r.msg))) return false;
    if (sel.files && (e.source.file === undefined || !sel.files.includes(e.source.file))) return false;
    return true;
  });
}

/** What psad needs per signature. */
export interface SidInfo {
  sid: number;
  gid: number;
  rev?: number;
  msg?: string;
  classtype?: string;
  /** explicit `priority:` or else the classtype's priority from classification.config */
  priority?: number;
  file?: string;
}

/**
 * Index rules by sid (first definition of a `gid:sid` wins; gid 1 rules are keyed by sid alone as well).
 * @param entries - parsed rules
 * @param classifications - from parseClassificationConfig, to derive default priorities
 * @returns `Map<sid, SidInfo>` for gid 1 and `Map<"gid:sid", SidInfo>` for all
 */
export function buildSidIndex(
  entries: readonly RuleEntry[],
  classifications: readonly Classification[] = [],
): { bySid: Map<number, SidInfo>; byGidSid: Map<string, SidInfo> } {
  const prio = new Map(classifications.map((c) => [c.name, c.priority]));
  const bySid = new Map<number, SidInfo>();
  const byGidSid = new Map<string, SidInfo>();
  for (const e of entries) {
    const r = e.rule;
    if (r.sid === undefined) continue;
    const info: SidInfo = { sid: r.sid, gid: r.gid };
    if (r.rev !== undefined) info.rev = r.rev;
    if (r.msg !== undefined) info.msg = r.msg;
    if (r.classtype !== undefined) info.classtype = r.classtype;
    const p = r.priority ?? (r.classtype !== undefined ? prio.get(r.classtype) : undefined);
    if (p !== undefined) info.priority = p;
    if (e.source.file !== undefined) info.file = e.source.file;
    const key = `${r.gid}:${r.sid}`;
    if (!byGidSid.has(key)) byGidSid.set(key, info);
    if (r.gid === 1 && !bySid.has(r.sid)) bySid.set(r.sid, info);
  }
  return { bySid, byGidSid };
}
