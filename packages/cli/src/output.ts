import pc from "picocolors";
import { type CodedError, isCodedError } from "./errors.ts";
import { ExitCode, exitCodeFor } from "./exit-codes.ts";
import type { Io } from "./io.ts";

/** What a command returns: JSON data for `--json`, text for people, and its exit status. */
export interface CommandResult {
  data: unknown;
  text: string;
  exitCode?: ExitCode;
}

/** JSON.stringify replacer: bigints become numbers when safe, else strings. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  return value;
}

/** Serialise one JSON document (bigint-safe). */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, jsonReplacer, 2)}\n`;
}

/** Whether colour may be used on this Io (a TTY, NO_COLOR unset). */
export function useColour(io: Io): boolean {
  return io.isTTY && io.env.NO_COLOR === undefined && io.env.TERM !== "dumb";
}

/** Colour helpers bound to the Io's colour decision. */
export function colours(io: Io): ReturnType<typeof pc.createColors> {
  return pc.createColors(useColour(io));
}

/** Print a command result: exactly one JSON document on stdout with `--json`, else the text. */
export function emitResult(io: Io, result: CommandResult, json: boolean): ExitCode {
  if (json) io.stdout(toJson(result.data));
  else if (result.text) io.stdout(result.text.endsWith("\n") ? result.text : `${result.text}\n`);
  return result.exitCode ?? ExitCode.Ok;
}

/** Print an error: `{"error":{…}}` on stdout with `--json`, else `fwkit: CODE: message` on stderr. */
export function emitError(io: Io, error: unknown, json: boolean): ExitCode {
  const coded: CodedError = isCodedError(error)
    ? error
    : {
        code: "CLI_INTERNAL",
        message: `internal error (please report this bug): ${String((error as Error)?.stack ?? error)}`,
      };
  if (json) io.stdout(toJson({ error: { code: coded.code, message: coded.message, details: coded.details ?? {} } }));
  else io.stderr(`fwkit: ${coded.code}: ${coded.message}\n`);
  return exitCodeFor(coded.code);
}
