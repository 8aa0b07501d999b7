/**
 * Snort rule set → fwsnort chains (spec §4–§8): the pure translation core. Default behaviour is correct
 * (spec §16.1 fixes); `compat: true` reproduces fwsnort 1.6.8 line for line (used to measure agreement).
 */
import {
  type AddrExpr,
  type AddressSet,
  addressSet,
  addressSetToCidrs,
  type ContentOption,
  type Interval,
  type PortExpr,
  parseAddressExpr,
  parseRuleset,
  portSet,
  type Rule,
  type RuleEntry,
  type RuleOption,
  resolveAddressExpr,
  resolvePortExpr,
  ruleFileType,
  type VariableTable,
} from "@fwkit/snort-rules";
import { type Capabilities, capabilities as mkCaps } from "./capabilities.ts";
import { defaultFwsnortConfig, type FwsnortConfig } from "./config.ts";
import {
  compatPcrePatterns,
  contentPattern,
  type Pattern,
  pcreLiteralPattern,
  soundPcreLiterals,
} from "./translate-pattern.ts";
import { byteTestU32 } from "./translate-u32.ts";
import type {
  ChainLayout,
  Family,
  FileCounts,
  FwsnortChain,
  FwsnortWarning,
  IptRule,
  SkipCode,
  SkippedRule,
  TargetMode,
  TranslatedRule,
  Translation,
} from "./types.ts";

/** A built-in chain. */
type Builtin = "INPUT" | "FORWARD" | "OUTPUT";

/** Which rules to translate (fwsnort's selection options, spec §2/§4). */
export interface TranslateSelection {
  /** `--include-type`: only files `<type>.rules` */
  includeTypes?: readonly string[];
  /** `--exclude-type` */
  excludeTypes?: readonly string[];
  /** `--include-regex`: keep only raw rule lines matching (others are not counted) */
  includeRegex?: RegExp;
  /** `--exclude-regex`: drop raw rule lines matching (not counted) */
  excludeRegex?: RegExp;
  /** `--snort-sid`: translate only these sids (others count as Fail, like fwsnort) */
  sids?: readonly number[];
  /** `--exclude-sid` */
  excludeSids?: readonly number[];
  /** `--add-deleted`: also translate files whose path contains `deleted.rules` */
  addDeleted?: boolean;
}

/** Options of {@link translateRuleset}. Every field is optional; defaults follow fwsnort's defaults. */
export interface TranslateOptions {
  /** fwsnort.conf (default: the Debian defaults) */
  config?: FwsnortConfig;
  /** 4 (iptables, default) or 6 (`-6`) */
  family?: Family;
  /** `log` (default), `drop` (`--ipt-drop`), `reject` (`--ipt-reject`), `queue` (`--QUEUE`), `nfqueue` (`--NFQUEUE`) */
  target?: TargetMode;
  /** `--queue-num` for nfqueue (0 = none) */
  queueNum?: number;
  /** reproduce fwsnort 1.6.8 exactly, bugs included (spec §16.1); default false = correct output */
  compat?: boolean;
  /** capability overrides on top of the `--no-ipt-test` defaults (spec §10) */
  capabilities?: Partial<Capabilities>;
  /** `--Home-net` / `--External-net` overrides (effective here, unlike the original) */
  homeNet?: string;
  externalNet?: string;
  selection?: TranslateSelection;
  /** local interface networks for fwsnort's `is_local()` chain choice (default none, like an empty netns) */
  localAddresses?: readonly string[];
  /** `--no-ipt-log` (only the DROP/REJECT rules; needs target drop or reject) */
  noLog?: boolean;
  /** `--log-ip-options` (default true; `--no-log-ip-opts`) */
  logIpOptions?: boolean;
  /** `--log-tcp-options` (default true; `--no-log-tcp-opts`) */
  logTcpOptions?: boolean;
  /** `--ipt-log-tcp-seq` */
  logTcpSequence?: boolean;
  /** `-m comment` (default true; `--no-ipt-comments`) */
  comments?: boolean;
  /** `[N] ` in the log prefix (default true; `--no-ipt-rule-nums`) */
  ruleNumbers?: boolean;
  /** `--string-match-alg` (default `bm`) */
  stringAlgo?: "bm" | "kmp";
  /** `_ESTAB` chains via conntrack (default true; `--no-ipt-conntrack` = false) */
  conntrack?: boolean;
  /** built-in chains to populate (default all; `--no-ipt-INPUT` …) */
  builtins?: readonly Builtin[];
  /** `--Ulog` (compat: ULOG target; default mode: NFLOG) and its netlink group */
  ulog?: boolean;
  ulogGroup?: number;
  /** `--no-pcre`: every pcre is untranslatable */
  noPcre?: boolean;
  /** `--no-fast-pattern-order` */
  noFastPatternOrder?: boolean;
  /** `--no-exclude-lo` = false */
  excludeLoopback?: boolean;
  /** `--restrict-intf` */
  restrictInterfaces?: readonly string[];
  /** value appended to comments as `FWS:<v>;` (default `1.6.8`, which keeps psad/fwsnort tooling happy) */
  version?: string;
}

/** One input rules file. */
export interface RulesFileInput {
  /** path (its basename is the file name in reports; its type drives include/exclude-type) */
  path: string;
  text: string;
}

const MAC_HDR_LEN = 14;

const UNSUPPORTED_KINDS = new Set([
  "byte_test",
  "byte_jump",
  "byte_extract",
  "flowbits",
  "isdataat",
  "threshold",
  "detection_filter",
  "sameip",
  "tag",
  "fragbits",
]);
const UNSUPPORTED_RANGES = new Set(["id", "seq", "ack", "icmp_seq", "icmp_id", "window"]);
const UNSUPPORTED_RAW = new Set([
  "asn1",
  "rpc",
  "ftpbounce",
  "base64_decode",
  "base64_data",
  "content-list",
  "regex",
  "file_data",
  "replace",
]);
const IGNORED_RAW = new Set([
  "rawbytes",
  "logto",
  "session",
  "react",
  "http_uri",
  "http_raw_uri",
  "http_method",
  "http_stat_code",
  "http_stat_msg",
  "http_client_body",
  "http_cookie",
  "urilen",
  "metadata",
]);
/** Application-layer header protocols that run over TCP only. */
const TCP_APP_PROTOS = new Set(["http", "ftp", "smtp", "ssh", "tls", "ssl", "imap", "pop3", "smb", "telnet", "http2"]);

const IPV4_RE = /(?:[0-2]?\d{1,2}\.){3}[0-2]?\d{1,2}/;
const IPV4_RE_G = /(?:[0-2]?\d{1,2}\.){3}[0-2]?\d{1,2}/g;

interface Ctx {
  o: TranslateOptions;
  compat: boolean;
  family: Family;
  caps: Capabilities;
  cfg: FwsnortConfig;
  /** raw variable table for snort-rules resolution (with overrides) */
  vars: VariableTable;
  /** expanded values (fwsnort's %config) for compat header handling */
  expanded: Map<string, string>;
  builtins: Set<Builtin>;
  counters: Record<Builtin, number>;
  target: TargetMode;
  version: string;
  /** per-run memo of header resolutions (same variables → same result) */
  cache: Map<string, unknown>;
}

interface Skip {
  skip: true;
  code: SkipCode;
  message: string;
  details?: Record<string, unknown>;
  /** counted as Fail (true) or as Success with no rule (false; fwsnort's empty translations) */
  fail: boolean;
}

interface Built {
  skip: false;
  rules: IptRule[];
  warnings: FwsnortWarning[];
  /** fwsnort counted it as Success but nothing was emitted */
  empty: boolean;
}

// ----------------------------------------------------------------------------------------------- helpers

function skip(code: SkipCode, message: string, details: Record<string, unknown> = {}, fail = true): Skip {
  return { skip: true, code, message, details, fail };
}

function isHexAlnum(s: string): boolean {
  return /^[A-Za-z0-9]+$/.test(s);
}

/** fwsnort's logprefix regexes over ` <options> ` (spec §7.11); compiled once (no `g` flag: no state). */
const LOG_FIELD_RES: readonly (readonly [string, RegExp])[] = [
  ["sid", /[\s;]sid:\s*(\d+)\s*;/],
  ["msg", /[\s;]msg:\s*"(.*?)"\s*;/],
  ["classtype", /[\s;]classtype:\s*(.*?)\s*;/],
  ["reference", /[\s;]reference:\s*(.*?)\s*;/],
  ["priority", /[\s;]priority:\s*(\d+)\s*;/],
  ["rev", /[\s;]rev:\s*(\d+)\s*;/],
];
const COMMENT_KEYS = ["sid", "msg", "classtype", "reference", "priority", "rev"] as const;

function logFields(optText: string | undefined, rule: Rule): Record<string, string> {
  const out: Record<string, string> = {};
  if (optText !== undefined) {
    for (const [k, re] of LOG_FIELD_RES) {
      const m = re.exec(optText);
      if (m) out[k] = m[1] as string;
    }
    return out;
  }
  if (rule.sid !== undefined) out.sid = String(rule.sid);
  if (rule.msg !== undefined) out.msg = rule.msg;
  if (rule.classtype !== undefined) out.classtype = rule.classtype;
  const ref = rule.references[0];
  if (ref) out.reference = `${ref.system},${ref.id}`.split(";")[0] as string;
  if (rule.priority !== undefined) out.priority = String(rule.priority);
  if (rule.rev !== undefined) out.rev = String(rule.rev);
  return out;
}

