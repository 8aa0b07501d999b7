import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corpusPath } from "@fwkit/test-utils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExitCode, run } from "../src/index.ts";
import { fakeIo } from "./fake-io.ts";

const corpus = corpusPath("snort-2.3.3");
const rfiles = ["mysql.rules", "web-attacks.rules", "x11.rules"].map((f) => join(corpus ?? "", f)).join(",");
let dir: string;
let conf: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fwkit-fwsnort-"));
  conf = join(dir, "fwsnort.conf");
  writeFileSync(conf, `HOME_NET any;\nEXTERNAL_NET any;\nINSTALL_ROOT ${dir};\n`);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const mode = (p: string) => statSync(p).mode & 0o777;

describe.skipIf(!corpus)("fwkit fwsnort (translation, artefacts, summary)", { timeout: 30_000 }, () => {
  it("translates, writes the three artefacts with their modes and prints fwsnort's table", async () => {
    const io = fakeIo();
    const out = join(dir, "out");
    const code = await run(["fwsnort", "-c", conf, "--snort-rfile", rfiles, "--output-dir", out], io);
    expect(io.err).toBe(""); // no progress bar without a terminal
    expect(code).toBe(ExitCode.Ok);
    expect(io.out).toContain("    Snort Rules File          Success   Fail      Total     \n\n");
    expect(io.out).toContain("[+] web-attacks.rules         46        0         46        \n");
    expect(io.out).toContain("[+] Generated iptables rules for 51 out of 51 signatures: 100.00%\n");
    expect(io.out).toContain(`    Or just execute: ${join(out, "fwsnort.sh")}\n`);
    expect(io.out).toContain(
      `\n\n[+] Logfile: ${join(out, "fwsnort.log")}\n[+] iptables script (individual commands): `,
    );
    expect(readFileSync(join(out, "fwsnort.log"), "utf8")).toMatch(
      /^\[\+\] Begin parsing cycle\.\n\[\+\] Parsing mysql\.rules\n/,
    );
    expect(mode(join(out, "fwsnort.log"))).toBe(0o600);
    expect(mode(join(out, "fwsnort.save"))).toBe(0o600);
    expect(mode(join(out, "fwsnort.sh"))).toBe(0o500);
    expect(mode(join(out, "fwsnort_iptcmds.sh"))).toBe(0o500);
    const save = readFileSync(join(out, "fwsnort.save"), "utf8");
    expect(save).toMatch(/^\*filter\n/);
    expect(save).toContain("SID1361 ESTAB");
    const cmds = readFileSync(join(out, "fwsnort_iptcmds.sh"), "utf8");
    expect(cmds).toContain(`# File:  ${join(out, "fwsnort_iptcmds.sh")}\n`);
    expect(cmds).toContain("# Generated with:     fwkit fwsnort -c ");
    expect(cmds).toContain('$ECHO "[+] Adding web-attacks rules:"');
    expect(readFileSync(join(out, "fwsnort.sh"), "utf8")).toContain(`# File:  ${join(out, "fwsnort.sh")}\n`);

    const again = fakeIo();
    expect(await run(["fwsnort", "-c", conf, "--snort-rfile", rfiles, "--output-dir", out, "--json"], again)).toBe(0);
    const j = JSON.parse(again.out) as {
      totals: { success: number; fail: number; total: number };
      family: number;
      artefacts: { archived: string[]; save: string };
      skipCounts: Record<string, number>;
    };
    expect(j.family).toBe(4);
    expect(j.totals).toMatchObject({ success: 51, fail: 0, total: 51 });
    expect(j.artefacts.save).toBe(join(out, "fwsnort.save"));
    expect(j.artefacts.archived.sort()).toEqual(
      ["fwsnort.save.old", "fwsnort.sh.old", "fwsnort_iptcmds.sh.old"].map((n) => join(out, "archive", n)).sort(),
    );
  });

  it("reports skipped rules per reason in the text and in --json", async () => {
    const io = fakeIo();
    const rules = ["imap.rules", "web-client.rules"].map((f) => join(corpus ?? "", f)).join(",");
    expect(await run(["fwsnort", "-c", conf, "--snort-rfile", rules, "--output-dir", dir, "--json"], io)).toBe(0);
    const j = JSON.parse(io.out) as {
      skipCounts: Record<string, number>;
      skipped: { code: string; sid?: number }[];
      totals: { fail: number };
    };
    const sum = Object.values(j.skipCounts).reduce((a, b) => a + b, 0);
    expect(sum).toBeGreaterThan(0);
    expect(j.skipped.length).toBe(sum);
    expect(j.skipped.every((s) => s.code.startsWith("FWSNORT_"))).toBe(true);
    const text = fakeIo();
    await run(["fwsnort", "-c", conf, "--snort-rfile", rules, "--output-dir", dir], text);
    expect(text.out).toContain("[+] Rules not translated, by reason:\n");
    for (const [code, n] of Object.entries(j.skipCounts))
      expect(text.out).toMatch(new RegExp(`\\n    ${code} +${n}\\n`));
  });

  it("--ipt-drop, -6, --snort-sid and --include-type", async () => {
    const drop = fakeIo();
    expect(await run(["fwsnort", "-c", conf, "--snort-rfile", rfiles, "--output-dir", dir, "--ipt-drop"], drop)).toBe(
      0,
    );
    expect(readFileSync(join(dir, "fwsnort.save"), "utf8")).toMatch(
      /DRP SID1361 ESTAB[^\n]*\n-A FWSNORT_FORWARD_ESTAB [^\n]*-j DROP/,
    );
    const v6 = fakeIo();
    expect(await run(["fwsnort", "-c", conf, "--snort-rfile", rfiles, "--output-dir", dir, "-6", "--json"], v6)).toBe(
      0,
    );
    expect((JSON.parse(v6.out) as { family: number }).family).toBe(6);
    expect(readFileSync(join(dir, "fwsnort_iptcmds.sh"), "utf8")).toContain("\nIP6TABLES=/sbin/ip6tables\n");
    const sid = fakeIo();
    expect(
      await run(["fwsnort", "-c", conf, "--snort-rfile", rfiles, "--output-dir", dir, "--snort-sid", "1361,1775"], sid),
    ).toBe(0);
    expect(sid.out).toContain(
      "[+] Found sid: 1775 in mysql.rules\n    Successful translation.\n[+] Found sid: 1361 in web-attacks.rules\n",
    );
    const typ = fakeIo();
    const rdir = join(dir, "rules");
    await run(
      ["fwsnort", "-c", conf, "--snort-rdir", corpus ?? "", "--include-type", "x11", "--output-dir", rdir, "--json"],
      typ,
    );
    expect((JSON.parse(typ.out) as { files: { file: string }[] }).files.map((f) => f.file)).toEqual(["x11.rules"]);
  });

  it("--Home-net takes effect (fwsnort 1.6.8 ignored it)", async () => {
    const io = fakeIo();
    const x11 = join(corpus ?? "", "x11.rules");
    expect(
      await run(["fwsnort", "-c", conf, "--snort-rfile", x11, "--output-dir", dir, "--Home-net", "192.0.2.0/24"], io),
    ).toBe(0);
    expect(readFileSync(join(dir, "fwsnort.save"), "utf8")).toContain("192.0.2.0/24");
  });
});

