import { readdir, readFile, stat, writeFile } from "node:fs/promises";

/** Everything a command may touch outside itself; tests pass a fake. */
export interface Io {
  /** Write to standard output (no newline added). */
  stdout(text: string): void;
  /** Write to standard error (no newline added). */
  stderr(text: string): void;
  readFile(path: string): Promise<string>;
  /** Names in a directory, or `undefined` when `path` is not a directory. */
  readDir(path: string): Promise<string[] | undefined>;
  writeFile(path: string, data: string): Promise<void>;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Whether stdout is an interactive terminal (colours, progress bars). */
  isTTY: boolean;
}

/** The real process-backed {@link Io}. */
export function nodeIo(): Io {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readFile: (path) => readFile(path, "utf8"),
    readDir: async (path) => ((await stat(path)).isDirectory() ? (await readdir(path)).sort() : undefined),
    writeFile: (path, data) => writeFile(path, data),
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
  };
}
