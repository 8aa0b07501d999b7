/**
 * Test helper: rebuild a {@link Translation} from a real fwsnort.save (the signature `-A FWSNORT_…` lines, grouped
 * by the SID in their LOG prefix) and the rule files it was made from, so the artefact writers can be compared
 * with what the real fwsnort 1.6.8 wrote for the same rules — independent of the translator's code.
 */
import { readFileSync } from "node:fs";
import { tokenizeSaveLine } from "@fwkit/iptables-parse";
import type { FileCounts, FwsnortChain, IptRule, TranslatedRule, Translation } from "../../src/types.ts";

export const defaultLayout: Translation["layout"] = {
  jumpPositions: { INPUT: 1, FORWARD: 1, OUTPUT: 1 },
  excludeLoopback: true,
  restrictInterfaces: [],
  whitelist: ["96.43.137.99", "204.12.217.19"],
  blacklist: [],
  conntrack: true,
};

/** `{ file → path }` of the rule files, in sorted order. */
export function translationFromSave(
  saveText: string,
  ruleFiles: readonly string[],
  opts: { family?: 4 | 6; target?: Translation["target"] } = {},
): Translation {
  const bySid = new Map<number, IptRule[]>();
  const lastSid = new Map<string, number>();
  for (const line of saveText.split("\n")) {
    if (!line.startsWith("-A FWSNORT_")) continue;
    const words = tokenizeSaveLine(line.trimEnd()).tokens.map((t) => t.value);
    const chain = words[1] as FwsnortChain;
    const args = words.slice(2);
    if (args.includes("RETURN") || args.includes("--ctstate") || !args.includes("-p")) continue; // prologue
    const pi = args.indexOf("--log-prefix");
    let sid: number | undefined;
    if (pi >= 0) sid = Number(/SID(\d+)/.exec(args[pi + 1] as string)?.[1]);
    else {
      const ci = args.indexOf("--comment");
      if (ci >= 0) sid = Number(/sid:(\d+)/.exec(args[ci + 1] as string)?.[1]);
      else {
        // action rule (-j DROP/REJECT): belongs to the previous LOG rule's sid
        sid = lastSid.get(chain);
      }
    }
    if (sid === undefined || Number.isNaN(sid)) continue;
    lastSid.set(chain, sid);
    bySid.set(sid, [...(bySid.get(sid) ?? []), { chain, args }]);
  }
  const translated: TranslatedRule[] = [];
  const files: FileCounts[] = [];
  let ordinal = 0;
  for (const path of ruleFiles) {
    const file = path.replace(/^.*\//, "");
    let total = 0;
    let success = 0;
    let iptRules = 0;
    readFileSync(path, "utf8")
      .split("\n")
      .forEach((text, i) => {
        if (!/^\s*(alert|pass|log)/.test(text)) return;
        total++;
        const sid = Number(/[\s;]sid:\s*(\d+)\s*;/.exec(text)?.[1]);
        const rules = bySid.get(sid);
        if (!rules) return;
        success++;
        iptRules += rules.length;
        translated.push({ sid, file, line: i + 1, text, ordinal: ++ordinal, rules, warnings: [] });
      });
    files.push({ file, success, fail: total - success, total, iptRules });
  }
  return {
    family: opts.family ?? 4,
    target: opts.target ?? "log",
    layout: defaultLayout,
    translated,
    skipped: [],
    files,
    skipCounts: {},
    diagnostics: [],
  };
}
