import { protocolName } from "./protocols.ts";
import {
  anyAddress,
  emptyRule,
  exactCounter,
  finishRule,
  isDigits,
  markNegated,
  splitNatTo,
  stripHostMask,
} from "./rule-builder.ts";
import { quoteSaveWord, type SaveToken, tokenizeSaveLine } from "./tokenize-save.ts";
import type {
  Diagnostic,
  ListingFormat,
  ParsedChain,
  ParsedPolicy,
  ParsedRule,
  ParsedTable,
  ParseOptions,
} from "./types.ts";

/** Basic (column) options of a rulespec, long and short spellings. */
const BASIC: ReadonlyMap<string, string> = new Map([
  ["-s", "src"],
  ["--source", "src"],
  ["--src", "src"],
  ["-d", "dst"],
  ["--destination", "dst"],
  ["--dst", "dst"],
  ["-i", "in"],
  ["--in-interface", "in"],
  ["-o", "out"],
  ["--out-interface", "out"],
  ["-p", "proto"],
  ["--protocol", "proto"],
  ["-f", "frag"],
  ["--fragment", "frag"],
  ["-j", "jump"],
  ["--jump", "jump"],
  ["-g", "goto"],
  ["--goto", "goto"],
  ["-m", "match"],
  ["--match", "match"],
  ["-c", "counters"],
  ["--set-counters", "counters"],
]);

/** Options that take exactly two arguments. */
const TWO_ARGS: ReadonlySet<string> = new Set(["--tcp-flags", "-c", "--set-counters"]);

/**
 * Options that always take exactly one argument, even one that starts with `-` (iptables-save quotes free text
 * only when it needs quoting, so `--comment -x` is a comment "-x", not a new option).
 */
const ONE_ARG: ReadonlySet<string> = new Set([
  "-s",
  "--source",
  "--src",
  "-d",
  "--destination",
  "--dst",
  "-i",
  "--in-interface",
  "-o",
  "--out-interface",
  "-p",
  "--protocol",
  "-j",
  "--jump",
  "-g",
  "--goto",
  "-m",
  "--match",
  "--comment",
  "--string",
  "--hex-string",
  "--algo",
  "--from",
  "--to",
  "--log-prefix",
  "--log-level",
  "--nflog-prefix",
  "--nflog-group",
  "--ulog-prefix",
  "--reject-with",
  "--to-destination",
  "--to-source",
  "--to-ports",
  "--name",
  "--set-mark",
  "--set-xmark",
  "--mark",
  "--state",
  "--ctstate",
  "--mac-source",
  "--length",
  "--limit",
  "--limit-burst",
  "--icmp-type",
  "--icmpv6-type",
  "--dport",
  "--sport",
  "--dports",
  "--sports",
  "--ports",
  "--destination-port",
  "--source-port",
  "--uid-owner",
  "--gid-owner",
  "--src-range",
  "--dst-range",
]);

/** One option of a rulespec with its arguments. */
interface Item {
  neg: boolean;
  opt: string;
  args: SaveToken[];
  /** After -j/-g: a target option. */
  target: boolean;
}

function isOptionWord(t: SaveToken): boolean {
  if (t.quoted) return false;
  const v = t.value;
  if (v.length < 2 || v.charCodeAt(0) !== 45 /* - */) return false;
  const c1 = v.charCodeAt(1);
  // "-5" is a value; "-x" / "--xx" are options.
  return !(c1 >= 48 && c1 <= 57);
}

function renderItem(it: Item): string {
  let s = it.neg ? `! ${it.opt}` : it.opt;
  for (const a of it.args) s += ` ${quoteSaveWord(a.value, a.quoted)}`;
  return s;
}

/**
 * Split rulespec words into options with their arguments; `!` before an option (or, old style, as its first
 * argument) negates it.
 */
