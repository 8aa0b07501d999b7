/**
 * `fwkit snort check | show` — parse Snort 2 / Snort 3 / Suricata rule files and report what is in them.
 * Composition only: the work is done by @fwkit/snort-rules.
 */
import { Command, Option } from "commander";
import { z } from "zod";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";
import { readText, validateOptions } from "../options.ts";
import type { CommandResult } from "../output.ts";
import { type CommandContext, handle } from "../run.ts";

const dialect = z.enum(["auto", "snort2", "snort3", "suricata"]).default("auto");
const checkSchema = z.strictObject({ json: z.boolean().default(false), dialect, strict: z.boolean().default(false) });
const showSchema = z.strictObject({
  json: z.boolean().default(false),
  dialect,
  sid: z.coerce.number().int().positive(),
  gid: z.coerce.number().int().positive().optional(),
});

/** Read FILE arguments; a directory contributes its `*.rules` files (sorted). */
async function readRuleFiles(io: Io, paths: readonly string[]): Promise<{ path: string; text: string }[]> {
  if (paths.length === 0) throw new CliError("CLI_USAGE", "give at least one rule file or directory");
  const { ruleFileType } = await import("@fwkit/snort-rules");
  const files: { path: string; text: string }[] = [];
  for (const p of paths) {
    let names: string[] | undefined;
    try {
      names = await io.readDir(p);
    } catch (e) {
      throw new CliError("CLI_IO", `cannot read ${p}: ${(e as Error).message}`, { path: p }, e);
    }
    const list = names ? names.filter((n) => ruleFileType(n) !== undefined).map((n) => `${p}/${n}`) : [p];
    for (const f of list) files.push({ path: f, text: await readText(io, f) });
  }
  return files;
}

async function check(io: Io, paths: string[], rawOpts: unknown): Promise<CommandResult> {
  const opts = validateOptions(checkSchema, rawOpts);
  const { formatSummary, summarizeRuleset } = await import("@fwkit/snort-rules");
  const summary = summarizeRuleset(await readRuleFiles(io, paths), { dialect: opts.dialect, strict: opts.strict });
  return { data: summary, text: formatSummary(summary), exitCode: summary.ok ? ExitCode.Ok : ExitCode.Failure };
}

async function show(io: Io, paths: string[], rawOpts: unknown): Promise<CommandResult> {
  const opts = validateOptions(showSchema, rawOpts);
  const { findRulesBySid, formatFoundRules, SnortRulesError } = await import("@fwkit/snort-rules");
  const found = findRulesBySid(await readRuleFiles(io, paths), opts.sid, opts.gid, { dialect: opts.dialect });
  if (found.length === 0) {
    throw new SnortRulesError("SNORT_SID_NOT_FOUND", `no rule with sid ${opts.sid} in the given files`, {
      sid: opts.sid,
    });
  }
  return { data: found, text: formatFoundRules(found) };
}

/** The `snort` command group. */
export function snortCommand(ctx: CommandContext): Command {
  const snort = new Command("snort").description("parse and inspect Snort 2 / Snort 3 / Suricata rule files");
  const common = (c: Command) =>
    c
      .addOption(
        new Option("--dialect <dialect>", "rule dialect")
          .choices(["auto", "snort2", "snort3", "suricata"])
          .default("auto"),
      )
      .addOption(new Option("--json", "print one JSON document on stdout"));

  const chk = common(
    new Command("check")
      .description(
        "parse rule files (or directories of *.rules) and report rule, option and diagnostic counts (exit 1 on errors)",
      )
      .argument("<paths...>", "rule files or directories")
      .option("--strict", "treat warnings as errors"),
  ).addHelpText(
    "after",
    "\nExamples:\n  fwkit snort check /etc/fwsnort/snort_rules\n  fwkit snort check web-attacks.rules --json\n",
  );
  handle(chk, ctx, (args, opts) => check(ctx.io, args, opts));

  const shw = common(
    new Command("show")
      .description("print the parsed form (AST) of the rule with a given sid")
      .argument("<paths...>", "rule files or directories")
      .requiredOption("--sid <n>", "signature id")
      .option("--gid <n>", "generator id"),
  ).addHelpText("after", "\nExamples:\n  fwkit snort show --sid 1002 /etc/fwsnort/snort_rules --json\n");
  handle(shw, ctx, (args, opts) => show(ctx.io, args, opts));

  return snort.addCommand(chk).addCommand(shw);
}
