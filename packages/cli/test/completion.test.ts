import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { skipWithReason, which } from "@fwkit/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../src/run.ts";
import { fakeIo } from "./fake-io.ts";

const dir = mkdtempSync(join(tmpdir(), "fwkit-completion-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function script(shell: string): Promise<string> {
  const io = fakeIo();
  expect(await run(["completion", shell], io)).toBe(0);
  const file = join(dir, `fwkit.${shell}`);
  writeFileSync(file, io.out);
  return file;
}

/** Top-level commands as `fwkit --help` lists them (the ground truth the script must follow). */
async function helpCommands(path: string[] = []): Promise<string[]> {
  const io = fakeIo();
  await run([...path, "--help"], io);
  const section = (io.out.split(/^Commands:\n/m)[1] ?? "").split("\n\n")[0] ?? "";
  return section
    .split("\n")
    .map((l) => /^ {2}(\S+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
}

/** Run the bash completion function on a command line; `line` ends with the word being completed. */
function bashComplete(file: string, words: string[]): string[] {
  const prog = [
    "set -e",
    `source ${JSON.stringify(file)}`,
    `COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")})`,
    `COMP_CWORD=${words.length - 1}`,
    "_fwkit",
    `printf "%s\\n" "\${COMPREPLY[@]}"`,
  ].join("\n");
  const out = execFileSync("bash", ["--norc", "--noprofile", "-c", prog], { encoding: "utf8", cwd: dir });
  return out.split("\n").filter(Boolean);
}

describe("fwkit completion bash", () => {
  it("registers _fwkit for fwkit when sourced", async () => {
    const file = await script("bash");
    const out = execFileSync(
      "bash",
      ["--norc", "--noprofile", "-c", `source ${JSON.stringify(file)}; complete -p fwkit`],
      {
        encoding: "utf8",
      },
    );
    expect(out.trim()).toBe("complete -F _fwkit fwkit");
  });

  it("completes exactly the commands --help lists, at the top level and in each group", async () => {
    const file = await script("bash");
    const top = await helpCommands();
    expect(top).toEqual(expect.arrayContaining(["ipt", "snort", "fwknop", "fwknopd", "completion"]));
    expect(bashComplete(file, ["fwkit", ""]).sort()).toEqual([...top].sort());
    for (const group of top) {
      const subs = await helpCommands([group]);
      if (group === "help" || subs.length === 0) continue;
      expect(bashComplete(file, ["fwkit", group, ""]).sort(), group).toEqual([...subs].sort());
    }
  });

  it("completes subcommand prefixes, options, option choices and files", async () => {
    const file = await script("bash");
    writeFileSync(join(dir, "rules-a.rules"), "");
    expect(bashComplete(file, ["fwkit", "ipt", "p"])).toEqual(["parse"]);
    expect(bashComplete(file, ["fwkit", "sn"])).toEqual(["snort"]);
    expect(bashComplete(file, ["fwkit", "ipt", "parse", "--"])).toEqual(
      expect.arrayContaining(["--table", "--ipv6", "--json", "--help"]),
    );
    expect(bashComplete(file, ["fwkit", "snort", "check", "--dialect", ""])).toEqual([
      "auto",
      "snort2",
      "snort3",
      "suricata",
    ]);
    expect(bashComplete(file, ["fwkit", "completion", ""])).toEqual(["bash", "zsh"]);
    // an option value is skipped: the word after it is a positional argument again (files)
    expect(bashComplete(file, ["fwkit", "snort", "check", "--dialect", "snort2", "rules-"])).toEqual(["rules-a.rules"]);
    // `-c <file>` completes file names; a value-less flag does not swallow the next word
    expect(bashComplete(file, ["fwkit", "fwknopd", "-c", "rules-"])).toEqual(["rules-a.rules"]);
    expect(bashComplete(file, ["fwkit", "ipt", "parse", "-6", "rules-"])).toEqual(["rules-a.rules"]);
    // a positional word that happens to be a command name is not taken as a subcommand
    expect(bashComplete(file, ["fwkit", "nonexistent", ""])).toEqual([]);
  });

  it("--json wraps the script in one document", async () => {
    const io = fakeIo();
    expect(await run(["completion", "zsh", "--json"], io)).toBe(0);
    const doc = JSON.parse(io.out) as { shell: string; script: string };
    expect(doc.shell).toBe("zsh");
    expect(doc.script.startsWith("#compdef fwkit\n")).toBe(true);
  });

  it("rejects an unknown shell as a usage error", async () => {
    const io = fakeIo();
    expect(await run(["completion", "fish"], io)).toBe(2);
    expect(io.err).toMatch(/^fwkit: CLI_USAGE: /);
  });
});

const zsh = which("zsh");
describe.skipIf(skipWithReason("zsh completion test", zsh ? null : "needs zsh (apt-get install zsh)"))(
  "fwkit completion zsh",
  () => {
    it("is valid zsh (zsh -n) and its walker gives the same candidates as bash's", async () => {
      const file = await script("zsh");
      execFileSync(zsh as string, ["-n", file]);
      const cands = (words: string[]) =>
        execFileSync(
          zsh as string,
          ["-f", "-c", `source ${JSON.stringify(file)}; __fwkit_candidates ${words.map((w) => `'${w}'`).join(" ")}`],
          { encoding: "utf8" },
        )
          .split("\n")
          .filter(Boolean)
          .map((l) => l.split("\t")[0]);
      expect(cands(["fwkit", ""])).toEqual(expect.arrayContaining(["ipt", "snort", "fwknop", "fwknopd", "completion"]));
      expect(cands(["fwkit", "ipt", ""])).toEqual(["list", "parse", "check", "help"]);
      expect(cands(["fwkit", "snort", "show", "--dialect", ""])).toEqual(["auto", "snort2", "snort3", "suricata"]);
      expect(cands(["fwkit", "snort", "check", "x.rules", ""])).toEqual([":files:"]);
    });

    it("loads under compinit and binds _fwkit to fwkit", async () => {
      const file = await script("zsh");
      const out = execFileSync(
        zsh as string,
        [
          "-f",
          "-c",
          `autoload -U compinit && compinit -u -D && source ${JSON.stringify(file)} && print -r -- $_comps[fwkit]`,
        ],
        { encoding: "utf8", env: { ...process.env, HOME: dir } },
      );
      expect(out.trim()).toBe("_fwkit");
    });
  },
);
