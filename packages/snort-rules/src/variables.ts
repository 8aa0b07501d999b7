/** Variable definitions (snort.conf `var`/`ipvar`/`portvar`, fwsnort.conf `NAME value;`) and header resolution. */
import { parseAddressExpr, parsePortExpr } from "./header.ts";
import type { AddrExpr, Diagnostic, PortExpr, Result } from "./types.ts";

/** One variable definition. */
export interface VariableDefinition {
  kind: "var" | "ipvar" | "portvar" | "fwsnort";
  name: string;
  /** value text as written (rest of the line) */
  value: string;
  line?: number;
  file?: string;
}

/** Variable name -> value text (later definitions override earlier ones). */
export type VariableTable = ReadonlyMap<string, string>;

/** Maximum variable expansion depth (guards against hostile nesting). */
export const MAX_VARIABLE_DEPTH = 32;

/** Maximum number of variable expansions while resolving one expression (guards against exponential fan-out). */
export const MAX_VARIABLE_EXPANSIONS = 10_000;

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parse a `var NAME value` / `ipvar …` / `portvar …` line.
 * @param line - one snort.conf line
 * @returns the definition or an error message
 */
export function parseVariableLine(
  line: string,
): { ok: true; value: VariableDefinition } | { ok: false; error: string } {
  const m = /^(var|ipvar|portvar)\s+(\S+)\s+(.+)$/.exec(line.trim());
  if (!m) return { ok: false, error: `expected '<var|ipvar|portvar> NAME value': '${line.trim().slice(0, 60)}'` };
  if (!NAME_RE.test(m[2] as string)) return { ok: false, error: `bad variable name '${m[2]}'` };
  return {
    ok: true,
    value: { kind: m[1] as "var" | "ipvar" | "portvar", name: m[2] as string, value: (m[3] as string).trim() },
  };
}

/**
 * Read fwsnort.conf-style definitions: `NAME value;` per line, `#` comments, value up to the first `;`.
 * For names defined twice the first definition wins (fwsnort semantics).
 * @param text - file contents
 * @param file - file name for diagnostics
 * @returns definitions (first wins) and SNORT_BAD_CONFIG diagnostics
 * @example
 * parseFwsnortConf("HOME_NET  192.168.10.0/24;").variables[0]?.value // "192.168.10.0/24"
 */
export function parseFwsnortConf(
  text: string,
  file?: string,
): { variables: VariableDefinition[]; diagnostics: Diagnostic[] } {
  const variables: VariableDefinition[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const l = raw.trim();
    if (!l || l.startsWith("#")) return;
    const m = /^(\S+)\s+([^;]*);/.exec(l);
    if (!m || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(m[1] as string)) {
      const d: Diagnostic = {
        code: "SNORT_BAD_CONFIG",
        severity: "error",
        message: "expected 'NAME value;'",
        line: i + 1,
      };
      if (file !== undefined) d.file = file;
      diagnostics.push(d);
      return;
    }
    if (seen.has(m[1] as string)) return;
    seen.add(m[1] as string);
    const def: VariableDefinition = {
      kind: "fwsnort",
      name: m[1] as string,
      value: (m[2] as string).trim(),
      line: i + 1,
    };
    if (file !== undefined) def.file = file;
    variables.push(def);
  });
  return { variables, diagnostics };
}

/**
 * Build a lookup table from definitions; later definitions override earlier ones (pass snort.conf after
 * fwsnort.conf to mimic `--snort-conf` overrides).
 * @param defs - definitions in precedence order
 * @returns name -> value
 */
export function variableTable(...defs: readonly (readonly VariableDefinition[])[]): VariableTable {
  const m = new Map<string, string>();
  for (const list of defs) for (const d of list) m.set(d.name, d.value);
  return m;
}