function toItems(tokens: readonly SaveToken[], start: number): Item[] {
  const items: Item[] = [];
  let neg = false;
  let afterJump = false;
  let i = start;
  while (i < tokens.length) {
    const t = tokens[i] as SaveToken;
    if (!t.quoted && t.value === "!") {
      neg = true;
      i++;
      continue;
    }
    const opt = t.value;
    i++;
    const args: SaveToken[] = [];
    let itemNeg = neg;
    neg = false;
    if (TWO_ARGS.has(opt)) {
      for (let k = 0; k < 2 && i < tokens.length; k++) args.push(tokens[i++] as SaveToken);
    } else if (ONE_ARG.has(opt) && i < tokens.length) {
      let a = tokens[i] as SaveToken;
      // Old syntax `--dport ! 25`: the negation after the option.
      if (!a.quoted && a.value === "!" && tokens[i + 1] !== undefined) {
        itemNeg = true;
        i++;
        a = tokens[i] as SaveToken;
      }
      // A following `!` (negating the next option) or a missing value leaves the option without argument.
      const nx = tokens[i + 1];
      const startsNextOption = !a.quoted && a.value === "!" && nx !== undefined && isOptionWord(nx);
      if (!startsNextOption) {
        args.push(a);
        i++;
      }
    } else {
      while (i < tokens.length) {
        const a = tokens[i] as SaveToken;
        if (isOptionWord(a)) break;
        if (!a.quoted && a.value === "!") {
          // Old syntax `--dport ! 25` (negation after the option) vs. the next option's `!`.
          const nx = tokens[i + 1];
          if (args.length === 0 && nx !== undefined && !isOptionWord(nx)) {
            itemNeg = true;
            i++;
            continue;
          }
          break;
        }
        args.push(a);
        i++;
      }
    }
    const kind = BASIC.get(opt);
    const it: Item = { neg: itemNeg, opt, args, target: afterJump && kind === undefined };
    if (kind === "jump" || kind === "goto") afterJump = true;
    items.push(it);
  }
  return items;
}

