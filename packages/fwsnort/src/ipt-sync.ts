/**
 * `--ipt-sync` (spec §11): keep only the signatures the running policy lets through. For every signature and
 * every built-in chain it lands in, the packets its rule matches (protocol, addresses, ports, interface side,
 * established or not — read from the generated iptables rule itself) are walked through the live filter table
 * parsed from `iptables-save` by @fwkit/iptables-parse. Protocols are compared by name or number, so this works
 * on iptables 1.8 / nf_tables, where fwsnort's `-nL` parsing never matched (`6` ≠ `tcp`).
 *
 * Model (conservative: a signature is dropped only when the policy provably blocks all of its packets):
 * - a rule *applies* when it matches some of the signature's packets; ACCEPT (or an unknown terminal target)
 *   that applies → allowed; DROP/REJECT only decide when they match *all* of them (else the walk continues);
 *   jumps into user chains are followed; LOG-like targets are passed over; the chain policy decides at the end;
 * - connection state: NEW and ESTABLISHED packets are walked separately (rules with `--ctstate`/`--state`
 *   apply only to the states they list). An established signature needs its established packets to pass, and
 *   the connection to be able to start: in this chain, or for the reverse packet in the reverse chain
 *   (INPUT ↔ OUTPUT, FORWARD ↔ FORWARD) — a direction counts only when its source port is unrestricted (clients
 *   use ephemeral ports; `--sport 80` marks a server's answer). A stateless signature needs its NEW packets, or
 *   its established packets and a reverse start;
 * - loopback-only rules are ignored (the jumps into fwsnort exclude `lo`) unless `excludeLoopback` is false.
 */
import {
  type ParsedChain,
  type ParsedPolicy,
  type ParsedRule,
  protocolNumber,
  tokenizeSaveLine,
} from "@fwkit/iptables-parse";
import ipaddr from "ipaddr.js";
import type { FwsnortChain, IptRule, SkippedRule, TranslatedRule, Translation } from "./types.ts";

type Builtin = "INPUT" | "FORWARD" | "OUTPUT";
type State = "NEW" | "ESTABLISHED";
type Interval = [number, number];

/** An address constraint: any, or a network (possibly negated). */
type Addr = { any: true } | { any: false; neg: boolean; net: [ipaddr.IPv4 | ipaddr.IPv6, number] };

/** The packets one generated fwsnort rule looks at. */
interface PacketClass {
  proto: number | "all";
  src: Addr;
  dst: Addr;
  sport: Interval[];
  dport: Interval[];
}

/** Options of {@link iptSync}. */
export interface IptSyncOptions {
  /** The jumps into fwsnort exclude loopback (default true): rules only for `lo` are then ignored. */
  excludeLoopback?: boolean;
}

/** The decision for one signature in one built-in chain. */
export interface SyncDecision {
  sid: number;
  chain: Builtin;
  allowed: boolean;
  /** e.g. `INPUT rule 2: -p tcp -m tcp --dport 80 -j ACCEPT` or `INPUT policy DROP`. */
  reason: string;
}

/** Result of {@link iptSync}. */
export interface IptSyncResult {
  /** The translation with blocked rules removed, fully blocked signatures moved to `skipped`
   *  (`FWSNORT_IPT_SYNC_BLOCKED`), and `files[].iptApply` set. */
  translation: Translation;
  decisions: SyncDecision[];
}

const FULL: Interval[] = [[0, 65535]];

function parsePorts(spec: string): Interval[] {
  const out: Interval[] = [];
  for (const part of spec.split(",")) {
    const m = /^(\d*)(?::(\d*))?$/.exec(part.trim());
    if (!m) return FULL;
    const lo = m[1] === "" ? 0 : Number(m[1]);
    const hi = m[2] === undefined ? lo : m[2] === "" ? 65535 : Number(m[2]);
    out.push([Math.min(lo, hi), Math.max(lo, hi)]);
  }
  return normalise(out);
}

