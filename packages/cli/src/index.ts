export { CliError, type CliErrorCode, type CodedError, isCodedError } from "./errors.ts";
export { ExitCode, exitCodeFor } from "./exit-codes.ts";
export { type Io, nodeIo } from "./io.ts";
export { type CommandResult, toJson } from "./output.ts";
export { run } from "./run.ts";
export { VERSION } from "./version.ts";