/** Fill a rule from its rulespec items. Returns false when the rulespec is malformed. */
function fillRule(rule: ParsedRule, items: readonly Item[]): string | undefined {
  const d = rule.details;
  let module = "";
  let target = "";
  const specParts: string[] = [];
  const extParts: string[] = [];
  let protoSeen = false;
  for (const it of items) {
    const kind = BASIC.get(it.opt);
    const v0 = it.args[0]?.value;
    if (kind === "counters") {
      const p = it.args[0]?.value ?? "";
      const b = it.args[1]?.value ?? "";
      const pe = exactCounter(p);
      const be = exactCounter(b);
      if (pe === undefined || be === undefined) return `bad counters "${p} ${b}"`;
      rule.packets = p;
      rule.bytes = b;
      d.packetsExact = pe;
      d.bytesExact = be;
      continue;
    }
    specParts.push(renderItem(it));
    if (kind !== undefined && !it.target) {
      if (kind === "frag") {
        d.fragment = true;
        if (it.neg) markNegated(d, "fragment");
        continue;
      }
      if (kind === "match") {
        if (v0 === undefined) return `${it.opt} needs a module name`;
        module = v0;
        extParts.push(renderItem(it));
        continue;
      }
      if (v0 === undefined) return `${it.opt} needs an argument`;
      const neg = it.neg ? "!" : "";
      switch (kind) {
        case "src":
          rule.src = neg + stripHostMask(v0);
          if (it.neg) markNegated(d, "src");
          break;
        case "dst":
          rule.dst = neg + stripHostMask(v0);
          if (it.neg) markNegated(d, "dst");
          break;
        case "in":
          rule.intf_in = neg + v0;
          if (it.neg) markNegated(d, "intf_in");
          break;
        case "out":
          rule.intf_out = neg + v0;
          if (it.neg) markNegated(d, "intf_out");
          break;
        case "proto":
          protoSeen = true;
          rule.protocol = neg + protocolName(v0);
          if (it.neg) markNegated(d, "protocol");
          break;
        case "jump":
        case "goto":
          target = v0;
          if (kind === "goto") d.goto = true;
          break;
      }
      continue;
    }
    extParts.push(renderItem(it));
    const v = v0 ?? "";
    const nv = it.neg ? `!${v}` : v;
    if (it.target) {
      d.targetOptions ??= [];
      d.targetOptions.push(renderItem(it));
      switch (it.opt) {
        case "--log-prefix":
        case "--nflog-prefix":
        case "--ulog-prefix":
          d.logPrefix ??= v;
          break;
        case "--log-level":
          d.logLevel ??= v;
          break;
        case "--reject-with":
          d.rejectWith ??= v;
          break;
        case "--to-destination":
        case "--to-source":
        case "--to":
          if (d.natTo === undefined) {
            d.natTo = v;
            const { ip, port } = splitNatTo(v);
            rule.to_ip = ip;
            rule.to_port = port;
          }
          break;
        case "--to-ports":
          d.redirectPorts ??= v;
          break;
      }
      continue;
    }
    switch (it.opt) {
      case "--dport":
      case "--destination-port":
        if (rule.d_port === "") rule.d_port = nv;
        if (it.neg) markNegated(d, "d_port");
        break;
      case "--sport":
      case "--source-port":
        if (rule.s_port === "") rule.s_port = nv;
        if (it.neg) markNegated(d, "s_port");
        break;
      case "--dports":
      case "--destination-ports":
        d.multiportDports ??= v.split(",");
        if (it.neg) markNegated(d, "multiport");
        break;
      case "--sports":
      case "--source-ports":
        d.multiportSports ??= v.split(",");
        if (it.neg) markNegated(d, "multiport");
        break;
      case "--ports":
        d.multiportPorts ??= v.split(",");
        if (it.neg) markNegated(d, "multiport");
        break;
      case "--state":
        if (rule.state === "") rule.state = nv;
        if (it.neg) markNegated(d, "state");
        break;
      case "--ctstate":
        if (rule.ctstate === "") rule.ctstate = nv;
        if (it.neg) markNegated(d, "ctstate");
        break;
      case "--comment":
        if (rule.comment === "") rule.comment = v;
        break;
      case "--string":
      case "--hex-string":
        if (rule.string === "") rule.string = nv;
        if (it.neg) markNegated(d, "string");
        break;
      case "--length":
        if (rule.length === "") rule.length = nv;
        if (it.neg) markNegated(d, "length");
        break;
      case "--mac-source":
        if (rule.mac_source === "") rule.mac_source = nv;
        if (it.neg) markNegated(d, "mac_source");
        break;
      case "--icmp-type":
      case "--icmpv6-type":
        d.icmpType ??= v;
        if (it.neg) markNegated(d, "icmpType");
        break;
      case "--tcp-flags":
        d.tcpFlags ??= { mask: v, comp: it.args[1]?.value ?? "", negated: it.neg };
        if (it.neg) markNegated(d, "tcpFlags");
        break;
      case "--syn":
        d.tcpFlags ??= { mask: "FIN,SYN,RST,ACK", comp: "SYN", negated: it.neg };
        if (it.neg) markNegated(d, "tcpFlags");
        break;
      case "--limit":
        if (module === "limit") d.limit = { ...d.limit, avg: v };
        break;
      case "--limit-burst":
        if (module === "limit") d.limit = { avg: d.limit?.avg ?? "", burst: v };
        break;
      case "--mark":
        if (module === "mark" && d.mark === undefined) {
          d.mark = v;
          if (it.neg) markNegated(d, "mark");
        }
        break;
    }
  }
  rule.target = target;
  if (!protoSeen) rule.protocol = "all";
  if (rule.intf_in === "") rule.intf_in = "*";
  if (rule.intf_out === "") rule.intf_out = "*";
  rule.extended = extParts.join(" ");
  d.rulespec = specParts.join(" ");
  return undefined;
}

/** Parse `[pkts:bytes]`; undefined when malformed. */
function parseBracketCounters(s: string): { packets: string; bytes: string } | undefined {
  if (!s.startsWith("[") || !s.endsWith("]")) return undefined;
  const inner = s.slice(1, -1);
  const c = inner.indexOf(":");
  if (c < 0) return undefined;
  const packets = inner.slice(0, c);
  const bytes = inner.slice(c + 1);
  if (!isDigits(packets) || !isDigits(bytes) || packets.length > 25 || bytes.length > 25) return undefined;
  return { packets, bytes };
}

/**
 * Parse `iptables-save [-c]` output (several tables, `*table` … `COMMIT`) or `iptables -S [-v]` output
 * (`-P`, `-N`, `-A`, one table: `opts.table`, default `filter`) into the same rule objects as
 * {@link parseListing}: the 24 IPTables::Parse keys filled from the options (hosts without `/32` / `/128`,
 * `0.0.0.0/0` / `::/0` when no `-s`/`-d`, `*` when no `-i`/`-o`, protocol names, negations inline and in
 * `details.negated`), exact counters, and the canonical rulespec in `details.rulespec`. `extended` holds the
 * match and target options (`-m conntrack --ctstate RELATED,ESTABLISHED`), not listing text.
 * Never throws on content: bad lines yield diagnostics (`IPT_PARSE_BAD_SAVE_LINE`, `IPT_PARSE_BAD_QUOTING`,
 * `IPT_PARSE_RULE_OUTSIDE_TABLE`, `IPT_PARSE_UNKNOWN_CHAIN`, `IPT_PARSE_MISSING_COMMIT`, `IPT_PARSE_EMPTY_INPUT`).
 *
 * @param text - iptables-save / -S text
 * @param opts - family (default: detected from addresses), table for -S text
 * @returns the parsed policy (format `save` or `rules`)
 * @example parseSave("*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n")
 */
