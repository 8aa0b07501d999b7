/** One rule text -> typed {@link Rule} plus diagnostics. */
import { SnortRulesError, type SnortRulesErrorCode } from "./errors.ts";
import { parseAddressExpr, parsePortExpr } from "./header.ts";
import {
  ACTIONS,
  APP_PROTOCOLS,
  BASE_PROTOCOLS,
  CONTENT_MODIFIER_KEYWORDS,
  HTTP_MODIFIERS,
  RANGE_KEYWORDS,
  SINGLE_VALUED,
  SNORT3_ONLY,
  STICKY_BUFFERS,
  SURICATA_ONLY,
  UNMODELED_KEYWORDS,
} from "./keywords.ts";
import { type RawOption, readQuoted, splitOptions, splitRuleText, tokenizeHeader, unescapeValue } from "./lexer.ts";
import { parseByteExtract, parseByteJump, parseByteTest, parseIsdataat } from "./options/byte.ts";
import { decodeContent } from "./options/content.ts";
import { parseFragbits, parseTcpFlags } from "./options/flags.ts";
import { parseFlow } from "./options/flow.ts";
import {
  IPOPTS,
  parseFlowbits,
  parseIpProto,
  parseMetadata,
  parseReference,
  parseService,
  parseThreshold,
} from "./options/misc.ts";
import { parsePcre } from "./options/pcre.ts";
import { parseInteger, parseRange } from "./options/range.ts";
import { createRule, type RuleInit } from "./rule.ts";
import type {
  AddrExpr,
  ContentModifier,
  ContentOption,
  Diagnostic,
  Dialect,
  Direction,
  HttpModifierName,
  PortExpr,
  RangeKeyword,
  Result,
  Rule,
  RuleOption,
  Severity,
} from "./types.ts";
import { resolveAddressExpr, resolvePortExpr, type VariableTable } from "./variables.ts";

/** Options of {@link parseRuleWithDiagnostics} / {@link parseRule}. */
export interface ParseRuleOptions {
  /** dialect to interpret the rule in; `auto` (default) detects it per rule */
  dialect?: Dialect | "auto";
  /** extra action names declared with `ruletype` */
  ruletypes?: readonly string[];
  /** file name put into diagnostics */
  file?: string;
  /** 1-based line number put into diagnostics (columns are relative to the rule text) */
  line?: number;
  /** mark the rule as disabled (commented out) */
  disabled?: boolean;
  /** strict Snort 2: unescaped `;` in quotes and unknown options become errors */
  strict?: boolean;
  /** when given, header variables are resolved and undefined / cyclic / empty ones become errors of this rule */
  variables?: VariableTable;
}

/** Result of {@link parseRuleWithDiagnostics}: the rule (absent when the text is not a rule at all) + diagnostics. */
export interface RuleParseResult {
  rule: Rule | undefined;
  diagnostics: Diagnostic[];
}

/** `/^[A-Za-z_][A-Za-z0-9_.-]*$/` without a regex call (runs once per option). */
function isKeyword(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
    if (letter) continue;
    if (i > 0 && ((c >= 48 && c <= 57) || c === 46 || c === 45)) continue;
    return false;
  }
  return true;
}

const ALL_ACTIONS = new Set([...ACTIONS.snort2, ...ACTIONS.snort3, ...ACTIONS.suricata]);
const DIALECT_ACTIONS: Record<Dialect, ReadonlySet<string>> = {
  snort2: new Set(ACTIONS.snort2),
  snort3: new Set(ACTIONS.snort3),
  suricata: new Set(ACTIONS.suricata),
};
const HTTP_MODIFIER_SET: ReadonlySet<string> = new Set(HTTP_MODIFIERS);
const CONTENT_MODIFIER_SET: ReadonlySet<string> = new Set(CONTENT_MODIFIER_KEYWORDS);
const SINGLE_VALUED_SET: ReadonlySet<string> = new Set(SINGLE_VALUED);
const RANGE_KEYWORD_SET: ReadonlySet<string> = new Set(RANGE_KEYWORDS);
const STICKY_SET: ReadonlySet<string> = new Set(STICKY_BUFFERS);
const UNMODELED_SET: ReadonlySet<string> = new Set(UNMODELED_KEYWORDS);
const SNORT3_ONLY_SET: ReadonlySet<string> = new Set(SNORT3_ONLY);
const SURICATA_ONLY_SET: ReadonlySet<string> = new Set(SURICATA_ONLY);
const BASE_PROTOCOL_SET: ReadonlySet<string> = new Set(BASE_PROTOCOLS);
const APP_PROTOCOL_SET: ReadonlySet<string> = new Set(APP_PROTOCOLS);

