/**
 * `fwkit completion bash|zsh` — print a shell completion script generated from the command tree at run time, so
 * it covers every registered command and option.
 */
import { Argument, Command, Option } from "commander";
import { z } from "zod";
import { completionScript, SHELLS } from "../completion.ts";
import { validateOptions } from "../options.ts";
import type { CommandResult } from "../output.ts";
import { type CommandContext, handle } from "../run.ts";

const schema = z.strictObject({ json: z.boolean().default(false) });

/** The root of the tree `cmd` belongs to. */
function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

/** The `completion` command. */
export function completionCommand(ctx: CommandContext): Command {
  const cmd = new Command("completion")
    .description("print a bash or zsh completion script for fwkit (generated from the command tree)")
    .addArgument(new Argument("<shell>", "the shell").choices(SHELLS))
    .addOption(new Option("--json", "print one JSON document on stdout: { shell, script }"))
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  source <(fwkit completion bash)                              # this bash session",
        "  fwkit completion bash | sudo tee /etc/bash_completion.d/fwkit  # every bash session",
        "  source <(fwkit completion zsh)                               # this zsh session (after compinit)",
        '  fwkit completion zsh > "$fpath[1]/_fwkit"                  # every zsh session',
        "",
      ].join("\n"),
    );
  handle(cmd, ctx, async (args, opts): Promise<CommandResult> => {
    validateOptions(schema, opts);
    const shell = args[0] as (typeof SHELLS)[number];
    const script = completionScript(rootOf(cmd), shell);
    return { data: { shell, script }, text: script };
  });
  return cmd;
}
