/**
 * Spec §15 goldens (G01–G20, from fwsnort 1.6.8's run on the Snort 2.3.3 set), §15.1 synthetic cases and §15.2
 * mode variants: exact lines in compat mode. The `[N]` counters depend on the full run, so G01–G20 translate the
 * whole corpus (with the probe's `--icmp-type any`, as in the recorded run).
 */
import { corpusPath } from "@fwkit/test-utils";
import { describe, expect, it } from "vitest";
import { renderSave } from "../src/render-save.ts";
import { type TranslateOptions, translateRuleset } from "../src/translate.ts";
import { readRulesDir, sidOfLine, signatureLines } from "./support/conformance.ts";
import { appendixFile, goldens, modeRows, specText, synthExamples } from "./support/spec.ts";

const spec = specText();
const corpus = corpusPath("snort-2.3.3");

/** Lines of one sid: its LOG lines plus the action lines (no sid on them) that follow each. */
function linesFor(save: string, sid: number): string[] {
  const out: string[] = [];
  let cur: number | undefined;
  for (const l of signatureLines(save)) {
    const s = sidOfLine(l);
    if (s !== undefined) cur = s;
    if (/ -j ACCEPT$/.test(l)) cur = undefined;
    if (cur === sid) out.push(l);
    if (s === undefined && !/ -j (REJECT|DROP)/.test(l)) cur = undefined;
  }
  return out;
}

describe.skipIf(!spec || !corpus)("spec §15 goldens G01–G20 (compat, whole 2.3.3 run)", () => {
  const save =
    spec && corpus
      ? renderSave(translateRuleset(readRulesDir(corpus), { compat: true, capabilities: { icmpTypeAny: true } }))
      : "";
  const gs = spec ? goldens(spec) : [];
  it("has all twenty goldens", () =>
    expect(gs.map((g) => g.id)).toEqual(Array.from({ length: 20 }, (_, i) => `G${String(i + 1).padStart(2, "0")}`)));
  it.each(gs)("$id sid $sid", (g) => {
    expect(linesFor(save, g.sid).sort()).toEqual([...g.lines].sort());
  });
});

describe.skipIf(!spec)("spec §15.1 synthetic cases (compat)", () => {
  const synth = spec ? appendixFile(spec, "synth.rules") : "";
  const save = renderSave(
    translateRuleset([{ path: "/x/synth.rules", text: synth }], { compat: true, capabilities: { icmpTypeAny: true } }),
  );
  const ex = spec ? synthExamples(spec) : [];
  it("reads the examples", () => expect(ex.length).toBeGreaterThan(15));
  it.each(ex)("$id", (g) => {
    const got = linesFor(save, g.sid).filter((l) => l.startsWith("-A FWSNORT_FORWARD"));
    // the pass rule has no sid on it: match by its string
    const got2 = got.length
      ? got
      : signatureLines(save).filter((l) => l.startsWith("-A FWSNORT_FORWARD") && l.includes("goodguy"));
    expect(got2).toEqual(g.lines);
  });
});

describe.skipIf(!spec)("spec §15.2 mode variants (compat, mini.rules, INPUT_ESTAB line)", () => {
  const mini = spec ? appendixFile(spec, "mini.rules") : "";
  const rows = spec ? modeRows(spec) : new Map<string, string>();
  const run = (o: TranslateOptions) =>
    signatureLines(
      renderSave(translateRuleset([{ path: "/x/mini.rules", text: mini }], { compat: true, ...o })),
    ).filter((l) => /^-A FWSNORT_INPUT(_ESTAB)? .*--dport 21 /.test(l));
  const def = () => rows.get("default")?.replace(/^`|`$/g, "") ?? "";
  it("default", () => expect(run({})).toEqual([def()]));
  it("--ipt-drop", () => {
    const got = run({ target: "drop" });
    expect(got[0]).toBe(def().replace("[1] SID", "[1] DRP SID"));
    expect(got[1]).toBe(
      '-A FWSNORT_INPUT_ESTAB -p tcp -m tcp --dport 21 -m string --hex-string "|534954452045584543|" --algo bm --to 84 --icase -j DROP',
    );
  });
  it("--ipt-reject", () => {
    const got = run({ target: "reject" });
    expect(got[0]).toContain('--log-prefix "[1] REJ SID9100001 ESTAB "');
    expect(got[1]).toMatch(/--icase -j REJECT --reject-with tcp-reset$/);
  });
  it("--ipt-drop --no-ipt-log", () =>
    expect(run({ target: "drop", noLog: true })).toEqual([expect.stringMatching(/ -j DROP$/)]));
  it("--NFQUEUE --queue-num 5", () =>
    expect(run({ target: "nfqueue", queueNum: 5 })[0]).toMatch(/FWS:1\.6\.8;" -j NFQUEUE --queue-num 5$/));
  it("--Ulog", () =>
    expect(run({ ulog: true })[0]).toMatch(/ -j ULOG --ulog-nlgroup 1 --ulog-prefix "\[1\] SID9100001 ESTAB "$/));
  it("--no-ipt-conntrack", () =>
    expect(run({ conntrack: false })[0]).toMatch(
      /^-A FWSNORT_INPUT -p tcp -m tcp --dport 21 --tcp-flags ACK ACK -m string .* --log-prefix "\[1\] SID9100001 "$/,
    ));
  it("--ipt-log-tcp-seq", () =>
    expect(run({ logTcpSequence: true })[0]).toContain(
      "-j LOG --log-ip-options --log-tcp-options --log-tcp-sequence --log-prefix",
    ));
  it("--no-log-ip-opts --no-log-tcp-opts", () =>
    expect(run({ logIpOptions: false, logTcpOptions: false })[0]).toMatch(
      / -j LOG --log-prefix "\[1\] SID9100001 ESTAB "$/,
    ));
  it("--no-ipt-comments --no-ipt-rule-nums", () =>
    expect(run({ comments: false, ruleNumbers: false })[0]).toMatch(
      /--icase -j LOG --log-ip-options --log-tcp-options --log-prefix "SID9100001 ESTAB "$/,
    ));
  it("--string-match-alg kmp", () => expect(run({ stringAlgo: "kmp" })[0]).toContain("--algo kmp"));
});