function normalise(xs: Interval[]): Interval[] {
  const s = [...xs].sort((a, b) => a[0] - b[0]);
  const out: Interval[] = [];
  for (const [lo, hi] of s) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complement(xs: Interval[]): Interval[] {
  const out: Interval[] = [];
  let next = 0;
  for (const [lo, hi] of normalise(xs)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= 65535) out.push([next, 65535]);
  return out;
}

function intersectsPorts(a: Interval[], b: Interval[]): boolean {
  return a.some(([l1, h1]) => b.some(([l2, h2]) => l1 <= h2 && l2 <= h1));
}

function coversPorts(outer: Interval[], inner: Interval[]): boolean {
  return inner.every(([l, h]) => outer.some(([lo, hi]) => lo <= l && h <= hi));
}

function parseAddr(text: string | undefined, neg: boolean): Addr {
  if (text === undefined || text === "" || text === "0.0.0.0/0" || text === "::/0")
    return neg ? { any: false, neg, net: [ipaddr.parse("0.0.0.0"), 0] } : { any: true };
  const t = text.replace(/^!/, "");
  try {
    const net = t.includes("/")
      ? ipaddr.parseCIDR(t)
      : (() => {
          const a = ipaddr.parse(t);
          return [a, a.kind() === "ipv4" ? 32 : 128] as [ipaddr.IPv4 | ipaddr.IPv6, number];
        })();
    return { any: false, neg: neg || text.startsWith("!"), net };
  } catch {
    return { any: true };
  }
}

/** `inner` network lies within `outer`. */
function within(inner: [ipaddr.IPv4 | ipaddr.IPv6, number], outer: [ipaddr.IPv4 | ipaddr.IPv6, number]): boolean {
  if (inner[0].kind() !== outer[0].kind()) return false;
  return inner[1] >= outer[1] && (inner[0] as ipaddr.IPv4).match(outer as [ipaddr.IPv4, number]);
}

function addrIntersects(rule: Addr, sig: Addr): boolean {
  if (rule.any || sig.any) return true;
  if (rule.net[0].kind() !== sig.net[0].kind()) return true; // cannot compare: assume overlap
  if (!rule.neg && !sig.neg) return within(sig.net, rule.net) || within(rule.net, sig.net);
  if (!rule.neg && sig.neg) return !within(rule.net, sig.net);
  if (rule.neg && !sig.neg) return !within(sig.net, rule.net);
  return true;
}

function addrCovers(rule: Addr, sig: Addr): boolean {
  if (rule.any) return true;
  if (sig.any) return false;
  if (rule.net[0].kind() !== sig.net[0].kind()) return false;
  if (!rule.neg) return !sig.neg && within(sig.net, rule.net);
  return sig.neg ? within(rule.net, sig.net) : !within(sig.net, rule.net) && !within(rule.net, sig.net);
}

function protoNum(p: string): number | "all" {
  const name = p.replace(/^!/, "").toLowerCase();
  if (name === "" || name === "all" || name === "0") return "all";
  if (/^\d+$/.test(name)) return Number(name);
  if (name === "icmpv6" || name === "ipv6-icmp") return 58;
  return protocolNumber(name) ?? -1;
}

/** Read the packet class from a generated fwsnort rule's argv. */
function classOf(args: readonly string[]): PacketClass {
  const c: PacketClass = { proto: "all", src: { any: true }, dst: { any: true }, sport: FULL, dport: FULL };
  for (let i = 0; i < args.length; i++) {
    const neg = args[i - 1] === "!";
    const w = args[i];
    const v = args[i + 1];
    if (w === "-j") break;
    if (w === "-s" || w === "--source") c.src = parseAddr(v, neg);
    else if (w === "-d" || w === "--destination") c.dst = parseAddr(v, neg);
    else if ((w === "-p" || w === "--protocol") && v !== undefined && !neg) c.proto = protoNum(v);
    else if ((w === "--sport" || w === "--sports" || w === "--source-port") && v !== undefined) {
      c.sport = neg ? complement(parsePorts(v)) : parsePorts(v);
    } else if ((w === "--dport" || w === "--dports" || w === "--destination-port") && v !== undefined) {
      c.dport = neg ? complement(parsePorts(v)) : parsePorts(v);
    }
  }
  return c;
}

function reverse(c: PacketClass): PacketClass {
  return { proto: c.proto, src: c.dst, dst: c.src, sport: c.dport, dport: c.sport };
}

/** Options of rules we model exactly; anything else narrows the rule to a subset ("extra match"). */
const MODELLED = new Set([
  "-s",
  "--source",
  "-d",
  "--destination",
  "-p",
  "--protocol",
  "-i",
  "--in-interface",
  "-o",
  "--out-interface",
  "--sport",
  "--dport",
  "--sports",
  "--dports",
  "--source-port",
  "--destination-port",
  "--ctstate",
  "--state",
  "--comment",
]);
const MODELLED_MODULES = new Set(["tcp", "udp", "multiport", "conntrack", "state", "comment"]);

function hasExtraMatch(rule: ParsedRule): boolean {
  const spec = rule.details.rulespec;
  if (spec === undefined) return rule.extended.trim() !== "";
  const words = tokenizeSaveLine(spec).tokens.map((t) => t.value);
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w === "-j" || w === "-g" || w === "--jump" || w === "--goto") return false;
    if (w === "!") continue;
    if (w === "-m" || w === "--match") {
      if (!MODELLED_MODULES.has(words[i + 1] ?? "")) return true;
      i++;
      continue;
    }
    if (w.startsWith("-")) {
      if (!MODELLED.has(w)) return true;
      i++;
    }
  }
  return false;
}