function buildComment(fields: Record<string, string>, version: string): string {
  let c = "";
  for (const k of COMMENT_KEYS) {
    if (fields[k] !== undefined) c += `${k}:${fields[k]}; `;
  }
  // = c.replace(/\s*$/, "").replace(/,$/, "") (JS `\s` is exactly the trim white space set)
  c = c.trimEnd();
  if (c.endsWith(",")) c = c.slice(0, -1);
  c += ` FWS:${version};`;
  // = .replace(/"/g, "").replace(/\/\*/g, "").replace(/\*\//g, ""), each step only when it can change something
  if (c.includes('"')) c = c.replace(/"/g, "");
  if (c.includes("/*")) c = c.replace(/\/\*/g, "");
  if (c.includes("*/")) c = c.replace(/\*\//g, "");
  return c;
}

function portsIntervalsText(ivs: Interval<number>[]): string[] {
  return ivs.map(([a, b]) => (a === b ? String(a) : `${a}:${b}`));
}

function weight(ivs: Interval<number>[]): number {
  return ivs.reduce((n, [a, b]) => n + (a === b ? 1 : 2), 0);
}

function complementPorts(ivs: Interval<number>[]): Interval<number>[] {
  const out: Interval<number>[] = [];
  let next = 0;
  for (const [a, b] of ivs) {
    if (a > next) out.push([next, a - 1]);
    next = b + 1;
  }
  if (next <= 65535) out.push([next, 65535]);
  return out;
}

function chunkPorts(ivs: Interval<number>[], max: number): Interval<number>[][] {
  const out: Interval<number>[][] = [];
  let cur: Interval<number>[] = [];
  let w = 0;
  for (const iv of ivs) {
    const x = iv[0] === iv[1] ? 1 : 2;
    if (w + x > max && cur.length) {
      out.push(cur);
      cur = [];
      w = 0;
    }
    cur.push(iv);
    w += x;
  }
  if (cur.length) out.push(cur);
  return out;
}

/** A port constraint alternative: argv words (several alternatives = several rules). */
function portAlternatives(ivs: Interval<number>[], dir: "s" | "d", max: number): string[][] {
  if (ivs.length === 1 && (ivs[0] as Interval<number>)[0] === 0 && (ivs[0] as Interval<number>)[1] === 65535)
    return [[]];
  const comp = complementPorts(ivs);
  // single ports / ranges written like Snort and fwsnort (`:1023`, `1024:`), which iptables accepts as is
  const single = (iv: Interval<number>) =>
    iv[0] === iv[1] ? String(iv[0]) : `${iv[0] === 0 ? "" : iv[0]}:${iv[1] === 65535 ? "" : iv[1]}`;
  if (ivs.length === 1) return [[`--${dir}port`, single(ivs[0] as Interval<number>)]];
  if (comp.length === 1) return [["!", `--${dir}port`, single(comp[0] as Interval<number>)]];
  if (weight(ivs) <= max && weight(ivs) <= weight(comp)) {
    return [["-m", "multiport", `--${dir}ports`, portsIntervalsText(ivs).join(",")]];
  }
  if (weight(comp) <= max) return [["-m", "multiport", "!", `--${dir}ports`, portsIntervalsText(comp).join(",")]];
  if (weight(ivs) <= weight(comp)) {
    return chunkPorts(ivs, max).map((c) => ["-m", "multiport", `--${dir}ports`, portsIntervalsText(c).join(",")]);
  }
  return [
    chunkPorts(comp, max).flatMap((c) => ["-m", "multiport", "!", `--${dir}ports`, portsIntervalsText(c).join(",")]),
  ];
}

/** Does an (unresolved) address expression denote the home network (references $HOME_NET, not negated)? */
function refersHome(e: AddrExpr, vars: VariableTable, depth = 0): boolean {
  if (depth > 32) return false;
  if (e.kind === "var") {
    if (e.negated) return false;
    if (e.name === "HOME_NET") return true;
    const v = vars.get(e.name);
    if (v === undefined) return false;
    const p = parseAddressExpr(v);
    return p.ok ? refersHome(p.value, vars, depth + 1) : false;
  }
  if (e.kind === "list")
    return !e.negated && e.items.length > 0 && e.items.every((i) => refersHome(i, vars, depth + 1));
  return false;
}

function familySet(s: AddressSet, fam: Family): Interval<bigint>[] {
  return fam === 4 ? s.v4 : s.v6;
}

/** Address clause alternatives for one side: `[[]]` = no constraint; `[]` = nothing of this family. */
function addressAlternatives(
  e: AddrExpr,
  vars: VariableTable,
  fam: Family,
  flag: "-s" | "-d",
): { ok: true; alts: string[][] } | { ok: false; code: SkipCode; message: string } {
  const r = resolveAddressExpr(e, vars);
  if (!r.ok) return { ok: false, code: "FWSNORT_PARSE_ERROR", message: r.error.message };
  const set = addressSet(r.value);
  if (!set.ok) return { ok: false, code: "FWSNORT_PARSE_ERROR", message: set.error.message };
  const ivs = familySet(set.value, fam);
  const max = fam === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n;
  if (ivs.length === 1 && (ivs[0] as Interval<bigint>)[0] === 0n && (ivs[0] as Interval<bigint>)[1] === max) {
    return { ok: true, alts: [[]] };
  }
  if (ivs.length === 0) return { ok: true, alts: [] };
  const pos = addressSetToCidrs(fam === 4 ? { v4: ivs, v6: [] } : { v4: [], v6: ivs });
  const posList = fam === 4 ? pos.v4 : pos.v6;
  const neg = addressSet({ kind: "list", negated: true, items: [r.value] });
  if (neg.ok) {
    const nivs = familySet(neg.value, fam);
    const n = addressSetToCidrs(fam === 4 ? { v4: nivs, v6: [] } : { v4: [], v6: nivs });
    const negList = fam === 4 ? n.v4 : n.v6;
    if (negList.length === 1 && posList.length > 1) return { ok: true, alts: [["!", flag, negList[0] as string]] };
  }
  if (posList.length > 256) {
    return { ok: false, code: "FWSNORT_UNSUPPORTED_VALUE", message: `address set needs ${posList.length} CIDR blocks` };
  }
  return { ok: true, alts: posList.map((c) => [flag, c.replace(fam === 4 ? /\/32$/ : /\/128$/, "")]) };
}

const FLAG_ORDER: [string, string][] = [
  ["U", "URG"],
  ["A", "ACK"],
  ["P", "PSH"],
  ["R", "RST"],
  ["S", "SYN"],
  ["F", "FIN"],
];

// ----------------------------------------------------------------------------------------------- translator

interface Header {
  action: string;
  proto: string;
  /** alternatives per built-in chain: address words */
  chains: { builtin: Builtin; addr: string[] }[];
  /** port alternatives (each = argv words for sport+dport) */
  ports: string[][];
}

/** fwsnort's text-level header handling (compat mode, spec §5 / §7.1). */
function compatHeader(
  hdrText: string,
  raw: string,
  ctx: Ctx,
  line: number,
): { ok: true; h: Header; portsAny: boolean } | Skip {
  const hm = /^\s*\w+\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)/i.exec(hdrText);
  const bad = () => skip("FWSNORT_PARSE_ERROR", `Unrecognized rule header: "${hdrText}" at line: ${line}, skipping.`);
  if (!hm) return bad();
  const action = /^\s*pass/.test(hdrText) ? "pass" : /^\s*log/.test(hdrText) ? "log" : "alert";
  let proto = (hm[1] as string).toLowerCase();
  if (!/^\w+$/.test(proto)) return bad();
  const hsh: Record<string, string> = {
    src: hm[2] as string,
    sport: hm[3] as string,
    dst: hm[5] as string,
    dport: hm[6] as string,
  };
  if (ctx.family === 6 && (IPV4_RE.test(hsh.src as string) || IPV4_RE.test(hsh.dst as string))) {
    return skip(
      "FWSNORT_FAMILY_MISMATCH",
      `--ip6tables mode enabled but IPv4 address in rule variable at line: ${line}.`,
    );
  }
  if (ctx.family === 6 && proto === "icmp") {
    return skip(
      "FWSNORT_FAMILY_MISMATCH",
      `--ip6tables mode enabled, so excluding icmp (non-icmp6) siganture at line: ${line}.`,
    );
  }
  for (const k of ["src", "sport", "dst", "dport"]) {
    let val = hsh[k] as string;
    const neg = val.includes("!");
    let guard = 0;
    for (let m = /\$(\w+)/.exec(val); m; m = /\$(\w+)/.exec(val)) {
      const v = ctx.expanded.get(m[1] as string);
      if (v === undefined || ++guard > 64) {
        return skip("FWSNORT_PARSE_ERROR", `Undefined variable ${m[1]} in rule header at line: ${line}.`, {
          variable: m[1],
        });
      }
      val = v;
      if (ctx.family === 6 && IPV4_RE.test(val)) {
        return skip(
          "FWSNORT_FAMILY_MISMATCH",
          `--ip6tables mode enabled but IPv4 address in rule variable at line: ${line}.`,
        );
      }
    }
    hsh[k] = neg && !val.includes("!") ? `!${val}` : val;
  }
  for (const k of ["sport", "dport"]) {
    let v = (hsh[k] as string).replace("[", "").replace("]", "");
    if (v.includes(",")) {
      let ctr = 1;
      let s = "";
      for (const p of v.split(/\s*,\s*/)) {
        s += /\d+:$/.test(p) ? `${p}65535,` : `${p},`;
        ctr++;
        if (p.includes(":")) ctr++;
        if (ctr >= ctx.caps.multiportMax) break;
      }
      v = s.replace(/,$/, "");
    }
    hsh[k] = v;
  }
  const src = hsh.src as string;
  const dst = hsh.dst as string;
  const chains: { builtin: Builtin; addr: string[] }[] = [];
  const expand = (s: string): string[] => {
    const t = s.replace("]", "").replace("[", "");
    if (/any/i.test(t)) return ["0.0.0.0/0"];
    const out: string[] = [];
    for (const a of t.split(/\s*,\s*/)) {
      const m =
        /((?:[0-2]?\d{1,2}\.){3}[0-2]?\d{1,2}\/(?:[0-2]?\d{1,2}\.){3}[0-2]?\d{1,2})/.exec(a) ??
        /((?:[0-2]?\d{1,2}\.){3}[0-2]?\d{1,2}\/\d+)/.exec(a) ??
        /((?:[0-2]?\d{1,2}\.){3}[0-2]?\d{1,2})/.exec(a);
      if (m) out.push(m[1] as string);
    }
    return out;
  };
  const local = (a: string) => isLocal(a, ctx.o.localAddresses ?? []);
  const push = (b: Builtin, addr: string[]) => {
    if (ctx.builtins.has(b)) chains.push({ builtin: b, addr });
  };
  const words = (neg: string, flag: string, a: string) => (neg ? ["!", flag, a] : [flag, a]);
  if (/any/i.test(dst)) {
    if (/any/i.test(src)) {
      push(/\$HOME_NET.*->\s+\$EXTERNAL_NET/.test(raw) ? "OUTPUT" : "INPUT", []);
      push("FORWARD", []);
    } else {
      const neg = src.includes("!") ? "!" : "";
      for (const s of expand(src)) {
        push(local(s) ? "OUTPUT" : "INPUT", words(neg, "-s", s));
        push("FORWARD", words(neg, "-s", s));
      }
    }
  } else {
    const dsts = expand(dst);
    const negD = dst.includes("!") ? "!" : "";
    if (/any/i.test(src)) {
      for (const d of dsts) {
        push(local(d) ? "INPUT" : "OUTPUT", words(negD, "-d", d));
        push("FORWARD", words(negD, "-d", d));
      }
    } else {
      const negS = src.includes("!") ? "!" : "";
      for (const s of expand(src)) {
        for (const d of dsts) {
          const w = [...words(negS, "-s", s), ...words(negD, "-d", d)];
          push(local(d) ? "INPUT" : "OUTPUT", w);
          push("FORWARD", w);
        }
      }
    }
  }
  // INPUT drops exactly `-d HOME_NET`, OUTPUT exactly `-s HOME_NET`
  const home = ctx.expanded.get("HOME_NET") ?? "any";
  for (const c of chains) {
    const t = c.addr.join(" ");
    if ((c.builtin === "INPUT" && t === `-d ${home}`) || (c.builtin === "OUTPUT" && t === `-s ${home}`)) c.addr = [];
    if (/127\.0\.0\.\d\//.test(t))
      c.addr = [...(c.builtin === "OUTPUT" ? ["!", "-o", "lo"] : ["!", "-i", "lo"]), ...c.addr];
  }
  const portsAny = /any/i.test(hsh.sport as string) && /any/i.test(hsh.dport as string);
  if (!portsAny && proto !== "tcp" && proto !== "udp" && !/tcp/i.test(proto) && !/udp/i.test(proto)) proto = "tcp";
  const ports: string[] = [];
  for (const [k, flag] of [
    ["sport", "s"],
    ["dport", "d"],
  ] as const) {
    const v = hsh[k] as string;
    if (/any/i.test(v)) continue;
    const neg = v.includes("!");
    const port = v.replace(/!\s*(\d)/, "$1");
    if (port.includes(",")) ports.push("-m", "multiport", ...(neg ? ["!"] : []), `--${flag}ports`, port);
    else ports.push(...(neg ? ["!"] : []), `--${flag}port`, port);
  }
  return { ok: true, h: { action, proto, chains, ports: [ports] }, portsAny };
}

function isLocal(addr: string, locals: readonly string[]): boolean {
  const toNum = (ip: string) => ip.split(".").reduce((n, o) => n * 256 + (Number(o) & 255), 0);
  const parse = (a: string): [number, number] | undefined => {
    const m = /^((?:\d{1,3}\.){3}\d{1,3})(?:\/(\d+|(?:\d{1,3}\.){3}\d{1,3}))?$/.exec(a);
    if (!m) return undefined;
    const ip = toNum(m[1] as string);
    let bits = 32;
    if (m[2] !== undefined) {
      if (m[2].includes(".")) {
        const mask = toNum(m[2]);
        bits = 32 - Math.log2(2 ** 32 - mask);
        if (!Number.isInteger(bits)) bits = 32;
      } else bits = Math.min(32, Number(m[2]));
    }
    return [ip, bits];
  };
  const a = parse(addr);
  if (!a) return false;
  for (const l of locals) {
    const b = parse(l);
    if (!b) continue;
    if (a[1] < b[1]) continue;
    const shift = 32 - b[1];
    if (Math.floor(a[0] / 2 ** shift) === Math.floor(b[0] / 2 ** shift)) return true;
  }
  return false;
}

type AddrAlt = ReturnType<typeof addressAlternatives>;

/**
 * A cache key for a header expression: the common shapes (`any`, `$VAR`, one address / port) without
 * JSON.stringify; lists and ranges fall back to JSON (prefixes keep the shapes apart).
 */
function exprKey(e: AddrExpr | PortExpr): string {
  switch (e.kind) {
    case "any":
      return "*";
    case "var":
      return e.negated ? `!$${e.name}` : `$${e.name}`;
    case "ip":
      return e.negated ? `!@${e.text}` : `@${e.text}`;
    case "port":
      return e.negated ? `!#${e.port}` : `#${e.port}`;
    default:
      return JSON.stringify(e);
  }
}

function cachedAddr(ctx: Ctx, e: AddrExpr, flag: "-s" | "-d"): AddrAlt {
  const key = `${flag}${exprKey(e)}`;
  let v = ctx.cache.get(key) as AddrAlt | undefined;
  if (!v) {
    v = addressAlternatives(e, ctx.vars, ctx.family, flag);
    ctx.cache.set(key, v);
  }
  return v;
}

function cachedHome(ctx: Ctx, e: AddrExpr): boolean {
  const key = `H${exprKey(e)}`;
  let v = ctx.cache.get(key) as boolean | undefined;
  if (v === undefined) {
    v = refersHome(e, ctx.vars);
    ctx.cache.set(key, v);
  }
  return v;
}

/** Chain + address words for every (source, destination) alternative pair (default mode). */
function headerChains(
  ctx: Ctx,
  srcAlts: string[][],
  dstAlts: string[][],
  srcHome: boolean,
  dstHome: boolean,
): { builtin: Builtin; addr: string[] }[] {
  const b: Builtin = srcHome && !dstHome ? "OUTPUT" : "INPUT";
  const chains: { builtin: Builtin; addr: string[] }[] = [];
  for (const x of srcAlts) {
    for (const y of dstAlts) {
      const addr = [...x, ...y];
      const lo = /^127\./.test(addr.join(" ").replace(/^.*?-[sd] /, "")) || addr.some((w) => /^127\./.test(w));
      for (const bi of ["FORWARD", b] as Builtin[]) {
        if (!ctx.builtins.has(bi)) continue;
        chains.push({
          builtin: bi,
          addr: lo ? [...(bi === "OUTPUT" ? ["!", "-o", "lo"] : ["!", "-i", "lo"]), ...addr] : addr,
        });
      }
    }
  }
  return chains;
}

/** Correct header handling (default mode): exact sets, both directions for `<>`, chain choice from HOME_NET. */
function defaultHeader(rule: Rule, ctx: Ctx, line: number): { ok: true; hs: Header[] } | Skip {
  if (!rule.src || !rule.dst || !rule.srcPort || !rule.dstPort) {
    return skip("FWSNORT_UNSUPPORTED_VALUE", `rule without a full header (Snort 3 service rule) at line: ${line}`);
  }
  let proto = rule.protocol.toLowerCase();
  if (TCP_APP_PROTOS.has(proto)) proto = "tcp";
  if (!["tcp", "udp", "icmp", "ip"].includes(proto)) {
    return skip("FWSNORT_UNSUPPORTED_VALUE", `unsupported protocol '${rule.protocol}' at line: ${line}`, {
      protocol: rule.protocol,
    });
  }
  if (ctx.family === 6 && proto === "icmp") {
    return skip("FWSNORT_FAMILY_MISMATCH", `icmp (IPv4) rule not translated for ip6tables at line: ${line}`);
  }
  const action = rule.action === "pass" ? "pass" : rule.action === "log" ? "log" : "alert";
  const hs: Header[] = [];
  let anyFamily = false;
  const n = rule.direction === "<>" ? 2 : 1;
  for (let k = 0; k < n; k++) {
    const r =
      k === 0
        ? directionHeader(ctx, proto, rule.src, rule.srcPort, rule.dst, rule.dstPort)
        : directionHeader(ctx, proto, rule.dst, rule.dstPort, rule.src, rule.srcPort);
    if (r === undefined) continue;
    if ("code" in r) return skip(r.code, `${r.message} at line: ${line}`);
    anyFamily = true;
    hs.push({ action, proto, chains: r.chains, ports: r.ports });
  }
  if (!anyFamily) {
    return skip("FWSNORT_FAMILY_MISMATCH", `no IPv${ctx.family} addresses in the rule header at line: ${line}`);
  }
  return { ok: true, hs };
}

/** One direction of a header: chains + port words, an error, or undefined (no address of this family). */
type DirectionHeader =
  | { chains: { builtin: Builtin; addr: string[] }[]; ports: string[][] }
  | { code: SkipCode; message: string }
  | undefined;

/**
 * The header words of one direction. They depend only on (protocol, source, source port, destination,
 * destination port) and the context, so they are computed once per distinct header and shared (never mutated).
 */
function directionHeader(
  ctx: Ctx,
  proto: string,
  s: AddrExpr,
  sp: PortExpr,
  d: AddrExpr,
  dp: PortExpr,
): DirectionHeader {
  const ported = proto === "tcp" || proto === "udp";
  const key = ported
    ? `D${proto}\u0000${exprKey(s)}\u0000${exprKey(sp)}\u0000${exprKey(d)}\u0000${exprKey(dp)}`
    : `D${proto}\u0000${exprKey(s)}\u0000${exprKey(d)}`;
  if (ctx.cache.has(key)) return ctx.cache.get(key) as DirectionHeader;
  const r = computeDirectionHeader(ctx, ported, s, sp, d, dp);
  ctx.cache.set(key, r);
  return r;
}

function computeDirectionHeader(
  ctx: Ctx,
  ported: boolean,
  s: AddrExpr,
  sp: PortExpr,
  d: AddrExpr,
  dp: PortExpr,
): DirectionHeader {
  const sa = cachedAddr(ctx, s, "-s");
  if (!sa.ok) return { code: sa.code, message: sa.message };
  const da = cachedAddr(ctx, d, "-d");
  if (!da.ok) return { code: da.code, message: da.message };
  if (sa.alts.length === 0 || da.alts.length === 0) return undefined;
  const chains = headerChains(ctx, sa.alts, da.alts, cachedHome(ctx, s), cachedHome(ctx, d));
  let ports: string[][] = [[]];
  if (ported) {
    const alts: string[][][] = [];
    for (const [pe, dir] of [
      [sp, "s"],
      [dp, "d"],
    ] as const) {
      const r = resolvePortExpr(pe, ctx.vars);
      const set = r.ok ? portSet(r.value) : r;
      if (!set.ok) return { code: "FWSNORT_PARSE_ERROR", message: set.error.message };
      if (set.value.length === 0) return { code: "FWSNORT_EMPTY_TRANSLATION", message: "empty port set" };
      alts.push(portAlternatives(set.value, dir, ctx.caps.multiportMax));
    }
    ports = [];
    for (const a of alts[0] as string[][]) for (const b2 of alts[1] as string[][]) ports.push([...a, ...b2]);
  }
  return { chains, ports };
}

function numVal(v: number | string | undefined): number | undefined {
  return typeof v === "number" ? v : undefined;
}

/** The ordered pattern list (spec §7.3/§7.6); undefined entries signal a skip. */
function collectPatterns(rule: Rule, ctx: Ctx, line: number, sid: number): Pattern[] | Skip {
  const pats: Pattern[] = [];
  const queue = ctx.target === "queue" || ctx.target === "nfqueue";
  for (const opt of rule.options) {
    if (opt.kind === "content") {
      const c = opt as ContentOption;
      if (c.bytes.length === 0) return skip("FWSNORT_PARSE_ERROR", `empty content at line: ${line}`);
      const p = contentPattern(c.text, c.bytes.length);
      if (!ctx.compat && !p.hex && !isHexAlnum(p.ipt)) Object.assign(p, { hex: true });
      p.negated = c.negated;
      const tooLong = ctx.compat
        ? p.length >= ctx.caps.stringMax || p.length >= ctx.cfg.maxStringLen
        : p.length > ctx.caps.stringMax || p.length >= ctx.cfg.maxStringLen;
      if (tooLong) {
        return skip("FWSNORT_PATTERN_TOO_LONG", `SID: ${sid}, pattern too long: ${c.negated ? "!" : ""}"${c.text}"`, {
          length: p.length,
        });
      }
      let seen = 0; // bit per positional keyword (offset, depth, distance, within)
      for (const m of c.modifiers) {
        if (m.name === "nocase") p.nocase = true;
        else if (m.name === "fast_pattern") p.fastPattern = true;
        else if (m.name === "offset" || m.name === "depth" || m.name === "distance" || m.name === "within") {
          const bit = m.name === "offset" ? 1 : m.name === "depth" ? 2 : m.name === "distance" ? 4 : 8;
          if (seen & bit) return skip("FWSNORT_UNSUPPORTED_VALUE", `SID: ${sid}, duplicate keyword: ${m.name}`);
          seen |= bit;
          const v = numVal(m.value);
          if (v === undefined) {
            return skip("FWSNORT_UNSUPPORTED_VALUE", `SID: ${sid}, ${m.name} uses a byte_extract variable`, {
              keyword: m.name,
            });
          }
          p[m.name] = v;
        }
      }
      pats.push(p);
    } else if (opt.kind === "pcre") {
      if (ctx.o.noPcre) {
        if (queue) continue;
        return skip("FWSNORT_PCRE_UNTRANSLATABLE", `SID: ${sid}, unsupported complex pcre: ${opt.pattern}`);
      }
      if (ctx.compat) {
        const ps = compatPcrePatterns(opt);
        if (!ps) {
          if (queue) continue;
          return skip("FWSNORT_PCRE_UNTRANSLATABLE", `SID: ${sid}, unsupported complex pcre: ${opt.pattern}`, {
            pcre: opt.pattern,
          });
        }
        pats.push(...ps);
      } else {
        const lit = soundPcreLiterals(opt);
        if (!lit) {
          if (queue) continue;
          return skip("FWSNORT_PCRE_UNTRANSLATABLE", `SID: ${sid}, unsupported complex pcre: ${opt.pattern}`, {
            pcre: opt.pattern,
          });
        }
        for (const b of lit.literals) {
          if (b.length > ctx.caps.stringMax) continue;
          const p = pcreLiteralPattern(b);
          p.nocase = lit.nocase;
          pats.push(p);
        }
      }
    }
  }
  return pats;
}

/** fwsnort's offset arithmetic (spec §7.4), compat mode. Returns undefined-or-skip. */
function compatOffsets(pats: Pattern[], hdrLen: number, sid: number): Skip | undefined {
  const out: { from?: number; to?: number }[] = [];
  for (let i = 0; i < pats.length; i++) {
    const p = pats[i] as Pattern;
    const prev = i > 0 ? (pats[i - 1] as Pattern) : undefined;
    const H = hdrLen + MAC_HDR_LEN;
    let off = p.offset !== undefined ? p.offset + H : undefined;
    let depth = p.depth !== undefined ? p.depth + H : undefined;
    let dist = p.distance !== undefined ? p.distance + H : undefined;
    let within = p.within !== undefined ? p.within + H : undefined;
    if (depth !== undefined) {
      if (p.offset !== undefined) depth += p.offset;
      else if (p.distance !== undefined) depth += p.distance;
      if ((p.depth as number) < p.length) {
        return skip(
          "FWSNORT_UNSUPPORTED_VALUE",
          `SID: ${sid}, depth: ${p.depth} less than pattern length: ${p.length}`,
        );
      }
    }
    if (dist !== undefined && prev) {
      dist += prev.length + (prev.offset ?? 0);
    }
    if (within !== undefined) {
      if (p.offset !== undefined) within += p.offset;
      else if (p.distance !== undefined) within += p.distance;
      if (prev) within += prev.length + (prev.offset ?? 0);
    }
    off ??= dist;
    depth ??= within;
    const o: { from?: number; to?: number } = {};
    if (off !== undefined) o.from = off;
    if (depth !== undefined) o.to = depth;
    out.push(o);
  }
  pats.forEach((p, i) => {
    (p as Pattern & { win?: { from?: number; to?: number } }).win = out[i];
  });
  return undefined;
}

/** Header-length bounds (IP + L4) for the correct arithmetic. */
function hdrBounds(proto: string, family: Family): { min: number; max: number } {
  const ip = family === 4 ? { min: 20, max: 60 } : { min: 40, max: 40 };
  const l4 =
    proto === "tcp"
      ? { min: 20, max: 60 }
      : proto === "udp" || proto === "icmp"
        ? { min: 8, max: 8 }
        : { min: 0, max: 60 };
  return { min: ip.min + l4.min, max: ip.max + l4.max };
}

/**
 * Correct offset handling (default mode): windows relative to the IP header with the header-length range, so
 * no packet the Snort rule matches is missed; relative matches chain their bounds through the previous pattern.
 */
function correctOffsets(
  pats: Pattern[],
  proto: string,
  family: Family,
  sid: number,
  warnings: string[],
): Skip | undefined {
  const hb = hdrBounds(proto, family);
  let prevMinStart = 0;
  let prevMaxEnd = Number.POSITIVE_INFINITY;
  let prevLen = 0;
  let approx = false;
  for (let i = 0; i < pats.length; i++) {
    const p = pats[i] as Pattern & { win?: { from?: number; to?: number } };
    if (p.depth !== undefined && p.depth < p.length) {
      return skip("FWSNORT_UNSUPPORTED_VALUE", `SID: ${sid}, depth: ${p.depth} less than pattern length: ${p.length}`);
    }
    let minStart = 0;
    let maxEnd = Number.POSITIVE_INFINITY;
    const relative = p.distance !== undefined || p.within !== undefined;
    if (p.fromPcre) {
      // no position semantics
    } else if (relative) {
      if (i > 0) {
        minStart = Math.max(0, prevMinStart + prevLen + (p.distance ?? 0));
        // Snort 2: the `within` window starts after `distance` (as for offset/depth)
        if (p.within !== undefined && Number.isFinite(prevMaxEnd))
          maxEnd = prevMaxEnd + Math.max(0, p.distance ?? 0) + p.within;
      }
      approx = true;
    } else {
      minStart = p.offset ?? 0;
      if (p.depth !== undefined) maxEnd = (p.offset ?? 0) + p.depth;
    }
    const positional = p.offset !== undefined || p.depth !== undefined || relative;
    if (p.negated && positional) {
      // a negated content's window cannot be bounded soundly: drop the constraint (superset)
      (p as { drop?: boolean }).drop = true;
      warnings.push("negated content with a position constraint dropped");
    } else {
      const win: { from?: number; to?: number } = {};
      if (positional && minStart > 0) win.from = hb.min + minStart;
      else if (p.offset !== undefined) win.from = hb.min + minStart;
      if (Number.isFinite(maxEnd)) win.to = Math.min(65535, hb.max + maxEnd);
      if (win.to !== undefined && win.to < (win.from ?? hb.min) + p.length) delete win.to; // unsatisfiable: keep superset
      p.win = win;
      if (positional && hb.min !== hb.max) approx = true;
    }
    if (!p.negated) {
      prevMinStart = minStart;
      prevMaxEnd = maxEnd;
      prevLen = p.length;
    }
  }
  if (approx) warnings.push("content positions widened to the IP/transport header-length range");
  return undefined;
}

/** fwsnort's pattern ordering (spec §7.5). */
function orderPatterns(pats: Pattern[], noFpOrder: boolean): Pattern[] {
  if (pats.length === 0) return pats;
  let idx = noFpOrder ? 0 : pats.findIndex((p) => p.fastPattern);
  if (idx < 0) {
    let maxLen = 0;
    idx = 0;
    for (let i = 0; i < pats.length; i++) {
      const p = pats[i] as Pattern;
      if (p.length > maxLen) {
        if (p.distance !== undefined || p.within !== undefined) continue;
        const n = pats[i + 1];
        if (n && (n.distance !== undefined || n.within !== undefined)) continue;
        maxLen = p.length;
        idx = i;
      }
    }
  }
  return [pats[idx] as Pattern, ...pats.filter((_, i) => i !== idx)];
}

function stringArgs(pats: Pattern[], algo: string, queueMax: number | undefined): string[] {
  const out: string[] = [];
  let n = 0;
  for (const p of pats as (Pattern & { win?: { from?: number; to?: number }; drop?: boolean })[]) {
    if (p.drop) continue;
    if (queueMax !== undefined && n >= queueMax) break;
    n++;
    out.push("-m", "string", ...(p.negated ? ["!"] : []), p.hex ? "--hex-string" : "--string", p.ipt, "--algo", algo);
    if (p.win?.from !== undefined) out.push("--from", String(p.win.from));
    if (p.win?.to !== undefined) out.push("--to", String(p.win.to));
    if (p.nocase) out.push("--icase");
  }
  return out;
}

/** The transport protocol a header maps to in default mode (app-layer protocols over tcp). */
function headerProto(rule: Rule): string {
  const p = rule.protocol.toLowerCase();
  return TCP_APP_PROTOS.has(p) ? "tcp" : p;
}

/** Per-rule option analysis shared by both modes. */
function optionChecks(rule: Rule, ctx: Ctx, line: number, sid: number): Skip | undefined {
  const queue = ctx.target === "queue" || ctx.target === "nfqueue";
  if (!queue) {
    const unsupported: string[] = [];
    for (const o of rule.options) {
      let name: string | undefined;
      if (
        o.kind === "byte_test" &&
        !ctx.compat &&
        ctx.family === 4 &&
        byteTestU32(o, headerProto(rule)) !== undefined
      ) {
        name = undefined; // expressed with -m u32 (buildRules)
      } else if (UNSUPPORTED_KINDS.has(o.kind)) name = o.kind;
      else if (o.kind === "range" && UNSUPPORTED_RANGES.has(o.keyword)) name = o.keyword;
      else if (o.kind === "ipopts" && !ctx.caps.ipv4options) name = "ipopts";
      else if (
        (o.kind === "raw" && UNSUPPORTED_RAW.has(o.keyword)) ||
        (o.kind === "buffer" && UNSUPPORTED_RAW.has(o.name))
      ) {
        name = o.kind === "raw" ? o.keyword : o.name;
      }
      if (name !== undefined && !unsupported.includes(name)) unsupported.push(name);
    }
    if (unsupported.length) {
      return skip(
        "FWSNORT_UNSUPPORTED_KEYWORD",
        `SID: ${sid}  Unsupported option(s): ${unsupported.map((u) => `'${u}'`).join(", ")} at line: ${line}, skipping.`,
        { keywords: unsupported },
      );
    }
  }
  let ipProtos = 0;
  for (const o of rule.options) if (o.kind === "ip_proto") ipProtos++;
  if (ipProtos > 1) {
    return skip(
      "FWSNORT_UNSUPPORTED_VALUE",
      `SID: ${sid}, unsupported multiple ip_proto fields at line: ${line}, skipping.`,
    );
  }
  if (!queue) {
    for (const o of rule.options) {
      const bad = badOption(o, ctx);
      if (bad !== undefined) {
        return skip("FWSNORT_UNKNOWN_KEYWORD", `SID: ${sid} bad option: "${bad}" at line: ${line}`, { keyword: bad });
      }
    }
    for (const kw of ["itype", "icode"] as const) {
      const r = findRange(rule, kw);
      if (r && r.op !== "=") {
        return skip(
          "FWSNORT_UNSUPPORTED_VALUE",
          `SID: ${sid}, unsupported range operator in ${kw} field line: ${line}, skipping.`,
        );
      }
    }
    const ipp = rule.options.find((o) => o.kind === "ip_proto");
    if (ipp && ipp.kind === "ip_proto" && (ipp.op === "<" || ipp.op === ">")) {
      return skip(
        "FWSNORT_UNSUPPORTED_VALUE",
        `SID: ${sid}, unsupported range operator in ip_proto field line: ${line}, skipping.`,
      );
    }
  }
  return undefined;
}

function badOption(o: RuleOption, ctx: Ctx): string | undefined {
  switch (o.kind) {
    case "gid":
      return ctx.compat ? "gid" : undefined;
    case "service":
      return ctx.compat ? "service" : undefined;
    case "range": {
      if (o.keyword === "urilen") return undefined;
      if (o.keyword === "fragoffset") return o.keyword;
      if (o.keyword === "bufferlen" || o.keyword === "bsize") return ctx.compat ? o.keyword : undefined;
      if (ctx.family === 6 && ["itype", "icode", "tos"].includes(o.keyword)) return o.keyword;
      if (ctx.family === 6 && o.keyword === "ttl" && ctx.compat) return o.keyword;
      if (o.keyword === "tos" && o.range.op !== "=" && (ctx.compat || o.range.op !== "!")) return "tos";
      return undefined;
    }
    case "raw":
      if (o.value === undefined || IGNORED_RAW.has(o.keyword) || UNSUPPORTED_RAW.has(o.keyword)) return undefined;
      return o.keyword;
    default:
      return undefined;
  }
}

function findRange(rule: Rule, kw: string) {
  for (const o of rule.options) if (o.kind === "range" && o.keyword === kw) return o.range;
  return undefined;
}

function rangeText(r: ReturnType<typeof findRange>): string {
  if (!r) return "";
  if ("value" in r) return r.op === "=" ? String(r.value) : `${r.op}${r.value}`;
  return `${r.min ?? ""}${r.op}${r.max ?? ""}`;
}

/** Translate one rule entry into iptables rules (or a skip). */
function translateRule(e: RuleEntry, file: string, ctx: Ctx): Skip | Built {
  const rule = e.rule;
  const line = e.source.line;
  const raw = e.source.raw;
  const split = /^(.*?)\s+\((.*)\)/s.exec(raw);
  if (ctx.compat && !split) {
    return skip("FWSNORT_PARSE_ERROR", `Unrecognized rule format at line: ${line}. Skipping.`, {}, false);
  }
  const optText = split ? ` ${split[2]} ` : undefined;
  const sid = rule.sid;
  if (sid === undefined) return skip("FWSNORT_PARSE_ERROR", `rule without sid at line: ${line}`);
  if (/icmp/.test(file) && optText !== undefined && /undefined\s+code/i.test(optText)) {
    return skip("FWSNORT_SKIPPED_BY_POLICY", `SID: ${sid}, ICMP "Undefined Code" rule skipped (fwsnort policy)`);
  }
  const sel = ctx.o.selection;
  if (sel?.excludeSids?.includes(sid) || (sel?.sids && !sel.sids.includes(sid))) {
    return skip("FWSNORT_SKIPPED_BY_POLICY", `SID: ${sid} not selected`, { sid });
  }
  // header
  let headers: Header[];
  if (ctx.compat) {
    const h = compatHeader((split as RegExpExecArray)[1] as string, raw, ctx, line);
    if ("skip" in h) return h;
    headers = [h.h];
  } else {
    const h = defaultHeader(rule, ctx, line);
    if ("skip" in h) return h;
    headers = h.hs;
  }
  if (ctx.compat && optText !== undefined) {
    // fwsnort's option splitter stops at the first `;` (even escaped) and needs the value to end in `"`
    for (const o of rule.options) {
      if (o.kind === "content" && o.text.includes("\\;")) {
        return skip(
          "FWSNORT_PARSE_ERROR",
          `SID: ${sid}, content with an escaped ';' (not parsed by fwsnort) at line: ${line}`,
        );
      }
    }
    if (/[\s;](?:uri)?content:\s*!?\s*"(?:[^"\\]|\\.)*"\s*,/.test(optText)) {
      return skip(
        "FWSNORT_PARSE_ERROR",
        `SID: ${sid}, content with Snort 3 suboptions (not parsed by fwsnort) at line: ${line}`,
      );
    }
  }
  const chk = optionChecks(rule, ctx, line, sid);
  if (chk) return chk;
  const warnings: string[] = [];
  const rules: IptRule[] = [];
  let empty = true;
  let patternsEmptyQueue = false;
  for (const h of headers) {
    const pats0 = collectPatterns(rule, ctx, line, sid);
    if ("skip" in pats0) return pats0;
    if ((ctx.target === "queue" || ctx.target === "nfqueue") && !rule.options.some((o) => o.kind === "content")) {
      patternsEmptyQueue = true;
      break;
    }
    if (ctx.compat) {
      const hdrLen =
        ctx.cfg.avgIpHeaderLen + (/udp/i.test(h.proto) || /icmp/i.test(h.proto) ? 8 : ctx.cfg.avgTcpHeaderLen);
      const s = compatOffsets(pats0, hdrLen, sid);
      if (s) return s;
    } else {
      const s = correctOffsets(pats0, h.proto, ctx.family, sid, warnings);
      if (s) return s;
    }
    const pats = orderPatterns(ctx.compat ? pats0 : uniquePatterns(pats0), ctx.o.noFastPatternOrder ?? false);
    const r = buildRules(rule, h, pats, optText, ctx, sid, warnings);
    if ("skip" in r) return r;
    if (r.length) empty = false;
    rules.push(...r);
  }
  if (patternsEmptyQueue) {
    const q = ctx.target === "queue" ? "QUEUE" : "NFQUEUE";
    return skip(
      "FWSNORT_UNSUPPORTED_KEYWORD",
      `SID: ${sid}  In --${q} mode signature must have 'content' or 'uricontent' keyword at line: ${line}, skipping.`,
    );
  }
  const fw: FwsnortWarning[] = (warnings.length ? [...new Set(warnings)] : []).map((message) => ({
    code: "FWSNORT_APPROXIMATE",
    severity: "warning",
    message,
    file,
    line,
    sid,
  }));
  return { skip: false, rules: dedupe(rules), warnings: fw, empty };
}

