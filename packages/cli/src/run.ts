import { Command, CommanderError } from "commander";
import { completionCommand } from "./commands/completion.ts";
import { demoCommand } from "./commands/demo.ts";
import { fwknopCommand } from "./commands/fwknop.ts";
import { fwknopdCommand } from "./commands/fwknopd.ts";
import { fwsnortCommand } from "./commands/fwsnort.ts";
import { iptCommand } from "./commands/ipt.ts";
import { psadCommand } from "./commands/psad.ts";
import { snortCommand } from "./commands/snort.ts";
import { ExitCode } from "./exit-codes.ts";
import type { Io } from "./io.ts";
import { type CommandResult, emitError, emitResult } from "./output.ts";
import { VERSION } from "./version.ts";

/** Shared state of one `run()`: the chosen output mode and the result the command produced. */
export interface RunState {
  json: boolean;
  result?: CommandResult;
}

/** What every command module gets: the Io and the run state to put its result in. */
export interface CommandContext {
  io: Io;
  state: RunState;
}

/**
 * Attach an async handler to a leaf command: its result is rendered by `run()` (JSON or text).
 * @param cmd the commander leaf command
 * @param ctx the command context
 * @param handler receives the positional arguments and the parsed options
 */
export function handle<O>(
  cmd: Command,
  ctx: CommandContext,
  handler: (args: string[], opts: O) => Promise<CommandResult>,
): Command {
  return cmd.action(async (...params: unknown[]) => {
    const command = params[params.length - 1] as Command;
    const opts = command.opts() as O;
    ctx.state.json = Boolean((opts as { json?: boolean }).json);
    ctx.state.result = await handler(command.args, opts);
  });
}

/** `addCommand` does not copy exitOverride/output settings: copy them down the whole tree. */
function inheritSettings(parent: Command): void {
  for (const sub of parent.commands) {
    sub.copyInheritedSettings(parent);
    inheritSettings(sub);
  }
}

function buildProgram(ctx: CommandContext): Command {
  const { io, state } = ctx;
  const program = new Command("fwkit")
    .description("The iptables IDS/IPS toolkit: IPTables::Parse/ChainMgr, fwsnort, psad and fwknop for Node.js")
    .version(VERSION, "-V, --version")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      outputError: (s, write) => {
        if (!state.json) write(`fwkit: CLI_USAGE: ${s.replace(/^error: /, "")}`);
      },
    })
    .addHelpText(
      "after",
      "\nExamples:\n  fwkit ipt parse examples/sample-policy.v4.save\n  fwkit ipt check --file examples/sample-policy.v4.save --json\n  fwkit snort check examples/sample.rules\n  fwkit fwsnort --snort-rdir /etc/fwsnort/snort_rules --output-dir /tmp/fwsnort\n  sudo fwkit ipt list -t nat\n  fwkit psad -A -m /var/log/kern.log --syslog-msgs\n  fwkit fwknop -n myserver\n",
    );
  program.addCommand(iptCommand(ctx));
  program.addCommand(snortCommand(ctx));
  program.addCommand(psadCommand(ctx));
  program.addCommand(fwknopCommand(ctx));
  program.addCommand(fwknopdCommand(ctx));
  program.addCommand(fwsnortCommand(ctx));
  program.addCommand(completionCommand(ctx));
  program.addCommand(demoCommand(ctx));
  inheritSettings(program);
  return program;
}

/**
 * Run `fwkit` with `argv` (without the node and script names) against `io`.
 * @returns the process exit status (0 ok, 1 failure or problems found, 2 usage/config error)
 * @example
 * process.exitCode = await run(["ipt", "parse", "rules.save", "--json"], nodeIo());
 */
export async function run(argv: readonly string[], io: Io): Promise<ExitCode> {
  const state: RunState = { json: argv.includes("--json") };
  const program = buildProgram({ io, state });
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return ExitCode.Ok;
      if (state.json) {
        io.stdout(
          `${JSON.stringify({ error: { code: "CLI_USAGE", message: e.message.replace(/^error: /, ""), details: {} } })}\n`,
        );
      }
      return ExitCode.Usage;
    }
    return emitError(io, e, state.json);
  }
  if (!state.result) return ExitCode.Ok;
  return emitResult(io, state.result, state.json);
}
