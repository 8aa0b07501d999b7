import type { PsadErrorCode } from "./errors.ts";

/** A problem found while reading bulk input; bulk readers never throw on content. */
export interface Diagnostic {
  code: PsadErrorCode;
  severity: "error" | "warning";
  /** 1-based line number in the input, when known. */
  line?: number;
  /** Config key or file the problem belongs to, when known. */
  key?: string;
  message: string;
}

/** Success-or-failure value. */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };
