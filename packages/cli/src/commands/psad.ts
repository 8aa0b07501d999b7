/**
 * `fwkit psad` — psad (the Port Scan Attack Detector) with psad 2.4.6's option names: `-A` analysis of a log
 * file or stdin (psad's report text, `--json`, `--syslog-msgs`), `--CSV` / `--gnuplot` output, and
 * `--follow FILE|journal` (continuous detection, alerts per CHECK_INTERVAL). Composition only: parsing, detection
 * and rendering come from @fwkit/psad-core.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { networkInterfaces } from "node:os";
import type {
  AnalysisResult,
  BlockExecutorBackend,
  CsvField,
  CsvWriter,
  DetectorOptions,
  DetectorSetup,
  Packet,
  ScanAlert,
  SyslogTarget,
} from "@fwkit/psad-core";
import { Command, Option } from "commander";
import { z } from "zod";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";
import { validateOptions } from "../options.ts";
import type { CommandResult } from "../output.ts";
import { type CommandContext, handle } from "../run.ts";

/**
 * Extras the caller of `run()` may put on the {@link Io} for `fwkit psad`. Tests inject them; without them the
 * process's stdin, stderr TTY state, wall clock and SIGINT/SIGTERM are used.
 */
export interface PsadIo extends Io {
  /** Aborting this ends `--follow` (as SIGTERM would); `signal.reason === "SIGINT"` exits 130. */
  signal?: AbortSignal;
  /** Input of `--stdin`. */
  stdin?: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;
  /** Whether stderr is a terminal (progress is shown only then). */
  stderrIsTTY?: boolean;
  /** Wall clock in epoch seconds (year of year-less syslog dates, batch timer). */
  now?: () => number;
  /** `--follow FILE` poll interval (ms), default 250. */
  followPollMs?: number;
  /** Inputs at least this large (bytes) get a progress line on a terminal, default 16 MiB. */
  progressMinBytes?: number;
  /** Where `--follow` auto-blocking (ENABLE_AUTO_IDS=Y) applies its rules; default iptables/ip6tables via ChainMgr. */
  blockBackend?: BlockExecutorBackend;
  /** The host's own addresses (never auto-blocked); default: `os.networkInterfaces()`. */
  localAddrs?: readonly string[];
}

/** Files at least this large get a progress line on a terminal. */
const PROGRESS_MIN_BYTES = 16 * 1024 * 1024;

const path = z
  .string()
  .min(1)
  .regex(/^[^\r\n]*$/, "must be a single line");

const schema = z.strictObject({
  AnalyzeMsgs: z.boolean().default(false),
  messagesFile: path.optional(),
  stdin: z.boolean().default(false),
  config: path.default("/etc/psad/psad.conf"),
  OverrideConfig: z.array(path).default([]),
  CSV: z.boolean().default(false),
  CSVFields: z.string().optional(),
  CSVRegex: z.string().optional(),
  CSVNegRegex: z.string().optional(),
  CSVMaxLines: z.coerce.number().int().min(1).optional(),
  CSVUniqueLines: z.boolean().default(false),
  analysisFields: z.string().optional(),
  gnuplot: z.boolean().default(false),
  gnuplotGraphStyle: z.string().min(1).optional(),
  gnuplotGraph: z.string().min(1).optional(),
  gnuplot3d: z.boolean().default(false),
  gnuplotView: z
    .string()
    .regex(/^\d+(\.\d+)?,\d+(\.\d+)?$/, "must be <rot_x>,<rot_z> (e.g. 60,30)")
    .optional(),
  gnuplotFilePrefix: path.optional(),
  gnuplotTitle: z.string().optional(),
  // `--signatures F` / `--no-signatures` share one attribute (commander): a path, or false
  signatures: z.union([path, z.literal(false)]).optional(),
  autoDl: z.union([path, z.literal(false)]).optional(),
  snortRdir: path.optional(),
  passiveOs: z.boolean().default(true),
  snortSids: z.boolean().default(true),
  icmpTypes: z.boolean().default(true),
  restrictIp: z.string().min(1).optional(),
  interface: z.string().min(1).optional(),
  packets: z.coerce.number().int().min(1).optional(),
  psadCompat: z.boolean().default(false),
  json: z.boolean().default(false),
  syslogMsgs: z.boolean().default(false),
  follow: path.optional(),
  html: path.optional(),
  Status: z.boolean().default(false),
  statusIp: z.string().min(1).optional(),
  statusDl: z.coerce.number().int().min(0).max(5).optional(),
  statusSummary: z.boolean().default(false),
  statusFile: path.optional(),
  fwAnalyze: z.boolean().default(false),
  fwFile: path.optional(),
  syslogServer: z
    .string()
    .regex(
      /^(unix(:\/\S+)?|(udp|tcp):\/\/[^\s/]+?(:\d{1,5})?)$/,
      "must be unix[:/path], udp://host[:port] or tcp://host[:port]",
    )
    .optional(),
  smtpServer: z
    .string()
    .regex(/^[^\s:/]+(:\d{1,5})?$/, "must be host[:port]")
    .optional(),
  emailFrom: z.email().optional(),
  autoBlock: z.boolean().default(true),
});
type PsadArgs = z.infer<typeof schema>;
type Core = typeof import("@fwkit/psad-core");

