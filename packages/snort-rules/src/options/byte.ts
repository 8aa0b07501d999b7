/** `byte_test`, `byte_jump`, `byte_extract` and `isdataat` values. */
import type { ByteFlag, RuleOption } from "../types.ts";
import { parseInteger } from "./range.ts";

type Out<T> = { ok: true; value: T } | { ok: false; error: string };

const BARE_FLAGS: readonly ByteFlag[] = [
  "relative",
  "big",
  "little",
  "string",
  "hex",
  "dec",
  "oct",
  "dce",
  "align",
  "from_beginning",
  "from_end",
];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OPERATORS = ["<", ">", "=", "&", "^", "<=", ">="];

/** A number or a byte_extract variable name. */
function numOrVar(s: string): number | string | undefined {
  const n = parseInteger(s);
  if (n !== undefined) return n;
  return NAME.test(s.trim()) ? s.trim() : undefined;
}

function splitArgs(value: string): string[] {
  return value.split(",").map((s) => s.trim());
}

interface Extras {
  flags: ByteFlag[];
  kv: Map<string, string>;
}

/** Parse trailing `flag` / `key value` arguments. */
function extras(args: string[], keys: readonly string[], allowed: readonly ByteFlag[]): Out<Extras> {
  const flags: ByteFlag[] = [];
  const kv = new Map<string, string>();
  for (const a of args) {
    const sp = a.search(/\s/);
    const k = sp < 0 ? a : a.slice(0, sp);
    if (sp >= 0) {
      if (!keys.includes(k) || kv.has(k)) return { ok: false, error: `unexpected argument '${a}'` };
      kv.set(k, a.slice(sp + 1).trim());
    } else {
      if (!(allowed as readonly string[]).includes(k) || flags.includes(k as ByteFlag)) {
        return { ok: false, error: `unexpected argument '${a}'` };
      }
      flags.push(k as ByteFlag);
    }
  }
  return { ok: true, value: { flags, kv } };
}

function kvNumber(kv: Map<string, string>, k: string): number | undefined | null {
  const v = kv.get(k);
  if (v === undefined) return undefined;
  return parseInteger(v) ?? null;
}

/** Parse a `byte_test` value. */
export function parseByteTest(value: string): Out<Extract<RuleOption, { kind: "byte_test" }>> {
  const [b = "", opText = "", v = "", off = "", ...rest] = splitArgs(value);
  const bytes = parseInteger(b);
  if (bytes === undefined || bytes < 1 || bytes > 10) return { ok: false, error: `bad byte count '${b}'` };
  let op = opText;
  let negated = false;
  if (op.startsWith("!")) {
    negated = true;
    op = op.slice(1) || "=";
  }
  if (!OPERATORS.includes(op)) return { ok: false, error: `bad operator '${opText}'` };
  const val = numOrVar(v);
  const offset = numOrVar(off);
  if (val === undefined || offset === undefined) return { ok: false, error: "bad value or offset" };
  const ex = extras(
    rest,
    ["bitmask"],
    BARE_FLAGS.filter((f) => f !== "align" && !f.startsWith("from_")),
  );
  if (!ex.ok) return ex;
  const out: Extract<RuleOption, { kind: "byte_test" }> = {
    kind: "byte_test",
    bytes,
    negated,
    operator: op,
    value: val,
    offset,
    flags: ex.value.flags,
  };
  const bm = kvNumber(ex.value.kv, "bitmask");
  if (bm === null) return { ok: false, error: "bad bitmask" };
  if (bm !== undefined) out.bitmask = bm;
  return { ok: true, value: out };
}

/** Parse a `byte_jump` value. */
export function parseByteJump(value: string): Out<Extract<RuleOption, { kind: "byte_jump" }>> {
  const [b = "", off = "", ...rest] = splitArgs(value);
  const bytes = numOrVar(b);
  const offset = numOrVar(off);
  if (bytes === undefined || offset === undefined) return { ok: false, error: "bad byte count or offset" };
  const ex = extras(rest, ["multiplier", "post_offset", "bitmask"], BARE_FLAGS);
  if (!ex.ok) return ex;
  const out: Extract<RuleOption, { kind: "byte_jump" }> = { kind: "byte_jump", bytes, offset, flags: ex.value.flags };
  const mul = kvNumber(ex.value.kv, "multiplier");
  const bm = kvNumber(ex.value.kv, "bitmask");
  const po = ex.value.kv.get("post_offset");
  if (mul === null || bm === null) return { ok: false, error: "bad multiplier or bitmask" };
  if (mul !== undefined) out.multiplier = mul;
  if (po !== undefined) {
    const p = numOrVar(po);
    if (p === undefined) return { ok: false, error: "bad post_offset" };
    out.postOffset = p;
  }
  if (bm !== undefined) out.bitmask = bm;
  return { ok: true, value: out };
}

