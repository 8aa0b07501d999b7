/** One word of an iptables-save / iptables-restore line. */
export interface SaveToken {
  /** The unquoted, unescaped value. */
  value: string;
  /** The word was (partly) double-quoted in the input: it is always a value, never an option or `!`. */
  quoted: boolean;
  /** 0-based column of the word's first character. */
  column: number;
}

/** Result of {@link tokenizeSaveLine}. */
export interface TokenizeResult {
  tokens: SaveToken[];
  /** Set when a double quote was never closed (the rest of the line became the last word). */
  unterminatedQuote: boolean;
}

/**
 * Split one iptables-restore line into words the way iptables-restore does (`add_param_to_argv`): words are
 * separated by blanks; a double-quoted section may contain blanks, and inside it a backslash escapes the
 * next character (`\"`, `\\`, `\'` as written by iptables-save); outside quotes a backslash is literal.
 *
 * @param line - the text after the line's leading counters
 * @returns the words and whether a quote was left open
 * @example tokenizeSaveLine('-m comment --comment "a \\"b\\""').tokens.map(t => t.value) // ["-m","comment","--comment",'a "b"']
 */
export function tokenizeSaveLine(line: string): TokenizeResult {
  const tokens: SaveToken[] = [];
  const n = line.length;
  let i = 0;
  let unterminatedQuote = false;
  while (i < n) {
    let c = line.charCodeAt(i);
    while (i < n && (c === 32 || c === 9 || c === 13 || c === 10)) {
      i++;
      c = line.charCodeAt(i);
    }
    if (i >= n) break;
    const column = i;
    let value = "";
    let quoted = false;
    let seg = i;
    while (i < n) {
      c = line.charCodeAt(i);
      if (c === 34 /* " */) {
        value += line.slice(seg, i);
        quoted = true;
        i++;
        seg = i;
        let closed = false;
        while (i < n) {
          const q = line.charCodeAt(i);
          if (q === 92 /* \ */ && i + 1 < n) {
            value += line.slice(seg, i) + line[i + 1];
            i += 2;
            seg = i;
            continue;
          }
          if (q === 34) {
            value += line.slice(seg, i);
            i++;
            seg = i;
            closed = true;
            break;
          }
          i++;
        }
        if (!closed) {
          value += line.slice(seg, i);
          seg = i;
          unterminatedQuote = true;
        }
        continue;
      }
      if (c === 32 || c === 9 || c === 13 || c === 10) break;
      i++;
    }
    value += line.slice(seg, i);
    tokens.push({ value, quoted, column });
  }
  return { tokens, unterminatedQuote };
}

/** True when a value must be double-quoted to survive iptables-restore tokenising. */
function needsQuotes(v: string): boolean {
  if (v.length === 0) return true;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 34 || c === 39 || c === 92) return true;
  }
  return false;
}

/**
 * Quote one word as iptables-save does (`"…"` with `\`-escaped `"`, `'` and `\`) when it needs it, or when
 * `force` is set (iptables-save always quotes comments, strings and log prefixes).
 *
 * @param v - the word
 * @param force - quote even when not needed
 * @returns the word as it appears in iptables-restore input
 */
export function quoteSaveWord(v: string, force = false): string {
  if (!force && !needsQuotes(v)) return v;
  return `"${v.replace(ESCAPED, "\\$&")}"`;
}

/** Characters iptables-save escapes inside double quotes. */
const ESCAPED = /["'\\]/g;