const HEADER_FIELDS: readonly (readonly [number, string, "SNORT_BAD_ADDRESS" | "SNORT_BAD_PORT"])[] = [
  [2, "source", "SNORT_BAD_ADDRESS"],
  [3, "source port", "SNORT_BAD_PORT"],
  [5, "destination", "SNORT_BAD_ADDRESS"],
  [6, "destination port", "SNORT_BAD_PORT"],
];
const ACTION_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PROTOCOL_RE = /^[a-z][a-z0-9_-]*$/;
const CONTENT_COMMA_RE = /"\s*,/;
const QUOTE_START_RE = /^\s*!?\s*"/;

/** Maximum options accepted in one rule; the rest is reported once (hostile input guard). */
export const MAX_OPTIONS_PER_RULE = 1000;

/** Detect the dialect of a rule from its header and raw options. */
function detectDialect(protocol: string, elided: boolean, direction: string | undefined, raw: RawOption[]): Dialect {
  if (elided) return "snort3";
  let sawContent = false;
  let suricata = direction === "=>" || (!BASE_PROTOCOL_SET.has(protocol) && protocol !== "file");
  for (const o of raw) {
    const k = o.keyword.toLowerCase();
    if (k === "content" || k === "uricontent") {
      if (o.value !== undefined && CONTENT_COMMA_RE.test(o.value) && QUOTE_START_RE.test(o.value)) {
        const q = readQuoted(o.value);
        if (!("error" in q) && q.rest.trim().startsWith(",")) return "snort3";
      }
      sawContent = true;
    } else if (SNORT3_ONLY_SET.has(k)) return "snort3";
    else if (HTTP_MODIFIER_SET.has(k) && (!sawContent || o.value !== undefined)) return "snort3";
    else if (SURICATA_ONLY_SET.has(k) || k.includes(".")) suricata = true;
  }
  return suricata ? "suricata" : "snort2";
}

/**
 * Parse one rule and collect every diagnostic instead of throwing.
 * @param text - one logical rule line (continuations already joined)
 * @param opts - dialect, file/line for diagnostics, extra ruletypes
 * @returns the rule (undefined only when the header is unusable) and its diagnostics
 * @example
 * parseRuleWithDiagnostics('alert tcp any any -> any 80 (msg:"x"; sid:1;)').rule?.sid // 1
 */
