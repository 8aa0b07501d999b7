#!/usr/bin/env node
import { nodeIo } from "./io.ts";
import { run } from "./run.ts";

process.on("SIGINT", () => {
  process.exitCode = 130;
});
process.exitCode = await run(process.argv.slice(2), nodeIo());
