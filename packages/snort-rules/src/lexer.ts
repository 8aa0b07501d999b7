/**
 * Low-level tokenising of one logical rule line: header/body split and the quote-aware option splitter.
 * Everything here is linear in the input length (hostile 1 MB lines stay fast).
 */

/** One `keyword[:value];` item of a rule body. */
export interface RawOption {
  /** keyword as written (not yet lower-cased), trimmed */
  keyword: string;
  /** value after the colon, trimmed; undefined for bare keywords */
  value: string | undefined;
  /** 0-based offset of the keyword in the logical line */
  offset: number;
}

/** Problems the splitter can report. */
export interface LexProblem {
  code: "SNORT_UNTERMINATED_QUOTE" | "SNORT_UNESCAPED_SEMICOLON" | "SNORT_MISSING_SEMICOLON" | "SNORT_BAD_VALUE";
  offset: number;
  message: string;
}

/** Result of splitting a rule body. */
export interface SplitOptions {
  options: RawOption[];
  problems: LexProblem[];
}

const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;

/**
 * Split an options body (the text between the parentheses) into keyword/value pairs.
 * A `"` opens a quoted string only at the start of a value (after `:`, optional blanks and `!`) or right after
 * a `,` (Snort 3 suboptions); inside it `\x` escapes are skipped and `;` does not split (a warning is recorded).
 */
export function splitOptions(body: string, baseOffset = 0): SplitOptions {
  const options: RawOption[] = [];
  const problems: LexProblem[] = [];
  const n = body.length;
  let i = 0;
  while (i < n) {
    // skip blanks
    while (i < n && isBlank(body.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    // keyword: up to ':' or ';' (or end)
    let colon = -1;
    while (i < n) {
      const c = body.charCodeAt(i);
      if (c === 58 /* : */) {
        colon = i;
        break;
      }
      if (c === 59 /* ; */) break;
      if (c === 92 /* \ */) i++;
      i++;
    }
    const keyword = body.slice(start, colon >= 0 ? colon : Math.min(i, n)).trim();
    if (colon < 0) {
      if (i >= n) {
        problems.push({
          code: "SNORT_MISSING_SEMICOLON",
          offset: baseOffset + start,
          message: "last option is not terminated by ';'",
        });
      }
      options.push({ keyword, value: undefined, offset: baseOffset + start });
      i++; // past ';'
      continue;
    }
    // value
    i = colon + 1;
    const vstart = i;
    let atValueStart = true;
    let terminated = false;
    while (i < n) {
      const c = body.charCodeAt(i);
      if (c === 92 /* \ */) {
        i += 2;
        atValueStart = false;
        continue;
      }
      if (c === 59 /* ; */) {
        terminated = true;
        break;
      }
      if (c === 34 /* " */ && atValueStart) {
        // quoted string
        const qstart = i;
        i++;
        let closed = false;
        while (i < n) {
          const d = body.charCodeAt(i);
          if (d === 92) {
            i += 2;
            continue;
          }
          if (d === 34) {
            closed = true;
            break;
          }
          if (d === 59) {
            problems.push({
              code: "SNORT_UNESCAPED_SEMICOLON",
              offset: baseOffset + i,
              message: "unescaped ';' inside a quoted value (Snort 2 would split the option here)",
            });
          }
          i++;
        }
        if (!closed) {
          problems.push({
            code: "SNORT_UNTERMINATED_QUOTE",
            offset: baseOffset + qstart,
            message: "unterminated quoted string",
          });
          i = n;
          break;
        }
        i++;
        atValueStart = false;
        continue;
      }
      if (c === 33 /* ! */ || isBlank(c)) {
        i++;
        continue;
      }
      atValueStart = c === 44; /* , */
      i++;
    }
    const value = body.slice(vstart, Math.min(i, n)).trim();
    if (!terminated && !problems.some((p) => p.code === "SNORT_UNTERMINATED_QUOTE")) {
      problems.push({
        code: "SNORT_MISSING_SEMICOLON",
        offset: baseOffset + start,
        message: "last option is not terminated by ';'",
      });
    }
    options.push({ keyword, value, offset: baseOffset + start });
    i++;
  }
  return { options, problems };
}

/** Result of {@link splitRuleText}. */
export interface RuleParts {
  header: string;
  /** options body without the parentheses, or undefined when there is no `(` */
  body: string | undefined;
  bodyOffset: number;
  /** the closing `)` is missing */
  unterminated: boolean;
  /** non-blank text after the closing `)` */
  trailing: string;
}

/** Split a logical rule line into header and option body (first `(` to last `)`). */
export function splitRuleText(text: string): RuleParts {
  // the options start at the first "(" that does not belong to a "$(VAR)" reference in the header
  let open = text.indexOf("(");
  while (open > 0 && text[open - 1] === "$") {
    const close = text.indexOf(")", open);
    open = close < 0 ? -1 : text.indexOf("(", close);
  }
  if (open < 0)
    return { header: text.trim(), body: undefined, bodyOffset: text.length, unterminated: false, trailing: "" };
  const header = text.slice(0, open).trim();
  const close = text.lastIndexOf(")");
  if (close < open) {
    return { header, body: text.slice(open + 1), bodyOffset: open + 1, unterminated: true, trailing: "" };
  }
  // the closing parenthesis must end the rule; a ')' inside a quoted value near the end is detected by the
  // option splitter reporting an unterminated quote.
  const trailing = text.slice(close + 1).trim();
  return { header, body: text.slice(open + 1, close), bodyOffset: open + 1, unterminated: false, trailing };
}

/**
 * Split a header into whitespace-separated tokens, keeping `[ … ]` lists together (they may contain blanks)
 * and joining a lone `!` with the following token.
 */
export function tokenizeHeader(header: string): string[] | { error: string } {
  const tokens: string[] = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < header.length; i++) {
    const c = header.charCodeAt(i);
    if (c === 91 /* [ */) depth++;
    else if (c === 93 /* ] */) {
      depth--;
      if (depth < 0) return { error: "unbalanced ']' in header" };
    }
    if (depth === 0 && isBlank(c)) {
      if (start >= 0) {
        tokens.push(header.slice(start, i));
        start = -1;
      }
      continue;
    }
    if (start < 0) start = i;
  }
  if (depth !== 0) return { error: "unbalanced '[' in header" };
  if (start >= 0) tokens.push(header.slice(start));
  // join "!" "x" -> "!x"
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string;
    if (t === "!" && i + 1 < tokens.length) {
      out.push(`!${tokens[i + 1] as string}`);
      i++;
    } else out.push(t);
  }
  return out;
}

