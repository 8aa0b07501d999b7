/**
 * `fwkit fwsnort` — fwsnort with fwsnort's option names: translate Snort rules into iptables/ip6tables rules,
 * write fwsnort.save / fwsnort.sh / fwsnort_iptcmds.sh, print fwsnort's summary table, and optionally load the
 * result (`--ipt-apply`, only fwsnort's chains change), remove it (`--ipt-flush`) or list it (`--ipt-list`).
 * Composition only: the work is done by @fwkit/fwsnort, @fwkit/iptables-parse and @fwkit/iptables-chainmgr.
 */
import { hostname } from "node:os";
import { join } from "node:path";
import type { ApplyResult, BatchMgr, FwsnortConfig, TargetMode, Translation } from "@fwkit/fwsnort";
import { Command, Option } from "commander";
import { z } from "zod";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";
import { readText, validateOptions } from "../options.ts";
import type { CommandResult } from "../output.ts";
import { type CommandContext, handle } from "../run.ts";
import { VERSION } from "../version.ts";

/** fwsnort's default configuration file. */
export const DEFAULT_FWSNORT_CONF = "/etc/fwsnort/fwsnort.conf";

const list = z
  .string()
  .min(1)
  .transform((s) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
  );
const regex = z
  .string()
  .min(1)
  .transform((s, ctx) => {
    try {
      return new RegExp(s);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: `not a valid regular expression: ${(e as Error).message}` });
      return z.NEVER;
    }
  });

const schema = z.strictObject({
  snortRdir: list.optional(),
  snortRfile: list.optional(),
  config: z.string().min(1).default(DEFAULT_FWSNORT_CONF),
  iptDrop: z.boolean().default(false),
  iptReject: z.boolean().default(false),
  QUEUE: z.boolean().default(false),
  NFQUEUE: z.boolean().default(false),
  queueNum: z.coerce.number().int().min(1).max(65535).optional(),
  ip6tables: z.boolean().default(false),
  includeType: list.optional(),
  excludeType: list.optional(),
  includeRegex: regex.optional(),
  excludeRegex: regex.optional(),
  snortSid: z
    .string()
    .regex(/^\d+(,\d+)*$/, "a comma-separated list of sids")
    .transform((s) => s.split(",").map(Number))
    .optional(),
  iptSync: z.boolean().default(false),
  iptApply: z.boolean().default(false),
  iptFlush: z.boolean().default(false),
  iptList: z.boolean().default(false),
  HomeNet: z.string().min(1).optional(),
  ExternalNet: z.string().min(1).optional(),
  outputDir: z.string().min(1).optional(),
  iptables: z.string().min(1).optional(),
  json: z.boolean().default(false),
});
type Opts = z.infer<typeof schema>;

/** Rule text larger than this gets a progress bar (on a terminal only). */
const PROGRESS_MIN_BYTES = 256 * 1024;

function usage(msg: string): never {
  throw new CliError("CLI_USAGE", msg);
}

function targetOf(o: Opts): TargetMode {
  const modes = [
    o.iptDrop && "--ipt-drop",
    o.iptReject && "--ipt-reject",
    o.QUEUE && "--QUEUE",
    o.NFQUEUE && "--NFQUEUE",
  ];
  const set = modes.filter(Boolean);
  if (set.length > 1) usage(`${set.join(" and ")} are mutually exclusive`);
  if (o.queueNum !== undefined && !o.NFQUEUE) usage("--queue-num requires --NFQUEUE");
  if (o.iptDrop) return "drop";
  if (o.iptReject) return "reject";
  if (o.QUEUE) return "queue";
  if (o.NFQUEUE) return "nfqueue";
  return "log";
}

/** The argv fwsnort records in the scripts' banner (`Generated with:`), rebuilt from the parsed options. */
function argvOf(o: Opts): string[] {
  const a: string[] = ["-c", o.config];
  const add = (flag: string, v: unknown) => {
    if (v === true) a.push(flag);
    else if (Array.isArray(v)) a.push(flag, v.join(","));
    else if (v instanceof RegExp) a.push(flag, v.source);
    else if (typeof v === "string" || typeof v === "number") a.push(flag, String(v));
  };
  add("--snort-rdir", o.snortRdir);
  add("--snort-rfile", o.snortRfile);
  add("--ipt-drop", o.iptDrop);
  add("--ipt-reject", o.iptReject);
  add("--QUEUE", o.QUEUE);
  add("--NFQUEUE", o.NFQUEUE);
  add("--queue-num", o.queueNum);
  add("-6", o.ip6tables);
  add("--include-type", o.includeType);
  add("--exclude-type", o.excludeType);
  add("--include-regex", o.includeRegex);
  add("--exclude-regex", o.excludeRegex);
  add("--snort-sid", o.snortSid);
  add("--ipt-sync", o.iptSync);
  add("--ipt-apply", o.iptApply);
  add("--Home-net", o.HomeNet);
  add("--External-net", o.ExternalNet);
  add("--output-dir", o.outputDir);
  return a;
}

