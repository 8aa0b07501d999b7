/** `fwsnort.save` (spec §9.2): the iptables-restore file, spliced into a live `iptables-save -t filter` text. */
import { FwsnortError } from "./errors.ts";
import { fwsnortChainSet, type LayoutOptions } from "./render-iptcmds.ts";
import type { Translation } from "./types.ts";

/** Options of {@link renderSave}. */
export interface RenderSaveOptions {
  /** The live `iptables-save -t filter` output to splice into (fwsnort as root); omit for a self-contained file. */
  liveSave?: string;
  /** Chain layout knobs (built-ins, `_ESTAB` chains, ctstate, `--no-ipt-jumps`). */
  layout?: LayoutOptions;
}

/** Option values fwsnort always double-quotes in its save file. */
const QUOTED = new Set(["--comment", "--log-prefix", "--string", "--hex-string", "--ulog-prefix", "--nflog-prefix"]);

/**
 * Render one rule's argv in iptables-save syntax: free-text values in double quotes (as fwsnort writes them),
 * other words bare unless they contain blanks or quotes.
 * @param args - argv words after `-A CHAIN`
 * @returns the text
 * @example saveRuleArgs(["-m", "string", "--string", "GET", "--algo", "bm"]) // '-m string --string "GET" --algo bm'
 */
export function saveRuleArgs(args: readonly string[]): string {
  const out: string[] = new Array(args.length);
  fillSaveWords(out, 0, args);
  return out.join(" ");
}

/** Write the rendered words of `args` into `out` from index `at`. */
function fillSaveWords(out: string[], at: number, args: readonly string[]): void {
  let quoteNext = false;
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as string;
    out[at + i] = quoteNext || needsQuotes(w) ? `"${w.includes('"') ? w.replace(DQUOTES, "") : w}"` : w;
    // only `--…` words can be one of the QUOTED options
    quoteNext = w.charCodeAt(0) === 45 && w.charCodeAt(1) === 45 && QUOTED.has(w);
  }
}

/** One `-A CHAIN args… ` line (trailing blank like the original), built by a single join. */
function saveLine(chain: string, args: readonly string[]): string {
  if (args.length === 0) return `-A ${chain}  `; // = `-A ${chain} ${saveRuleArgs([])} `
  const out: string[] = new Array(args.length + 3);
  out[0] = "-A";
  out[1] = chain;
  fillSaveWords(out, 2, args);
  out[args.length + 2] = "";
  return out.join(" ");
}

/** `/[\s"']/.test(w)` as a character scan (runs for every word of every rule). */
function needsQuotes(w: string): boolean {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c === 34 || c === 39 || c === 32 || (c >= 9 && c <= 13)) return true;
    if (c >= 0xa0 && WHITE.test(w[i] as string)) return true;
  }
  return false;
}

const WHITE = /\s/;
const DQUOTES = /"/g;

const BUILTINS = ["INPUT", "FORWARD", "OUTPUT"] as const;

/**
 * Render fwsnort.save exactly as spec §9.2: the live filter table (header, built-in policies, other chains and
 * their rules) with fwsnort's six chains declared in sorted order, the jump rules inserted at
 * FWSNORT_<CHAIN>_JUMP, then the fwsnort chains (whitelist, blacklist, conntrack jump, signatures), later
 * chains, COMMIT. Every `-A` line ends with one space like the original. Without `liveSave` the result is a
 * self-contained valid `*filter` file with ACCEPT policies (the original writes an invalid file as non-root).
 * @param translation - the translation
 * @param opts - live save text and layout options
 * @returns the file text
 * @throws {FwsnortError} FWSNORT_BAD_SAVE_INPUT when `liveSave` has no `*filter` table
 * @example renderSave(translateRuleset(files)).startsWith("*filter") // true
 */
export function renderSave(translation: Translation, opts: RenderSaveOptions = {}): string {
  const set = fwsnortChainSet(translation, opts.layout);
  const live = opts.liveSave ?? "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n";
  const lines = live.split(/\r?\n/);
  const start = lines.findIndex((l) => l.trim() === "*filter");
  if (start < 0) throw new FwsnortError("FWSNORT_BAD_SAVE_INPUT", "the live iptables-save text has no *filter table");
  let end = lines.findIndex((l, i) => i > start && l.trim() === "COMMIT");
  if (end < 0) end = lines.length;
  const head = lines.slice(0, start + 1);
  const body = lines.slice(start + 1, end);
  const tail = lines.slice(end + 1).filter((l, i) => i === 0 || l !== "");
  const isFws = (c: string) => /^FWSNORT_/.test(c);
  const builtinDecl: string[] = [];
  const customDecl = new Map<string, string>();
  const rulesOf = new Map<string, string[]>();
  const customOrder: string[] = [];
  for (const l of body) {
    if (l.startsWith(":")) {
      const name = l.slice(1).split(/\s+/)[0] as string;
      if ((BUILTINS as readonly string[]).includes(name)) builtinDecl.push(l);
      else if (!isFws(name)) {
        customDecl.set(name, l);
        customOrder.push(name);
      }
    } else if (l.startsWith("-A ")) {
      const chain = l.slice(3).split(/\s+/)[0] as string;
      if (isFws(chain) || /-j FWSNORT_|--jump FWSNORT_|-g FWSNORT_/.test(l)) continue;
      if (!rulesOf.has(chain)) rulesOf.set(chain, []);
      rulesOf.get(chain)?.push(l);
    }
  }
  const fwsChains = [...set.chains].sort();
  const out: string[] = [...head, ...builtinDecl];
  const decl = [...customOrder.map((c) => ({ name: c, line: customDecl.get(c) as string }))];
  for (const c of fwsChains) decl.push({ name: c, line: `:${c} - [0:0]` });
  decl.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  out.push(...decl.map((d) => d.line));
  for (const b of BUILTINS) {
    const existing = [...(rulesOf.get(b) ?? [])];
    const jumps = set.jumps.filter((j) => j.from === b);
    if (jumps.length) {
      const pos = Math.max(0, Math.min(existing.length, (jumps[0]?.position ?? 1) - 1));
      const jl = jumps.map((j) => `-A ${b} ${saveRuleArgs([...j.matches, "-j", j.chain])} `);
      existing.splice(pos, 0, ...jl);
    }
    out.push(...existing);
  }
  const customSorted = [...customOrder].sort();
  const firstFws = fwsChains[0] ?? "FWSNORT_";
  for (const c of customSorted) if (c < firstFws) out.push(...(rulesOf.get(c) ?? []));
  for (const c of fwsChains) {
    for (const args of set.rules.get(c) ?? []) out.push(saveLine(c, args));
  }
  for (const c of customSorted) if (c >= firstFws) out.push(...(rulesOf.get(c) ?? []));
  out.push("COMMIT", ...tail);
  let text = out.join("\n");
  if (!text.endsWith("\n")) text += "\n";
  return text;
}
