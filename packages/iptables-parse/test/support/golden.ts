import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ParsedRule } from "../../src/types.ts";

/** Absolute path of a fixture file. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

/** Text of a fixture file. */
export function fixture(name: string): string {
  return readFileSync(fixturePath(name), "utf8");
}

/** A rule hash as IPTables::Parse returns it (JSON-encoded by test/perl/dump-parse.pl). */
export type PerlRule = Record<string, string | number>;

/** What test/perl/dump-parse.pl prints. */
export interface PerlDump {
  chains: string[];
  policies: Record<string, string>;
  rules: Record<string, PerlRule[] | { croak: string }>;
  default_drop: Record<string, [unknown, 0 | 1]>;
  default_log: Record<string, [unknown, 0 | 1]>;
}

/** The Perl golden file recorded for a fixture (`x.txt` → `x.perl.golden.json`). */
export function perlGolden(fixtureName: string): PerlDump {
  return JSON.parse(fixture(fixtureName.replace(/\.txt$/, ".perl.golden.json"))) as PerlDump;
}

/** Perl rules of one chain (fails the test when Perl croaked). */
export function perlRules(dump: PerlDump, chain: string): PerlRule[] {
  const r = dump.rules[chain];
  if (r === undefined || !Array.isArray(r)) throw new Error(`no Perl rules for ${chain}`);
  return r;
}

/** The 24 Perl keys of one of our rules (no `details`), for comparison with a Perl hash. */
export function perlView(rule: ParsedRule): PerlRule {
  const { details: _d, ...rest } = rule;
  return rest as unknown as PerlRule;
}
