import { addrWords, type Cidr, cidrContains, parseCidr } from "./cidr.ts";
import { PsadError } from "./errors.ts";
import type { Packet } from "./packet.ts";
import type { Result } from "./types.ts";

/** Packet fields psad accepts in --CSV-fields / --analysis-fields. */
export const CSV_FIELD_NAMES: readonly string[] = [
  "src_mac",
  "dst_mac",
  "intf",
  "src",
  "dst",
  "proto",
  "ip_len",
  "ip_opts",
  "ip_id",
  "ttl",
  "tos",
  "frag_bit",
  "is_ipv6",
  "tc",
  "hop_limit",
  "flow_label",
  "itype",
  "icode",
  "icmp_seq",
  "icmp_id",
  "sp",
  "dp",
  "win",
  "flags",
  "tcp_seq",
  "tcp_ack",
  "tcp_opts",
  "udp_len",
  "fwsnort_sid",
  "fwsnort_rnum",
  "fwsnort_estab",
  "is_topera",
  "is_masscan",
  "is_mirai",
  "is_port_sweep",
  "chain",
  "log_prefix",
  "dshield_str",
  "syslog_host",
  "timestamp",
];

const ALIASES: Record<string, string> = {
  SRC: "src",
  DST: "dst",
  SPT: "sp",
  DPT: "dp",
  PROTO: "proto",
  TOS: "tos",
  WIN: "win",
  TYPE: "itype",
  CODE: "icode",
  TTL: "ttl",
  ID: "ip_id",
  SEQ: "icmp_seq",
  LEN: "ip_len",
  IN: "intf",
  OUT: "intf",
};

/** Count modifier of a field (gnuplot mode). */
export type CountMode =
  | "count"
  | "countuniq"
  | "countday"
  | "counthour"
  | "countmin"
  | "countdayuniq"
  | "counthouruniq"
  | "countminuniq"
  | "countabs";

/** One parsed `field[:criteria][,count]` token. */
export interface CsvField {
  name: string;
  criteria: Criterion | undefined;
  count: CountMode | undefined;
}

/** A field criterion. */
export type Criterion =
  | { kind: "num"; op: "=" | ">" | "<"; value: number; not: boolean }
  | { kind: "regex"; re: RegExp; not: boolean }
  | { kind: "exact"; value: string; not: boolean }
  | { kind: "net"; net: Cidr; not: boolean };

const COUNTS = new Set<string>([
  "count",
  "countuniq",
  "countday",
  "counthour",
  "countmin",
  "countdayuniq",
  "counthouruniq",
  "countminuniq",
  "countabs",
]);

function invalid(message: string, details: Record<string, unknown>): Result<never, PsadError> {
  return { ok: false, error: new PsadError("PSAD_CSV_FIELD_INVALID", message, details) };
}

function parseCriterion(text: string, field: string): Criterion | string {
  let t = text;
  let not = false;
  if (t.startsWith("not")) {
    not = true;
    t = t.slice(3);
  }
  const rm = /^\/(.*)\/$/.exec(t);
  if (rm) {
    try {
      return { kind: "regex", re: new RegExp(rm[1] as string), not };
    } catch {
      return `bad regex ${t}`;
    }
  }
  const em = /^'(.*)'$/.exec(t);
  if (em) return { kind: "exact", value: em[1] as string, not };
  const nm = /^([<>]?)(\d+)$/.exec(t);
  if (nm) return { kind: "num", op: (nm[1] || "=") as "=", value: Number(nm[2]), not };
  if (field === "src" || field === "dst") {
    const net = parseCidr(t);
    if (net) return { kind: "net", net, not };
  }
  return `unrecognised criterion ${text} for ${field}`;
}

/**
 * Parse psad's `--CSV-fields` / `--analysis-fields` string (whitespace-separated `field[:criteria]`
 * tokens, trailing commas removed). With `requireCriteria` (analysis fields) each token needs one.
 * Returns PSAD_CSV_FIELD_INVALID ("… valid fields are: …") for unknown fields.
 */
export function parseCsvFields(
  spec: string,
  options: { requireCriteria?: boolean } = {},
): Result<CsvField[], PsadError> {
  const out: CsvField[] = [];
  let counted = 0;
  for (const raw of spec.split(/\s+/).filter(Boolean)) {
    const tok = raw.replace(/,$/, "");
    const c = tok.indexOf(":");
    const nameRaw = c < 0 ? tok : tok.slice(0, c);
    let rest = c < 0 ? "" : tok.slice(c + 1);
    const name = ALIASES[nameRaw] ?? nameRaw;
    if (!CSV_FIELD_NAMES.includes(name))
      return invalid(`${nameRaw} is not a valid packet field; valid fields are: ${CSV_FIELD_NAMES.join(" ")}`, {
        field: nameRaw,
      });
    let count: CountMode | undefined;
    const parts = rest.split(",");
    const last = parts[parts.length - 1] ?? "";
    if (COUNTS.has(last)) {
      count = last as CountMode;
      parts.pop();
      rest = parts.join(",");
      counted++;
    }
    let criteria: Criterion | undefined;
    if (rest) {
      const cr = parseCriterion(rest, name);
      if (typeof cr === "string") return invalid(cr, { field: nameRaw });
      criteria = cr;
    } else if (options.requireCriteria) return invalid(`${nameRaw} needs a criterion`, { field: nameRaw });
    out.push({ name, criteria, count });
  }
  if (counted > 1) return invalid("only one counted field is allowed", {});
  return { ok: true, value: out };
}

