import { z } from "zod";
import { CliError } from "./errors.ts";
import type { Io } from "./io.ts";

/**
 * Validate commander's parsed options once with a zod schema, turning issues into one CLI_USAGE error.
 * @throws {CliError} CLI_USAGE when an option value is invalid
 */
export function validateOptions<S extends z.ZodType>(schema: S, opts: unknown): z.infer<S> {
  const parsed = schema.safeParse(opts);
  if (!parsed.success) throw new CliError("CLI_USAGE", z.prettifyError(parsed.error).replace(/\n/g, "; "));
  return parsed.data;
}

/**
 * Read a text file through the Io.
 * @throws {CliError} CLI_IO when the file cannot be read
 */
export async function readText(io: Io, path: string): Promise<string> {
  try {
    return await io.readFile(path);
  } catch (e) {
    throw new CliError("CLI_IO", `cannot read ${path}: ${(e as Error).message}`, { path }, e);
  }
}
