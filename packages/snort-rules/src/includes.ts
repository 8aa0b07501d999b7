/** Following `include` directives with an injected reader (the package itself does no IO). */
import { posix } from "node:path";
import { type ParseRulesetOptions, parseRuleset, type RulesetResult } from "./parse-ruleset.ts";
import type { Diagnostic } from "./types.ts";

/** Returns a file's text, or undefined when it does not exist. Paths are POSIX, already resolved. */
export type ReadRuleFile = (path: string) => string | undefined;

/** Maximum include nesting. */
export const MAX_INCLUDE_DEPTH = 16;

/**
 * Parse a snort.conf / rule file and every file it includes (recursively), merging the results. `include` paths
 * may use variables (`include $RULE_PATH/web-cgi.rules`, from `var` lines seen so far) and are resolved relative
 * to the including file's directory. Cycles give SNORT_INCLUDE_CYCLE, missing files SNORT_INCLUDE_NOT_FOUND.
 * @param entry - path of the first file
 * @param read - returns a file's text (inject `fs.readFileSync` wrapped in try/catch, or a map in tests)
 * @param opts - as for parseRuleset (the `file` option is set per file)
 * @returns the merged result; rules of an included file follow those of the including file
 * @example
 * const files = new Map([["/etc/snort/snort.conf", "var RULE_PATH rules\ninclude $RULE_PATH/a.rules"],
 *   ["/etc/snort/rules/a.rules", 'alert tcp any any -> any any (sid:1;)']]);
 * parseRulesetWithIncludes("/etc/snort/snort.conf", (p) => files.get(p)).rules.length // 1
 */
export function parseRulesetWithIncludes(
  entry: string,
  read: ReadRuleFile,
  opts: Omit<ParseRulesetOptions, "file"> = {},
): RulesetResult {
  const merged: RulesetResult = {
    rules: [],
    rejected: [],
    variables: [],
    includes: [],
    ruletypes: [],
    classifications: [],
    referenceSystems: [],
    diagnostics: [],
  };
  const vars = new Map<string, string>();
  const visit = (path: string, stack: string[], from?: { file?: string; line: number }): void => {
    const fail = (code: Diagnostic["code"], message: string) => {
      const d: Diagnostic = { code, severity: "error", message };
      if (from?.file !== undefined) d.file = from.file;
      if (from) d.line = from.line;
      merged.diagnostics.push(d);
    };
    if (stack.includes(path)) {
      fail("SNORT_INCLUDE_CYCLE", `include cycle: ${[...stack, path].join(" -> ")}`);
      return;
    }
    if (stack.length >= MAX_INCLUDE_DEPTH) {
      fail("SNORT_LIMIT_EXCEEDED", `includes nested deeper than ${MAX_INCLUDE_DEPTH}`);
      return;
    }
    const text = read(path);
    if (text === undefined) {
      fail("SNORT_INCLUDE_NOT_FOUND", `cannot read ${path}`);
      return;
    }
    const r = parseRuleset(text, { ...opts, file: path, ruletypes: [...(opts.ruletypes ?? []), ...merged.ruletypes] });
    for (const v of r.variables) vars.set(v.name, v.value);
    merged.rules.push(...r.rules);
    merged.rejected.push(...r.rejected);
    merged.variables.push(...r.variables);
    merged.includes.push(...r.includes);
    merged.ruletypes.push(...r.ruletypes);
    merged.classifications.push(...r.classifications);
    merged.referenceSystems.push(...r.referenceSystems);
    for (const d of r.diagnostics) merged.diagnostics.push(d);
    for (const inc of r.includes) {
      const expanded = inc.path.replace(/\$\(?([A-Za-z_][A-Za-z0-9_]*)\)?/g, (m, name: string) => vars.get(name) ?? m);
      if (expanded.includes("$")) {
        const d: Diagnostic = {
          code: "SNORT_UNDEFINED_VARIABLE",
          severity: "error",
          message: `undefined variable in include path '${inc.path}'`,
          line: inc.line,
        };
        if (inc.file !== undefined) d.file = inc.file;
        merged.diagnostics.push(d);
        continue;
      }
      const target = posix.isAbsolute(expanded) ? posix.normalize(expanded) : posix.join(posix.dirname(path), expanded);
      visit(target, [...stack, path], inc.file !== undefined ? { file: inc.file, line: inc.line } : { line: inc.line });
    }
  };
  visit(posix.normalize(entry), []);
  return merged;
}
