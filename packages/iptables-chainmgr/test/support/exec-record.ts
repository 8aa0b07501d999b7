/** Recording and replaying Executors (fakes, not mocks): the argv transcript is the thing under test. */
import type { Executor, RunOptions, RunOutcome } from "@fwkit/iptables-parse";

/** One recorded process run. */
export interface Recorded {
  file: string;
  args: string[];
  input?: string;
  outcome: Omit<RunOutcome, "pid">;
}

/** Wrap `inner`, keeping every run in `log` (paths rewritten by `rename`). */
export function recordingExecutor(
  inner: Executor,
  log: Recorded[],
  rename: (file: string) => string = (f) => f,
  sanitize: (o: RunOutcome) => RunOutcome = (o) => o,
): Executor {
  return async (file: string, args: readonly string[], opts: RunOptions) => {
    const outcome = sanitize(await inner(file, args, opts));
    const { pid: _pid, ...rest } = outcome;
    const rec: Recorded = { file: rename(file), args: [...args], outcome: rest };
    if (opts.input !== undefined) rec.input = opts.input;
    log.push(rec);
    return outcome;
  };
}

/** Serve recorded outcomes in order; throw when the argv differs from the recording. Also logs what ran. */
export function replayExecutor(recording: readonly Recorded[], log: Recorded[] = []): Executor {
  let i = 0;
  return async (file: string, args: readonly string[], opts: RunOptions) => {
    const rec = recording[i++];
    const got = [file, ...args].join(" ");
    if (!rec) throw new Error(`replay: unexpected extra command ${got}`);
    const want = [rec.file, ...rec.args].join(" ");
    if (got !== want) throw new Error(`replay: command ${i} differs\n  want: ${want}\n  got:  ${got}`);
    if ((opts.input ?? undefined) !== rec.input) throw new Error(`replay: stdin of command ${i} differs`);
    const entry: Recorded = { file, args: [...args], outcome: rec.outcome };
    if (opts.input !== undefined) entry.input = opts.input;
    log.push(entry);
    return { ...rec.outcome };
  };
}

/** A fake Executor answering from a function (for small hand-written scenarios). */
export function scriptedExecutor(
  answer: (argv: string[], input: string | undefined) => Partial<RunOutcome> | undefined,
  log: Recorded[] = [],
): Executor {
  return async (file: string, args: readonly string[], opts: RunOptions) => {
    const argv = [file, ...args];
    const a = answer(argv, opts.input) ?? {};
    const outcome: RunOutcome = {
      stdout: a.stdout ?? "",
      stderr: a.stderr ?? "",
      exitCode: a.exitCode === undefined ? 0 : a.exitCode,
      signal: a.signal ?? null,
      timedOut: a.timedOut ?? false,
    };
    const rec: Recorded = { file, args: [...args], outcome };
    if (opts.input !== undefined) rec.input = opts.input;
    log.push(rec);
    return outcome;
  };
}
