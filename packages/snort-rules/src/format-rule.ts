/** Rule AST -> canonical rule text (inverse of parseRule), in the rule's own or another dialect. */
import { contentModifierBuffer, httpBuffersAreSticky, pcreFlagBuffer } from "./buffers.ts";
import { formatAddressExpr, formatPortExpr } from "./header.ts";
import { HTTP_MODIFIERS } from "./keywords.ts";
import { escapeValue } from "./lexer.ts";
import { formatByteOption } from "./options/byte.ts";
import { formatTcpFlags } from "./options/flags.ts";
import { escapeUnquoted, formatFlowbits, formatThreshold } from "./options/misc.ts";
import { formatPcre, PCRE_BUFFER_FLAGS } from "./options/pcre.ts";
import { formatRange } from "./options/range.ts";
import type { ContentModifier, ContentOption, Dialect, Rule, RuleOption } from "./types.ts";

/** Options of {@link formatRule}. */
export interface FormatRuleOptions {
  /** output dialect; defaults to the rule's own dialect */
  dialect?: Dialect;
  /** write a disabled rule as `# …` (default true) */
  commentDisabled?: boolean;
}

function modifierText(m: ContentModifier, snort3: boolean): string {
  const sep = snort3 ? " " : ":";
  switch (m.name) {
    case "offset":
    case "depth":
    case "distance":
    case "within":
    case "fast_pattern_offset":
    case "fast_pattern_length":
      return `${m.name}${sep}${m.value}`;
    case "http_encode":
    case "bsize":
      return `${m.name}${sep}${m.value}`;
    case "fast_pattern":
      if (m.only) return snort3 ? "fast_pattern" : "fast_pattern:only";
      if (m.offset !== undefined && m.length !== undefined) {
        return snort3
          ? `fast_pattern,fast_pattern_offset ${m.offset},fast_pattern_length ${m.length}`
          : `fast_pattern:${m.offset},${m.length}`;
      }
      return "fast_pattern";
    default:
      return m.name;
  }
}

function contentText(c: ContentOption, snort3: boolean, dropHttp: boolean): string {
  const keyword = snort3 && c.keyword === "uricontent" ? "content" : c.keyword;
  const mods = c.modifiers.filter((m) => !(dropHttp && (HTTP_MODIFIERS as readonly string[]).includes(m.name)));
  const head = `${keyword}:${c.negated ? "!" : ""}"${c.text}"`;
  if (snort3) return [head, ...mods.map((m) => modifierText(m, true))].join(",");
  return [head, ...mods.map((m) => modifierText(m, false))].join("; ");
}

/** Text of one option (no trailing `;`). Content modifiers follow their content. */
export function formatOption(o: RuleOption, dialect: Dialect = "snort2", sourceDialect: Dialect = dialect): string {
  switch (o.kind) {
    case "msg":
      return `msg:"${escapeValue(o.value)}"`;
    case "sid":
    case "rev":
    case "gid":
    case "priority":
      return `${o.kind}:${o.value}`;
    case "classtype":
      return `classtype:${o.value}`;
    case "reference":
      return `reference:${o.system},${escapeUnquoted(o.id)}`;
    case "metadata":
      return `metadata:${o.entries.map(([k, v]) => escapeUnquoted(v ? `${k} ${v}` : k)).join(",")}`;
    case "service":
      return `service:${o.services.join(",")}`;
    case "content":
      return contentText(o, dialect === "snort3", false);
    case "pcre":
      return `pcre:${formatPcre(o)}`;
    case "flow":
      return `flow:${o.flags.join(",")}`;
    case "flags":
      return `flags:${formatTcpFlags(o)}`;
    case "fragbits":
      return `fragbits:${o.modifier ?? ""}${o.bits}`;
    case "range": {
      let r = formatRange(o.range);
      if (o.keyword === "dsize" && o.range.op === "<>" && dialect === "snort3" && sourceDialect !== "snort3") {
        r = r.replace("<>", "<=>");
      }
      return `${o.keyword}:${r}${o.suffix !== undefined ? `,${o.suffix}` : ""}`;
    }
    case "ipopts":
      return `ipopts:${o.value}`;
    case "ip_proto":
      return `ip_proto:${o.op ?? ""}${o.proto}`;
    case "sameip":
      return "sameip";
    case "byte_test":
    case "byte_jump":
    case "byte_extract":
    case "isdataat":
      return `${o.kind}:${formatByteOption(o)}`;
    case "flowbits":
      return `flowbits:${formatFlowbits(o)}`;
    case "threshold":
    case "detection_filter":
      return `${o.kind}:${formatThreshold(o)}`;
    case "resp":
    case "react":
    case "tag":
      return o.args.length ? `${o.kind}:${o.args.join(",")}` : o.kind;
    case "buffer":
      return o.value === undefined ? o.name : `${o.name}:${o.value}`;
    case "raw":
      return o.value === undefined ? o.keyword : `${o.keyword}:${o.value}`;
  }
}

