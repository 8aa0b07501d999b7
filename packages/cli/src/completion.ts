/**
 * Shell completion scripts (bash, zsh) generated from the commander tree, so they follow every command and option
 * that is registered — including commands added later — without a hand-written list.
 *
 * The scripts are data (`case` tables per command path) plus a small walker: it follows the subcommand words,
 * skips options and their values, and completes subcommands, options, option values (choices, or files for
 * `<file>`/`<dir>`/`<path>` values) and positional arguments (choices, else files).
 */
import type { Argument, Command, Option } from "commander";

/** The shells `fwkit completion` supports. */
export const SHELLS = ["bash", "zsh"] as const;
/** One of {@link SHELLS}. */
export type Shell = (typeof SHELLS)[number];

/** How the value of an option or a positional argument is completed. */
type ValueKind = { kind: "choices"; choices: string[] } | { kind: "files" } | { kind: "dirs" } | { kind: "none" };

interface OptionSpec {
  flags: string[];
  description: string;
  /** The option takes a value (`<v>`, or `[v]` which is treated the same for skipping). */
  takesValue: boolean;
  value: ValueKind;
}

interface ArgSpec {
  variadic: boolean;
  value: ValueKind;
}

/** One command of the tree, flattened: `path` is `fwkit/ipt/list`. */
interface CommandSpec {
  path: string;
  description: string;
  subcommands: { name: string; aliases: string[]; description: string; path: string }[];
  options: OptionSpec[];
  args: ArgSpec[];
}

const isHidden = (c: Command): boolean => Boolean((c as unknown as { _hidden?: boolean })._hidden);

/** Completion of a value named `name` (from `<file>`, `[dir]`, an argument name…). */
function valueKind(name: string, choices: readonly string[] | undefined, positional: boolean): ValueKind {
  if (choices && choices.length > 0) return { kind: "choices", choices: [...choices] };
  if (/dir|folder/i.test(name)) return { kind: "dirs" };
  if (/file|path|rules|log|conf/i.test(name)) return { kind: "files" };
  return positional ? { kind: "files" } : { kind: "none" };
}

function optionSpec(o: Option): OptionSpec {
  const flags = [o.short, o.long].filter((f): f is string => typeof f === "string");
  const takesValue = o.required || o.optional;
  const valueName = /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1] ?? "";
  return {
    flags,
    description: o.description ?? "",
    takesValue,
    value: takesValue ? valueKind(valueName, o.argChoices, false) : { kind: "none" },
  };
}

function argSpec(a: Argument): ArgSpec {
  return { variadic: a.variadic, value: valueKind(a.name(), a.argChoices, true) };
}

/** Flatten the visible command tree under `root` (depth first, root first). */
export function commandSpecs(root: Command): CommandSpec[] {
  const out: CommandSpec[] = [];
  const visit = (cmd: Command, path: string) => {
    const subs = cmd.commands.filter((c) => !isHidden(c));
    const options = cmd.options.filter((o) => !o.hidden).map(optionSpec);
    options.push({
      flags: ["-h", "--help"],
      description: "display help for command",
      takesValue: false,
      value: { kind: "none" },
    });
    out.push({
      path,
      description: cmd.description(),
      subcommands: [
        ...subs.map((c) => ({
          name: c.name(),
          aliases: c.aliases(),
          description: c.description(),
          path: `${path}/${c.name()}`,
        })),
        ...(subs.length > 0 ? [{ name: "help", aliases: [], description: "display help for command", path: "" }] : []),
      ],
      options,
      args: cmd.registeredArguments.map(argSpec),
    });
    for (const c of subs) visit(c, `${path}/${c.name()}`);
  };
  visit(root, root.name());
  return out;
}

/** A shell single-quoted word (safe in bash and zsh). */
function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** One line of a description (tabs and newlines would break the `word<TAB>description` protocol). */
function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

