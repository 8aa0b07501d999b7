// Mirrors the "Quick start" of README.md: keep both in sync (the second test checks that they are).
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

/** Code without imports, comments and formatting (whitespace, trailing commas). */
function essence(lines: string[]): string {
  return lines
    .filter((l) => !/^\s*(import |const \{[^}]*\} = await import\(|\/\/)/.test(l))
    .map((l) => l.replace(/\s\/\/.*$/, ""))
    .join("")
    .replace(/\s+/g, "")
    .replace(/,([)\]}])/g, "$1");
}

it("README quick start and this test are the same code", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const block = /## Quick start[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const me = readFileSync(new URL(import.meta.url), "utf8");
  const body =
    /README quick start \(begin\) ---\n([\s\S]*?)\n\s*\/\/ --- README quick start \(end\)/.exec(me)?.[1] ?? "";
  expect(block.length).toBeGreaterThan(100);
  expect(essence(block.split("\n"))).toBe(essence(body.split("\n")));
});

it("README quick start", async () => {
  // --- README quick start (begin) ---
  const { parseSave } = await import("@fwkit/iptables-parse");
  const { buildIptMatches, normalizeNet, plan, renderRestore } = await import("@fwkit/iptables-chainmgr");

  // What is loaded now (normally: `await mgr.currentPolicy(["filter"])`, i.e. `iptables-save -t filter` parsed).
  const current = parseSave(
    "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -j FWKIT\n:FWKIT - [0:0]\nCOMMIT\n",
  );

  // Perl-compatible helpers, argv only (no shell strings anywhere).
  const src = normalizeNet("10.1.2.3/24"); // "10.1.2.0/24"
  const { args } = buildIptMatches({ protocol: "tcp", s_port: 1024, d_port: 22, comment: "ssh; from lan" }, src, "");

  // Desired state of the chains we manage; everything else is left alone.
  const p = plan(current, {
    chains: [
      {
        table: "filter",
        name: "FWKIT",
        rules: [
          [...args, "-j", "ACCEPT"],
          ["-j", "RETURN"],
        ],
        jumps: [{ from: "INPUT" }],
      },
    ],
  });
  const payload = renderRestore(p); // feed to `iptables-restore --noflush` (ChainMgr#apply does that atomically)
  // --- README quick start (end) ---

  expect(src).toBe("10.1.2.0/24");
  expect(payload).toBe(
    [
      "*filter",
      ":FWKIT - [0:0]",
      '-A FWKIT -s 10.1.2.0/24 -p tcp --sport 1024 --dport 22 -m comment --comment "ssh; from lan" -j ACCEPT',
      "-A FWKIT -j RETURN",
      "COMMIT",
      "",
    ].join("\n"),
  );
});
