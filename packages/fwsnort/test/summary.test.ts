import { readFileSync } from "node:fs";
import { join } from "node:path";
import { corpusPath } from "@fwkit/test-utils";
import { describe, expect, it } from "vitest";
import { renderFinalMessage, renderFwsnortLog, renderSummary, skipCountLines } from "../src/summary.ts";
import type { Translation } from "../src/types.ts";
import { translationFromSave } from "./support/from-save.ts";

const fx = (name: string) => readFileSync(new URL(`fixtures/artefacts/${name}`, import.meta.url), "utf8");
const corpus = corpusPath("snort-2.3.3");
const ruleFiles = ["mysql.rules", "web-attacks.rules", "x11.rules"].map((f) => join(corpus ?? "", f));
const dir = "/tmp/fwsh2/root/var/lib/fwsnort";
const paths = {
  logFile: "/tmp/fwsh2/root/var/log/fwsnort/fwsnort.log",
  script: `${dir}/fwsnort_iptcmds.sh`,
  saveFile: `${dir}/fwsnort.save`,
  shFile: `${dir}/fwsnort.sh`,
};
/** The real stdout without the capability-probe line (we do not probe). */
const stdoutOf = (name: string) => fx(name).replace(/^\[\+\] Testing .* for supported capabilities\.\.\.\n/, "");

describe.skipIf(!corpus)("renderSummary against fwsnort 1.6.8's stdout", () => {
  it.each([
    ["small.stdout.txt", "small.fwsnort.save", 4],
    ["small-v6.stdout.txt", "small-v6.fwsnort.save", 6],
  ] as const)("%s: byte-identical table, verdict and final message", (out, save, family) => {
    const t = translationFromSave(fx(save), ruleFiles, { family });
    expect(renderSummary(t) + renderFinalMessage(t, paths)).toBe(stdoutOf(out));
  });

  it("--ipt-sync: the Ipt_apply column and the 'Found N applicable' line", () => {
    const t = translationFromSave(fx("small.fwsnort.save"), ruleFiles);
    const synced: Translation = { ...t, files: t.files.map((f) => ({ ...f, iptApply: f.success })) };
    expect(renderSummary(synced, { iptSync: true }) + renderFinalMessage(t, paths)).toBe(
      stdoutOf("small-sync.stdout.txt"),
    );
  });

  it("--snort-sid: Found sid lines instead of the table", () => {
    const t = translationFromSave(fx("small.fwsnort.save"), ruleFiles);
    const only: Translation = { ...t, translated: t.translated.filter((r) => r.sid === 1775 || r.sid === 1361) };
    expect(renderSummary(only, { sidMode: true }) + renderFinalMessage(t, paths)).toBe(
      stdoutOf("small-sid.stdout.txt"),
    );
  });
});

describe("skip counts", () => {
  it("appends one line per reason, largest first", () => {
    expect(
      skipCountLines({
        FWSNORT_PCRE_UNTRANSLATABLE: 431,
        FWSNORT_UNSUPPORTED_KEYWORD: 735,
        FWSNORT_UNSUPPORTED_VALUE: 0,
      }),
    ).toEqual([
      "[+] Rules not translated, by reason:",
      "    FWSNORT_UNSUPPORTED_KEYWORD  735",
      "    FWSNORT_PCRE_UNTRANSLATABLE  431",
    ]);
    const t = translationFromSave("", []);
    const s = renderSummary({ ...t, skipCounts: { FWSNORT_SKIPPED_BY_POLICY: 26 } });
    expect(s).toContain(
      "[+] No rules parsed.\n\n[+] Rules not translated, by reason:\n    FWSNORT_SKIPPED_BY_POLICY  26\n",
    );
    expect(
      renderSummary({ ...t, skipCounts: { FWSNORT_SKIPPED_BY_POLICY: 26 } }, { noSkipCounts: true }),
    ).not.toContain("reason");
  });
});

describe("renderFwsnortLog", () => {
  it("one block per file, skips in line order with fwsnort's [-] prefix, approximations as [*]", () => {
    const t = translationFromSave("", []);
    const log = renderFwsnortLog({
      ...t,
      files: [
        { file: "a.rules", success: 1, fail: 2, total: 3, iptRules: 2 },
        { file: "b.rules", success: 0, fail: 0, total: 0, iptRules: 0 },
      ],
      skipped: [
        {
          sid: 2,
          file: "a.rules",
          line: 9,
          code: "FWSNORT_PCRE_UNTRANSLATABLE",
          message: "SID: 2, unsupported complex pcre: x|y",
          details: {},
        },
        {
          sid: 1,
          file: "a.rules",
          line: 4,
          code: "FWSNORT_UNSUPPORTED_KEYWORD",
          message: "SID: 1  Unsupported option(s): 'id' at line: 4, skipping.",
          details: {},
        },
      ],
      diagnostics: [
        { code: "FWSNORT_APPROXIMATE", severity: "warning", message: "widened", file: "a.rules", line: 6, sid: 3 },
      ],
    });
    expect(log).toBe(
      [
        "[+] Begin parsing cycle.",
        "[+] Parsing a.rules",
        "[-] SID: 1  Unsupported option(s): 'id' at line: 4, skipping.",
        "[*] SID: 3, FWSNORT_APPROXIMATE: widened at line: 6",
        "[-] SID: 2, unsupported complex pcre: x|y",
        "[+] Parsing b.rules",
        "",
      ].join("\n"),
    );
  });
});
