import { renderRestore } from "@fwkit/iptables-chainmgr";
import { parseSave } from "@fwkit/iptables-parse";
import { describe, expect, it } from "vitest";
import { fwsnortListing, planApply, planFlush } from "../src/apply.ts";
import type { Translation } from "../src/types.ts";
import { defaultLayout } from "./support/from-save.ts";

const t: Translation = {
  family: 4,
  target: "log",
  layout: { ...defaultLayout, whitelist: ["192.0.2.1"] },
  translated: [
    {
      sid: 1361,
      file: "web-attacks.rules",
      line: 5,
      text: "alert …",
      ordinal: 1,
      warnings: [],
      rules: [
        {
          chain: "FWSNORT_INPUT_ESTAB",
          args: [
            "-p",
            "tcp",
            "--dport",
            "80",
            "-m",
            "string",
            "--string",
            "nmap%20",
            "--algo",
            "bm",
            "-j",
            "LOG",
            "--log-prefix",
            "[1] SID1361 ESTAB ",
          ],
        },
      ],
    },
  ],
  skipped: [],
  files: [],
  skipCounts: {},
  diagnostics: [],
};

const live = parseSave(
  [
    "*filter",
    ":INPUT DROP [0:0]",
    ":FORWARD ACCEPT [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    ":FWSNORT_INPUT - [0:0]",
    ":FWSNORT_OUTPUT_ESTAB - [0:0]",
    ":OTHER - [0:0]",
    "-A INPUT ! -i lo -j FWSNORT_INPUT",
    "-A INPUT -i lo -j ACCEPT",
    "-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT",
    "-A FWSNORT_INPUT -s 198.51.100.1/32 -j RETURN",
    "-A OTHER -j ACCEPT",
    "COMMIT",
    "",
  ].join("\n"),
);

describe("planApply / planFlush (pure)", () => {
  it("replaces only fwsnort's chains and jumps; stale fwsnort chains and old jumps go", () => {
    const payload = renderRestore(planApply(live, t, { builtins: ["INPUT"] }));
    expect(payload).toBe(
      [
        "*filter",
        ":FWSNORT_INPUT - [0:0]",
        ":FWSNORT_INPUT_ESTAB - [0:0]",
        "-A FWSNORT_INPUT -s 192.0.2.1 -j RETURN",
        "-A FWSNORT_INPUT -p tcp -m conntrack --ctstate ESTABLISHED -j FWSNORT_INPUT_ESTAB",
        '-A FWSNORT_INPUT_ESTAB -p tcp --dport 80 -m string --string nmap%20 --algo bm -j LOG --log-prefix "[1] SID1361 ESTAB "',
        "-D INPUT ! -i lo -j FWSNORT_INPUT",
        "-I INPUT 1 ! -i lo -j FWSNORT_INPUT",
        "-F FWSNORT_OUTPUT_ESTAB",
        "-X FWSNORT_OUTPUT_ESTAB",
        "COMMIT",
        "",
      ].join("\n"),
    );
    expect(payload).not.toMatch(/OTHER|--dport 80 -j ACCEPT|-i lo -j ACCEPT/);
  });

  it("flush removes every jump and fwsnort chain and nothing else", () => {
    expect(renderRestore(planFlush(live))).toBe(
      [
        "*filter",
        "-D INPUT ! -i lo -j FWSNORT_INPUT",
        "-F FWSNORT_INPUT",
        "-F FWSNORT_OUTPUT_ESTAB",
        "-X FWSNORT_INPUT",
        "-X FWSNORT_OUTPUT_ESTAB",
        "COMMIT",
        "",
      ].join("\n"),
    );
    expect(renderRestore(planFlush(parseSave("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n")))).toBe("");
  });

  it("lists fwsnort chains and the jumps into them", () => {
    const l = fwsnortListing(live);
    expect(l.chains.map((c) => [c.name, c.rules])).toEqual([
      ["FWSNORT_INPUT", ["-s 198.51.100.1/32 -j RETURN"]],
      ["FWSNORT_OUTPUT_ESTAB", []],
    ]);
    expect(l.jumps).toEqual(["-A INPUT ! -i lo -j FWSNORT_INPUT"]);
  });
});