/** Drop repeated identical string matches (e.g. a content and the same literal from its pcre). */
function uniquePatterns(pats: Pattern[]): Pattern[] {
  if (pats.length < 2) return pats;
  type W = Pattern & { win?: { from?: number; to?: number }; drop?: boolean };
  const same = (a: W, b: W) =>
    a.negated === b.negated &&
    a.ipt === b.ipt &&
    a.nocase === b.nocase &&
    a.win?.from === b.win?.from &&
    a.win?.to === b.win?.to &&
    a.drop === b.drop;
  const out: Pattern[] = [];
  next: for (const p of pats as W[]) {
    for (const q of out) if (same(q, p)) continue next;
    out.push(p);
  }
  return out;
}

function sameArgs(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function dedupe(rules: IptRule[]): IptRule[] {
  if (rules.length < 2) return rules;
  if (rules.length <= 32) {
    // few rules (the usual case): pairwise comparison instead of building a key string per rule
    const out: IptRule[] = [];
    next: for (const r of rules) {
      for (const q of out) if (q.chain === r.chain && sameArgs(q.args, r.args)) continue next;
      out.push(r);
    }
    return out;
  }
  const seen = new Set<string>();
  return rules.filter((r) => {
    const k = `${r.chain} ${r.args.join("\u0000")}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function buildRules(
  rule: Rule,
  h: Header,
  pats: Pattern[],
  optText: string | undefined,
  ctx: Ctx,
  sid: number,
  warnings: string[],
): IptRule[] | Skip {
  const out: IptRule[] = [];
  const compat = ctx.compat;
  const fam = ctx.family;
  const flow = rule.options.find((o) => o.kind === "flow");
  const flowFlags = flow && flow.kind === "flow" ? flow.flags : [];
  const conntrackOn = ctx.o.conntrack ?? true;
  const proto = h.proto;
  // chain family (ESTAB or not)
  const estab = compat
    ? conntrackOn && /tcp/i.test(proto) && flowFlags.some((f) => f.includes("established"))
    : conntrackOn && proto === "tcp" && flowFlags.includes("established");
  // protocol words
  const ipProto = rule.options.find((o) => o.kind === "ip_proto");
  let protoWords: string[];
  if (ipProto && ipProto.kind === "ip_proto") {
    const v = String(ipProto.proto);
    if (compat) {
      if (ipProto.op !== undefined || !/^\w+$/.test(v)) return [];
      protoWords = ["-p", v];
    } else {
      protoWords = ipProto.op === "!" ? ["!", "-p", v] : ["-p", v];
    }
  } else if (compat ? /ip/.test(proto) : proto === "ip") {
    protoWords = ["-p", "all"];
  } else if (fam === 6 && proto === "icmp") {
    protoWords = ["-p", "ipv6-icmp", "-m", "icmp6"];
  } else {
    protoWords = ["-p", proto, "-m", proto];
  }
  const isTcp = proto === "tcp";
  // option words (same for every address/port alternative)
  const ow: string[] = [];
  const flags = rule.options.find((o) => o.kind === "flags");
  if (flags && flags.kind === "flags" && (compat || isTcp)) {
    if (compat) {
      const v = `${flags.modifier === "!" ? "!" : ""}${flags.flags}${flags.modifier && flags.modifier !== "!" ? flags.modifier : ""}`;
      const f = FLAG_ORDER.filter(([l]) => flags.flags.includes(l) || flags.flags.includes(l.toLowerCase()))
        .map(([, n]) => n)
        .join(",");
      if (/\+/.test(v)) ow.push("--tcp-flags", f, f);
      else ow.push("--tcp-flags", "ALL", f);
    } else {
      const set = FLAG_ORDER.filter(([l]) => flags.flags.toUpperCase().includes(l)).map(([, n]) => n);
      const hasCE = /[CE12]/i.test(flags.flags);
      const maskL = (flags.mask ?? "").toUpperCase();
      const examined = FLAG_ORDER.filter(([l]) => !maskL.includes(l)).map(([, n]) => n);
      const exam = examined.length === 6 ? "ALL" : examined.join(",") || "NONE";
      const setW = set.length ? set.join(",") : "NONE";
      if (flags.modifier === "+") {
        if (set.length) ow.push("--tcp-flags", setW, setW);
        if (hasCE) warnings.push("ECN flags (C/E) cannot be matched by --tcp-flags; ignored");
      } else if (flags.modifier === "*") {
        if (hasCE)
          return skip("FWSNORT_UNSUPPORTED_VALUE", `SID: ${sid}, flags '*' with ECN flags cannot be expressed`);
        if (set.length) ow.push("!", "--tcp-flags", setW, "NONE");
      } else if (flags.modifier === "!") {
        if (hasCE)
          return skip("FWSNORT_UNSUPPORTED_VALUE", `SID: ${sid}, flags '!' with ECN flags cannot be expressed`);
        ow.push("!", "--tcp-flags", exam, setW);
      } else {
        if (hasCE) warnings.push("ECN flags (C/E) cannot be matched by --tcp-flags; ignored");
        ow.push("--tcp-flags", exam, setW);
      }
    }
  }
  if (
    !conntrackOn &&
    flow &&
    !flags &&
    flowFlags.some((f) => (compat ? f.includes("established") : f === "established"))
  ) {
    if (compat || isTcp) ow.push("--tcp-flags", "ACK", "ACK");
  }
  // icmp type
  if (compat ? /icmp/i.test(proto) : proto === "icmp") {
    const it = findRange(rule, "itype");
    const ic = findRange(rule, "icode");
    const flag = fam === 6 ? "--icmpv6-type" : "--icmp-type";
    if (it) ow.push(flag, `${rangeText(it)}${ic ? `/${rangeText(ic)}` : ""}`);
    else {
      ow.push(flag, compat ? (ctx.caps.icmpTypeAny ? "any" : "8") : "any");
      if (!compat && ic) warnings.push("icode without itype: matched any icmp type/code");
    }
  }
  // tos
  const tos = findRange(rule, "tos");
  if (tos && "value" in tos) {
    if (tos.op === "!") ow.push("-m", "tos", "!", "--tos", String(tos.value));
    else ow.push("-m", "tos", "--tos", String(tos.value));
  }
  // ttl
  const ttl = findRange(rule, "ttl");
  if (ttl) {
    const m = fam === 6 ? "hl" : "ttl";
    if (compat) {
      const t = rangeText(ttl);
      const lt = /<\s*(\d+)/.exec(t);
      const gt = /^>\s*(\d+)/.exec(t);
      if (lt) ow.push("-m", "ttl", "--ttl-lt", lt[1] as string);
      else if (gt) ow.push("-m", "ttl", "--ttl-gt", gt[1] as string);
      else ow.push("-m", "ttl", "--ttl-eq", t);
    } else if ("value" in ttl) {
      const v = ttl.value;
      if (ttl.op === "=") ow.push("-m", m, `--${m}-eq`, String(v));
      else if (ttl.op === "!") ow.push("-m", m, "!", `--${m}-eq`, String(v));
      else if (ttl.op === "<") ow.push("-m", m, `--${m}-lt`, String(v));
      else if (ttl.op === ">") ow.push("-m", m, `--${m}-gt`, String(v));
      else if (ttl.op === "<=") ow.push("-m", m, `--${m}-lt`, String(v + 1));
      else if (ttl.op === ">=") {
        if (v > 0) ow.push("-m", m, `--${m}-gt`, String(v - 1));
      }
    } else {
      const lo = ttl.min ?? 0;
      const hi = ttl.max ?? 255;
      const exclusive = ttl.op === "<>";
      const a = exclusive ? lo : lo - 1;
      const b = exclusive ? hi : hi + 1;
      if (a >= 0) ow.push("-m", m, `--${m}-gt`, String(a));
      if (b <= 255) ow.push("-m", m, `--${m}-lt`, String(b));
    }
  }
  // conntrack matches (default mode): not_established, udp established, direction
  if (!compat && conntrackOn) {
    const ct: string[] = [];
    if (flowFlags.includes("not_established")) ct.push("!", "--ctstate", "ESTABLISHED");
    else if (flowFlags.includes("established") && proto !== "tcp") ct.push("--ctstate", "ESTABLISHED");
    if (flowFlags.includes("to_server") || flowFlags.includes("from_client")) ct.push("--ctdir", "ORIGINAL");
    else if (flowFlags.includes("to_client") || flowFlags.includes("from_server")) ct.push("--ctdir", "REPLY");
    if (ct.length) ow.push("-m", "conntrack", ...ct);
  }
  if (!compat && rule.options.some((o) => o.kind === "range" && ["bufferlen", "bsize", "urilen"].includes(o.keyword))) {
    warnings.push("buffer length constraint (bufferlen/bsize/urilen) not expressible: ignored");
  }
  // absolute byte_test → u32 (default mode, IPv4; optionChecks already rejected the inexpressible ones)
  if (!compat && fam === 4) {
    for (const o of rule.options) {
      if (o.kind !== "byte_test") continue;
      const w = byteTestU32(o, proto);
      if (!w) return skip("FWSNORT_UNSUPPORTED_KEYWORD", `SID: ${sid}, byte_test cannot be expressed with -m u32`);
      ow.push(...w);
    }
  }
  // dsize
  const dsize = findRange(rule, "dsize");
  if (dsize) {
    if (compat) {
      const H = ctx.cfg.avgIpHeaderLen + (/udp/i.test(proto) || /icmp/i.test(proto) ? 8 : ctx.cfg.avgTcpHeaderLen);
      const t = rangeText(dsize);
      const range = /(\d+)\s*<>\s*(\d+)/.exec(t);
      const lt = /<\s*(\d+)/.exec(t);
      const gt = />\s*(\d+)/.exec(t);
      const eq = /(\d+)/.exec(t);
      if (range) ow.push("-m", "length", "--length", `${Number(range[1]) + H}:${Number(range[2]) + H}`);
      else if (lt) ow.push("-m", "length", "--length", `${H}:${Number(lt[1]) + H}`);
      else if (gt) {
        const l = Number(gt[1]) + H;
        if (l < ctx.cfg.maxFrameLen + H) ow.push("-m", "length", "--length", `${l}:${ctx.cfg.maxFrameLen + H}`);
      } else if (eq) ow.push("-m", "length", "--length", String(Number(eq[1]) + H));
    } else {
      const hb = hdrBounds(proto, fam);
      let lo: number;
      let hi: number;
      if ("value" in dsize) {
        const v = dsize.value;
        if (dsize.op === "=") [lo, hi] = [v, v];
        else if (dsize.op === "<") [lo, hi] = [0, v - 1];
        else if (dsize.op === "<=") [lo, hi] = [0, v];
        else if (dsize.op === ">") [lo, hi] = [v + 1, 65535];
        else if (dsize.op === ">=") [lo, hi] = [v, 65535];
        else return skip("FWSNORT_UNSUPPORTED_VALUE", `SID: ${sid}, dsize:!N cannot be expressed with -m length`);
      } else if (dsize.op === "<>") [lo, hi] = [(dsize.min ?? 0) + 1, (dsize.max ?? 65536) - 1];
      else [lo, hi] = [dsize.min ?? 0, dsize.max ?? 65535];
      if (hi < lo) return skip("FWSNORT_EMPTY_TRANSLATION", `SID: ${sid}, empty dsize range`, {}, false);
      const a = Math.min(65535, lo + hb.min);
      const b = Math.min(65535, hi + hb.max);
      ow.push("-m", "length", "--length", a === b ? String(a) : `${a}:${b}`);
      if (hb.min !== hb.max) warnings.push("dsize widened to the IP/transport header-length range");
    }
  }
  const queueMode = ctx.target === "queue" || ctx.target === "nfqueue";
  const sw = stringArgs(pats, ctx.o.stringAlgo ?? "bm", undefined);
  // comment, prefix, targets
  const fields = logFields(optText, rule);
  const comment = buildComment(fields, ctx.version);
  const commentWords =
    (ctx.o.comments ?? true) && comment.length < ctx.caps.commentMax ? ["-m", "comment", "--comment", comment] : [];
  const resp = rule.options.find((o) => o.kind === "resp" || (!compat && o.kind === "react"));
  const respText =
    resp && (resp.kind === "resp" || resp.kind === "react")
      ? `${resp.kind === "react" ? "react_rst" : ""}${resp.args.join(",")}`
      : undefined;
  const drop = ctx.target === "drop";
  const reject = ctx.target === "reject";
  const rejectWith = (what: "port" | "net" | "host") =>
    fam === 6
      ? { port: "icmp6-port-unreachable", net: "icmp6-no-route", host: "icmp6-addr-unreachable" }[what]
      : { port: "icmp-port-unreachable", net: "icmp-net-unreachable", host: "icmp-host-unreachable" }[what];
  let action: string[] | undefined;
  if (h.action === "pass") action = compat ? ["-j", "ACCEPT"] : ["-j", "RETURN"];
  else if (proto === "tcp") {
    if (respText !== undefined && /rst/i.test(respText)) action = ["-j", "REJECT", "--reject-with", "tcp-reset"];
    else if (!compat && respText !== undefined && /icmp/i.test(respText)) {
      const w = /net/i.test(respText) ? "net" : /host/i.test(respText) ? "host" : "port";
      action = ["-j", "REJECT", "--reject-with", rejectWith(w)];
    } else if (drop) action = ["-j", "DROP"];
    else if (reject) action = ["-j", "REJECT", "--reject-with", "tcp-reset"];
  } else if (proto === "udp") {
    if (respText !== undefined && /icmp/i.test(respText)) {
      if (/all/i.test(respText)) action = ["-j", "REJECT", "--reject-with", rejectWith("port")];
      else if (/net/i.test(respText)) action = ["-j", "REJECT", "--reject-with", rejectWith("net")];
      else if (/host/i.test(respText)) action = ["-j", "REJECT", "--reject-with", rejectWith("host")];
      else if (/port/i.test(respText)) action = ["-j", "REJECT", "--reject-with", rejectWith("port")];
    } else if (drop) action = ["-j", "DROP"];
    else if (reject) action = ["-j", "REJECT", "--reject-with", rejectWith("port")];
  } else action = ["-j", "DROP"];
  const emitAction = action !== undefined && (drop || reject || h.action === "pass" || respText !== undefined);
  // words after the addresses, per port alternative (the same for every chain)
  const tails = h.ports.map((pw) => protoWords.concat(pw, ow, sw));
  for (const c of h.chains) {
    const chain = `FWSNORT_${c.builtin}${estab ? "_ESTAB" : ""}` as FwsnortChain;
    for (const tail of tails) {
      ctx.counters[c.builtin]++;
      if (h.action !== "pass") {
        let target: string[];
        if (queueMode) {
          target =
            ctx.target === "queue"
              ? ["-j", "QUEUE"]
              : ["-j", "NFQUEUE", ...(ctx.o.queueNum ? ["--queue-num", String(ctx.o.queueNum)] : [])];
        } else {
          let prefix = (ctx.o.ruleNumbers ?? true) ? `[${ctx.counters[c.builtin]}] ` : "";
          if (drop) prefix += "DRP ";
          else if (reject) prefix += "REJ ";
          prefix += `SID${sid} `;
          if (estab) prefix += "ESTAB ";
          if (prefix.length >= ctx.caps.logPrefixMax) prefix = `SID${sid} `;
          if (h.action === "log" || ctx.o.ulog) {
            target = compat
              ? ["-j", "ULOG", "--ulog-nlgroup", String(ctx.o.ulogGroup ?? 1), "--ulog-prefix", prefix]
              : ["-j", "NFLOG", "--nflog-group", String(ctx.o.ulogGroup ?? 1), "--nflog-prefix", prefix];
          } else {
            target = ["-j", "LOG"];
            if (ctx.o.logIpOptions ?? true) target.push("--log-ip-options");
            if (proto === "tcp") {
              if (ctx.o.logTcpOptions ?? true) target.push("--log-tcp-options");
              if (ctx.o.logTcpSequence) target.push("--log-tcp-sequence");
            }
            target.push("--log-prefix", prefix);
          }
        }
        if (queueMode || !ctx.o.noLog) out.push({ chain, args: c.addr.concat(tail, commentWords, target) });
      }
      if (!queueMode && emitAction && action) out.push({ chain, args: c.addr.concat(tail, action) });
    }
  }
  return out;
}

// ----------------------------------------------------------------------------------------------- driver

/**
 * Translate Snort rule files into fwsnort's chains (spec §4–§8). Pure and total: bad rules become
 * {@link SkippedRule}s with a stable code and fwsnort.log-style message, never exceptions.
 * @param files - rules files (processed in sorted path order, like fwsnort)
 * @param options - family, target mode, selection, overrides, capabilities, compat switch…
 * @returns the translation (rules per signature, skips, per-file counts, diagnostics)
 * @example
 * translateRuleset([{ path: "x.rules", text: 'alert tcp any any -> any 80 (msg:"t"; content:"GET"; sid:1; rev:1;)' }])
 *   .translated[0]?.rules[0]?.chain // "FWSNORT_FORWARD"
 */
export function translateRuleset(files: readonly RulesFileInput[], options: TranslateOptions = {}): Translation {
  const compat = options.compat ?? false;
  const family: Family = options.family ?? 4;
  const cfg = options.config ?? defaultFwsnortConfig();
  const caps = mkCaps(options.capabilities);
  const varsMap = new Map(cfg.variables);
  const expanded = new Map(cfg.expanded);
  if (options.homeNet !== undefined) {
    varsMap.set("HOME_NET", options.homeNet);
    expanded.set("HOME_NET", options.homeNet);
  }
  if (options.externalNet !== undefined) {
    varsMap.set("EXTERNAL_NET", options.externalNet);
    expanded.set("EXTERNAL_NET", options.externalNet);
  }
  const target = options.target ?? "log";
  const ctx: Ctx = {
    o: options,
    compat,
    family,
    caps,
    cfg,
    vars: varsMap,
    expanded,
    builtins: new Set(options.builtins ?? ["INPUT", "FORWARD", "OUTPUT"]),
    counters: { INPUT: 0, FORWARD: 0, OUTPUT: 0 },
    target,
    version: options.version ?? "1.6.8",
    cache: new Map(),
  };
  const layout = buildLayout(cfg, options, compat, family, caps);
  const out: Translation = {
    family,
    target,
    layout,
    translated: [],
    skipped: [],
    files: [],
    skipCounts: {},
    diagnostics: [...cfg.warnings],
  };
  const sel = options.selection ?? {};
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  let ordinal = 0;
  for (const f of sorted) {
    const name = f.path.replace(/^.*[\\/]/, "");
    const type = ruleFileType(f.path);
    if (type === undefined) continue;
    if (sel.includeTypes?.length && !sel.includeTypes.includes(type)) continue;
    if (sel.excludeTypes?.includes(type)) continue;
    if (f.path.includes("deleted.rules") && !sel.addDeleted) continue;
    const counts: FileCounts = { file: name, success: 0, fail: 0, total: 0, iptRules: 0 };
    out.files.push(counts);
    let entries: { e: RuleEntry | undefined; line: number; raw: string; err?: string }[] = [];
    try {
      // commented-out rules are never translated: do not parse them
      const parsed = parseRuleset(f.text, { file: name, skipDisabled: true });
      for (const e of parsed.rules) if (!e.rule.disabled) entries.push({ e, line: e.source.line, raw: e.source.raw });
      for (const r of parsed.rejected) {
        const d = r.diagnostics.find((x) => x.severity === "error") ?? r.diagnostics[0];
        entries.push({
          e: undefined,
          line: r.source.line,
          raw: r.source.raw,
          err: d ? `${d.code}: ${d.message}` : "parse error",
        });
        out.diagnostics.push(...r.diagnostics.map((x) => ({ ...x, file: name })));
      }
    } catch (err) {
      entries = [];
      out.diagnostics.push({
        code: "FWSNORT_CONFIG_WARNING",
        severity: "warning",
        message: `could not parse ${name}: ${(err as Error).message}`,
        file: name,
      });
    }
    entries.sort((a, b) => a.line - b.line);
    for (const ent of entries) {
      if (!/^\s*(alert|pass|log)/.test(ent.raw)) continue;
      if (sel.excludeRegex && testRe(sel.excludeRegex, ent.raw)) continue;
      if (sel.includeRegex && !testRe(sel.includeRegex, ent.raw)) continue;
      counts.total++;
      let res: Skip | Built;
      if (!ent.e) {
        res = skip("FWSNORT_PARSE_ERROR", `${ent.err} at line: ${ent.line}`);
      } else {
        try {
          res = translateRule(ent.e, name, ctx);
        } catch (err) {
          res = skip("FWSNORT_PARSE_ERROR", `internal error at line: ${ent.line}: ${(err as Error).message}`);
        }
      }
      const sidOf = ent.e?.rule.sid;
      if (res.skip) {
        if (res.fail) counts.fail++;
        else if (res.code === "FWSNORT_EMPTY_TRANSLATION") counts.success++;
        const s: SkippedRule = {
          file: name,
          line: ent.line,
          code: res.code,
          message: res.message,
          details: res.details ?? {},
        };
        if (sidOf !== undefined) s.sid = sidOf;
        out.skipped.push(s);
        out.skipCounts[res.code] = (out.skipCounts[res.code] ?? 0) + 1;
        continue;
      }
      counts.success++;
      if (res.rules.length === 0) {
        const s: SkippedRule = {
          file: name,
          line: ent.line,
          code: "FWSNORT_EMPTY_TRANSLATION",
          message: `SID: ${sidOf}, no iptables rule could be produced at line: ${ent.line}`,
          details: {},
        };
        if (sidOf !== undefined) s.sid = sidOf;
        out.skipped.push(s);
        out.skipCounts.FWSNORT_EMPTY_TRANSLATION = (out.skipCounts.FWSNORT_EMPTY_TRANSLATION ?? 0) + 1;
        continue;
      }
      const r = (ent.e as RuleEntry).rule;
      counts.iptRules += res.rules.length;
      const t: TranslatedRule = {
        sid: r.sid as number,
        file: name,
        line: ent.line,
        text: ent.raw,
        ordinal: ++ordinal,
        rules: res.rules,
        warnings: res.warnings,
      };
      if (r.rev !== undefined) t.rev = r.rev;
      if (r.msg !== undefined) t.msg = r.msg;
      if (r.classtype !== undefined) t.classtype = r.classtype;
      out.translated.push(t);
      out.diagnostics.push(...res.warnings);
    }
  }
  return out;
}

function testRe(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}

function buildLayout(
  cfg: FwsnortConfig,
  o: TranslateOptions,
  compat: boolean,
  family: Family,
  caps: Capabilities,
): ChainLayout {
  const keep = (a: string) => {
    if (compat) return family === 4 || !IPV4_RE.test(a) || true;
    const v4 = /^[\d.]+(\/[\d.]+)?$/.test(a);
    return family === 4 ? v4 : !v4;
  };
  const whitelist = compat
    ? cfg.whitelist.flatMap((a) => a.match(IPV4_RE_G) ?? []).filter(keep)
    : cfg.whitelist.filter(keep);
  const blacklist = cfg.blacklist.flatMap((b) => b.addrs.filter(keep).map((addr) => ({ addr, action: b.action })));
  const layout: ChainLayout = {
    jumpPositions: { ...cfg.jumpPositions },
    excludeLoopback: o.excludeLoopback ?? true,
    restrictInterfaces: [...(o.restrictInterfaces ?? [])],
    whitelist,
    blacklist,
    conntrack: caps.conntrack,
  };
  return layout;
}
