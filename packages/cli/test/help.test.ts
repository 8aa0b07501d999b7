/**
 * Man-style help for every command: walks the command tree through `--help` itself (so commands added later are
 * covered) and requires a description and an "Examples:" block whose lines run that very command.
 */
import { describe, expect, it } from "vitest";
import { run } from "../src/run.ts";
import { fakeIo } from "./fake-io.ts";

interface HelpPage {
  path: string[];
  text: string;
  subcommands: string[];
}

async function helpPage(path: string[]): Promise<HelpPage> {
  const io = fakeIo();
  expect(await run([...path, "--help"], io), `fwkit ${path.join(" ")} --help`).toBe(0);
  const section = (io.out.split(/^Commands:\n/m)[1] ?? "").split("\n\n")[0] ?? "";
  const subcommands = section
    .split("\n")
    .map((l) => /^ {2}(\S+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined && n !== "help");
  return { path, text: io.out, subcommands };
}

/** Every help page of the tree, depth first. */
async function allPages(): Promise<HelpPage[]> {
  const pages: HelpPage[] = [];
  const visit = async (path: string[]) => {
    const page = await helpPage(path);
    pages.push(page);
    for (const s of page.subcommands) await visit([...path, s]);
  };
  await visit([]);
  return pages;
}

/** The indented lines of the "Examples:" block. */
function examples(text: string): string[] {
  const m = /Examples:\n((?: {2}.*(?:\n|$))+)/.exec(text);
  return (
    m?.[1]
      ?.split("\n")
      .map((l) => l.trim())
      .filter(Boolean) ?? []
  );
}

describe("fwkit --help for every command", async () => {
  const pages = await allPages();
  const leaves = pages.filter((p) => p.subcommands.length === 0);

  it("walks the whole tree (ipt list|parse|check, snort check|show, fwknop, fwknopd, completion, …)", () => {
    const names = leaves.map((p) => p.path.join(" "));
    expect(names).toEqual(
      expect.arrayContaining([
        "ipt list",
        "ipt parse",
        "ipt check",
        "snort check",
        "snort show",
        "fwknop",
        "fwknopd",
        "completion",
      ]),
    );
  });

  it.each(pages.map((p) => [p.path.join(" ") || "(root)", p] as const))("%s has a description", (_name, page) => {
    // commander prints: Usage line, blank line, description
    const description = page.text.split("\n")[2] ?? "";
    expect(page.text.split("\n")[1]).toBe("");
    expect(description.trim().length).toBeGreaterThan(10);
    expect(description).not.toMatch(/^(Options|Arguments|Commands):/);
  });

  it.each(leaves.map((p) => [p.path.join(" "), p] as const))(
    "fwkit %s --help has an Examples: block that runs it",
    (name, page) => {
      const ex = examples(page.text);
      expect(ex.length, `no "Examples:" block in fwkit ${name} --help`).toBeGreaterThan(0);
      for (const line of ex) expect(line, `example of fwkit ${name}`).toContain(`fwkit ${name}`);
    },
  );

  it("the root help shows examples too", () => {
    expect(examples(pages[0]?.text ?? "").length).toBeGreaterThan(0);
  });
});