type Match = "none" | "partial" | "full";

function ruleMatch(
  rule: ParsedRule,
  cls: PacketClass,
  state: State,
  side: "in" | "out" | "fwd",
  exclLo: boolean,
): Match {
  const neg = rule.details.negated ?? {};
  let full = !hasExtraMatch(rule);
  // interfaces
  for (const [val, n, relevant] of [
    [rule.intf_in, neg.intf_in === true, side !== "out"],
    [rule.intf_out, neg.intf_out === true, side !== "in"],
  ] as const) {
    const name = val.replace(/^!/, "");
    const negated = n || val.startsWith("!");
    if (name === "" || name === "*" || name === "+") continue;
    if (!relevant) continue;
    if (name === "lo" && !negated) {
      if (exclLo) return "none";
      full = false;
    } else if (!(name === "lo" && negated && exclLo)) full = false;
  }
  // state
  const st = rule.ctstate || rule.state;
  if (st) {
    const negated = neg.ctstate === true || neg.state === true || st.startsWith("!");
    const states = st.replace(/^!/, "").split(",");
    if (states.includes(state) === negated) return "none";
    // matches this state; the rule still covers our packets of this state
  }
  // protocol
  const rp = protoNum(rule.protocol);
  const pNeg = neg.protocol === true || rule.protocol.startsWith("!");
  if (rp !== "all") {
    if (cls.proto === "all") full = false;
    else if (pNeg ? cls.proto === rp : cls.proto !== rp) return "none";
  } else if (pNeg) return "none";
  // addresses
  const rs = parseAddr(rule.src, neg.src === true);
  const rd = parseAddr(rule.dst, neg.dst === true);
  if (!addrIntersects(rs, cls.src) || !addrIntersects(rd, cls.dst)) return "none";
  if (!addrCovers(rs, cls.src) || !addrCovers(rd, cls.dst)) full = false;
  // ports (tcp/udp rules only)
  const portOf = (v: string | 0, multi: string[] | undefined, negated: boolean): Interval[] | undefined => {
    let set: Interval[] | undefined;
    let n = negated;
    if (multi && multi.length > 0) set = parsePorts(multi.join(","));
    else if (v !== 0 && v !== "") {
      n = n || v.startsWith("!");
      set = parsePorts(v.replace(/^!/, ""));
    }
    return set && n ? complement(set) : set;
  };
  const mNeg = neg.multiport === true;
  const sp = portOf(
    rule.s_port,
    rule.details.multiportSports,
    rule.details.multiportSports?.length ? mNeg : neg.s_port === true,
  );
  const dp = portOf(
    rule.d_port,
    rule.details.multiportDports,
    rule.details.multiportDports?.length ? mNeg : neg.d_port === true,
  );
  for (const [r, s] of [
    [sp, cls.sport],
    [dp, cls.dport],
  ] as const) {
    if (r === undefined) continue;
    if (!intersectsPorts(r, s)) return "none";
    if (!coversPorts(r, s)) full = false;
  }
  if (rule.details.multiportPorts && rule.details.multiportPorts.length > 0) {
    const r = parsePorts(rule.details.multiportPorts.join(","));
    if (!intersectsPorts(r, cls.sport) && !intersectsPorts(r, cls.dport)) return "none";
    full = false;
  }
  return full ? "full" : "partial";
}