/** A progress bar on stderr, only when stderr is a terminal (never under tests, pipes or CI). */
async function progress(io: Io, bytes: number, steps: number): Promise<{ tick(label: string): void; stop(): void }> {
  const none = { tick() {}, stop() {} };
  if (bytes < PROGRESS_MIN_BYTES || process.stderr.isTTY !== true || io.env.CI !== undefined) return none;
  const { SingleBar, Presets } = await import("cli-progress");
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: "fwsnort [{bar}] {value}/{total} {label}",
      clearOnComplete: true,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(steps, 0, { label: "" });
  return { tick: (label) => bar.increment(1, { label }), stop: () => bar.stop() };
}

async function chainMgr(o: Opts): Promise<BatchMgr> {
  const { ChainMgr } = await import("@fwkit/iptables-chainmgr");
  const bin = o.iptables ? { iptables: o.iptables } : {};
  return ChainMgr.create({ ...bin, useIpv6: o.ip6tables });
}

async function loadConfig(io: Io, path: string): Promise<FwsnortConfig> {
  const { parseFwsnortConfig } = await import("@fwkit/fwsnort");
  return parseFwsnortConfig(await readText(io, path), path);
}

function listText(l: Awaited<ReturnType<typeof import("@fwkit/fwsnort").listFwsnort>>, str: string): string {
  const out: string[] = [];
  if (l.chains.length === 0) out.push(`[-] No fwsnort chains in the running ${str} policy.`);
  for (const c of l.chains) {
    out.push(`Chain ${c.name} (${c.rules.length} rules)`);
    c.rules.forEach((r, i) => {
      out.push(`${String(c.packets[i] ?? "").padStart(8)}  -A ${c.name} ${r}`);
    });
    out.push("");
  }
  if (l.jumps.length > 0) out.push("Jump rules:", ...l.jumps.map((j) => `  ${j}`));
  return `${out.join("\n")}\n`;
}

function applyData(r: ApplyResult): Record<string, unknown> {
  return {
    ok: r.ok,
    rules: r.rules,
    ...(r.code ? { code: r.code } : {}),
    stderr: r.stderr,
    payloadLines: r.payload.split("\n").length - 1,
  };
}

async function applyFailed(r: ApplyResult): Promise<never> {
  const { FwsnortError } = await import("@fwkit/fwsnort");
  throw new FwsnortError(
    "FWSNORT_APPLY_FAILED",
    `iptables-restore rejected the fwsnort payload; nothing was changed: ${r.stderr.join(" ") || r.code}`,
    { code: r.code, stderr: r.stderr },
  );
}

