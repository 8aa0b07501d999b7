import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseSave } from "@fwkit/iptables-parse";
import { corpusPath } from "@fwkit/test-utils";
import { describe, expect, it } from "vitest";
import { iptSync } from "../src/ipt-sync.ts";
import type { IptRule, Translation } from "../src/types.ts";
import { defaultLayout, translationFromSave } from "./support/from-save.ts";

const fx = (name: string) => readFileSync(new URL(`fixtures/artefacts/${name}`, import.meta.url), "utf8");
const corpus = corpusPath("snort-2.3.3");
const ruleFiles = ["mysql.rules", "web-attacks.rules", "x11.rules"].map((f) => join(corpus ?? "", f));

const policy = (...lines: string[]) =>
  parseSave(
    ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ...lines, "COMMIT", ""].join(
      "\n",
    ),
  );
/** The spec §11 scenario: INPUT policy DROP, ACCEPT tcp/80 and udp/53. */
const scenario = parseSave(
  [
    "*filter",
    ":INPUT DROP [0:0]",
    ":FORWARD ACCEPT [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    "-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT",
    "-A INPUT -p udp -m udp --dport 53 -j ACCEPT",
    "COMMIT",
    "",
  ].join("\n"),
);

const one = (chain: IptRule["chain"], ...args: string[]): Translation => ({
  family: 4,
  target: "log",
  layout: defaultLayout,
  translated: [
    {
      sid: 1,
      file: "t.rules",
      line: 1,
      text: "alert …",
      ordinal: 1,
      warnings: [],
      rules: [{ chain, args: [...args, "-j", "LOG"] }],
    },
  ],
  skipped: [],
  files: [{ file: "t.rules", success: 1, fail: 0, total: 1, iptRules: 1 }],
  skipCounts: {},
  diagnostics: [],
});
const kept = (t: Translation, p: ReturnType<typeof parseSave>) => iptSync(t, p).translation.translated.length === 1;

describe.skipIf(!corpus)("iptSync on the spec §11 scenario (INPUT DROP + ACCEPT tcp/80, udp/53)", () => {
  it("keeps the web rules in INPUT, drops mysql/x11 from INPUT, keeps FORWARD (fwsnort 1.6.8 dropped every INPUT rule)", () => {
    const t = translationFromSave(fx("small.fwsnort.save"), ruleFiles);
    const { translation: s, decisions } = iptSync(t, scenario);
    const input = (file: string) =>
      s.translated
        .filter((r) => r.file === file)
        .flatMap((r) => r.rules.filter((x) => x.chain.startsWith("FWSNORT_INPUT")));
    expect(input("web-attacks.rules")).toHaveLength(46);
    expect(input("mysql.rules")).toHaveLength(0);
    expect(input("x11.rules")).toHaveLength(0);
    expect(s.translated).toHaveLength(51); // every signature still applies in FORWARD (policy ACCEPT)
    expect(s.files.map((f) => [f.file, f.iptApply, f.iptRules])).toEqual([
      ["mysql.rules", 3, 3],
      ["web-attacks.rules", 46, 92],
      ["x11.rules", 2, 2],
    ]);
    const d = decisions.find((x) => x.sid === 1775 && x.chain === "INPUT");
    expect(d).toMatchObject({ allowed: false, reason: "INPUT policy DROP" });
    expect(decisions.find((x) => x.sid === 1361 && x.chain === "INPUT")).toMatchObject({
      allowed: true,
      reason: "INPUT rule 1: -p tcp -m tcp --dport 80 -j ACCEPT",
    });
  });
});

