import {
  type ContentOption,
  type Diagnostic,
  type ParseRuleOptions,
  parseRuleWithDiagnostics,
  type Rule,
  type RuleOption,
} from "../src/index.ts";

/** A tcp rule around an options body. */
export const tcp = (opts: string): string => `alert tcp any any -> any any (${opts})`;

/** Parse, asserting that a rule came out; returns it with its diagnostics. */
export function parse(text: string, opts: ParseRuleOptions = {}): { rule: Rule; diagnostics: Diagnostic[] } {
  const r = parseRuleWithDiagnostics(text, opts);
  if (!r.rule) throw new Error(`no rule from ${text}: ${JSON.stringify(r.diagnostics)}`);
  return { rule: r.rule, diagnostics: r.diagnostics };
}

/** Codes of diagnostics with the given severity. */
export function codes(diags: readonly Diagnostic[], severity?: Diagnostic["severity"]): string[] {
  return diags.filter((d) => severity === undefined || d.severity === severity).map((d) => d.code);
}

/** Options of one kind. */
export function optionsOf<K extends RuleOption["kind"]>(rule: Rule, kind: K): Extract<RuleOption, { kind: K }>[] {
  return rule.options.filter((o): o is Extract<RuleOption, { kind: K }> => o.kind === kind);
}

/** The contents of a rule. */
export function contents(rule: Rule): ContentOption[] {
  return optionsOf(rule, "content");
}

/** Hex of bytes. */
export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