async function fwsnort(io: Io, rawOpts: unknown): Promise<CommandResult> {
  const o = validateOptions(schema, rawOpts);
  const target = targetOf(o);
  const fam = o.ip6tables ? 6 : 4;
  const str = fam === 6 ? "ip6tables" : "iptables";
  const lib = await import("@fwkit/fwsnort");

  // Early-exit modes (spec §1 step 4).
  if (o.iptFlush || o.iptList) {
    if (o.iptFlush && o.iptList) usage("--ipt-flush and --ipt-list are mutually exclusive");
    const mgr = await chainMgr(o);
    if (o.iptList) {
      const l = await lib.listFwsnort(mgr);
      return { data: { family: fam, ...l }, text: listText(l, str) };
    }
    const r = await lib.flushFwsnort(mgr);
    if (!r.ok) await applyFailed(r);
    const n = r.plan.tables.flatMap((t) => t.ops).filter((op) => op.op === "deleteChain").length;
    return {
      data: { family: fam, flush: applyData(r), removedChains: n },
      text: n
        ? `[+] Removed ${n} fwsnort chains and their jump rules.\n`
        : `[+] No fwsnort chains in the running ${str} policy.\n`,
    };
  }

  const config = await loadConfig(io, o.config);
  const sel = await lib
    .readRuleFiles(io, {
      rdirs: o.snortRdir ?? [config.paths.rulesDir],
      ...(o.snortRfile ? { rfiles: o.snortRfile } : {}),
      ...(o.includeType ? { includeTypes: o.includeType } : {}),
      ...(o.excludeType ? { excludeTypes: o.excludeType } : {}),
      cwd: io.cwd,
    })
    .catch((e: unknown) => {
      throw new CliError("CLI_IO", `cannot read the rule files: ${(e as Error).message}`, {}, e);
    });
  if (sel.unknownTypes.length > 0) {
    usage(`unknown rule type(s) ${sel.unknownTypes.join(", ")}; valid types: ${sel.validTypes.join(", ")}`);
  }
  const bytes = sel.files.reduce((n, f) => n + f.text.length, 0);
  const steps = 2 + (o.iptApply || (o.iptSync && o.snortSid === undefined) ? 1 : 0) + (o.iptApply ? 1 : 0);
  const bar = await progress(io, bytes, steps);
  let translation: Translation;
  try {
    bar.tick("translating");
    translation = lib.translateRuleset(
      sel.files.map((f) => ({ path: f.path, text: f.text })),
      {
        config,
        family: fam,
        target,
        ...(o.queueNum !== undefined ? { queueNum: o.queueNum } : {}),
        ...(o.HomeNet ? { homeNet: o.HomeNet } : {}),
        ...(o.ExternalNet ? { externalNet: o.ExternalNet } : {}),
        selection: {
          ...(o.includeRegex ? { includeRegex: o.includeRegex } : {}),
          ...(o.excludeRegex ? { excludeRegex: o.excludeRegex } : {}),
          ...(o.snortSid ? { sids: o.snortSid } : {}),
        },
      },
    );
    const sidMode = o.snortSid !== undefined;
    const needLive = o.iptApply || (o.iptSync && !sidMode);
    let liveSave: string | undefined;
    let sync: { kept: number; blocked: number } | undefined;
    if (needLive) {
      bar.tick("reading the running policy");
      const { IptablesParse } = await import("@fwkit/iptables-parse");
      const ipt = await IptablesParse.create({ ...(o.iptables ? { iptables: o.iptables } : {}), useIpv6: o.ip6tables });
      const policy = await ipt.policy("filter");
      if (o.iptSync && !sidMode) {
        const before = translation.translated.length;
        translation = lib.iptSync(translation, policy).translation;
        sync = { kept: translation.translated.length, blocked: before - translation.translated.length };
      }
      const saved = await ipt.runBinary("iptables-save", ["-t", "filter"]);
      if (saved.rv === 1) liveSave = `${saved.out.join("\n")}\n`;
    }
    if (translation.translated.length === 0) {
      throw new lib.FwsnortError("FWSNORT_NOTHING_TRANSLATED", "No Snort rules could be translated, exiting", {
        files: translation.files.length,
        skipCounts: translation.skipCounts,
      });
    }

    bar.tick("writing artefacts");
    const dir = o.outputDir;
    const paths = {
      save: dir ? join(dir, "fwsnort.save") : config.paths.saveFile,
      sh: dir ? join(dir, "fwsnort.sh") : config.paths.saveExecFile,
      script: dir ? join(dir, "fwsnort_iptcmds.sh") : config.paths.script,
      archive: dir ? join(dir, "archive") : config.paths.archiveDir,
      log: dir ? join(dir, "fwsnort.log") : config.paths.logFile,
    };
    const cmd = (name: string, dflt: string) => config.commands[`${name}Cmd`] ?? dflt;
    const banner = {
      argv: argvOf(o),
      hostname: hostname(),
      now: new Date(),
      program: "fwkit fwsnort",
      version: `fwkit ${VERSION} (fwsnort 1.6.8 compatible)`,
    };
    const restore = cmd(`${str}-restore`, `/sbin/${str}-restore`);
    const artefacts = [
      {
        path: paths.save,
        content: lib.renderSave(translation, liveSave ? { liveSave } : {}),
        mode: lib.ARTEFACT_MODES.save,
      },
      {
        path: paths.sh,
        content: lib.renderFwsnortSh(translation, {
          ...banner,
          file: paths.sh,
          saveFile: paths.save,
          cat: cmd("cat", "/bin/cat"),
          grep: cmd("grep", "/bin/grep"),
          restore,
        }),
        mode: lib.ARTEFACT_MODES.script,
      },
      {
        path: paths.script,
        content: lib.renderIptCmds(translation, {
          ...banner,
          file: paths.script,
          echo: cmd("echo", "/bin/echo"),
          iptables: cmd(str, `/sbin/${str}`),
        }),
        mode: lib.ARTEFACT_MODES.script,
      },
    ];
    const fs = lib.nodeArtefactFs();
    const written = await lib.writeArtefacts(fs, artefacts, { archiveDir: paths.archive });
    // fwsnort.log is rewritten every run, not archived (like fwsnort)
    await lib.writeArtefacts(fs, [
      { path: paths.log, content: lib.renderFwsnortLog(translation), mode: lib.ARTEFACT_MODES.log },
    ]);

    let applied: ApplyResult | undefined;
    if (o.iptApply) {
      bar.tick("loading into the running policy");
      applied = await lib.applyTranslation(await chainMgr(o), translation);
      if (!applied.ok) await applyFailed(applied);
    }

    const summary = lib.renderSummary(translation, { iptSync: sync !== undefined, sidMode });
    const final = lib.renderFinalMessage(translation, {
      logFile: paths.log,
      script: paths.script,
      saveFile: paths.save,
      shFile: paths.sh,
      restore,
    });
    const note = liveSave
      ? ""
      : `[+] Note: the running policy was not read, so ${paths.save} is a self-contained filter table: loading it\n    replaces the whole table. \`fwkit fwsnort --ipt-apply\` loads only fwsnort's chains and jumps.\n`;
    const applyText = applied
      ? `[+] Loaded ${applied.rules} rules into the fwsnort chains of the running ${str} policy (${str}-restore --noflush; nothing else changed).\n`
      : "";
    const totals = translation.files.reduce(
      (t, f) => ({
        success: t.success + f.success,
        fail: t.fail + f.fail,
        total: t.total + f.total,
        iptRules: t.iptRules + f.iptRules,
      }),
      { success: 0, fail: 0, total: 0, iptRules: 0 },
    );
    return {
      data: {
        family: fam,
        target,
        files: translation.files,
        totals,
        translated: translation.translated.length,
        skipCounts: translation.skipCounts,
        skipped: translation.skipped.map((s) => ({
          sid: s.sid,
          file: s.file,
          line: s.line,
          code: s.code,
          message: s.message,
        })),
        ...(sync ? { iptSync: sync } : {}),
        artefacts: { save: paths.save, sh: paths.sh, script: paths.script, log: paths.log, archived: written.archived },
        ...(applied ? { apply: applyData(applied) } : {}),
      },
      text: summary + final + note + applyText,
      exitCode: ExitCode.Ok,
    };
  } finally {
    bar.stop();
  }
}