const wallClock = () => Date.now() / 1000;

function collect(value: string, previous: string[] = []): string[] {
  // psad: -O takes a comma-separated list; the option may also be repeated
  return [...previous, ...value.split(",").filter((s) => s.length > 0)];
}

function compileRegex(text: string | undefined, flag: string): RegExp | undefined {
  if (text === undefined) return undefined;
  try {
    return new RegExp(text);
  } catch (e) {
    throw new CliError("CLI_USAGE", `${flag}: invalid regular expression: ${(e as Error).message}`, { flag });
  }
}

async function loadSetup(core: Core, a: PsadArgs): Promise<DetectorSetup> {
  const options: DetectorOptions = {
    noSignatures: a.signatures === false,
    noPassiveOs: !a.passiveOs,
    noAutoDl: a.autoDl === false,
    noIcmpTypes: !a.icmpTypes,
    noSnortSids: !a.snortSids,
    psadCompat: a.psadCompat,
    ...(a.interface !== undefined ? { interface: a.interface } : {}),
    ...(a.restrictIp !== undefined ? { restrictIp: a.restrictIp } : {}),
  };
  return core.loadDetectorSetup({
    configFile: a.config,
    overrideFiles: a.OverrideConfig,
    paths: {
      ...(typeof a.signatures === "string" ? { signatures: a.signatures } : {}),
      ...(typeof a.autoDl === "string" ? { autoDl: a.autoDl } : {}),
      ...(a.snortRdir !== undefined ? { snortRulesDirs: [a.snortRdir] } : {}),
    },
    options,
  });
}

function parseFields(core: Core, spec: string | undefined, requireCriteria: boolean): CsvField[] | undefined {
  if (spec === undefined) return undefined;
  const r = core.parseCsvFields(spec, { requireCriteria });
  if (!r.ok) throw r.error;
  return r.value;
}

/** The input of `-A` / `--CSV`: `--stdin`, `-m FILE`, or psad's default IPT_SYSLOG_FILE. */
async function openInput(
  io: PsadIo,
  a: PsadArgs,
  setup: DetectorSetup,
): Promise<{ name: string; source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>; size: number }> {
  if (a.stdin) {
    if (a.messagesFile !== undefined) throw new CliError("CLI_USAGE", "give either -m FILE or --stdin, not both");
    return { name: "<stdin>", source: io.stdin ?? process.stdin, size: 0 };
  }
  const file = a.messagesFile ?? setup.config.raw.IPT_SYSLOG_FILE ?? "/var/log/messages";
  let size = 0;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new Error("not a regular file");
    size = st.size;
  } catch (e) {
    throw new CliError("CLI_IO", `cannot read ${file}: ${(e as Error).message}`, { path: file }, e);
  }
  return { name: file, source: createReadStream(file, { highWaterMark: 1 << 20 }), size };
}

/** Count bytes flowing through `source` (for the progress line). */
async function* counted(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  onBytes: (n: number) => void,
): AsyncGenerator<Uint8Array | string> {
  for await (const c of source) {
    onBytes(c.length);
    yield c;
  }
}