/** Remove rule-level escapes from a quoted string body: `\x` -> `x` for every x. */
export function unescapeValue(s: string): string {
  if (!s.includes("\\")) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (ch === "\\" && i + 1 < s.length) {
      out += s[i + 1];
      i++;
    } else out += ch;
  }
  return out;
}

/** Escape a string for a quoted rule value: `\`, `"` and `;` get a backslash. */
export function escapeValue(s: string): string {
  return s.replace(/[\\";]/g, (m) => `\\${m}`);
}

/**
 * Read a quoted string at the start of `value` (after an optional `!`).
 * Returns the raw text between the quotes (escapes kept) and what follows the closing quote.
 */
export function readQuoted(
  value: string,
): { negated: boolean; inner: string; rest: string } | { error: "not-quoted" | "unterminated" } {
  let i = 0;
  let negated = false;
  while (i < value.length && isBlank(value.charCodeAt(i))) i++;
  if (value[i] === "!") {
    negated = true;
    i++;
    while (i < value.length && isBlank(value.charCodeAt(i))) i++;
  }
  if (value[i] !== '"') return { error: "not-quoted" };
  const start = i + 1;
  for (let j = start; j < value.length; j++) {
    const c = value[j];
    if (c === "\\") {
      j++;
      continue;
    }
    if (c === '"') return { negated, inner: value.slice(start, j), rest: value.slice(j + 1) };
  }
  return { error: "unterminated" };
}
