/**
 * Step-by-step output of `fwkit demo`: each step prints its title, what happened and where its outputs are, and is
 * recorded (status, lines, data) for the `--json` document.
 */
import { isCodedError } from "../errors.ts";

/** Outcome of a step. */
export type StepStatus = "ok" | "skipped" | "failed";

/** One step as recorded in the demo's JSON document. */
export interface StepRecord {
  id: string;
  title: string;
  status: StepStatus;
  /** What the step printed (without the indentation). */
  lines: string[];
  /** Why it was skipped or failed. */
  reason?: string;
  /** Error code of a failed step. */
  code?: string;
  /** Files the step wrote. */
  outputs: string[];
  /** Step-specific results (counts, verdicts). */
  data: Record<string, unknown>;
  ms: number;
}

/** What a running step may do. */
export interface StepContext {
  /** Print one indented line. */
  line(text: string): void;
  /** Record a file the step wrote (printed as `-> PATH`). */
  output(path: string): void;
  /** Merge results into the step's data. */
  set(data: Record<string, unknown>): void;
}

/** Thrown inside a step to mark it skipped with a reason (not a failure). */
export class StepSkipped extends Error {
  override readonly name = "StepSkipped";
}

/** Colour functions used for the step headers (identity functions when colour is off). */
export interface StepColours {
  bold(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
}

/** Runs and prints the demo's steps. */
export class StepLog {
  readonly steps: StepRecord[] = [];

  /**
   * @param print - where the step output goes (stdout for people, stderr with `--json`)
   * @param clock - milliseconds, for step durations
   */
  constructor(
    private readonly print: (text: string) => void,
    private readonly colours: StepColours,
    private readonly clock: () => number,
  ) {}

  /** Print a free-standing line (not part of a step). */
  note(text: string): void {
    this.print(`${text}\n`);
  }

  /**
   * Run one step. Errors are caught and recorded (status `failed`); {@link StepSkipped} marks it skipped.
   * @returns the step function's value, or `undefined` when it failed or was skipped
   */
  async run<T>(id: string, title: string, fn: (ctx: StepContext) => Promise<T>): Promise<T | undefined> {
    const rec: StepRecord = { id, title, status: "ok", lines: [], outputs: [], data: {}, ms: 0 };
    this.steps.push(rec);
    const c = this.colours;
    this.print(`\n${c.bold(`== ${title}`)}\n`);
    const start = this.clock();
    const ctx: StepContext = {
      line: (text) => {
        for (const l of text.split("\n")) {
          rec.lines.push(l);
          this.print(`   ${l}\n`);
        }
      },
      output: (path) => {
        rec.outputs.push(path);
        this.print(`   -> ${path}\n`);
      },
      set: (data) => Object.assign(rec.data, data),
    };
    try {
      const v = await fn(ctx);
      rec.ms = Math.round(this.clock() - start);
      return v;
    } catch (e) {
      rec.ms = Math.round(this.clock() - start);
      if (e instanceof StepSkipped) {
        rec.status = "skipped";
        rec.reason = e.message;
        this.print(`   ${c.yellow(`skipped: ${e.message}`)}\n`);
        return undefined;
      }
      rec.status = "failed";
      rec.reason = e instanceof Error ? e.message : String(e);
      if (isCodedError(e)) rec.code = e.code;
      this.print(`   ${c.red(`failed: ${rec.code ? `${rec.code}: ` : ""}${rec.reason}`)}\n`);
      return undefined;
    }
  }

  /** Record and print a step that is left out, with the reason. */
  skip(id: string, title: string, reason: string): void {
    this.steps.push({ id, title, status: "skipped", lines: [], reason, outputs: [], data: {}, ms: 0 });
    this.print(`\n${this.colours.bold(`== ${title}`)}\n   ${this.colours.yellow(`skipped: ${reason}`)}\n`);
  }

  /** Whether any step failed. */
  get failed(): boolean {
    return this.steps.some((s) => s.status === "failed");
  }
}