/** Why a header expression could not be resolved. */
export interface ResolveError {
  code:
    | "SNORT_UNDEFINED_VARIABLE"
    | "SNORT_VARIABLE_CYCLE"
    | "SNORT_BAD_ADDRESS"
    | "SNORT_BAD_PORT"
    | "SNORT_EMPTY_SET"
    | "SNORT_LIMIT_EXCEEDED";
  message: string;
  variable?: string;
}

type Node = AddrExpr | PortExpr;

function resolveGeneric<T extends Node>(
  expr: T,
  vars: VariableTable,
  parse: (s: string) => { ok: true; value: T } | { ok: false; error: string },
  badCode: "SNORT_BAD_ADDRESS" | "SNORT_BAD_PORT",
  stack: string[],
  budget: { left: number },
): Result<T, ResolveError> {
  switch (expr.kind) {
    case "var": {
      const name = expr.name;
      if (--budget.left < 0) {
        return {
          ok: false,
          error: { code: "SNORT_LIMIT_EXCEEDED", message: "too many variable expansions", variable: name },
        };
      }
      if (stack.includes(name)) {
        return {
          ok: false,
          error: {
            code: "SNORT_VARIABLE_CYCLE",
            message: `variable cycle ${[...stack, name].join(" -> ")}`,
            variable: name,
          },
        };
      }
      if (stack.length >= MAX_VARIABLE_DEPTH) {
        return {
          ok: false,
          error: { code: "SNORT_LIMIT_EXCEEDED", message: "variables nested too deeply", variable: name },
        };
      }
      const text = vars.get(name);
      if (text === undefined) {
        return {
          ok: false,
          error: { code: "SNORT_UNDEFINED_VARIABLE", message: `undefined variable $${name}`, variable: name },
        };
      }
      const parsed = parse(text);
      if (!parsed.ok)
        return { ok: false, error: { code: badCode, message: `$${name}: ${parsed.error}`, variable: name } };
      const inner = resolveGeneric(parsed.value, vars, parse, badCode, [...stack, name], budget);
      if (!inner.ok) return inner;
      if (!expr.negated) return inner;
      if (inner.value.kind === "any") {
        return {
          ok: false,
          error: { code: "SNORT_EMPTY_SET", message: `!$${name} is '!any' (matches nothing)`, variable: name },
        };
      }
      return { ok: true, value: { kind: "list", negated: true, items: [inner.value] } as T };
    }
    case "list": {
      const items: T[] = [];
      for (const it of expr.items as T[]) {
        const r = resolveGeneric(it, vars, parse, badCode, stack, budget);
        if (!r.ok) return r;
        items.push(r.value);
      }
      return { ok: true, value: { ...expr, items } };
    }
    default:
      return { ok: true, value: expr };
  }
}

/**
 * Replace every `$VAR` in an address expression by its (recursively resolved) value. Negation survives expansion:
 * `!$HOME_NET` becomes `![<HOME_NET value>]`, and `var EXTERNAL_NET !$HOME_NET` keeps its `!` (spec case H19).
 * @param expr - header address expression
 * @param vars - variable table
 * @returns a variable-free expression, or SNORT_UNDEFINED_VARIABLE / SNORT_VARIABLE_CYCLE / SNORT_EMPTY_SET …
 */
export function resolveAddressExpr(expr: AddrExpr, vars: VariableTable): Result<AddrExpr, ResolveError> {
  return resolveGeneric(expr, vars, parseAddressExpr, "SNORT_BAD_ADDRESS", [], { left: MAX_VARIABLE_EXPANSIONS });
}

/**
 * Replace every `$VAR` in a port expression by its resolved value (see {@link resolveAddressExpr}).
 * @param expr - header port expression
 * @param vars - variable table
 * @returns a variable-free expression or an error
 */
export function resolvePortExpr(expr: PortExpr, vars: VariableTable): Result<PortExpr, ResolveError> {
  return resolveGeneric(expr, vars, parsePortExpr, "SNORT_BAD_PORT", [], { left: MAX_VARIABLE_EXPANSIONS });
}