const PASS_OVER = new Set([
  "LOG",
  "ULOG",
  "NFLOG",
  "MARK",
  "CONNMARK",
  "CLASSIFY",
  "TOS",
  "DSCP",
  "TTL",
  "HL",
  "TCPMSS",
  "AUDIT",
  "CT",
  "NOTRACK",
  "TRACE",
  "SET",
  "CHECKSUM",
  "CONNSECMARK",
  "SECMARK",
  "IDLETIMER",
  "LED",
  "",
]);

type Verdict = { v: "accept" | "drop" | "return"; reason: string };

function walk(
  chains: Map<string, ParsedChain>,
  name: string,
  cls: PacketClass,
  state: State,
  side: "in" | "out" | "fwd",
  exclLo: boolean,
  depth: number,
): Verdict {
  const chain = chains.get(name);
  if (!chain || depth > 8) return { v: "accept", reason: `${name}: not evaluated` };
  for (const r of chain.rules) {
    if (r.target.startsWith("FWSNORT_")) continue;
    const m = ruleMatch(r, cls, state, side, exclLo);
    if (m === "none") continue;
    const why = `${name} rule ${r.rule_num}: ${r.details.rulespec ?? r.raw}`.trim();
    const t = r.target;
    if (t === "ACCEPT") return { v: "accept", reason: why };
    if (t === "DROP" || t === "REJECT") {
      if (m === "full") return { v: "drop", reason: why };
      continue;
    }
    if (PASS_OVER.has(t)) continue;
    if (t === "RETURN") {
      if (m === "full") return chain.policy ? policyVerdict(chain) : { v: "return", reason: why };
      return { v: "accept", reason: `${why} (partial RETURN)` };
    }
    if (chains.has(t)) {
      const sub = walk(chains, t, cls, state, side, exclLo, depth + 1);
      if (sub.v === "accept") return sub;
      if (sub.v === "drop" && m === "full") return sub;
      continue;
    }
    return { v: "accept", reason: why }; // NFQUEUE, QUEUE, …: cannot prove a block
  }
  return chain.policy ? policyVerdict(chain) : { v: "return", reason: `${name}: end of chain` };
}

function policyVerdict(chain: ParsedChain): Verdict {
  return {
    v: chain.policy === "DROP" || chain.policy === "REJECT" ? "drop" : "accept",
    reason: `${chain.name} policy ${chain.policy}`,
  };
}

const BUILTIN_OF: Record<FwsnortChain, Builtin> = {
  FWSNORT_INPUT: "INPUT",
  FWSNORT_INPUT_ESTAB: "INPUT",
  FWSNORT_FORWARD: "FORWARD",
  FWSNORT_FORWARD_ESTAB: "FORWARD",
  FWSNORT_OUTPUT: "OUTPUT",
  FWSNORT_OUTPUT_ESTAB: "OUTPUT",
};
const REVERSE: Record<Builtin, Builtin> = { INPUT: "OUTPUT", OUTPUT: "INPUT", FORWARD: "FORWARD" };
const SIDE: Record<Builtin, "in" | "out" | "fwd"> = { INPUT: "in", OUTPUT: "out", FORWARD: "fwd" };

/**
 * Decide whether the running policy lets the packets of one generated rule through its built-in chain.
 * @returns allowed + the rule or policy that decided
 */
function decide(
  chains: Map<string, ParsedChain>,
  rule: IptRule,
  exclLo: boolean,
): { allowed: boolean; reason: string } {
  const b = BUILTIN_OF[rule.chain];
  const cls = classOf(rule.args);
  const estab = rule.chain.endsWith("_ESTAB");
  const go = (chain: Builtin, c: PacketClass, s: State) => walk(chains, chain, c, s, SIDE[chain], exclLo, 0);
  const est = go(b, cls, "ESTABLISHED");
  // A connection is started by a client from an unrestricted (ephemeral) port: a direction whose source port
  // the rule pins (e.g. `--sport 80`, a server's answer) is not where the connection starts.
  const isFull = (x: Interval[]) => x.length === 1 && x[0]?.[0] === 0 && x[0]?.[1] === 65535;
  const hereP = isFull(cls.sport) || !isFull(cls.dport);
  const thereP = isFull(cls.dport) || !isFull(cls.sport);
  const startHere = hereP ? go(b, cls, "NEW") : undefined;
  const startThere = thereP ? go(REVERSE[b], reverse(cls), "NEW") : undefined;
  const hereOk = startHere !== undefined && startHere.v !== "drop";
  const thereOk = startThere !== undefined && startThere.v !== "drop";
  const startReason = [startHere?.reason, startThere && `reverse: ${startThere.reason}`].filter(Boolean).join("; ");
  if (estab) {
    if (est.v === "drop") return { allowed: false, reason: est.reason };
    if (!hereOk && !thereOk) return { allowed: false, reason: startReason };
    return { allowed: true, reason: hereOk ? (startHere as Verdict).reason : est.reason };
  }
  if (hereOk) return { allowed: true, reason: (startHere as Verdict).reason };
  if (est.v !== "drop" && thereOk) return { allowed: true, reason: `${est.reason}; ${startReason}` };
  return { allowed: false, reason: startHere?.reason ?? est.reason };
}