function progress(io: PsadIo, size: number): { wrap<T>(s: T): T; done(): void } | undefined {
  const tty = io.stderrIsTTY ?? Boolean(process.stderr.isTTY);
  if (!tty || size < (io.progressMinBytes ?? PROGRESS_MIN_BYTES)) return undefined;
  let bytes = 0;
  let last = 0;
  const t0 = Date.now();
  const show = (final: boolean) => {
    const pct = Math.min(100, Math.floor((bytes / size) * 100));
    io.stderr(`\r[+] Processed ${(bytes / 1048576).toFixed(0)} of ${(size / 1048576).toFixed(0)} MB (${pct}%)`);
    if (final) io.stderr(` in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  };
  return {
    wrap<T>(s: T): T {
      return counted(s as AsyncIterable<Uint8Array | string>, (n) => {
        bytes += n;
        const now = Date.now();
        if (now - last >= 250) {
          last = now;
          show(false);
        }
      }) as T;
    },
    done: () => show(true),
  };
}

async function analyze(io: PsadIo, a: PsadArgs): Promise<CommandResult> {
  const core = await import("@fwkit/psad-core");
  const csvMode = a.CSV || a.gnuplot;
  if (a.gnuplot && a.CSVFields === undefined)
    throw new CliError("CLI_USAGE", "--gnuplot needs --CSV-fields (e.g. --CSV-fields 'src dst dp')");
  const analysisFields = parseFields(core, a.analysisFields, true);
  const csvFields = parseFields(core, a.CSVFields, false);
  const regex = compileRegex(a.CSVRegex, "--CSV-regex");
  const negRegex = compileRegex(a.CSVNegRegex, "--CSV-neg-regex");
  const setup = await loadSetup(core, a);
  const input = await openInput(io, a, setup);
  const now = io.now ?? wallClock;

  let csv: CsvWriter | undefined;
  const csvLines: string[] = [];
  let csvPending: string[] = [];
  const flushCsv = () => {
    if (csvPending.length) io.stdout(`${csvPending.join("\n")}\n`);
    csvPending = [];
  };
  if (a.CSV && !a.gnuplot) {
    csv = core.createCsvWriter({
      ...(csvFields ? { fields: csvFields } : {}),
      ...(regex ? { regex } : {}),
      ...(negRegex ? { negRegex } : {}),
      ...(a.CSVMaxLines !== undefined ? { maxLines: a.CSVMaxLines } : {}),
      uniqueLines: a.CSVUniqueLines,
    });
  }
  const plotPackets: Packet[] = [];
  const traffic = a.html !== undefined ? core.createTrafficCollector() : undefined;
  const onPacket =
    csvMode || traffic
      ? (pkt: Packet, raw: string) => {
          traffic?.add(pkt);
          if (csvMode) csvPacket(pkt, raw);
        }
      : undefined;
  const csvPacket = (pkt: Packet, raw: string) => {
    if (csv) {
      const l = csv.line(pkt, raw);
      if (l === undefined) return;
      if (a.json) csvLines.push(l);
      else {
        csvPending.push(l);
        if (csvPending.length >= 1000) flushCsv();
      }
    } else if (csvFields) {
      if (regex && !regex.test(raw)) return;
      if (negRegex?.test(raw)) return;
      if (csvFields.every((f) => core.matchCriterion(pkt, f))) plotPackets.push(pkt);
    }
  };

  const prog = progress(io, input.size);
  let result: AnalysisResult;
  try {
    result = await core.analyzeLog(prog ? prog.wrap(input.source) : input.source, setup, {
      now,
      ...(a.packets !== undefined ? { maxPackets: a.packets } : {}),
      ...(analysisFields ? { analysisFields } : {}),
      ...(onPacket ? { onPacket } : {}),
    });
  } catch (e) {
    if (e instanceof Error && "code" in e && typeof e.code === "string" && e.code.startsWith("E"))
      throw new CliError("CLI_IO", `cannot read ${input.name}: ${e.message}`, { path: input.name }, e);
    throw e;
  }
  prog?.done();
  if (a.html !== undefined && traffic) {
    const html = core.renderHtmlReport(result, {
      file: input.name,
      generatedAt: new Date(now() * 1000).toISOString(),
      traffic: traffic.stats(),
    });
    try {
      await io.writeFile(a.html, html);
    } catch (e) {
      throw new CliError("CLI_IO", `cannot write ${a.html}: ${(e as Error).message}`, { path: a.html }, e);
    }
    io.stderr(`[+] HTML report written to ${a.html}\n`);
  }

  if (csv) {
    if (a.CSVUniqueLines) {
      const u = csv.finish();
      if (a.json) csvLines.push(...u);
      else csvPending.push(...u);
    }
    flushCsv();
    return { data: { csv: csvLines }, text: "" };
  }
  if (a.gnuplot && csvFields) {
    const prefix = a.gnuplotFilePrefix ?? "fwkit-psad";
    const style = a.gnuplotGraphStyle ?? a.gnuplotGraph;
    const plot = core.renderGnuplot(plotPackets, {
      fields: csvFields,
      filePrefix: prefix,
      threeD: a.gnuplot3d,
      ...(a.gnuplotView !== undefined ? { view: a.gnuplotView } : {}),
      ...(style !== undefined ? { graphStyle: style } : {}),
      ...(a.gnuplotTitle !== undefined ? { title: a.gnuplotTitle } : {}),
      header: [
        "generated by fwkit psad --gnuplot",
        `input: ${input.name}, fields: ${a.CSVFields}`,
        `created: ${new Date(now() * 1000).toISOString()}`,
      ],
    });
    const dat = `${prefix}.dat`;
    const gnu = `${prefix}.gnu`;
    try {
      await io.writeFile(dat, plot.data);
      await io.writeFile(gnu, plot.script);
    } catch (e) {
      throw new CliError("CLI_IO", `cannot write ${prefix}.dat/.gnu: ${(e as Error).message}`, { prefix }, e);
    }
    const rows = plot.data.split("\n").filter((l) => l && !l.startsWith("#")).length;
    return {
      data: { dataFile: dat, plotFile: gnu, rows, packets: plotPackets.length },
      text: `[+] gnuplot: ${rows} data rows from ${plotPackets.length} packets written to ${dat}; plot with: gnuplot ${gnu}`,
    };
  }
  if (a.json) return { data: core.analysisToJson(result), text: "" };
  if (a.syslogMsgs) {
    const lines = core.renderSyslogMsgs(result);
    return { data: lines, text: lines.length ? lines.join("\n") : "" };
  }
  return { data: core.analysisToJson(result), text: core.renderReport(result, { file: input.name }) };
}

/** Where `--follow` persists what `-S` shows (`--status-file`, default PSAD_DIR/fwkit-status.json). */
function statusFileFor(a: PsadArgs, config: { raw: Record<string, string> }): string {
  return a.statusFile ?? `${config.raw.PSAD_DIR ?? "/var/log/psad"}/fwkit-status.json`;
}

/** Auto-blocking state (JSON) next to psad's own files. */
function blockStateFileFor(config: { raw: Record<string, string> }): string {
  return `${config.raw.PSAD_DIR ?? "/var/log/psad"}/fwkit-blocks.json`;
}

/** `-S`: psad's status report from the state `--follow` persisted. */
async function status(io: PsadIo, a: PsadArgs): Promise<CommandResult> {
  const core = await import("@fwkit/psad-core");
  const config = await core.loadPsadConfig(a.config, a.OverrideConfig);
  const file = statusFileFor(a, config);
  const snapshot = await core.loadStatusSnapshot(file);
  const hostname = config.raw.HOSTNAME ?? "localhost";
  if (!snapshot) {
    return {
      data: { running: false, statusFile: file },
      text: `[-] psad: status file ${file} does not exist for psad on ${hostname} (is \`fwkit psad --follow\` running?)`,
      exitCode: ExitCode.Failure,
    };
  }
  const now = (io.now ?? wallClock)();
  const ab = core.parseAutoBlockConfig(config);
  const blocks = ab.ok
    ? await core.loadBlockState(blockStateFileFor(config), { psadFile: ab.value.iptFile, config: ab.value, now })
    : undefined;
  const text = core.renderStatus(snapshot, {
    config,
    now,
    ...(blocks ? { blockState: blocks.state } : {}),
    ...(ab.ok ? { autoBlock: ab.value } : {}),
    ...(a.statusIp !== undefined ? { statusIp: a.statusIp } : {}),
    ...(a.statusDl !== undefined ? { statusDl: a.statusDl } : {}),
    summary: a.statusSummary,
    version: "fwkit psad-core (psad v2.4.6 compatible)",
  });
  return { data: { running: true, statusFile: file, snapshot, blocks: blocks?.state ?? null }, text };
}

/** `--fw-analyze`: fwcheck_psad on this host's (or `--fw-file`'s) filter policy; exit 1 when it needs fixing. */
async function fwAnalyze(io: PsadIo, a: PsadArgs): Promise<CommandResult> {
  const core = await import("@fwkit/psad-core");
  const config = await core.loadPsadConfig(a.config, a.OverrideConfig);
  const r = await core.fwAnalyzeLive({
    config,
    configFile: a.config,
    ...(a.fwFile !== undefined ? { fwFile: a.fwFile } : {}),
  });
  const checkFile = config.raw.FW_CHECK_FILE ?? `${config.raw.PSAD_DIR ?? "/var/log/psad"}/fw_check`;
  try {
    await io.writeFile(checkFile, r.report);
  } catch (e) {
    io.stderr(`fwkit: warning: cannot write ${checkFile}: ${(e as Error).message}\n`);
  }
  return {
    data: { ok: r.ok, chains: r.chains, report: r.report, fwCheckFile: checkFile },
    text: r.stdout,
    exitCode: r.ok ? ExitCode.Ok : ExitCode.Failure,
  };
}

function syslogTarget(spec: string): SyslogTarget {
  if (spec.startsWith("unix")) return spec.length > 5 ? { kind: "unix", path: spec.slice(5) } : { kind: "unix" };
  const m = /^(udp|tcp):\/\/([^\s/]+?)(?::(\d{1,5}))?$/.exec(spec) as RegExpExecArray;
  const kind = m[1] as "udp" | "tcp";
  const host = (m[2] as string).replace(/^\[(.*)\]$/, "$1");
  return m[3] ? { kind, host, port: Number(m[3]) } : { kind, host };
}

function hostAddrs(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) out.push(i.address);
  return out;
}

