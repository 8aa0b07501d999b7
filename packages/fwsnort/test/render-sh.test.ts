import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corpusPath } from "@fwkit/test-utils";
import { describe, expect, it } from "vitest";
import { perlLocaltime, renderFwsnortSh, shQuote } from "../src/render-sh.ts";
import { translationFromSave } from "./support/from-save.ts";

const fx = (name: string) => readFileSync(new URL(`fixtures/artefacts/${name}`, import.meta.url), "utf8");
const corpus = corpusPath("snort-2.3.3");
const ruleFiles = ["mysql.rules", "web-attacks.rules", "x11.rules"].map((f) => join(corpus ?? "", f));
const dir = "/tmp/fwsh2/root/var/lib/fwsnort";
const argv = [
  "-c",
  "/tmp/fwsh2/root/etc/fwsnort/fwsnort.conf",
  "--snort-rdir",
  "/tmp/fwsh2/rules",
  "--Home-dir",
  "/tmp/fwsh2/home",
];

describe.skipIf(!corpus)("renderFwsnortSh against fwsnort 1.6.8's fwsnort.sh", () => {
  it.each([
    ["small.fwsnort.sh", "small.fwsnort.save", 4, ["--no-ipt-sync"], new Date(2026, 10, 22, 4, 44, 22)],
    ["small-v6.fwsnort.sh", "small-v6.fwsnort.save", 6, ["-6"], new Date(2026, 10, 22, 4, 44, 24)],
  ] as const)(
    "%s: byte-identical except the File line, which now names fwsnort.sh itself",
    (sh, save, family, extra, now) => {
      const t = translationFromSave(fx(save), ruleFiles, { family });
      const ours = renderFwsnortSh(t, {
        file: `${dir}/fwsnort.sh`,
        saveFile: `${dir}/fwsnort.save`,
        argv: [...argv, ...extra],
        hostname: "vm",
        now,
      });
      const original = fx(sh);
      expect(original).toContain(`# File:  ${dir}/fwsnort_iptcmds.sh\n`); // the original's wrong File line
      expect(ours).toBe(original.replace(`# File:  ${dir}/fwsnort_iptcmds.sh`, `# File:  ${dir}/fwsnort.sh`));
    },
  );
});

describe("renderFwsnortSh", () => {
  const t = translationFromSave("", []);
  it("perlLocaltime pads the day like ctime", () => {
    expect(perlLocaltime(new Date(2026, 10, 2, 4, 3, 9))).toBe("Mon Nov  2 04:03:09 2026");
  });
  it("shQuote never lets sh expand anything", () => {
    expect(shQuote("/var/lib/fwsnort/fwsnort.save")).toBe("/var/lib/fwsnort/fwsnort.save");
    expect(shQuote("/tmp/a b/$(id)'x")).toBe("'/tmp/a b/$(id)'\\''x'");
    expect(shQuote("")).toBe("''");
  });

  it("noflush mode: splices with --noflush, -r removes only the jumps and fwsnort chains (runs in sh)", () => {
    const d = mkdtempSync(join(tmpdir(), "fwsnort-sh-"));
    try {
      const log = join(d, "log");
      const stub = (name: string) => {
        const p = join(d, name);
        writeFileSync(p, `#!/bin/sh\necho "${name} $*" >> ${log}\ncat > /dev/null\n`);
        chmodSync(p, 0o755);
        return p;
      };
      const script = join(d, "fwsnort.sh");
      writeFileSync(join(d, "fwsnort.save"), "*filter\nCOMMIT\n");
      writeFileSync(
        script,
        renderFwsnortSh(t, {
          file: script,
          saveFile: join(d, "fwsnort.save"),
          argv: [],
          hostname: "h",
          now: new Date(0),
          mode: "noflush",
          restore: stub("restore"),
          iptables: stub("ipt"),
          jumps: [{ from: "INPUT", matches: ["!", "-i", "lo"], chain: "FWSNORT_INPUT" }],
          chains: ["FWSNORT_INPUT", "FWSNORT_INPUT_ESTAB"],
        }),
      );
      expect(execFileSync("/bin/sh", [script], { encoding: "utf8" })).toContain("[+] Splicing fwsnort 0 rules");
      execFileSync("/bin/sh", [script, "-r"]);
      expect(readFileSync(log, "utf8").split("\n").filter(Boolean)).toEqual([
        "restore --noflush",
        "ipt -D INPUT ! -i lo -j FWSNORT_INPUT",
        "ipt -F FWSNORT_INPUT",
        "ipt -F FWSNORT_INPUT_ESTAB",
        "ipt -X FWSNORT_INPUT",
        "ipt -X FWSNORT_INPUT_ESTAB",
      ]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
