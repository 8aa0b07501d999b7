import { readdir, readFile, stat } from "node:fs/promises";
import type { Io } from "../src/io.ts";

/** An in-memory Io: captures stdout/stderr, reads real files, records writes. */
export function fakeIo(
  env: Record<string, string> = {},
): Io & { out: string; err: string; written: Map<string, string> } {
  const io = {
    out: "",
    err: "",
    written: new Map<string, string>(),
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
    readFile: (path: string) => readFile(path, "utf8"),
    readDir: async (path: string) => ((await stat(path)).isDirectory() ? (await readdir(path)).sort() : undefined),
    async writeFile(path: string, data: string) {
      io.written.set(path, data);
    },
    env,
    cwd: process.cwd(),
    isTTY: false,
  };
  return io;
}