/** Parse a `byte_extract` value. */
export function parseByteExtract(value: string): Out<Extract<RuleOption, { kind: "byte_extract" }>> {
  const [b = "", off = "", name = "", ...rest] = splitArgs(value);
  const bytes = parseInteger(b);
  const offset = numOrVar(off);
  if (bytes === undefined || offset === undefined || !NAME.test(name)) {
    return { ok: false, error: "bad byte count, offset or name" };
  }
  const ex = extras(
    rest,
    ["multiplier", "align", "bitmask"],
    BARE_FLAGS.filter((f) => f !== "align" && !f.startsWith("from_")),
  );
  if (!ex.ok) return ex;
  const out: Extract<RuleOption, { kind: "byte_extract" }> = {
    kind: "byte_extract",
    bytes,
    offset,
    name,
    flags: ex.value.flags,
  };
  const mul = kvNumber(ex.value.kv, "multiplier");
  const al = kvNumber(ex.value.kv, "align");
  const bm = kvNumber(ex.value.kv, "bitmask");
  if (mul === null || al === null || bm === null) return { ok: false, error: "bad multiplier, align or bitmask" };
  if (mul !== undefined) out.multiplier = mul;
  if (al !== undefined) out.alignTo = al;
  if (bm !== undefined) out.bitmask = bm;
  return { ok: true, value: out };
}

/** Parse an `isdataat` value (`[!]<n>[,relative][,rawbytes]`). */
export function parseIsdataat(value: string): Out<Extract<RuleOption, { kind: "isdataat" }>> {
  const [first = "", ...rest] = splitArgs(value);
  let t = first;
  const negated = t.startsWith("!");
  if (negated) t = t.slice(1).trim();
  const v = numOrVar(t);
  if (v === undefined || (typeof v === "number" && v < 0)) return { ok: false, error: `bad isdataat '${value}'` };
  let relative = false;
  let rawbytes = false;
  for (const r of rest) {
    if (r === "relative" && !relative) relative = true;
    else if (r === "rawbytes" && !rawbytes) rawbytes = true;
    else return { ok: false, error: `unexpected argument '${r}'` };
  }
  return { ok: true, value: { kind: "isdataat", negated, value: v, relative, rawbytes } };
}

/** Canonical text of a byte_test / byte_jump / byte_extract / isdataat value. */
export function formatByteOption(
  o: Extract<RuleOption, { kind: "byte_test" | "byte_jump" | "byte_extract" | "isdataat" }>,
): string {
  switch (o.kind) {
    case "byte_test": {
      const parts = [
        String(o.bytes),
        `${o.negated ? "!" : ""}${o.operator}`,
        String(o.value),
        String(o.offset),
        ...o.flags,
      ];
      if (o.bitmask !== undefined) parts.push(`bitmask 0x${o.bitmask.toString(16)}`);
      return parts.join(",");
    }
    case "byte_jump": {
      const parts = [String(o.bytes), String(o.offset), ...o.flags];
      if (o.multiplier !== undefined) parts.push(`multiplier ${o.multiplier}`);
      if (o.postOffset !== undefined) parts.push(`post_offset ${o.postOffset}`);
      if (o.bitmask !== undefined) parts.push(`bitmask 0x${o.bitmask.toString(16)}`);
      return parts.join(",");
    }
    case "byte_extract": {
      const parts = [String(o.bytes), String(o.offset), o.name, ...o.flags];
      if (o.multiplier !== undefined) parts.push(`multiplier ${o.multiplier}`);
      if (o.alignTo !== undefined) parts.push(`align ${o.alignTo}`);
      if (o.bitmask !== undefined) parts.push(`bitmask 0x${o.bitmask.toString(16)}`);
      return parts.join(",");
    }
    case "isdataat":
      return [
        `${o.negated ? "!" : ""}${o.value}`,
        ...(o.relative ? ["relative"] : []),
        ...(o.rawbytes ? ["rawbytes"] : []),
      ].join(",");
  }
}
