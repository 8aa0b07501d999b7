#!/usr/bin/env node
import { nodeIo } from "./io.ts";
import { run } from "./run.ts";

// `fwkit … | head`: the reader went away; stop writing quietly instead of dying with an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE" || e.code === "ERR_STREAM_DESTROYED") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.on("SIGINT", () => {
  process.exitCode = 130;
});
process.exitCode = await run(process.argv.slice(2), nodeIo());