/** Resolve when following should stop: the injected signal, or SIGTERM/SIGINT. */
function stopSignal(io: PsadIo): { signal: AbortSignal; cleanup(): void } {
  const ac = new AbortController();
  const cleanups: (() => void)[] = [];
  if (io.signal) {
    const s = io.signal;
    const f = () => ac.abort(typeof s.reason === "string" ? s.reason : "SIGTERM");
    if (s.aborted) f();
    else {
      s.addEventListener("abort", f, { once: true });
      cleanups.push(() => s.removeEventListener("abort", f));
    }
  } else {
    for (const sig of ["SIGTERM", "SIGINT"] as const) {
      const f = () => ac.abort(sig);
      process.once(sig, f);
      cleanups.push(() => process.off(sig, f));
    }
  }
  return {
    signal: ac.signal,
    cleanup: () => {
      for (const c of cleanups) c();
    },
  };
}

async function follow(io: PsadIo, a: PsadArgs, target: string, ctx: CommandContext): Promise<CommandResult> {
  const core = await import("@fwkit/psad-core");
  const analysisFields = parseFields(core, a.analysisFields, true);
  const setup = await loadSetup(core, a);
  const now = io.now ?? wallClock;
  const cfg = setup.config;
  const journal = target === "journal";
  const settings = core.alertSettings(cfg, { psadCompat: a.psadCompat });
  if (!settings.ok) throw settings.error;
  const throttle = core.createAlertThrottleState();
  const syslog =
    a.syslogServer !== undefined && settings.value.syslog
      ? core.createSyslogSender({
          target: syslogTarget(a.syslogServer),
          facility: settings.value.syslogFacility,
          severity: settings.value.syslogSeverity,
          tag: settings.value.syslogIdentity,
          now,
        })
      : undefined;
  const smtp = a.smtpServer?.split(":");
  const mailer = smtp
    ? core.createSmtpMailer({
        host: smtp[0] as string,
        ...(smtp[1] ? { port: Number(smtp[1]) } : {}),
        from: a.emailFrom ?? `psad@${cfg.raw.HOSTNAME ?? "localhost"}`,
      })
    : undefined;
  const parser = core.createLogLineParser({
    snortSidStr: cfg.SNORT_SID_STR,
    ignoreKernelTimestamp: cfg.IGNORE_KERNEL_TIMESTAMP,
    referenceTime: now(),
    psadCompat: a.psadCompat,
  });
  const det = core.createDetector(setup, { now, chainPrefixes: mailer !== undefined });
  // auto-blocking (ENABLE_AUTO_IDS=Y), through iptables/ip6tables unless a backend is injected
  const ab = core.parseAutoBlockConfig(cfg, setup.autoDl);
  if (!ab.ok) throw ab.error;
  let blocker: ReturnType<Core["createAutoBlocker"]> | undefined;
  if (ab.value.enabled && a.autoBlock) {
    let backend = io.blockBackend;
    if (!backend) {
      const { ChainMgr } = await import("@fwkit/iptables-chainmgr");
      backend = core.createIptablesBlocking({
        chains: ab.value.chains,
        ipv4: await ChainMgr.create({}),
        ipv6: await ChainMgr.create({ useIpv6: true }),
        prereqCheck: ab.value.prereqCheck,
      });
    }
    blocker = core.createAutoBlocker({
      config: ab.value,
      localAddrs: io.localAddrs ?? hostAddrs(),
      prefixMatched: (src) => det.state().sources.get(src)?.blockRegexMatched ?? false,
      backend,
      stateFile: blockStateFileFor(cfg),
      psadFile: ab.value.iptFile,
    });
  }
  const statusFile = statusFileFor(a, cfg);
  const stop = stopSignal(io);
  const counts = { lines: 0, packets: 0, errors: 0, alerts: 0, blocked: 0, deliveryFailures: 0 };
  const print = (type: string, lines: readonly string[], extra: Record<string, unknown> = {}) => {
    if (lines.length === 0) return;
    if (a.json) for (const m of lines) io.stdout(`${JSON.stringify({ type, message: m, ...extra })}\n`);
    else io.stdout(`${lines.join("\n")}\n`);
  };
  const warn = (e: unknown) => {
    counts.deliveryFailures++;
    const c = e as { code?: string; message?: string };
    io.stderr(`fwkit: ${c.code ?? "CLI_IO"}: ${c.message ?? String(e)}\n`);
  };
  const blockStep = (step: { messages: string[]; failures: { error: { code: string; message: string } }[] }) => {
    print("block", step.messages);
    for (const f of step.failures) warn(f.error);
    return step.messages;
  };
  if (blocker) {
    const started = await blocker.start(now());
    const msgs = blockStep(started);
    if (syslog && msgs.length) await syslog.send(msgs).catch(warn);
  }
  /** One closed batch: print, deliver alerts, auto-block, persist the -S snapshot. */
  const onBatch = async (alerts: ScanAlert[]) => {
    const extra = det.drainSyslog();
    print("syslog", extra);
    if (a.json) for (const al of alerts) io.stdout(`${JSON.stringify({ type: "alert", ...al })}\n`);
    else
      print(
        "alert",
        alerts.flatMap((al) => al.syslog),
      );
    counts.alerts += alerts.length;
    const t = now();
    const delivery = core.alertsFor(alerts, det.state(), setup, settings.value, throttle, {
      now: t,
      email: mailer !== undefined,
    });
    const toSyslog = [...extra, ...delivery.syslog];
    if (blocker) {
      const step = alerts.length ? await blocker.onBatch(alerts, t) : await blocker.expire(t);
      counts.blocked += step.applied.filter((x) => x.kind === "add").length;
      toSyslog.push(...blockStep(step));
    }
    if (syslog && toSyslog.length) await syslog.send(toSyslog).catch(warn);
    if (mailer) for (const m of delivery.emails) await mailer.send(m).catch(warn);
    if (alerts.length || extra.length) {
      await core
        .saveStatusSnapshot(statusFile, core.statusSnapshot(det.state(), setup, t, { lines: counts.lines }))
        .catch((e: unknown) => {
          if (a.statusFile !== undefined) warn(e); // the default PSAD_DIR may simply not exist
        });
    }
  };
  // batches are handled in order, one at a time
  let chain: Promise<void> = Promise.resolve();
  const queue = (alerts: ScanAlert[]) => {
    chain = chain.then(() => onBatch(alerts));
  };
  // psad checks every CHECK_INTERVAL seconds: close the batch on the wall clock too, so a scan that stops
  // is still reported (push() closes batches by log time while lines keep coming)
  const timer = setInterval(() => queue(det.flush()), Math.max(1, cfg.CHECK_INTERVAL) * 1000);
  const lines = journal
    ? core.followJournal({ signal: stop.signal, env: io.env })
    : core.followFile(target, { signal: stop.signal, pollMs: io.followPollMs ?? 250 });
  try {
    for await (const line of lines) {
      counts.lines++;
      const r = journal ? core.parseJournalLine(line, parser) : parser.parseLine(line);
      if (!r.ok) {
        if (r.code !== "PSAD_LOG_NOT_IPTABLES") counts.errors++;
        continue;
      }
      if (analysisFields && !analysisFields.every((f) => core.matchCriterion(r.packet, f))) continue;
      counts.packets++;
      const alerts = det.push(r.packet);
      if (alerts.length) queue(alerts);
    }
    queue(det.flush());
  } finally {
    clearInterval(timer);
    stop.cleanup();
    await chain;
    mailer?.close();
  }
  const reason = stop.signal.aborted ? String(stop.signal.reason) : "end";
  const summary = { stopped: reason, source: journal ? "journal" : target, ...counts };
  if (a.json) {
    // JSON Lines in follow mode: the summary is the last line (not a second pretty-printed document)
    io.stdout(`${JSON.stringify({ type: "summary", ...summary })}\n`);
    ctx.state.json = false;
  }
  return { data: summary, text: "", exitCode: reason === "SIGINT" ? ExitCode.Interrupted : ExitCode.Ok };
}

