/**
 * Differential test against the real fwsnort 1.6.8 (run inside a throwaway network namespace): for every rule
 * file, fwsnort's "Total" column (rule lines it recognised) equals the number of enabled rules we parse, and
 * fwsnort's own fwsnort.conf parses cleanly with its variables resolving.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corpusPath, createNetns, missingFor, type Netns, skipWithReason } from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AddrExpr,
  addressSet,
  parseAddressExpr,
  parseFwsnortConf,
  parseRuleset,
  resolveAddressExpr,
  variableTable,
} from "../src/index.ts";

const corpus = corpusPath("snort-2.3.3");
const reason =
  missingFor(["fwsnort"]) ??
  (!corpus || !existsSync(corpus) ? "../shared/corpus/snort-2.3.3 absent" : null) ??
  (!existsSync("/etc/fwsnort/fwsnort.conf") ? "/etc/fwsnort/fwsnort.conf absent" : null);

/** Parse fwsnort's summary table: `[+] <file>.rules   <success> <fail> <total>`. */
function totals(stdout: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of stdout.split("\n")) {
    const r = /^\[\+\]\s+(\S+\.rules)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
    if (r) m.set(r[1] as string, Number(r[4]));
  }
  return m;
}

describe.skipIf(skipWithReason("fwsnort differential", reason))("fwsnort 1.6.8 vs parseRuleset", () => {
  let ns: Netns;
  let work: string;
  beforeAll(async () => {
    ns = await createNetns("snortrules");
    work = mkdtempSync(join(tmpdir(), "fwkit-snort-rules-"));
    for (const d of ["rules", "home", "root/etc/fwsnort", "root/var/log/fwsnort", "root/var/lib/fwsnort"]) {
      mkdirSync(join(work, d), { recursive: true });
    }
    for (const f of readdirSync(corpus as string).filter((x) => x.endsWith(".rules"))) {
      writeFileSync(join(work, "rules", f), readFileSync(join(corpus as string, f)));
    }
    const conf = readFileSync("/etc/fwsnort/fwsnort.conf", "utf8").replace(
      /^INSTALL_ROOT\s.*$/m,
      `INSTALL_ROOT            ${join(work, "root")};`,
    );
    writeFileSync(join(work, "root/etc/fwsnort/fwsnort.conf"), conf);
  });
  afterAll(async () => {
    await ns?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const run = (extra: string[]) =>
    ns.exec("fwsnort", [
      "-c",
      join(work, "root/etc/fwsnort/fwsnort.conf"),
      "--snort-rdir",
      join(work, "rules"),
      "--Home-dir",
      join(work, "home"),
      "--no-ipt-sync",
      ...extra,
    ]);

  const ours = () => {
    const m = new Map<string, number>();
    for (const f of readdirSync(corpus as string).filter((x) => x.endsWith(".rules"))) {
      const rs = parseRuleset(readFileSync(join(corpus as string, f), "latin1"), { file: f });
      expect(rs.rejected).toEqual([]);
      m.set(f, rs.rules.filter((e) => !e.rule.disabled).length);
    }
    return m;
  };

  it("per-file rule counts equal fwsnort's Total column (deleted.rules via --add-deleted)", async () => {
    const r = await run(["--add-deleted"]);
    expect(r.code, r.stderr).toBe(0);
    const theirs = totals(r.stdout);
    expect(theirs.size).toBe(48);
    expect([...theirs.values()].reduce((a, b) => a + b, 0)).toBe(3107);
    expect(new Map([...ours()].sort())).toEqual(new Map([...theirs].sort()));
  });

  it("parses the installed fwsnort.conf and resolves its rule variables", () => {
    const { variables, diagnostics } = parseFwsnortConf(readFileSync("/etc/fwsnort/fwsnort.conf", "utf8"));
    expect(diagnostics).toEqual([]);
    const vars = variableTable(variables);
    for (const name of [
      "HOME_NET",
      "EXTERNAL_NET",
      "HTTP_SERVERS",
      "SMTP_SERVERS",
      "DNS_SERVERS",
      "SQL_SERVERS",
      "TELNET_SERVERS",
      "AIM_SERVERS",
    ]) {
      const e = parseAddressExpr(`$${name}`);
      const r = resolveAddressExpr((e as { value: AddrExpr }).value, vars);
      expect(r.ok, name).toBe(true);
      if (r.ok) expect(addressSet(r.value).ok, name).toBe(true);
    }
  });
});