describe("fwkit fwsnort usage errors", () => {
  it.each([
    [["--ipt-drop", "--ipt-reject"], /mutually exclusive/],
    [["--QUEUE", "--ipt-drop"], /mutually exclusive/],
    [["--queue-num", "3"], /--queue-num requires --NFQUEUE/],
    [["--NFQUEUE", "--queue-num", "0"], /queueNum/],
    [["--snort-sid", "12,x"], /comma-separated list of sids/],
    [["--include-regex", "(("], /not a valid regular expression/],
  ])("%j → exit 2", async (args, msg) => {
    const io = fakeIo();
    expect(await run(["fwsnort", "-c", conf, ...args], io)).toBe(ExitCode.Usage);
    expect(io.err).toMatch(msg);
  });

  it("unknown --include-type lists the valid types", async () => {
    const io = fakeIo();
    const r = join(dir, "rules");
    await import("node:fs").then((fs) => {
      fs.mkdirSync(r);
      fs.writeFileSync(join(r, "web.rules"), "");
    });
    expect(await run(["fwsnort", "-c", conf, "--snort-rdir", r, "--include-type", "nope"], io)).toBe(ExitCode.Usage);
    expect(io.err).toContain("valid types: web");
  });

  it("a missing config is an IO error; no translatable rule is an error too", async () => {
    const io = fakeIo();
    expect(await run(["fwsnort", "-c", join(dir, "nope.conf")], io)).toBe(ExitCode.Failure);
    expect(io.err).toMatch(/^fwkit: CLI_IO: cannot read/);
    const nodir = fakeIo();
    expect(await run(["fwsnort", "-c", conf, "--snort-rdir", join(dir, "no-such-dir")], nodir)).toBe(ExitCode.Failure);
    expect(nodir.err).toMatch(/^fwkit: CLI_IO: cannot read the rule files: ENOENT/);
    const empty = join(dir, "empty.rules");
    writeFileSync(empty, "# nothing\n");
    const e = fakeIo();
    expect(await run(["fwsnort", "-c", conf, "--snort-rfile", empty, "--output-dir", dir, "--json"], e)).toBe(
      ExitCode.Failure,
    );
    expect(JSON.parse(e.out)).toMatchObject({
      error: { code: "FWSNORT_NOTHING_TRANSLATED", message: "No Snort rules could be translated, exiting" },
    });
  });
});