/**
 * Keep only the signatures (per built-in chain) that the running policy lets through (spec §11, corrected).
 * @param translation - the translation
 * @param policy - the live filter table, ideally `iptables-save -t filter` parsed (`IptablesParse#policy("filter")`)
 * @param o - options
 * @returns the synced translation and every decision
 * @example iptSync(translation, await new IptablesParse(...).policy("filter")).translation
 */
export function iptSync(translation: Translation, policy: ParsedPolicy, o: IptSyncOptions = {}): IptSyncResult {
  const exclLo = o.excludeLoopback ?? true;
  const chains = new Map<string, ParsedChain>(
    (policy.tables.find((t) => t.name === "filter")?.chains ?? []).map((c) => [c.name, c]),
  );
  const cache = new Map<string, { allowed: boolean; reason: string }>();
  const decisions: SyncDecision[] = [];
  const translated: TranslatedRule[] = [];
  const skipped: SkippedRule[] = [...translation.skipped];
  let blocked = 0;
  for (const t of translation.translated) {
    const keep: IptRule[] = [];
    const seen = new Map<Builtin, SyncDecision>();
    for (const r of t.rules) {
      const key = `${r.chain} ${classKey(r.args)}`;
      let d = cache.get(key);
      if (!d) {
        d = decide(chains, r, exclLo);
        cache.set(key, d);
      }
      const b = BUILTIN_OF[r.chain];
      const prev = seen.get(b);
      if (!prev || (!prev.allowed && d.allowed))
        seen.set(b, { sid: t.sid, chain: b, allowed: d.allowed, reason: d.reason });
      if (d.allowed) keep.push(r);
    }
    decisions.push(...seen.values());
    if (keep.length > 0) translated.push(keep.length === t.rules.length ? t : { ...t, rules: keep });
    else {
      blocked++;
      const why = [...seen.values()].map((d) => d.reason).join("; ");
      skipped.push({
        sid: t.sid,
        file: t.file,
        line: t.line,
        code: "FWSNORT_IPT_SYNC_BLOCKED",
        message: `[-] SID: ${t.sid} not applicable: the running policy blocks it (${why})`,
        details: { chains: [...seen.keys()], reasons: [...seen.values()].map((d) => d.reason) },
      });
    }
  }
  const byFile = new Map<string, { n: number; rules: number }>();
  for (const t of translated) {
    const e = byFile.get(t.file) ?? { n: 0, rules: 0 };
    e.n++;
    e.rules += t.rules.length;
    byFile.set(t.file, e);
  }
  const skipCounts = { ...translation.skipCounts };
  if (blocked > 0) skipCounts.FWSNORT_IPT_SYNC_BLOCKED = (skipCounts.FWSNORT_IPT_SYNC_BLOCKED ?? 0) + blocked;
  return {
    translation: {
      ...translation,
      translated,
      skipped,
      skipCounts,
      files: translation.files.map((f) => ({
        ...f,
        iptApply: byFile.get(f.file)?.n ?? 0,
        iptRules: byFile.get(f.file)?.rules ?? 0,
      })),
    },
    decisions,
  };
}

/** The header part of a rule (what the decision depends on). */
function classKey(args: readonly string[]): string {
  const keys = new Set(["-s", "-d", "-p", "--sport", "--dport", "--sports", "--dports", "!"]);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as string;
    if (w === "-j") break;
    if (keys.has(w)) {
      out.push(w);
      if (w !== "!") out.push(args[i + 1] as string);
      if (w !== "!") i++;
    }
  }
  return out.join(" ");
}