/** `printf` lines of `word<TAB>description` for a case branch. */
function printLines(rows: ReadonlyArray<readonly [string, string]>): string {
  if (rows.length === 0) return ":";
  return rows.map(([w, d]) => `printf '%s\\t%s\\n' ${q(w)} ${q(oneLine(d))}`).join("; ");
}

function valueLines(v: ValueKind): string {
  switch (v.kind) {
    case "choices":
      return v.choices.map((c) => `printf '%s\\n' ${q(c)}`).join("; ");
    case "files":
      return "printf '%s\\n' :files:";
    case "dirs":
      return "printf '%s\\n' :dirs:";
    case "none":
      return ":";
  }
}

/** The data tables shared by both shells: plain `case` statements, valid in bash and zsh alike. */
function tables(specs: readonly CommandSpec[]): string {
  const subCase: string[] = [];
  const subList: string[] = [];
  const optList: string[] = [];
  const takesValue: string[] = [];
  const optValue: string[] = [];
  const argValue: string[] = [];
  for (const s of specs) {
    for (const sub of s.subcommands) {
      if (!sub.path) continue;
      for (const n of [sub.name, ...sub.aliases])
        subCase.push(`    ${q(`${s.path} ${n}`)}) printf '%s\\n' ${q(sub.path)} ;;`);
    }
    if (s.subcommands.length > 0) {
      subList.push(`    ${q(s.path)}) ${printLines(s.subcommands.map((c) => [c.name, c.description] as const))} ;;`);
    }
    optList.push(
      `    ${q(s.path)}) ${printLines(s.options.flatMap((o) => o.flags.map((f) => [f, o.description] as const)))} ;;`,
    );
    for (const o of s.options) {
      if (!o.takesValue) continue;
      for (const f of o.flags) {
        takesValue.push(`    ${q(`${s.path} ${f}`)}) return 0 ;;`);
        optValue.push(`    ${q(`${s.path} ${f}`)}) ${valueLines(o.value)} ;;`);
      }
    }
    s.args.forEach((a, i) => {
      argValue.push(`    ${q(`${s.path} ${i}`)}) ${valueLines(a.value)} ;;`);
      if (a.variadic && i === s.args.length - 1) argValue.push(`    ${q(`${s.path} `)}*) ${valueLines(a.value)} ;;`);
    });
  }
  const fn = (name: string, comment: string, subject: string, rows: string[], fallback = "") =>
    [
      `# ${comment}`,
      `${name}() {`,
      `  case "${subject}" in`,
      ...rows,
      ...(fallback ? [`    *) ${fallback} ;;`] : []),
      "  esac",
      "}",
    ].join("\n");
  return [
    fn("__fwkit_sub", "__fwkit_sub PATH WORD: the path of subcommand WORD of PATH", "$1 $2", subCase),
    fn("__fwkit_subs", "__fwkit_subs PATH: subcommands of PATH (word<TAB>description)", "$1", subList),
    fn("__fwkit_opts", "__fwkit_opts PATH: options of PATH (word<TAB>description)", "$1", optList),
    fn(
      "__fwkit_takes_value",
      "__fwkit_takes_value PATH OPTION: whether OPTION takes a value",
      "$1 $2",
      takesValue,
      "return 1",
    ),
    fn("__fwkit_opt_value", "__fwkit_opt_value PATH OPTION: candidates for the value of OPTION", "$1 $2", optValue),
    fn(
      "__fwkit_arg_value",
      "__fwkit_arg_value PATH N: candidates for positional argument N (from 0)",
      "$1 $2",
      argValue,
    ),
  ].join("\n\n");
}

/**
 * The walker, shared by both shells: `__fwkit_candidates WORD…` gets the command line up to and including the word
 * being completed and prints `word<TAB>description` candidates, or `:files:` / `:dirs:` when file names are wanted.
 * It indexes `$@` only through `shift`, so it runs unchanged in bash and zsh.
 */
