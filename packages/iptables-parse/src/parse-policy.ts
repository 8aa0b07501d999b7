import { parseListing } from "./parse-listing.ts";
import { parseSave } from "./parse-save.ts";
import type { ParsedPolicy, ParseOptions } from "./types.ts";

export type { ParseOptions } from "./types.ts";

/**
 * Parse any policy text: `iptables -L` listings (any flags) or `iptables-save` / `iptables -S` output.
 * The format is detected from the first meaningful line (`Chain …` → listing; `*table`, `:CHAIN`, `-A`, `-P`,
 * `-N`, `[p:b]` → save), so a rules file works whichever way it was produced — the original module returned
 * nothing for save files.
 *
 * @param text - the policy text
 * @param opts - family / table (see {@link ParseOptions})
 * @returns the parsed policy; `format` tells which parser ran
 * @example parsePolicy("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n").format // "save"
 */
export function parsePolicy(text: string, opts: ParseOptions = {}): ParsedPolicy {
  return looksLikeSave(text) ? parseSave(text, opts) : parseListing(text, opts);
}

function looksLikeSave(text: string): boolean {
  let pos = 0;
  const len = text.length;
  let scanned = 0;
  while (pos < len && scanned < 1000) {
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = len;
    const line = text.slice(pos, Math.min(nl, pos + 64)).trim();
    pos = nl + 1;
    scanned++;
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("Chain ")) return false;
    const c = line[0];
    if (c === "*" || c === ":" || c === "[") return true;
    if (line.startsWith("-A ") || line.startsWith("-P ") || line.startsWith("-N ") || line === "COMMIT") return true;
  }
  return false;
}