export function parseSave(text: string, opts: ParseOptions = {}): ParsedPolicy {
  const diagnostics: Diagnostic[] = [];
  const tables: ParsedTable[] = [];
  let table: ParsedTable | undefined;
  let open = false;
  let openedAt = 0;
  let format: ListingFormat = "rules";
  let implicit: ParsedTable | undefined;
  let sawV6 = false;
  const needAny: ParsedRule[] = [];
  const chainIndex = new Map<ParsedTable, Map<string, ParsedChain>>();

  const getChain = (t: ParsedTable, name: string): ParsedChain | undefined => chainIndex.get(t)?.get(name);
  const addChain = (t: ParsedTable, ch: ParsedChain): ParsedChain => {
    let m = chainIndex.get(t);
    if (m === undefined) {
      m = new Map();
      chainIndex.set(t, m);
    }
    const existing = m.get(ch.name);
    if (existing !== undefined) return existing;
    m.set(ch.name, ch);
    t.chains.push(ch);
    return ch;
  };
  const currentTable = (lineNo: number): ParsedTable => {
    if (table !== undefined && open) return table;
    if (format === "save") {
      diagnostics.push({
        code: "IPT_PARSE_RULE_OUTSIDE_TABLE",
        severity: "error",
        line: lineNo,
        message: "line outside a *table … COMMIT block",
      });
    }
    if (implicit === undefined) {
      implicit = { name: opts.table ?? "filter", chains: [] };
      tables.push(implicit);
    }
    return implicit;
  };
  const bad = (lineNo: number, message: string): void => {
    diagnostics.push({ code: "IPT_PARSE_BAD_SAVE_LINE", severity: "error", line: lineNo, message });
  };

  if (text.trim() === "") {
    diagnostics.push({ code: "IPT_PARSE_EMPTY_INPUT", severity: "warning", line: 1, message: "empty input" });
  }

  const len = text.length;
  let pos = 0;
  let lineNo = 0;
  while (pos < len) {
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = len;
    let line = text.slice(pos, nl);
    pos = nl + 1;
    lineNo++;
    if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const c0 = trimmed.charCodeAt(0);

    if (c0 === 42 /* * */) {
      if (open && table !== undefined) {
        diagnostics.push({
          code: "IPT_PARSE_MISSING_COMMIT",
          severity: "error",
          line: openedAt,
          message: `table ${table.name} has no COMMIT`,
        });
      }
      const name = trimmed.slice(1).trim();
      if (name === "" || /\s/.test(name)) {
        bad(lineNo, `bad table line: ${trunc(trimmed)}`);
        open = false;
        continue;
      }
      format = "save";
      table = { name, chains: [] };
      tables.push(table);
      open = true;
      openedAt = lineNo;
      continue;
    }
    if (trimmed === "COMMIT") {
      if (!open) bad(lineNo, "COMMIT without a *table line");
      open = false;
      continue;
    }
    if (c0 === 58 /* : */) {
      // :CHAIN POLICY [p:b]
      const parts = trimmed.slice(1).split(/\s+/);
      const name = parts[0] ?? "";
      const pol = parts[1];
      if (name === "" || pol === undefined) {
        bad(lineNo, `bad chain line: ${trunc(trimmed)}`);
        continue;
      }
      const t = currentTable(lineNo);
      const ch = addChain(t, { name, policy: pol === "-" ? "" : pol, rules: [] });
      ch.policy = pol === "-" ? "" : pol;
      const cnt = parts[2] !== undefined ? parseBracketCounters(parts[2]) : undefined;
      if (parts[2] !== undefined && cnt === undefined) bad(lineNo, `bad chain counters: ${trunc(parts[2])}`);
      if (cnt !== undefined) ch.counters = { packets: BigInt(cnt.packets), bytes: BigInt(cnt.bytes) };
      continue;
    }

    // [p:b] -A CHAIN …, -A CHAIN …, -P CHAIN POLICY, -N CHAIN
    let body = trimmed;
    let bracket: { packets: string; bytes: string } | undefined;
    if (c0 === 91 /* [ */) {
      const close = trimmed.indexOf("]");
      bracket = close > 0 ? parseBracketCounters(trimmed.slice(0, close + 1)) : undefined;
      if (bracket === undefined) {
        bad(lineNo, `bad rule counters: ${trunc(trimmed)}`);
        continue;
      }
      body = trimmed.slice(close + 1).trimStart();
    }
    const tok = tokenizeSaveLine(body);
    if (tok.unterminatedQuote) {
      diagnostics.push({
        code: "IPT_PARSE_BAD_QUOTING",
        severity: "error",
        line: lineNo,
        message: `unterminated double quote: ${trunc(trimmed)}`,
      });
    }
    const tokens = tok.tokens;
    const cmd = tokens[0]?.value ?? "";
    const chainName = tokens[1]?.value;
    if (cmd === "-P" || cmd === "--policy") {
      const pol = tokens[2]?.value;
      if (chainName === undefined || pol === undefined) {
        bad(lineNo, `bad policy line: ${trunc(trimmed)}`);
        continue;
      }
      const t = currentTable(lineNo);
      const ch = addChain(t, { name: chainName, policy: pol, rules: [] });
      ch.policy = pol;
      if (tokens[3]?.value === "-c" && tokens[4] !== undefined && tokens[5] !== undefined) {
        const p = exactCounter(tokens[4].value);
        const b = exactCounter(tokens[5].value);
        if (p !== undefined && b !== undefined) ch.counters = { packets: p, bytes: b };
      }
      continue;
    }
    if (cmd === "-N" || cmd === "--new-chain") {
      if (chainName === undefined) {
        bad(lineNo, `bad -N line: ${trunc(trimmed)}`);
        continue;
      }
      addChain(currentTable(lineNo), { name: chainName, policy: "", rules: [] });
      continue;
    }
    if (cmd !== "-A" && cmd !== "--append") {
      bad(lineNo, `unsupported line (only *table, :chain, -P, -N, -A, COMMIT): ${trunc(trimmed)}`);
      continue;
    }
    if (chainName === undefined || (!(tokens[1] as SaveToken).quoted && chainName.startsWith("-"))) {
      bad(lineNo, `-A without a chain name: ${trunc(trimmed)}`);
      continue;
    }
    const t = currentTable(lineNo);
    let ch = getChain(t, chainName);
    if (ch === undefined) {
      diagnostics.push({
        code: "IPT_PARSE_UNKNOWN_CHAIN",
        severity: format === "save" ? "error" : "warning",
        line: lineNo,
        message: `rule for undeclared chain ${chainName} in table ${t.name}`,
      });
      ch = addChain(t, { name: chainName, policy: "", rules: [] });
    }
    const rule = emptyRule(line, ch.rules.length + 1);
    if (bracket !== undefined) {
      rule.packets = bracket.packets;
      rule.bytes = bracket.bytes;
      rule.details.packetsExact = BigInt(bracket.packets);
      rule.details.bytesExact = BigInt(bracket.bytes);
    }
    const err = fillRule(rule, toItems(tokens, 2));
    if (err !== undefined) {
      bad(lineNo, `${err}: ${trunc(trimmed)}`);
    }
    if (rule.src === "" || rule.dst === "") needAny.push(rule);
    if (!sawV6 && (rule.src.includes(":") || rule.dst.includes(":"))) sawV6 = true;
    finishRule(rule);
    ch.rules.push(rule);
  }
  if (open && table !== undefined) {
    diagnostics.push({
      code: "IPT_PARSE_MISSING_COMMIT",
      severity: "error",
      line: openedAt,
      message: `table ${table.name} has no COMMIT`,
    });
  }
  const family = opts.family ?? (sawV6 ? "ipv6" : "ipv4");
  const any = anyAddress(family);
  for (const r of needAny) {
    if (r.src === "") r.src = any;
    if (r.dst === "") r.dst = any;
  }
  return { format, family, tables, diagnostics };
}

function trunc(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