const WALKER = `# __fwkit_candidates WORD...: candidates for the last WORD, given the words before it
__fwkit_candidates() {
  local cmdpath=fwkit word sub nargs=0 skip=0 prev="" dashdash=0
  shift
  while [ $# -gt 1 ]; do
    word=$1
    shift
    prev=$word
    if [ $skip = 1 ]; then skip=0; continue; fi
    if [ $dashdash = 0 ]; then
      case $word in
        --) dashdash=1; continue ;;
        -*=*) continue ;;
        -*) if __fwkit_takes_value "$cmdpath" "$word"; then skip=1; fi; continue ;;
      esac
    fi
    sub=$(__fwkit_sub "$cmdpath" "$word")
    if [ -n "$sub" ] && [ $nargs = 0 ]; then cmdpath=$sub; else nargs=$((nargs + 1)); fi
  done
  local cur=$1
  if [ $skip = 1 ]; then __fwkit_opt_value "$cmdpath" "$prev"; return; fi
  case $cur in
    -*) [ $dashdash = 0 ] && __fwkit_opts "$cmdpath"; return ;;
  esac
  [ $nargs = 0 ] && __fwkit_subs "$cmdpath"
  __fwkit_arg_value "$cmdpath" "$nargs"
}`;

function header(shell: Shell): string {
  return [
    `# ${shell} completion for fwkit, generated by \`fwkit completion ${shell}\` from the command tree.`,
    shell === "bash"
      ? "# Load it with:  source <(fwkit completion bash)   or install it:  fwkit completion bash > /etc/bash_completion.d/fwkit"
      : '# Load it with:  source <(fwkit completion zsh)    or install it:  fwkit completion zsh > "$fpath[1]/_fwkit"',
  ].join("\n");
}

const BASH_MAIN = `_fwkit() {
  local cur=\${COMP_WORDS[COMP_CWORD]} line word files=""
  COMPREPLY=()
  while IFS= read -r line; do
    word=\${line%%$'\\t'*}
    case $word in
      :files:) files=f ;;
      :dirs:) files=d ;;
      *) [[ $word == "$cur"* ]] && COMPREPLY+=("$word") ;;
    esac
  done < <(__fwkit_candidates "\${COMP_WORDS[@]:0:COMP_CWORD+1}")
  if [[ -n $files ]]; then
    compopt -o filenames 2>/dev/null || true
    while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -"$files" -- "$cur")
  fi
  return 0
}
complete -F _fwkit fwkit`;

const ZSH_MAIN = `_fwkit() {
  local line word desc files=""
  local -a cmds opts vals
  for line in "\${(@f)$(__fwkit_candidates "\${(@)words[1,CURRENT]}")}"; do
    [[ -z $line ]] && continue
    word=\${line%%$'\\t'*}
    desc=""
    [[ $line == *$'\\t'* ]] && desc=\${line#*$'\\t'}
    case $word in
      :files:) files=f ;;
      :dirs:) files=d ;;
      -*) opts+=("\${word//:/\\\\:}:$desc") ;;
      *) if [[ -n $desc ]]; then cmds+=("\${word//:/\\\\:}:$desc"); else vals+=("$word"); fi ;;
    esac
  done
  (( \${#cmds} )) && _describe -t commands 'fwkit command' cmds
  (( \${#opts} )) && _describe -t options 'option' opts
  (( \${#vals} )) && compadd -a vals
  [[ $files == f ]] && _files
  [[ $files == d ]] && _files -/
  return 0
}
if [[ \${funcstack[1]} == _fwkit ]]; then
  _fwkit "$@"
elif (( \${+functions[compdef]} )); then
  compdef _fwkit fwkit
fi`;

/**
 * The completion script for `shell`, generated from the command tree under `root`.
 * @param root the `fwkit` program
 * @param shell bash or zsh
 * @returns the script text (ends with a newline)
 */
export function completionScript(root: Command, shell: Shell): string {
  const body = [header(shell), tables(commandSpecs(root)), WALKER, shell === "bash" ? BASH_MAIN : ZSH_MAIN];
  if (shell === "zsh") body.unshift("#compdef fwkit");
  return `${body.join("\n\n")}\n`;
}
