/**
 * `fwsnort_iptcmds.sh` (spec §9.4, the "slow version": one iptables command per rule) and the chain layout
 * (fwsnort's six chains, whitelist/blacklist/conntrack prologue, jump rules) shared with the live apply.
 * Pure text/data; chain order is fixed (sorted chain names), unlike the original's Perl-hash order.
 */
import { type BannerOptions, bannerLines, iptStr, shQuote } from "./render-sh.ts";
import type { FwsnortChain, Translation } from "./types.ts";

/** A built-in chain fwsnort hooks into. */
export type BuiltinChain = "INPUT" | "FORWARD" | "OUTPUT";

/** Chain-layout knobs that are command-line options rather than translation data. */
export interface LayoutOptions {
  /** Built-in chain families to create/populate (default all three; fwsnort's `--no-ipt-INPUT` etc.). */
  builtins?: readonly BuiltinChain[];
  /** Whether the `_ESTAB` chains exist (default true; false with `--no-ipt-conntrack`). */
  estab?: boolean;
  /** ctstate of the jump into the `_ESTAB` chains (default `ESTABLISHED`; fwsnort's `-C`). */
  conntrackState?: string;
  /** Omit the jump rules from the built-in chains (`--no-ipt-jumps`). */
  noJumps?: boolean;
}

/** One jump rule from a built-in chain into a fwsnort chain. */
export interface JumpRule {
  from: BuiltinChain;
  /** 1-based insert position (FWSNORT_<CHAIN>_JUMP). */
  position: number;
  /** Matches before `-j` (`["!", "-i", "lo"]`, `["-i", "eth0"]` or none). */
  matches: string[];
  chain: FwsnortChain;
}

/** The complete chain content fwsnort owns: chains in creation order, their rules, and the jumps into them. */
export interface ChainSet {
  /** Chains that exist, in fwsnort's creation order (INPUT, INPUT_ESTAB, FORWARD, …). */
  chains: FwsnortChain[];
  /** Rules per chain in order: whitelist, blacklist, conntrack jump, then signature rules (argv without `-A`). */
  rules: Map<FwsnortChain, string[][]>;
  /** Prologue rules only (whitelist, blacklist, conntrack jump), per chain. */
  whitelist: { chain: FwsnortChain; args: string[] }[];
  blacklist: { chain: FwsnortChain; args: string[] }[];
  conntrackJumps: { chain: FwsnortChain; args: string[] }[];
  jumps: JumpRule[];
}

const CREATE_ORDER: BuiltinChain[] = ["INPUT", "FORWARD", "OUTPUT"];
/** Deterministic order used everywhere else: sorted, as in fwsnort.save. */
const SORTED: BuiltinChain[] = ["FORWARD", "INPUT", "OUTPUT"];

function builtinsOf(o: LayoutOptions): BuiltinChain[] {
  const want = new Set(o.builtins ?? CREATE_ORDER);
  return SORTED.filter((b) => want.has(b));
}

/**
 * Compute fwsnort's chains and everything in them for a translation (pure): the whitelist RETURN rules, the
 * blacklist DROP/REJECT rules, the `-p tcp -m conntrack --ctstate ESTABLISHED -j …_ESTAB` jumps (spec §8.3,
 * §9.1), the signature rules in rules-file order, and the jump rules from INPUT/FORWARD/OUTPUT.
 * @param translation - the translation
 * @param o - layout options (built-ins, ESTAB chains, ctstate, jumps)
 * @returns the chain set
 * @example fwsnortChainSet(t).rules.get("FWSNORT_INPUT")
 */