/** Options rewritten from Snort 2 modifier buffers to Snort 3 sticky buffers. */
function toSticky(options: RuleOption[]): string[] {
  const out: string[] = [];
  let current = "pkt_data";
  let s2sticky = "pkt_data";
  const switchTo = (b: string) => {
    if (b !== current) {
      out.push(b);
      current = b;
    }
  };
  for (const o of options) {
    if (o.kind === "buffer") {
      s2sticky = o.name;
      if (o.value !== undefined) {
        out.push(formatOption(o, "snort3"));
        current = o.name;
      } else switchTo(o.name);
      continue;
    }
    if (o.kind === "content") {
      switchTo(contentModifierBuffer(o) ?? s2sticky);
      out.push(contentText(o, true, true));
      continue;
    }
    if (
      o.kind === "pcre" ||
      o.kind === "byte_test" ||
      o.kind === "byte_jump" ||
      o.kind === "byte_extract" ||
      o.kind === "isdataat"
    ) {
      switchTo(s2sticky);
    }
    out.push(formatOption(o, "snort3", "snort2"));
  }
  return out;
}

const FLAG_FOR_BUFFER: Record<string, string> = Object.fromEntries(
  Object.entries(PCRE_BUFFER_FLAGS).map(([f, b]) => [b, f]),
);

/** Options rewritten from Snort 3 sticky buffers to Snort 2 content modifiers. */
function fromSticky(options: RuleOption[], dialect: Dialect): string[] {
  const out: string[] = [];
  let sticky = "pkt_data";
  let emitted = "pkt_data";
  for (const o of options) {
    if (o.kind === "buffer") {
      sticky = o.name;
      if (!(HTTP_MODIFIERS as readonly string[]).includes(o.name) && o.name !== emitted) {
        out.push(formatOption(o, dialect));
        emitted = o.name;
      }
      continue;
    }
    const isHttp = (HTTP_MODIFIERS as readonly string[]).includes(sticky);
    if (o.kind === "content" && isHttp) {
      out.push(contentText({ ...o, modifiers: [...o.modifiers, { name: sticky as never }] }, false, false));
      continue;
    }
    if (o.kind === "pcre" && isHttp && FLAG_FOR_BUFFER[sticky] && pcreFlagBuffer(o) === undefined) {
      out.push(formatOption({ ...o, flags: o.flags + FLAG_FOR_BUFFER[sticky] }, dialect));
      continue;
    }
    out.push(formatOption(o, dialect, "snort3"));
  }
  return out;
}

/**
 * Write a rule as canonical text: `action proto src sport dir dst dport (opt; opt; …)`. Formatting in the rule's
 * own dialect is the exact inverse of {@link parseRule}; another dialect converts buffer keywords (Snort 2
 * `content:"x"; http_uri;` <-> Snort 3 `http_uri; content:"x";`), content modifiers (separate options <->
 * `,suboption`) and Snort 2 inclusive `dsize:a<>b` -> Snort 3 `a<=>b`.
 * @param rule - the rule
 * @param opts - output dialect, comment style for disabled rules
 * @returns one line of rule text
 * @example
 * formatRule(parseRule('alert tcp any any -> any 80 (content:"a"; nocase; sid:1;)'), { dialect: "snort3" })
 * // 'alert tcp any any -> any 80 (content:"a",nocase; sid:1;)'
 */
export function formatRule(rule: Rule, opts: FormatRuleOptions = {}): string {
  const dialect = opts.dialect ?? rule.dialect;
  const header = [rule.action, rule.protocol];
  if (rule.src && rule.srcPort && rule.direction && rule.dst && rule.dstPort) {
    header.push(
      formatAddressExpr(rule.src),
      formatPortExpr(rule.srcPort),
      rule.direction,
      formatAddressExpr(rule.dst),
      formatPortExpr(rule.dstPort),
    );
  }
  let parts: string[];
  const fromS = httpBuffersAreSticky(rule.dialect);
  const toS = httpBuffersAreSticky(dialect);
  if (fromS === toS) parts = rule.options.map((o) => formatOption(o, dialect, rule.dialect));
  else if (toS) parts = toSticky(rule.options);
  else parts = fromSticky(rule.options, dialect);
  const body = parts.map((p) => `${p};`).join(" ");
  const text = `${header.join(" ")} (${body})`;
  return rule.disabled && opts.commentDisabled !== false ? `# ${text}` : text;
}