async function psad(ctx: CommandContext, rawOpts: unknown): Promise<CommandResult> {
  const io = ctx.io as PsadIo;
  const a = validateOptions(schema, rawOpts);
  if (a.Status) return status(io, a);
  if (a.fwAnalyze) return fwAnalyze(io, a);
  if (a.follow !== undefined) return follow(io, a, a.follow, ctx);
  if (a.AnalyzeMsgs || a.CSV || a.gnuplot) return analyze(io, a);
  throw new CliError(
    "CLI_USAGE",
    "choose a mode: -A (analyze a log file), --CSV, --gnuplot, --follow FILE|journal, -S or --fw-analyze (see fwkit psad --help)",
  );
}

/** The `psad` command. */
export function psadCommand(ctx: CommandContext): Command {
  const cmd = new Command("psad")
    .description("psad: iptables log analysis, port-scan detection, signatures, passive OS fingerprinting")
    .option("-A, --Analyze-msgs", "analyze an iptables log file (-m FILE, --stdin, or IPT_SYSLOG_FILE)")
    .option("-m, --messages-file <file>", "the log file to analyze")
    .option("--stdin", "read the log from standard input")
    .option("-c, --config <file>", "psad.conf", "/etc/psad/psad.conf")
    .option("-O, --Override-config <files>", "override config file(s), comma list or repeated (first wins)", collect)
    .option("--analysis-fields <criteria>", "keep only packets matching these criteria (e.g. 'src:10.0.0.0/8 dp:22')")
    .option("-p, --packets <n>", "stop after N iptables log lines")
    .option("-i, --interface <intf>", "keep only lines on this interface")
    .option("--restrict-ip <ip|net>", "keep only packets from or to this address or network")
    .option("--signatures <file>", "psad signatures file (default: SIGS_FILE of the config)")
    .option("--no-signatures", "disable signature matching")
    .option("--auto-dl <file>", "auto_dl file (default: AUTO_DL_FILE of the config)")
    .option("--no-auto-dl", "disable auto danger levels")
    .option("--snort-rdir <dir>", "Snort rules directory for fwsnort SID messages")
    .option("--no-snort-sids", "ignore fwsnort SID prefixes")
    .option("--no-passive-os", "disable passive OS fingerprinting")
    .option("--no-icmp-types", "disable ICMP/ICMPv6 type and code validation")
    .option("--CSV", "print the packets as CSV (fields: --CSV-fields)")
    .option("--CSV-fields <fields>", "CSV fields with optional criteria, e.g. 'src dst dp:>1023'")
    .option("--CSV-regex <re>", "CSV: keep lines matching this regex")
    .option("--CSV-neg-regex <re>", "CSV: drop lines matching this regex")
    .option("--CSV-max-lines <n>", "CSV: print at most N lines")
    .option("--CSV-unique-lines", "CSV: print each distinct line once")
    .option("--gnuplot", "write gnuplot .dat and .gnu files for --CSV-fields")
    .option("--gnuplot-graph-style <style>", "gnuplot: graph style (default linespoints / points in 3-D)")
    .addOption(new Option("--gnuplot-graph <style>", "abbreviation of --gnuplot-graph-style").hideHelp())
    .option("--gnuplot-3d", "gnuplot: 3-D plot (also implied by three fields)")
    .option("--gnuplot-view <x,z>", "gnuplot: 3-D view angles (default 60,30)")
    .option("--gnuplot-file-prefix <prefix>", "gnuplot: output file prefix (default fwkit-psad)")
    .option("--gnuplot-title <title>", "gnuplot: plot title")
    .option("--syslog-msgs", "print only the alert messages psad writes to syslog, one per line")
    .option("--html <file>", "-A: also write a self-contained HTML report (charts) to FILE")
    .option("-S, --Status", "psad's status report from the state --follow persists (--status-file)")
    .option("--status-ip <ip>", "-S: only this source")
    .option("--status-dl <n>", "-S: only sources with at least this danger level")
    .option("--status-summary", "-S: counters only, no IP detail")
    .option(
      "--status-file <file>",
      "status snapshot written by --follow, read by -S (default PSAD_DIR/fwkit-status.json)",
    )
    .option("--fw-analyze", "check that the firewall logs and drops by default (fwcheck_psad); exit 1 if not")
    .option("--fw-file <file>", "--fw-analyze: a saved iptables-save / iptables -nL -v text instead of the live policy")
    .option(
      "--syslog-server <target>",
      "--follow: send alerts to syslog: unix[:/dev/log], udp://host[:port], tcp://host[:port]",
    )
    .option("--smtp-server <host[:port]>", "--follow: e-mail alerts (EMAIL_ADDRESSES) through this SMTP server")
    .option("--email-from <addr>", "--follow: sender of alert e-mails (default psad@HOSTNAME)")
    .option("--no-auto-block", "--follow: do not auto-block even with ENABLE_AUTO_IDS=Y")
    .option(
      "--follow <file|journal>",
      "follow a log file (survives rotation) or the kernel journal; alerts as they close",
    )
    .option("--psad-compat", "reproduce psad 2.4.6's output quirks (for comparisons with the real psad)")
    .addOption(new Option("--json", "print one JSON document on stdout (--follow: one JSON object per line)"))
    .addHelpText(
      "after",
      "\nExamples:\n  fwkit psad -A -m /var/log/kern.log\n  fwkit psad -A -m kern.log --syslog-msgs\n  journalctl -k -o json | fwkit psad -A --stdin --json\n  fwkit psad --CSV -m kern.log --CSV-fields 'src dst dp:>1023' --CSV-max-lines 20\n  fwkit psad --gnuplot -m kern.log --CSV-fields 'timestamp dp:count' --gnuplot-file-prefix scans\n  fwkit psad --follow /var/log/kern.log\n  fwkit psad --follow journal --json\n",
    );
  return handle(cmd, ctx, (_args, opts) => psad(ctx, opts));
}