export function parseRuleWithDiagnostics(text: string, opts: ParseRuleOptions = {}): RuleParseResult {
  const diagnostics: Diagnostic[] = [];
  const add = (code: SnortRulesErrorCode, severity: Severity, message: string, offset?: number): void => {
    const d: Diagnostic = { code, severity, message };
    if (opts.file !== undefined) d.file = opts.file;
    if (opts.line !== undefined) d.line = opts.line;
    if (offset !== undefined) d.column = offset + 1;
    diagnostics.push(d);
  };
  const leading = text.length - text.trimStart().length;
  const parts = splitRuleText(text);
  if (parts.body === undefined) {
    add("SNORT_BAD_HEADER", "error", "no '(' options section", leading);
    return { rule: undefined, diagnostics };
  }
  if (parts.unterminated) {
    add("SNORT_UNTERMINATED_OPTIONS", "error", "options section has no closing ')'", parts.bodyOffset - 1);
  }
  if (parts.trailing) add("SNORT_BAD_LINE", "error", "text after the closing ')'");
  const toks = tokenizeHeader(parts.header);
  if (!Array.isArray(toks)) {
    add("SNORT_BAD_HEADER", "error", toks.error, leading);
    return { rule: undefined, diagnostics };
  }
  if (toks.length !== 2 && toks.length !== 7) {
    add(
      "SNORT_BAD_HEADER",
      "error",
      `header has ${toks.length} fields (expected 7, or 2 for a Snort 3 service rule)`,
      leading,
    );
    return { rule: undefined, diagnostics };
  }
  // column of each header token (best effort: tokens are searched in order in the text)
  // (computed only when a header diagnostic needs a column)
  let offsets: (number | undefined)[] | undefined;
  const tokOffset = (k: number): number | undefined => {
    if (!offsets) {
      offsets = [];
      let searchFrom = 0;
      for (const t of toks) {
        const at = text.indexOf(t, searchFrom);
        offsets.push(at >= 0 ? at : undefined);
        if (at >= 0) searchFrom = at + t.length;
      }
    }
    return offsets[k];
  };
  const action = toks[0] as string;
  const protoRaw = toks[1] as string;
  const protocol = protoRaw.toLowerCase();
  const elided = toks.length === 2;
  const dirTok = elided ? undefined : (toks[4] as string);

  const split = splitOptions(parts.body, parts.bodyOffset);
  const dialect: Dialect =
    opts.dialect === undefined || opts.dialect === "auto"
      ? detectDialect(protocol, elided, dirTok, split.options)
      : opts.dialect;

  // ---- header
  const knownAction =
    (opts.dialect && opts.dialect !== "auto" ? DIALECT_ACTIONS[dialect] : ALL_ACTIONS).has(action) ||
    (opts.ruletypes?.includes(action) ?? false);
  if (!ACTION_RE.test(action) || !knownAction) {
    add("SNORT_UNKNOWN_ACTION", "error", `unknown action '${action}'`, tokOffset(0));
  }
  if (!PROTOCOL_RE.test(protocol)) {
    add("SNORT_UNKNOWN_PROTOCOL", "error", `invalid protocol '${protoRaw}'`, tokOffset(1));
  } else if (!BASE_PROTOCOL_SET.has(protocol)) {
    if (dialect === "snort2" || !APP_PROTOCOL_SET.has(protocol)) {
      add("SNORT_UNKNOWN_PROTOCOL", "error", `protocol '${protocol}' is not valid in ${dialect} rules`, tokOffset(1));
    }
  } else if (protocol !== protoRaw) add("SNORT_NON_LOWERCASE", "warning", `protocol '${protoRaw}' is not lower-case`);

  let src: AddrExpr | undefined;
  let dst: AddrExpr | undefined;
  let srcPort: PortExpr | undefined;
  let dstPort: PortExpr | undefined;
  let direction: Direction | undefined;
  if (!elided) {
    for (const [i, what, code] of HEADER_FIELDS) {
      const r = code === "SNORT_BAD_ADDRESS" ? parseAddressExpr(toks[i] as string) : parsePortExpr(toks[i] as string);
      if (!r.ok) {
        add(r.error.includes("nested") ? "SNORT_LIMIT_EXCEEDED" : code, "error", `${what}: ${r.error}`, tokOffset(i));
        continue;
      }
      if (i === 2) src = r.value as AddrExpr;
      else if (i === 3) srcPort = r.value as PortExpr;
      else if (i === 5) dst = r.value as AddrExpr;
      else dstPort = r.value as PortExpr;
    }
    if (dirTok === "->" || dirTok === "<>") direction = dirTok;
    else if (dirTok === "=>" && dialect === "suricata") direction = dirTok;
    else if (dirTok === "<-") {
      add("SNORT_BAD_HEADER", "error", "'<-' is not a valid direction (use '->' and swap)", tokOffset(4));
    } else add("SNORT_BAD_HEADER", "error", `invalid direction '${dirTok}'`, tokOffset(4));
    if (opts.variables) {
      const vars = opts.variables;
      const checks: [string, () => { ok: boolean; error?: { code: SnortRulesErrorCode; message: string } }][] = [
        ["source", () => (src ? resolveAddressExpr(src, vars) : { ok: true })],
        ["source port", () => (srcPort ? resolvePortExpr(srcPort, vars) : { ok: true })],
        ["destination", () => (dst ? resolveAddressExpr(dst, vars) : { ok: true })],
        ["destination port", () => (dstPort ? resolvePortExpr(dstPort, vars) : { ok: true })],
      ];
      for (const [what, run] of checks) {
        const r = run();
        if (!r.ok && r.error) add(r.error.code, "error", `${what}: ${r.error.message}`);
      }
    }
    if (
      (protocol === "icmp" || protocol === "ip") &&
      ((srcPort && srcPort.kind !== "any") || (dstPort && dstPort.kind !== "any"))
    ) {
      add("SNORT_PORTS_IGNORED", "warning", `ports are ignored for ${protocol} rules`);
    }
  }

  // ---- options
  for (const p of split.problems.length > 20 ? split.problems.slice(0, 20) : split.problems) {
    if (p.code === "SNORT_UNESCAPED_SEMICOLON") add(p.code, opts.strict ? "error" : "warning", p.message, p.offset);
    else if (p.code === "SNORT_MISSING_SEMICOLON") add(p.code, "warning", p.message, p.offset);
    else add(p.code, "error", p.message, p.offset);
  }
  const options: RuleOption[] = [];
  const ctx: OptionContext = {
    options,
    lastContent: undefined,
    seen: [],
    dialect,
    stickyHttp: dialect === "snort3",
    opts,
    add,
  };

  let emptyReported = false;
  for (let index = 0; index < split.options.length; index++) {
    const ro = split.options[index] as RawOption;
    if (index >= MAX_OPTIONS_PER_RULE) {
      add("SNORT_LIMIT_EXCEEDED", "error", `more than ${MAX_OPTIONS_PER_RULE} options; the rest is ignored`, ro.offset);
      break;
    }
    if (ro.keyword === "" && ro.value === undefined) {
      if (!emptyReported) add("SNORT_BAD_VALUE", "warning", "empty option (';;')", ro.offset);
      emptyReported = true;
      continue;
    }
    interpretOption(ctx, ro);
  }

  // ---- content validation (spec §4.2.2)
  for (const o of options) {
    if (o.kind !== "content" || o.modifiers.length === 0) continue;
    let absolute = false;
    let relative = false;
    for (const m of o.modifiers) {
      if (m.name === "offset" || m.name === "depth") absolute = true;
      else if (m.name === "distance" || m.name === "within") relative = true;
    }
    if (absolute && relative) {
      add(
        "SNORT_MIXED_RELATIVE_ABSOLUTE",
        "error",
        `content "${o.text.slice(0, 40)}" mixes offset/depth with distance/within`,
      );
    }
    for (const m of o.modifiers) {
      if ((m.name === "depth" || m.name === "within") && typeof m.value === "number" && m.value < o.bytes.length) {
        add(
          "SNORT_DEPTH_TOO_SMALL",
          "error",
          `${m.name}:${m.value} is smaller than the content length ${o.bytes.length}`,
        );
      }
    }
  }
  const init: RuleInit = { dialect, disabled: opts.disabled ?? false, action, protocol, options };
  if (src) init.src = src;
  if (srcPort) init.srcPort = srcPort;
  if (direction) init.direction = direction;
  if (dst) init.dst = dst;
  if (dstPort) init.dstPort = dstPort;
  const rule = createRule(init);
  if (rule.sid === undefined) {
    add("SNORT_MISSING_SID", dialect === "snort3" ? "error" : "warning", "rule has no sid");
  }
  if (rule.sid !== undefined) for (const d of diagnostics) d.sid = rule.sid;
  return { rule, diagnostics };
}