/** The value of a CSV field for a packet (psad's representation). */
export function csvValue(pkt: Packet, name: string): string {
  switch (name) {
    case "log_prefix":
      return pkt.log_prefix.replace(/\W/g, "");
    case "frag_bit":
    case "is_ipv6":
    case "fwsnort_estab":
    case "is_topera":
    case "is_masscan":
    case "is_mirai":
      return (pkt as unknown as Record<string, boolean>)[name] ? "1" : "0";
    case "is_port_sweep":
      return "0";
    case "dshield_str":
      return dshieldFields(pkt);
    default: {
      const v = (pkt as unknown as Record<string, unknown>)[name];
      return v === undefined ? "" : String(v);
    }
  }
}

function dshieldFields(pkt: Packet): string {
  const icmp = pkt.proto === "icmp" || pkt.proto === "icmp6";
  const sp = icmp ? pkt.itype : pkt.sp;
  const dp = icmp ? pkt.icode : pkt.dp;
  const proto = pkt.proto === "tcp" ? "6" : pkt.proto === "udp" ? "17" : icmp ? "1" : pkt.proto;
  let s = `${pkt.src}\t${sp}\t${pkt.dst}\t${dp}\t${proto}`;
  if (pkt.proto === "tcp") s += `\t${pkt.flags.replace(/ /g, ",")}`;
  return s;
}

/** True when the packet satisfies a field's criterion (fields without one always match). */
export function matchCriterion(pkt: Packet, f: CsvField): boolean {
  const c = f.criteria;
  if (!c) return true;
  const v = csvValue(pkt, f.name);
  let ok: boolean;
  switch (c.kind) {
    case "num": {
      if (!/^-?\d+$/.test(v)) return false;
      const n = Number(v);
      ok = c.op === "=" ? n === c.value : c.op === ">" ? n > c.value : n < c.value;
      break;
    }
    case "regex":
      ok = c.re.test(v);
      break;
    case "exact":
      ok = v === c.value;
      break;
    case "net": {
      const a = addrWords(v);
      ok = a ? cidrContains(c.net, a.v6, a.words) : false;
      break;
    }
  }
  return c.not ? !ok : ok;
}

/** Options of {@link createCsvWriter} (psad's --CSV-* flags). */
export interface CsvOptions {
  fields?: CsvField[];
  /** --CSV-regex (applied to the raw line). */
  regex?: RegExp;
  /** --CSV-neg-regex */
  negRegex?: RegExp;
  /** --CSV-max-lines N: print N lines (psad prints N-1). */
  maxLines?: number;
  /** --CSV-unique-lines */
  uniqueLines?: boolean;
  /** Separator, default ", ". */
  separator?: string;
}

const DEFAULT_FIELDS = "timestamp src dst sp dp proto flags ip_len intf chain log_prefix";

/** Streaming CSV writer: feed packets with their raw line; returns the CSV line or undefined. */
export interface CsvWriter {
  line(pkt: Packet, raw: string): string | undefined;
  /** With uniqueLines: the distinct lines in first-seen order. */
  finish(): string[];
  /** True once maxLines lines were produced. */
  readonly done: boolean;
}

/** Create a CSV writer (psad --CSV). */
export function createCsvWriter(options: CsvOptions = {}): CsvWriter {
  const fieldsR = options.fields ? { ok: true as const, value: options.fields } : parseCsvFields(DEFAULT_FIELDS);
  if (!fieldsR.ok) throw fieldsR.error;
  const fields = fieldsR.value;
  const sep = options.separator ?? ", ";
  const uniq = new Set<string>();
  let n = 0;
  const w: CsvWriter = {
    done: false,
    line(pkt: Packet, raw: string) {
      if (w.done) return undefined;
      if (options.regex && !options.regex.test(raw)) return undefined;
      if (options.negRegex?.test(raw)) return undefined;
      for (const f of fields) if (!matchCriterion(pkt, f)) return undefined;
      const s = fields.map((f) => csvValue(pkt, f.name)).join(sep);
      n++;
      if (options.maxLines !== undefined && n >= options.maxLines) (w as { done: boolean }).done = true;
      if (options.uniqueLines) {
        uniq.add(s);
        return undefined;
      }
      return s;
    },
    finish() {
      return [...uniq];
    },
  };
  return w;
}

/** Render CSV for a set of (packet, raw line) pairs (convenience over {@link createCsvWriter}). */
export function renderCsv(rows: Iterable<{ pkt: Packet; raw: string }>, options: CsvOptions = {}): string[] {
  const w = createCsvWriter(options);
  const out: string[] = [];
  for (const r of rows) {
    const l = w.line(r.pkt, r.raw);
    if (l !== undefined) out.push(l);
    if (w.done) break;
  }
  return options.uniqueLines ? w.finish() : out;
}