/** The `fwsnort` command. */
export function fwsnortCommand(ctx: CommandContext): Command {
  const cmd = new Command("fwsnort")
    .description(
      "translate Snort rules into iptables/ip6tables rules (fwsnort), write fwsnort.save/.sh, optionally load them",
    )
    .option("--snort-rdir <dirs>", "rule directories (comma-separated; default RULES_DIR of the config)")
    .option("--snort-rfile <files>", "translate only these rule files (comma-separated)")
    .option("-c, --config <file>", "fwsnort.conf", DEFAULT_FWSNORT_CONF)
    .option("--ipt-drop", "add a DROP rule after every LOG rule")
    .option("--ipt-reject", "add a REJECT rule after every LOG rule")
    .option("--QUEUE", "use the QUEUE target instead of LOG")
    .option("--NFQUEUE", "use the NFQUEUE target instead of LOG")
    .option("--queue-num <n>", "NFQUEUE queue number (with --NFQUEUE)")
    .option("-6, --ip6tables", "ip6tables mode")
    .option("--include-type <types>", "only <type>.rules files (comma-separated)")
    .option("--exclude-type <types>", "skip <type>.rules files (comma-separated)")
    .option("--include-regex <re>", "keep only rule lines matching this regex")
    .option("--exclude-regex <re>", "drop rule lines matching this regex")
    .option("--snort-sid <sids>", "translate only these sids (comma-separated)")
    .option("--ipt-sync", "keep only the signatures the running policy lets through")
    .option("--no-ipt-sync", "do not sync with the running policy (the default)")
    .option("--ipt-apply", "load the result into the running firewall (only fwsnort's chains and jumps change)")
    .option("--ipt-flush", "remove fwsnort's chains and the jumps to them from the running firewall, then exit")
    .option("--ipt-list", "list fwsnort's chains in the running firewall, then exit")
    .option("--Home-net <net>", "HOME_NET override (effective, unlike fwsnort 1.6.8)")
    .option("--External-net <net>", "EXTERNAL_NET override (effective, unlike fwsnort 1.6.8)")
    .option(
      "--output-dir <dir>",
      "write fwsnort.save, fwsnort.sh, fwsnort_iptcmds.sh here (default: the config's paths)",
    )
    .addOption(
      new Option("--iptables <path>", "iptables/ip6tables binary for --ipt-* (default: found on PATH)").hideHelp(),
    )
    .addOption(new Option("--json", "print one JSON document on stdout"))
    .addHelpText(
      "after",
      "\nExamples:\n  fwkit fwsnort -c /etc/fwsnort/fwsnort.conf --snort-rdir /etc/fwsnort/snort_rules --output-dir /tmp/fws\n  sudo fwkit fwsnort --include-type web-attacks --ipt-drop --ipt-apply\n  sudo fwkit fwsnort --ipt-list\n",
    );
  return handle(cmd, ctx, (_args, opts) => fwsnort(ctx.io, opts));
}