/** Everything one option needs from the rule being parsed. */
interface OptionContext {
  options: RuleOption[];
  lastContent: ContentOption | undefined;
  /** single-valued keywords seen so far (a handful per rule: an array beats a Set here) */
  seen: string[];
  dialect: Dialect;
  stickyHttp: boolean;
  opts: ParseRuleOptions;
  add: (code: SnortRulesErrorCode, severity: Severity, message: string, offset?: number) => void;
}

/** Interpret one raw option into `ctx.options` (content modifiers attach to `ctx.lastContent`). */
/** Report a bad option value and keep the option verbatim (module-level: no closures per option). */
function bad(
  ctx: OptionContext,
  k: string,
  v: string | undefined,
  off: number,
  message: string,
  code: SnortRulesErrorCode = "SNORT_BAD_VALUE",
): void {
  ctx.add(code, "error", `${k}: ${message}`, off);
  ctx.options.push(v === undefined ? { kind: "raw", keyword: k } : { kind: "raw", keyword: k, value: v });
}

function needValue(ctx: OptionContext, k: string, v: string | undefined, off: number): string | undefined {
  if (v === undefined || v === "") {
    bad(ctx, k, v, off, "missing value");
    return undefined;
  }
  return v;
}

function noValue(ctx: OptionContext, k: string, v: string | undefined, off: number): boolean {
  if (v !== undefined) {
    bad(ctx, k, v, off, "takes no value");
    return false;
  }
  return true;
}

