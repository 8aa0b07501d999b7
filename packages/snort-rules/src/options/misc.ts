/** Small option families: reference, metadata, service, flowbits, threshold/detection_filter, ip_proto, ipopts. */
import type { RuleOption } from "../types.ts";
import { parseInteger } from "./range.ts";

type Out<T> = { ok: true; value: T } | { ok: false; error: string };

/** Split `system,id` on the first comma; the id keeps its text with `\;` unescaped. */
export function parseReference(value: string): Out<Extract<RuleOption, { kind: "reference" }>> {
  const comma = value.indexOf(",");
  if (comma <= 0) return { ok: false, error: "reference needs '<system>,<id>'" };
  const system = value.slice(0, comma).trim();
  const id = unescapeSemis(value.slice(comma + 1).trim());
  if (!/^[A-Za-z0-9_.-]+$/.test(system) || id === "") return { ok: false, error: `bad reference '${value}'` };
  return { ok: true, value: { kind: "reference", system, id } };
}

function unescapeSemis(s: string): string {
  return s.includes("\\") ? s.replace(/\\([;\\"])/g, "$1") : s;
}

/** Escape `;`, `"` and `\` of an unquoted value. */
export function escapeUnquoted(s: string): string {
  return s.replace(/[\\;"]/g, (m) => `\\${m}`);
}

/** `metadata:key value, key value` -> pairs (value may contain blanks). */
export function parseMetadata(value: string): Out<Extract<RuleOption, { kind: "metadata" }>> {
  const entries: [string, string][] = [];
  for (const part of unescapeSemis(value).split(",")) {
    const t = part.trim();
    if (!t) return { ok: false, error: "empty metadata entry" };
    const sp = t.search(/\s/);
    entries.push(sp < 0 ? [t, ""] : [t.slice(0, sp), t.slice(sp + 1).trim()]);
  }
  return { ok: true, value: { kind: "metadata", entries } };
}

/** Snort 3 `service:http,ssl`. */
export function parseService(value: string): Out<Extract<RuleOption, { kind: "service" }>> {
  const services = value.split(",").map((s) => s.trim());
  if (services.some((s) => !/^[A-Za-z0-9_.-]+$/.test(s))) return { ok: false, error: `bad service list '${value}'` };
  return { ok: true, value: { kind: "service", services } };
}

const FLOWBITS_OPS = ["set", "setx", "unset", "toggle", "isset", "isnotset", "reset", "noalert"];
const BIT_NAME = /^[A-Za-z0-9_.-]+$/;

/** `flowbits:<op>[,<name>[&|<name>…]][,<group>]`. */
export function parseFlowbits(value: string): Out<Extract<RuleOption, { kind: "flowbits" }>> {
  const [opText = "", target, group, ...extra] = value.split(",").map((s) => s.trim());
  const op = opText.toLowerCase();
  if (!FLOWBITS_OPS.includes(op) || extra.length > 0) return { ok: false, error: `bad flowbits '${value}'` };
  const out: Extract<RuleOption, { kind: "flowbits" }> = { kind: "flowbits", op, names: [] };
  if (target !== undefined) {
    const joiner = target.includes("&") ? "&" : target.includes("|") ? "|" : undefined;
    const names = joiner ? target.split(joiner).map((s) => s.trim()) : [target];
    if (names.some((n) => !BIT_NAME.test(n)) || (target.includes("&") && target.includes("|"))) {
      return { ok: false, error: `bad flowbit name '${target}'` };
    }
    out.names = names;
    if (joiner) out.joiner = joiner;
  } else if (op !== "noalert" && op !== "reset") return { ok: false, error: `flowbits:${op} needs a name` };
  if (group !== undefined) {
    if (!BIT_NAME.test(group)) return { ok: false, error: `bad flowbits group '${group}'` };
    out.group = group;
  }
  return { ok: true, value: out };
}

/** Canonical text of a flowbits value. */
export function formatFlowbits(o: Extract<RuleOption, { kind: "flowbits" }>): string {
  const parts = [o.op];
  if (o.names.length) parts.push(o.names.join(o.joiner ?? "&"));
  if (o.group !== undefined) parts.push(o.group);
  return parts.join(",");
}

/** `threshold:type limit, track by_src, count 1, seconds 60` / `detection_filter:track …, count …, seconds …`. */
export function parseThreshold(
  kind: "threshold" | "detection_filter",
  value: string,
): Out<Extract<RuleOption, { kind: "threshold" | "detection_filter" }>> {
  const kv = new Map<string, string>();
  for (const part of value.split(",")) {
    const m = /^\s*(\w+)\s+(\S+)\s*$/.exec(part);
    if (!m || kv.has(m[1] as string)) return { ok: false, error: `bad ${kind} '${value}'` };
    kv.set(m[1] as string, m[2] as string);
  }
  const type = kv.get("type");
  const track = kv.get("track");
  const count = parseInteger(kv.get("count") ?? "");
  const seconds = parseInteger(kv.get("seconds") ?? "");
  const allowedKeys = kind === "threshold" ? ["type", "track", "count", "seconds"] : ["track", "count", "seconds"];
  if (
    [...kv.keys()].some((k) => !allowedKeys.includes(k)) ||
    (kind === "threshold" && !(type === "limit" || type === "threshold" || type === "both")) ||
    !(track === "by_src" || track === "by_dst" || track === "by_rule" || track === "by_both") ||
    count === undefined ||
    count < 0 ||
    seconds === undefined ||
    seconds < 0
  ) {
    return { ok: false, error: `bad ${kind} '${value}'` };
  }
  const out: Extract<RuleOption, { kind: "threshold" | "detection_filter" }> = { kind, track, count, seconds };
  if (type === "limit" || type === "threshold" || type === "both") out.type = type;
  return { ok: true, value: out };
}

/** Canonical text of a threshold / detection_filter value. */
export function formatThreshold(o: Extract<RuleOption, { kind: "threshold" | "detection_filter" }>): string {
  return `${o.type ? `type ${o.type},` : ""}track ${o.track},count ${o.count},seconds ${o.seconds}`;
}

/** `ip_proto:[!|<|>]<name|number>`. */
export function parseIpProto(value: string): Out<Extract<RuleOption, { kind: "ip_proto" }>> {
  const m = /^([!<>])?\s*([A-Za-z0-9_.-]+)$/.exec(value.trim());
  if (!m) return { ok: false, error: `bad ip_proto '${value}'` };
  const n = parseInteger(m[2] as string);
  if (n !== undefined && (n < 0 || n > 255)) return { ok: false, error: `bad ip_proto '${value}'` };
  if (n === undefined && !/^[A-Za-z][A-Za-z0-9_.-]*$/.test(m[2] as string))
    return { ok: false, error: `bad ip_proto '${value}'` };
  const out: Extract<RuleOption, { kind: "ip_proto" }> = {
    kind: "ip_proto",
    proto: n ?? (m[2] as string).toLowerCase(),
  };
  if (m[1]) out.op = m[1] as "!" | "<" | ">";
  return { ok: true, value: out };
}

/** Accepted `ipopts` values. */
export const IPOPTS = ["rr", "eol", "nop", "ts", "sec", "esec", "lsrr", "lsrre", "ssrr", "satid", "any"];