export function fwsnortChainSet(translation: Translation, o: LayoutOptions = {}): ChainSet {
  const layout = translation.layout;
  const builtins = builtinsOf(o);
  const estab = o.estab ?? true;
  const state = o.conntrackState ?? "ESTABLISHED";
  const chains: FwsnortChain[] = [];
  for (const b of CREATE_ORDER) {
    if (!builtins.includes(b)) continue;
    chains.push(`FWSNORT_${b}` as FwsnortChain);
    if (estab) chains.push(`FWSNORT_${b}_ESTAB` as FwsnortChain);
  }
  const rules = new Map<FwsnortChain, string[][]>(chains.map((c) => [c, []]));
  const whitelist: ChainSet["whitelist"] = [];
  const blacklist: ChainSet["blacklist"] = [];
  const conntrackJumps: ChainSet["conntrackJumps"] = [];
  const dirs = (b: BuiltinChain): ("-s" | "-d")[] => (b === "FORWARD" ? ["-s", "-d"] : b === "INPUT" ? ["-s"] : ["-d"]);
  for (const addr of layout.whitelist) {
    for (const b of builtins) {
      for (const d of dirs(b))
        whitelist.push({ chain: `FWSNORT_${b}` as FwsnortChain, args: [d, addr, "-j", "RETURN"] });
    }
  }
  for (const { addr, action } of layout.blacklist) {
    for (const b of builtins) {
      for (const d of dirs(b)) {
        const chain = `FWSNORT_${b}` as FwsnortChain;
        if (action === "DROP") blacklist.push({ chain, args: [d, addr, "-j", "DROP"] });
        else {
          const icmp = translation.family === 6 ? "icmp6-adm-prohibited" : "icmp-host-unreachable";
          const icmpProto = translation.family === 6 ? "ipv6-icmp" : "icmp";
          const portUnreach = translation.family === 6 ? "icmp6-port-unreachable" : "icmp-port-unreachable";
          blacklist.push({ chain, args: [d, addr, "-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"] });
          blacklist.push({ chain, args: [d, addr, "-p", "udp", "-j", "REJECT", "--reject-with", portUnreach] });
          blacklist.push({ chain, args: [d, addr, "-p", icmpProto, "-j", "REJECT", "--reject-with", icmp] });
        }
      }
    }
  }
  if (estab) {
    for (const b of builtins) {
      const match = layout.conntrack ? ["-m", "conntrack", "--ctstate", state] : ["-m", "state", "--state", state];
      conntrackJumps.push({
        chain: `FWSNORT_${b}` as FwsnortChain,
        args: ["-p", "tcp", ...match, "-j", `FWSNORT_${b}_ESTAB`],
      });
    }
  }
  for (const r of [...whitelist, ...blacklist, ...conntrackJumps]) rules.get(r.chain)?.push(r.args);
  for (const t of translation.translated) {
    for (const r of t.rules) rules.get(r.chain)?.push([...r.args]);
  }
  const jumps: JumpRule[] = [];
  if (!o.noJumps) {
    for (const b of builtins) {
      const chain = `FWSNORT_${b}` as FwsnortChain;
      const position = layout.jumpPositions[b];
      const flag = b === "OUTPUT" ? "-o" : "-i";
      if (layout.restrictInterfaces.length > 0) {
        for (const intf of layout.restrictInterfaces) jumps.push({ from: b, position, matches: [flag, intf], chain });
      } else {
        jumps.push({ from: b, position, matches: layout.excludeLoopback ? ["!", flag, "lo"] : [], chain });
      }
    }
  }
  return { chains, rules, whitelist, blacklist, conntrackJumps, jumps };
}

/** Free-text option values the original always double-quotes. */
const QUOTED_VALUES = new Set([
  "--comment",
  "--log-prefix",
  "--string",
  "--hex-string",
  "--ulog-prefix",
  "--nflog-prefix",
]);

/**
 * Render one rule's argv as sh words. Free-text values (`--comment`, `--log-prefix`, `--string`, `--hex-string`)
 * are double-quoted like fwsnort writes them when that is safe (no `$`, backquote, `\` or `"`), otherwise
 * single-quoted; every other word is bare when safe, else single-quoted.
 * @param args - argv words
 * @returns the words joined with blanks
 * @example shRuleArgs(["-m", "comment", "--comment", "sid:1; msg:x"]) // '-m comment --comment "sid:1; msg:x"'
 */