function interpretOption(ctx: OptionContext, ro: RawOption): void {
  const { options, seen, dialect, stickyHttp, opts, add } = ctx;
  const kw = ro.keyword;
  const k = kw.toLowerCase();
  const v = ro.value;
  const off = ro.offset;
  if (!isKeyword(kw)) {
    bad(ctx, k, v, off, `invalid option keyword '${kw.slice(0, 40)}'`, "SNORT_UNKNOWN_OPTION");
    return;
  }
  if (k !== kw) add("SNORT_NON_LOWERCASE", "warning", `keyword '${kw}' is not lower-case`, off);
  if (SINGLE_VALUED_SET.has(k)) {
    if (seen.includes(k)) add("SNORT_DUPLICATE_OPTION", "warning", `'${k}' appears more than once`, off);
    else seen.push(k);
  }

  // content modifiers (Snort 2 / Suricata separate-option form)
  const isHttpMod = HTTP_MODIFIER_SET.has(k);
  if (CONTENT_MODIFIER_SET.has(k) || (isHttpMod && !stickyHttp && v === undefined)) {
    if (!ctx.lastContent) {
      bad(ctx, k, v, off, "modifier without a preceding content", "SNORT_MODIFIER_WITHOUT_CONTENT");
      return;
    }
    const m = parseModifier(k, v);
    if (!m.ok) {
      bad(ctx, k, v, off, m.error);
      return;
    }
    if (ctx.lastContent.modifiers.some((x) => x.name === m.value.name)) {
      add("SNORT_DUPLICATE_MODIFIER", "error", `duplicate '${k}' on the same content`, off);
      return;
    }
    ctx.lastContent.modifiers.push(m.value);
    return;
  }

  switch (k) {
    case "msg": {
      const val = needValue(ctx, k, v, off);
      if (val === undefined) break;
      const q = readQuoted(val);
      if ("error" in q || q.negated || q.rest.trim() !== "") {
        bad(ctx, k, v, off, "msg must be a quoted string");
        break;
      }
      options.push({ kind: "msg", value: unescapeValue(q.inner) });
      break;
    }
    case "sid":
    case "rev":
    case "gid":
    case "priority": {
      const val = needValue(ctx, k, v, off);
      if (val === undefined) break;
      const n = parseInteger(val);
      if (n === undefined || n < 0 || n > 4294967295 || !/^\d+$/.test(val)) {
        bad(ctx, k, v, off, `'${val}' is not a non-negative integer`);
        break;
      }
      if (k === "sid" && n === 0)
        add("SNORT_BAD_VALUE", dialect === "snort3" ? "error" : "warning", "sid:0 is reserved", off);
      options.push({ kind: k, value: n });
      break;
    }
    case "classtype": {
      const val = needValue(ctx, k, v, off);
      if (val === undefined) break;
      if (!/^[A-Za-z0-9_.-]+$/.test(val)) bad(ctx, k, v, off, `bad classtype '${val}'`);
      else options.push({ kind: "classtype", value: val });
      break;
    }
    case "reference":
    case "metadata":
    case "service":
    case "flowbits": {
      const val = needValue(ctx, k, v, off);
      if (val === undefined) break;
      const r =
        k === "reference"
          ? parseReference(val)
          : k === "metadata"
            ? parseMetadata(val)
            : k === "service"
              ? parseService(val)
              : parseFlowbits(val);
      if (r.ok) options.push(r.value);
      else bad(ctx, k, v, off, r.error);
      break;
    }
    case "content":
    case "uricontent": {
      const val = needValue(ctx, k, v, off);
      if (val === undefined) break;
      const q = readQuoted(val);
      if ("error" in q) {
        bad(
          ctx,
          k,
          v,
          off,
          q.error === "unterminated" ? "unterminated quoted string" : "value must be a quoted string",
          "SNORT_BAD_CONTENT",
        );
        ctx.lastContent = undefined;
        break;
      }
      const dec = decodeContent(q.inner);
      if (!dec.ok) {
        bad(ctx, k, v, off, dec.error, "SNORT_BAD_CONTENT");
        ctx.lastContent = undefined;
        break;
      }
      const c: ContentOption = {
        kind: "content",
        keyword: k,
        negated: q.negated,
        text: q.inner,
        bytes: dec.bytes,
        modifiers: [],
      };
      const rest = q.rest.trim();
      if (rest !== "") {
        if (!rest.startsWith(",") || opts.dialect === "snort2") {
          const why = rest.startsWith(",")
            ? "Snort 3 content suboptions are not valid Snort 2 syntax"
            : `unexpected text after the quoted string: '${rest.slice(0, 40)}'`;
          bad(ctx, k, v, off, why, "SNORT_BAD_CONTENT");
          ctx.lastContent = undefined;
          break;
        }
        let failed = false;
        for (const sub of rest.slice(1).split(",")) {
          const t = sub.trim();
          const sp = t.search(/\s/);
          const name = (sp < 0 ? t : t.slice(0, sp)).toLowerCase();
          const arg = sp < 0 ? undefined : t.slice(sp + 1).trim();
          const m = parseModifier(name, arg, true);
          if (!m.ok) {
            bad(ctx, k, v, off, m.error, "SNORT_BAD_CONTENT");
            failed = true;
            break;
          }
          if (c.modifiers.some((x) => x.name === m.value.name)) {
            add("SNORT_DUPLICATE_MODIFIER", "error", `duplicate '${name}' on the same content`, off);
            failed = true;
            break;
          }
          c.modifiers.push(m.value);
        }
        if (failed) {
          ctx.lastContent = undefined;
          break;
        }
      }
      options.push(c);
      ctx.lastContent = c;
      break;
    }
    case "pcre": {
      const val = needValue(ctx, k, v, off);
      if (val === undefined) break;
      const q = readQuoted(val);
      if ("error" in q || q.rest.trim() !== "") {
        bad(ctx, k, v, off, "value must be a quoted string", "SNORT_BAD_PCRE");
        break;
      }
      const r = parsePcre(q.inner, q.negated);
      if (r.ok) options.push(r.value);
      else bad(ctx, k, v, off, r.error, "SNORT_BAD_PCRE");
      break;
    }
    case "flow": {
      const val = needValue(ctx, k, v, off);
      if (val === undefined) break;
      const r = parseFlow(val);
      if (!r.ok) {
        bad(ctx, k, v, off, r.error);
        break;
      }
      if (r.nonLowercase) add("SNORT_NON_LOWERCASE", "warning", `flow value '${val}' is not lower-case`, off);
      options.push({ kind: "flow", flags: r.flags });
      break;
    }
    case "flags": {
      const val = needValue(ctx, k, v, off);
      if (val === undefined) break;
      const r = parseTcpFlags(val);
      if (r.ok) options.push({ kind: "flags", ...r.value });
      else bad(ctx, k, v, off, r.error);
      break;
    }
    case "fragbits": {
      const val = needValue(ctx, k, v, off);
      if (val === undefined) break;
      const r = parseFragbits(val);
      if (!r.ok) bad(ctx, k, v, off, r.error);
      else
        options.push(
          r.modifier ? { kind: "fragbits", modifier: r.modifier, bits: r.bits } : { kind: "fragbits", bits: r.bits },
        );
      break;
    }
    case "ipopts": {
      const val = needValue(ctx, k, v, off);
      if (val === undefined) break;
      if (!IPOPTS.includes(val.toLowerCase())) bad(ctx, k, v, off, `unknown ipopts '${val}'`);
      else options.push({ kind: "ipopts", value: val.toLowerCase() });
      break;
    }
    case "ip_proto": {
      const val = needValue(ctx, k, v, off);
      if (val === undefined) break;
      const r = parseIpProto(val);
      if (r.ok) options.push(r.value);
      else bad(ctx, k, v, off, r.error);
      break;
    }
    case "sameip":
      if (noValue(ctx, k, v, off)) options.push({ kind: "sameip" });
      break;
    case "byte_test":
    case "byte_jump":
    case "byte_extract":
    case "isdataat": {
      const val = needValue(ctx, k, v, off);
      if (val === undefined) break;
      const r =
        k === "byte_test"
          ? parseByteTest(val)
          : k === "byte_jump"
            ? parseByteJump(val)
            : k === "byte_extract"
              ? parseByteExtract(val)
              : parseIsdataat(val);
      if (r.ok) options.push(r.value);
      else bad(ctx, k, v, off, r.error);
      break;
    }
    case "threshold":
    case "detection_filter": {
      const val = needValue(ctx, k, v, off);
      if (val === undefined) break;
      const r = parseThreshold(k, val);
      if (r.ok) options.push(r.value);
      else bad(ctx, k, v, off, r.error);
      break;
    }
    case "resp":
    case "react":
    case "tag": {
      if (k === "tag" && (v === undefined || v === "")) {
        bad(ctx, k, v, off, "missing value");
        break;
      }
      const args = v === undefined ? [] : v.split(",").map((s) => s.trim());
      if (args.some((a) => a === "" || /[";]/.test(a))) bad(ctx, k, v, off, `bad ${k} arguments`);
      else options.push({ kind: k, args });
      break;
    }
    default: {
      if (RANGE_KEYWORD_SET.has(k)) {
        const val = needValue(ctx, k, v, off);
        if (val === undefined) break;
        const r = parseRange(k as RangeKeyword, val);
        if (!r.ok) bad(ctx, k, v, off, r.error);
        else
          options.push(
            r.suffix === undefined
              ? { kind: "range", keyword: k as RangeKeyword, range: r.range }
              : { kind: "range", keyword: k as RangeKeyword, range: r.range, suffix: r.suffix },
          );
        break;
      }
      if (isHttpMod || STICKY_SET.has(k) || (k.includes(".") && v === undefined && dialect !== "snort2")) {
        options.push(v === undefined ? { kind: "buffer", name: k } : { kind: "buffer", name: k, value: v });
        ctx.lastContent = undefined;
        break;
      }
      if (UNMODELED_SET.has(k) || k.includes(".")) {
        if (k === "content-list" || (k === "regex" && dialect === "snort2")) {
          bad(ctx, k, v, off, `'${k}' was removed from Snort`, "SNORT_UNKNOWN_OPTION");
          break;
        }
        add("SNORT_UNMODELED_OPTION", "info", `'${k}' is kept verbatim (no typed model)`, off);
        options.push(v === undefined ? { kind: "raw", keyword: k } : { kind: "raw", keyword: k, value: v });
        break;
      }
      add("SNORT_UNKNOWN_OPTION", opts.strict ? "error" : "warning", `unknown option '${k}'`, off);
      options.push(v === undefined ? { kind: "raw", keyword: k } : { kind: "raw", keyword: k, value: v });
    }
  }
}

function parseModifier(
  name: string,
  value: string | undefined,
  snort3 = false,
): { ok: true; value: ContentModifier } | { ok: false; error: string } {
  switch (name) {
    case "nocase":
    case "rawbytes":
    case "startswith":
    case "endswith":
      return value === undefined ? { ok: true, value: { name } } : { ok: false, error: `${name} takes no value` };
    case "offset":
    case "depth":
    case "distance":
    case "within": {
      if (value === undefined) return { ok: false, error: `${name} needs a value` };
      const n = parseInteger(value);
      if (n !== undefined) {
        if ((name === "offset" || name === "depth" || name === "within") && n < 0 && name !== "offset") {
          return { ok: false, error: `${name} must not be negative` };
        }
        return { ok: true, value: { name, value: n } };
      }
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) return { ok: true, value: { name, value } };
      return { ok: false, error: `bad ${name} value '${value}'` };
    }
    case "fast_pattern": {
      if (value === undefined) return { ok: true, value: { name } };
      if (value === "only") return { ok: true, value: { name, only: true } };
      const m = /^(\d+)\s*,\s*(\d+)$/.exec(value);
      if (m) return { ok: true, value: { name, offset: Number(m[1]), length: Number(m[2]) } };
      return { ok: false, error: `bad fast_pattern value '${value}'` };
    }
    case "fast_pattern_offset":
    case "fast_pattern_length": {
      const n = value === undefined ? undefined : parseInteger(value);
      if (n === undefined || n < 0) return { ok: false, error: `bad ${name}` };
      return { ok: true, value: { name, value: n } };
    }
    case "http_encode":
      if (value === undefined || snort3) return { ok: false, error: "http_encode needs a value" };
      return { ok: true, value: { name, value } };
    default:
      if (HTTP_MODIFIER_SET.has(name) && value === undefined && !snort3) {
        return { ok: true, value: { name: name as HttpModifierName } };
      }
      return { ok: false, error: `unknown content modifier '${name}'` };
  }
}

/**
 * Parse one rule, returning a `Result` instead of throwing.
 * @param text - the rule text
 * @param opts - see {@link ParseRuleOptions}
 * @returns `{ ok: true, value: rule }` when no error diagnostic was produced, else a SNORT_RULE_INVALID error whose
 *   `details.diagnostics` lists the problems
 */
export function safeParseRule(text: string, opts: ParseRuleOptions = {}): Result<Rule, SnortRulesError> {
  const r = parseRuleWithDiagnostics(text, opts);
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (r.rule && errors.length === 0) return { ok: true, value: r.rule };
  const first = errors[0];
  return {
    ok: false,
    error: new SnortRulesError(first?.code ?? "SNORT_RULE_INVALID", first?.message ?? "not a rule", {
      diagnostics: r.diagnostics,
    }),
  };
}

/**
 * Parse one rule.
 * @param text - the rule text, e.g. `alert tcp any any -> any 80 (msg:"x"; sid:1;)`
 * @param opts - see {@link ParseRuleOptions}
 * @returns the rule
 * @throws {SnortRulesError} the code of the first error diagnostic (e.g. SNORT_BAD_CONTENT) when the rule is invalid
 * @example
 * parseRule('alert tcp any any -> any 80 (msg:"x"; content:"GET"; nocase; sid:1;)').msg // "x"
 */
export function parseRule(text: string, opts: ParseRuleOptions = {}): Rule {
  const r = safeParseRule(text, opts);
  if (!r.ok) throw r.error;
  return r.value;
}