describe("iptSync decisions", () => {
  it("a signature blocked in every chain is skipped with FWSNORT_IPT_SYNC_BLOCKED", () => {
    const r = iptSync(one("FWSNORT_INPUT_ESTAB", "-p", "tcp", "-m", "tcp", "--dport", "3306"), scenario);
    expect(r.translation.translated).toEqual([]);
    expect(r.translation.skipped).toMatchObject([{ sid: 1, code: "FWSNORT_IPT_SYNC_BLOCKED" }]);
    expect(r.translation.skipCounts).toEqual({ FWSNORT_IPT_SYNC_BLOCKED: 1 });
    expect(r.translation.files[0]?.iptApply).toBe(0);
  });

  it("numeric protocols and multiport / negated ports compare by value", () => {
    const p = parseSave(
      "*filter\n:INPUT DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p 6 -m multiport --dports 20:25,80 -j ACCEPT\nCOMMIT\n",
    );
    expect(kept(one("FWSNORT_INPUT_ESTAB", "-p", "tcp", "--dport", "22"), p)).toBe(true);
    expect(kept(one("FWSNORT_INPUT_ESTAB", "-p", "tcp", "--dport", "443"), p)).toBe(false);
    // a partial overlap with an ACCEPT keeps the signature (some of its packets get in)
    expect(kept(one("FWSNORT_INPUT_ESTAB", "-p", "tcp", "-m", "multiport", "--dports", "80,443"), p)).toBe(true);
    const neg = parseSave(
      "*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp ! --dport 25 -j DROP\nCOMMIT\n",
    );
    expect(kept(one("FWSNORT_INPUT", "-p", "tcp", "--dport", "80"), neg)).toBe(false);
    expect(kept(one("FWSNORT_INPUT", "-p", "tcp", "--dport", "25"), neg)).toBe(true);
  });

  it("a DROP that covers only part of the signature's packets does not decide", () => {
    const p = policy(
      "-A INPUT -s 10.0.0.0/8 -j DROP",
      "-A INPUT -p tcp -m tcp --dport 80 -m string --string x --algo bm -j DROP",
    );
    expect(kept(one("FWSNORT_INPUT", "-p", "tcp", "--dport", "80"), p)).toBe(true);
    expect(kept(one("FWSNORT_INPUT", "-s", "10.1.0.0/16", "-p", "tcp", "--dport", "80"), p)).toBe(false);
    expect(kept(one("FWSNORT_INPUT", "!", "-s", "10.0.0.0/8", "-p", "tcp"), p)).toBe(true);
    // a default drop rule at the end blocks everything
    expect(kept(one("FWSNORT_INPUT", "-p", "udp", "--dport", "161"), policy("-A INPUT -j DROP"))).toBe(false);
  });

  it("state: ESTABLISHED accept + NEW only for 22; established web rules need a way to start the connection", () => {
    const p = parseSave(
      [
        "*filter",
        ":INPUT DROP [0:0]",
        ":FORWARD DROP [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        "-A INPUT -i lo -j ACCEPT",
        "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        "-A INPUT -p tcp -m conntrack --ctstate NEW -m tcp --dport 22 -j ACCEPT",
        "COMMIT",
        "",
      ].join("\n"),
    );
    expect(kept(one("FWSNORT_INPUT_ESTAB", "-p", "tcp", "--dport", "22"), p)).toBe(true);
    expect(kept(one("FWSNORT_INPUT_ESTAB", "-p", "tcp", "--dport", "80"), p)).toBe(false);
    // server answers to a local client (sport 80): the connection starts in OUTPUT
    expect(kept(one("FWSNORT_INPUT_ESTAB", "-p", "tcp", "--sport", "80"), p)).toBe(true);
    expect(kept(one("FWSNORT_FORWARD_ESTAB", "-p", "tcp", "--sport", "80"), p)).toBe(false);
    // loopback-only accepts do not count
    expect(kept(one("FWSNORT_INPUT", "-p", "udp", "--dport", "53"), p)).toBe(false);
  });

  it("follows jumps into user chains", () => {
    const p = parseSave(
      [
        "*filter",
        ":INPUT DROP [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        ":ufw-user-input - [0:0]",
        "-A INPUT -j FWSNORT_INPUT",
        "-A INPUT -j ufw-user-input",
        "-A ufw-user-input -p tcp -m tcp --dport 443 -j ACCEPT",
        "-A ufw-user-input -p tcp -m tcp --dport 8080 -j RETURN",
        "COMMIT",
        "",
      ].join("\n"),
    );
    expect(kept(one("FWSNORT_INPUT_ESTAB", "-p", "tcp", "--dport", "443"), p)).toBe(true);
    expect(kept(one("FWSNORT_INPUT_ESTAB", "-p", "tcp", "--dport", "8080"), p)).toBe(false);
  });
});
