/**
 * `fwkit demo` — the toolkit end to end. Without root (or with `--no-lab`) on the bundled sample data; as root (or
 * with `--lab`) the live lab in network namespaces (target with LOG+DROP and fwsnort rules, attacker with nmap,
 * psad-core detection and auto-blocking, SPA access through fwknopd), torn down at the end and on Ctrl-C.
 */
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command, Option } from "commander";
import { z } from "zod";
import { runLab } from "../demo/lab.ts";
import { runOfflineDemo } from "../demo/offline.ts";
import { findSampleDir } from "../demo/samples.ts";
import { StepLog, type StepRecord } from "../demo/steps.ts";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";
import { validateOptions } from "../options.ts";
import { type CommandResult, colours } from "../output.ts";
import { type CommandContext, handle } from "../run.ts";

const line = z
  .string()
  .min(1)
  .regex(/^[^\r\n]*$/, "must be a single line");

const demoSchema = z.strictObject({
  lab: z.boolean().optional(),
  outputDir: line.optional(),
  dataDir: line.optional(),
  record: line.optional(),
  json: z.boolean().default(false),
});

/** Extras a caller of `run()` may put on the {@link Io}: tests pass `signal` to interrupt the lab. */
export interface DemoIo extends Io {
  /** Aborting this interrupts the lab (as SIGINT would) and tears it down. */
  signal?: AbortSignal;
}

/** The `--json` document of `fwkit demo`. */
export interface DemoReport {
  mode: "offline" | "lab";
  ok: boolean;
  interrupted: boolean;
  outputDir: string;
  dataDir: string;
  steps: StepRecord[];
  /** Files written, in step order. */
  outputs: string[];
}

async function demo(io: DemoIo, rawOpts: unknown): Promise<CommandResult> {
  const o = validateOptions(demoSchema, rawOpts);
  const lab = o.lab ?? process.getuid?.() === 0;
  if (o.record !== undefined && !lab) throw new CliError("CLI_USAGE", "--record needs the lab (--lab, as root)");
  if (lab && process.getuid?.() !== 0) {
    const { IptablesParseError } = await import("@fwkit/iptables-parse");
    throw new IptablesParseError(
      "IPT_PERMISSION_DENIED",
      "the lab creates network namespaces and needs root (run `fwkit demo --no-lab` for the bundled sample data)",
    );
  }
  const dataDir = o.dataDir !== undefined ? resolve(io.cwd, o.dataDir) : findSampleDir();
  if (dataDir === undefined) {
    throw new CliError("CLI_IO", "cannot find the bundled sample data (examples/sample.rules); pass --data-dir");
  }
  let outDir: string;
  try {
    if (o.outputDir !== undefined) {
      outDir = resolve(io.cwd, o.outputDir);
      await mkdir(outDir, { recursive: true });
    } else {
      outDir = await mkdtemp(join(tmpdir(), "fwkit-demo-"));
    }
  } catch (e) {
    throw new CliError("CLI_IO", `cannot create the output directory: ${(e as Error).message}`, {}, e);
  }
  const c = colours(io);
  const print = o.json ? (t: string) => io.stderr(t) : (t: string) => io.stdout(t);
  const log = new StepLog(print, c, () => performance.now());
  log.note(
    c.bold(
      lab
        ? "fwkit demo: the live lab in network namespaces (the host's own firewall is never touched)"
        : `fwkit demo: the toolkit on the bundled sample data in ${dataDir}`,
    ),
  );
  let interrupted = false;
  if (lab) {
    const r = await runLab(io, log, {
      outDir,
      dataDir,
      now: () => Date.now(),
      ...(o.record !== undefined ? { recordDir: resolve(io.cwd, o.record) } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
    });
    interrupted = r.interrupted;
  } else {
    await runOfflineDemo(io, log, { dataDir, outDir, now: () => Date.now() });
  }
  const outputs = log.steps.flatMap((s) => s.outputs);
  const report: DemoReport = {
    mode: lab ? "lab" : "offline",
    ok: !log.failed && !interrupted,
    interrupted,
    outputDir: outDir,
    dataDir,
    steps: log.steps,
    outputs,
  };
  const counts = (["ok", "skipped", "failed"] as const)
    .map((st) => `${log.steps.filter((s) => s.status === st).length} ${st}`)
    .join(", ");
  const text = [
    "",
    c.bold(interrupted ? "interrupted: everything was torn down" : `done: ${counts}`),
    `outputs in ${outDir}:`,
    ...outputs.map((p) => `  ${p}`),
  ].join("\n");
  return {
    data: report,
    text,
    exitCode: interrupted ? ExitCode.Interrupted : report.ok ? ExitCode.Ok : ExitCode.Failure,
  };
}

/** The `demo` command. */
export function demoCommand(ctx: CommandContext): Command {
  const cmd = new Command("demo")
    .description(
      "the toolkit end to end: fwsnort, psad and SPA on the bundled sample data, or (root) the live lab in network namespaces",
    )
    .option("--lab", "run the live lab in network namespaces (default as root)")
    .option("--no-lab", "run on the bundled sample data only (default without root)")
    .option("-o, --output-dir <dir>", "where the outputs go (default: a new fwkit-demo-* directory in the temp dir)")
    .option("--data-dir <dir>", "sample data directory (default: the bundled examples/)")
    .option("--record <dir>", "lab: also write the captured kernel log lines to DIR/sample-scan.log")
    .addOption(new Option("--json", "print one JSON document on stdout (the steps go to stderr)"))
    .addHelpText(
      "after",
      "\nThe lab (root) creates two network namespaces joined by a veth pair, never the host's firewall, and deletes\nthem at the end, also on Ctrl-C. Examples:\n  fwkit demo --no-lab --output-dir out/demo\n  sudo fwkit demo --lab\n  sudo fwkit demo --lab --record examples\n  fwkit demo --no-lab --json\n",
    );
  handle(cmd, ctx, (_args, opts) => demo(ctx.io as DemoIo, opts));
  return cmd;
}
