import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corpusPath } from "@fwkit/test-utils";
import { describe, expect, it } from "vitest";
import { fwsnortChainSet, renderIptCmds, shRuleArgs } from "../src/render-iptcmds.ts";
import type { Translation } from "../src/types.ts";
import { defaultLayout, translationFromSave } from "./support/from-save.ts";

const fx = (name: string) => readFileSync(new URL(`fixtures/artefacts/${name}`, import.meta.url), "utf8");
const corpus = corpusPath("snort-2.3.3");
const ruleFiles = ["mysql.rules", "web-attacks.rules", "x11.rules"].map((f) => join(corpus ?? "", f));
const banner = {
  file: "/tmp/fwsh2/root/var/lib/fwsnort/fwsnort_iptcmds.sh",
  argv: ["-c", "/tmp/fwsh2/root/etc/fwsnort/fwsnort.conf", "--snort-rdir", "/tmp/fwsh2/rules"],
  hostname: "vm",
  now: new Date(2026, 10, 22, 4, 43, 59),
};

/** Blank the per-run banner lines and sort the two blocks whose order the original took from Perl's hash. */
function normalise(text: string): string {
  const lines = text
    .split("\n")
    .map((l) => l.replace(/^# (Generated with|Generated on host|Time stamp):.*/, "# $1: X"));
  const out: string[] = [];
  let block: string[] | undefined;
  for (const l of lines) {
    const reorderable = /-j RETURN$|--ctstate ESTABLISHED -j|^\$IP6?TABLES -[DI] (INPUT|FORWARD|OUTPUT) /.test(l);
    if (reorderable) {
      block = block ?? [];
      block.push(l);
    } else {
      if (block) out.push(...block.sort());
      block = undefined;
      out.push(l);
    }
  }
  return out.join("\n");
}

describe.skipIf(!corpus)("renderIptCmds against fwsnort 1.6.8's fwsnort_iptcmds.sh", () => {
  it.each([
    ["default", "small.fwsnort.save", "small.fwsnort_iptcmds.sh", 4, "log"],
    ["--ipt-drop", "small-drop.fwsnort.save", "small-drop.fwsnort_iptcmds.sh", 4, "drop"],
    ["-6", "small-v6.fwsnort.save", "small-v6.fwsnort_iptcmds.sh", 6, "log"],
  ] as const)(
    "%s: identical apart from per-run banner lines and hash-ordered blocks",
    (_n, save, sh, family, target) => {
      const t = translationFromSave(fx(save), ruleFiles, { family, target });
      expect(t.translated.length).toBe(51);
      const ours = renderIptCmds(t, banner);
      expect(normalise(ours)).toBe(normalise(fx(sh)));
    },
  );

  it("is deterministic and writes a signature's chains in sorted order (the original: Perl hash order)", () => {
    const t = translationFromSave(fx("small.fwsnort.save"), ruleFiles);
    const shuffled: Translation = {
      ...t,
      translated: t.translated.map((r) => ({ ...r, rules: [...r.rules].reverse() })),
    };
    const a = renderIptCmds(shuffled, banner);
    expect(renderIptCmds(shuffled, banner)).toBe(a);
    const chains = a
      .split("\n")
      .filter((l) => l.includes("SID1775"))
      .map((l) => l.split(" ")[2]);
    expect(chains).toEqual(["FWSNORT_FORWARD_ESTAB", "FWSNORT_INPUT_ESTAB"]);
  });
});

const mini = (over: Partial<Translation> = {}): Translation => ({
  family: 4,
  target: "log",
  layout: defaultLayout,
  translated: [
    {
      sid: 9,
      file: "local.rules",
      line: 1,
      text: 'alert tcp any any -> any 80 (msg:"x $(id) `id` \\"q\\""; content:"a"; sid:9;)',
      ordinal: 1,
      warnings: [],
      rules: [
        {
          chain: "FWSNORT_INPUT",
          args: [
            "-p",
            "tcp",
            "-m",
            "string",
            "--string",
            "it's $(id) `id`",
            "--algo",
            "bm",
            "-m",
            "comment",
            "--comment",
            'msg:x "q" \\ $HOME',
            "-j",
            "LOG",
            "--log-prefix",
            "[1] SID9 ",
          ],
        },
      ],
    },
  ],
  skipped: [],
  files: [{ file: "local.rules", success: 1, fail: 0, total: 1, iptRules: 1 }],
  skipCounts: {},
  diagnostics: [],
  ...over,
});

describe("renderIptCmds", () => {
  it("names its own file on the File line and uses the configured binaries", () => {
    const s = renderIptCmds(mini(), { ...banner, iptables: "/usr/sbin/iptables", echo: "/usr/bin/echo" });
    expect(s).toContain(`# File:  ${banner.file}\n`);
    expect(s).toContain("\nIPTABLES=/usr/sbin/iptables\n");
    expect(s).toContain("\nECHO=/usr/bin/echo\n");
  });

  it("rule text (quotes, $(), backquotes, backslashes) reaches iptables literally through sh", () => {
    const dir = mkdtempSync(join(tmpdir(), "fwsnort-sh-"));
    try {
      const stub = join(dir, "ipt");
      const log = join(dir, "argv");
      writeFileSync(
        stub,
        `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done >> ${log}\nprintf '\\n\\0' >> ${log}\n`,
      );
      chmodSync(stub, 0o755);
      const script = join(dir, "cmds.sh");
      writeFileSync(script, renderIptCmds(mini(), { ...banner, iptables: stub, echo: "true" }));
      execFileSync("/bin/sh", [script]);
      const calls = readFileSync(log, "utf8")
        .split("\n\0")
        .filter(Boolean)
        .map((c) => c.split("\0").filter((x, i, xs) => i < xs.length - 1 || x !== ""));
      const add = calls.find((c) => c[0] === "-A" && c[1] === "FWSNORT_INPUT" && c.includes("--string"));
      expect(add?.slice(2)).toEqual(mini().translated[0]?.rules[0]?.args);
      expect(calls.map((c) => c.slice(0, 2).join(" "))).toContain("-I INPUT");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("quotes like fwsnort where that is safe", () => {
    expect(shRuleArgs(["-m", "string", "--hex-string", "|0a0b|", "--comment", "sid:1; msg:a b"])).toBe(
      '-m string --hex-string "|0a0b|" --comment "sid:1; msg:a b"',
    );
    expect(shRuleArgs(["--comment", "a $x"])).toBe("--comment 'a $x'");
    expect(shRuleArgs(["!", "-s", "10.0.0.0/8"])).toBe("! -s 10.0.0.0/8");
  });

  it("blacklist, restricted interfaces, no loopback exclusion, no ESTAB chains, -C state", () => {
    const t = mini({
      layout: {
        ...defaultLayout,
        whitelist: [],
        blacklist: [
          { addr: "192.0.2.0/24", action: "DROP" },
          { addr: "198.51.100.7", action: "REJECT" },
        ],
        restrictInterfaces: ["eth0"],
        jumpPositions: { INPUT: 2, FORWARD: 1, OUTPUT: 3 },
      },
    });
    const s = renderIptCmds(t, { ...banner, conntrackState: "ESTABLISHED,RELATED" });
    expect(s).toContain("############ Add IP/network BLACKLIST rules. ############");
    expect(s).toContain("$IPTABLES -A FWSNORT_INPUT -s 192.0.2.0/24 -j DROP\n");
    expect(s).toContain(
      "$IPTABLES -A FWSNORT_OUTPUT -d 198.51.100.7 -p icmp -j REJECT --reject-with icmp-host-unreachable\n",
    );
    expect(s).toContain("############ Inspect ESTABLISHED,RELATED tcp connections. ############");
    expect(s).toContain("$IPTABLES -I INPUT 2 -i eth0 -j FWSNORT_INPUT\n");
    expect(s).toContain("$IPTABLES -I OUTPUT 3 -o eth0 -j FWSNORT_OUTPUT\n");
    const noEstab = renderIptCmds(mini(), { ...banner, estab: false, builtins: ["FORWARD"] });
    expect(noEstab).not.toContain("_ESTAB");
    expect(noEstab).not.toContain("FWSNORT_INPUT");
    const set = fwsnortChainSet(mini({ layout: { ...defaultLayout, excludeLoopback: false } }));
    expect(set.jumps.map((j) => j.matches)).toEqual([[], [], []]);
  });

  it("-6 uses $IP6TABLES and ICMPv6 rejects for the blacklist", () => {
    const t = mini({
      family: 6,
      layout: { ...defaultLayout, whitelist: [], blacklist: [{ addr: "2001:db8::/32", action: "REJECT" }] },
    });
    const s = renderIptCmds(t, banner);
    expect(s).toContain("\nIP6TABLES=/sbin/ip6tables\n");
    expect(s).toContain(
      "$IP6TABLES -A FWSNORT_INPUT -s 2001:db8::/32 -p ipv6-icmp -j REJECT --reject-with icmp6-adm-prohibited\n",
    );
  });
});
