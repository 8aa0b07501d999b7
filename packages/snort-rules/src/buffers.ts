/** Which inspection buffer each payload option of a rule looks at (Snort 2 modifiers vs sticky buffers). */
import { HTTP_MODIFIERS } from "./keywords.ts";
import { PCRE_BUFFER_FLAGS } from "./options/pcre.ts";
import type { ContentOption, Dialect, HttpModifierName, PcreOption, Rule, RuleOption } from "./types.ts";

/** Payload options: the ones evaluated against a buffer, in order. */
export type PayloadOption = Extract<
  RuleOption,
  { kind: "content" | "pcre" | "byte_test" | "byte_jump" | "byte_extract" | "isdataat" }
>;

/** One payload option with the buffer it inspects (`pkt_data` = the normalised packet payload). */
export interface PayloadMatch {
  option: PayloadOption;
  /** index of the option in `rule.options` */
  index: number;
  /** buffer name: `pkt_data`, `file_data`, `http_uri`, `http.uri`, … */
  buffer: string;
}

const PAYLOAD_KINDS = new Set(["content", "pcre", "byte_test", "byte_jump", "byte_extract", "isdataat"]);

/** Whether a rule's dialect treats `http_*` keywords as sticky buffers. */
export function httpBuffersAreSticky(dialect: Dialect): boolean {
  return dialect === "snort3";
}

/** The Snort 2 style buffer modifier of a content (uricontent counts as http_uri), if any. */
export function contentModifierBuffer(c: ContentOption): HttpModifierName | undefined {
  for (const m of c.modifiers) {
    if ((HTTP_MODIFIERS as readonly string[]).includes(m.name)) return m.name as HttpModifierName;
  }
  return c.keyword === "uricontent" ? "http_uri" : undefined;
}

/** The buffer a pcre selects with its flags (U, I, P, H, D, M, C, K, S, Y, B), if any. */
export function pcreFlagBuffer(p: PcreOption): string | undefined {
  for (const f of p.flags) {
    const b = PCRE_BUFFER_FLAGS[f];
    if (b) return b;
  }
  return undefined;
}

function isRelative(o: PayloadOption): boolean {
  if (o.kind === "isdataat") return o.relative;
  if (o.kind === "byte_test" || o.kind === "byte_jump" || o.kind === "byte_extract")
    return o.flags.includes("relative");
  return false;
}

/**
 * List the payload options of a rule in order, each with the buffer it inspects, following the rule's dialect:
 * sticky buffers (`file_data;`, Snort 3 `http_uri;`, Suricata `http.uri;`) apply to every following payload
 * option; Snort 2 `http_*` modifiers and `uricontent` apply to their content only; pcre buffer flags to their pcre;
 * in Snort 2 / Suricata a relative pcre (`R`), isdataat or byte_* inspects the buffer of the previous match.
 * @param rule - a parsed rule
 * @returns the payload matches in source order
 * @example
 * payloadMatches(parseRule('alert tcp any any -> any 80 (uricontent:"/x"; sid:1;)'))[0]?.buffer // "http_uri"
 */
export function payloadMatches(rule: Rule): PayloadMatch[] {
  const out: PayloadMatch[] = [];
  const cursorFollowsMatch = !httpBuffersAreSticky(rule.dialect);
  let sticky = "pkt_data";
  let previous: string | undefined;
  rule.options.forEach((o, index) => {
    if (o.kind === "buffer") {
      sticky = o.name;
      previous = undefined;
      return;
    }
    if (!PAYLOAD_KINDS.has(o.kind)) return;
    const option = o as PayloadOption;
    let buffer = sticky;
    if (option.kind === "content") buffer = contentModifierBuffer(option) ?? sticky;
    else if (option.kind === "pcre")
      buffer =
        pcreFlagBuffer(option) ?? (cursorFollowsMatch && option.flags.includes("R") && previous ? previous : sticky);
    else if (cursorFollowsMatch && previous && isRelative(option)) buffer = previous;
    out.push({ option, index, buffer });
    previous = buffer;
  });
  return out;
}