export function shRuleArgs(args: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as string;
    if (i > 0 && QUOTED_VALUES.has(args[i - 1] as string) && !/[$`\\"]/.test(w)) out.push(`"${w}"`);
    else out.push(shQuote(w));
  }
  return out.join(" ");
}

/** Options of {@link renderIptCmds}. */
export interface IptCmdsOptions extends BannerOptions, LayoutOptions {
  /** `ECHO=` value (default `/bin/echo`). */
  echo?: string;
  /** `IPTABLES=` / `IP6TABLES=` value (default `/sbin/iptables` / `/sbin/ip6tables`). */
  iptables?: string;
  /** Add `$ECHO "[+] rule N"` lines (`--verbose`). */
  verbose?: boolean;
}

function typeOf(file: string): string {
  return file.replace(/^.*\//, "").replace(/\.rules$/, "");
}

function sortedByChain<T extends { chain: FwsnortChain }>(xs: readonly T[]): T[] {
  return xs
    .map((x, i) => ({ x, i }))
    .sort((a, b) => (a.x.chain < b.x.chain ? -1 : a.x.chain > b.x.chain ? 1 : a.i - b.i))
    .map((e) => e.x);
}

/**
 * Render `fwsnort_iptcmds.sh` (spec §9.4): banner, config block, chain creation, whitelist, blacklist, conntrack
 * jumps, one block per rules file (`### <original rule>` then its `$IPTABLES -A` lines, and
 * `Rules added: <n>`), the jump rules, `[+] Finished.`. Deterministic: chains of one signature are written in
 * sorted chain order (the original used Perl hash order), the File line names this file.
 * @param translation - the translation
 * @param o - banner data, binaries, layout options
 * @returns the script text
 * @example renderIptCmds(t, { file: "/var/lib/fwsnort/fwsnort_iptcmds.sh", argv: [], hostname: "h", now: new Date() })
 */
export function renderIptCmds(translation: Translation, o: IptCmdsOptions): string {
  const fam = translation.family;
  const str = iptStr(fam);
  const v = fam === 6 ? "IP6TABLES" : "IPTABLES";
  const set = fwsnortChainSet(translation, o);
  const L: string[] = [...bannerLines(fam, o)];
  L.push("#==================== config ====================", `ECHO=${o.echo ?? "/bin/echo"}`);
  L.push(`${v}=${o.iptables ?? `/sbin/${str}`}`, "#================== end config ==================", "");
  const section = (title: string) => L.push("", "###", `############ ${title} ############`, "###");
  section(`Create fwsnort ${str} chains.`);
  for (const c of set.chains) L.push(`$${v} -N ${c} 2> /dev/null`, `$${v} -F ${c}`, "");
  const add = (chain: string, args: readonly string[]) => L.push(`$${v} -A ${chain} ${shRuleArgs(args)}`);
  if (set.whitelist.length > 0) {
    section("Add IP/network WHITELIST rules.");
    for (const r of set.whitelist) add(r.chain, r.args);
  }
  if (set.blacklist.length > 0) {
    section("Add IP/network BLACKLIST rules.");
    for (const r of set.blacklist) add(r.chain, r.args);
  }
  if (o.estab ?? true) {
    section(`Inspect ${o.conntrackState ?? "ESTABLISHED"} tcp connections.`);
    for (const r of set.conntrackJumps) add(r.chain, r.args);
  }
  const present = new Set(set.chains);
  let ruleCtr = 0;
  let file: string | undefined;
  let added = 0;
  const endFile = () => {
    if (file !== undefined && added > 0) L.push(`$ECHO "    Rules added: ${added}"`);
  };
  for (const t of translation.translated) {
    const rules = sortedByChain(t.rules.filter((r) => present.has(r.chain)));
    if (rules.length === 0) continue;
    if (t.file !== file) {
      endFile();
      file = t.file;
      added = 0;
      section(`${typeOf(t.file)}.rules`);
      L.push(`$ECHO "[+] Adding ${typeOf(t.file)} rules:"`);
    }
    L.push("", `### ${t.text}`);
    if (o.verbose) L.push(`$ECHO "[+] rule ${++ruleCtr}"`);
    for (const r of rules) add(r.chain, r.args);
    added += rules.length;
  }
  endFile();
  if (!o.noJumps) {
    section("Jump traffic to the fwsnort chains.");
    for (const j of set.jumps) {
      const m = j.matches.length ? `${j.matches.map(shQuote).join(" ")} ` : "";
      L.push(`$${v} -D ${j.from} ${m}-j ${j.chain} 2> /dev/null`, `$${v} -I ${j.from} ${j.position} ${m}-j ${j.chain}`);
    }
  }
  L.push("", '$ECHO "[+] Finished."', "### EOF ###");
  return `${L.join("\n")}\n`;
}
