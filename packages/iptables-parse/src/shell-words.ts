/**
 * Shell-word splitting for IPTables::Parse's string entry point (`exec_iptables("iptables -t filter …")`).
 * The Perl module hands the string to `/bin/sh`; we split it into an argv array instead and never run a shell:
 * quotes and backslashes are honoured as POSIX `sh` does, but nothing is expanded (`$X`, `*`, `~`, `$(…)` stay
 * literal) and operators (`;`, `|`, `>`, `&`) are ordinary characters.
 */
import { IptablesParseError } from "./errors.ts";

const SPACE = new Set([" ", "\t", "\n", "\r", "\v", "\f"]);
/** Characters a backslash escapes inside double quotes (POSIX); before any other character the backslash stays. */
const DQ_ESCAPABLE = new Set(["$", "`", '"', "\\", "\n"]);

/**
 * Split `cmd` into words with POSIX shell quoting rules and no expansion.
 * `'…'` is literal, `"…"` honours `\$ \` \" \\ \<newline>`, an unquoted backslash escapes the next character,
 * `''`/`""` yield an empty word. Throws {@link IptablesParseError} `IPT_PARSE_BAD_QUOTING` on an unterminated quote or a
 * trailing backslash.
 */
export function splitShellWords(cmd: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  const n = cmd.length;
  while (i < n) {
    const c = cmd[i] as string;
    if (SPACE.has(c)) {
      if (inWord) {
        words.push(word);
        word = "";
        inWord = false;
      }
      i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = cmd.indexOf("'", i + 1);
      if (end < 0) throw badQuoting(cmd, i, "unterminated single quote");
      word += cmd.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const d = cmd[i] as string;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === "\\" && i + 1 < n && DQ_ESCAPABLE.has(cmd[i + 1] as string)) {
          if (cmd[i + 1] !== "\n") word += cmd[i + 1];
          i += 2;
          continue;
        }
        word += d;
        i++;
      }
      if (!closed) throw badQuoting(cmd, n, "unterminated double quote");
    } else if (c === "\\") {
      if (i + 1 >= n) throw badQuoting(cmd, i, "trailing backslash");
      const next = cmd[i + 1] as string;
      if (next !== "\n") word += next;
      else if (word === "") inWord = false; // line continuation between words
      i += 2;
    } else {
      word += c;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function badQuoting(cmd: string, column: number, why: string): IptablesParseError {
  return new IptablesParseError("IPT_PARSE_BAD_QUOTING", `[*] Bad quoting in command (${why}): ${cmd}`, {
    column: column + 1,
  });
}
