import { execFileSync } from "node:child_process";
import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { isIptablesParseError } from "../src/errors.ts";
import { splitShellWords } from "../src/shell-words.ts";

describe("splitShellWords", () => {
  it.each([
    ["/usr/sbin/iptables -t filter -n -L INPUT", ["/usr/sbin/iptables", "-t", "filter", "-n", "-L", "INPUT"]],
    ["  iptables\t-w   -L  ", ["iptables", "-w", "-L"]],
    // Perl's exec_iptables turned these into `a \(b\) \& c\; d` / `X\$Y` / a glob; sh quoting rules, no expansion:
    [
      `iptables -A X -m comment --comment "a (b) & c; d" -j ACCEPT`,
      ["iptables", "-A", "X", "-m", "comment", "--comment", "a (b) & c; d", "-j", "ACCEPT"],
    ],
    ["iptables 'X$Y' *", ["iptables", "X$Y", "*"]],
    [`iptables "it's" 'say "hi"'`, ["iptables", "it's", 'say "hi"']],
    [`a "x\\"y" "p\\q" "\\$HOME" "\\\\"`, ["a", 'x"y', "p\\q", "$HOME", "\\"]],
    ["a \\(b\\) c\\ d \\; e", ["a", "(b)", "c d", ";", "e"]],
    [`a '' "" b`, ["a", "", "", "b"]],
    [`a "b"'c'd`, ["a", "bcd"]],
    ["a $(rm -rf /) `id` ~ >out |x", ["a", "$(rm", "-rf", "/)", "`id`", "~", ">out", "|x"]],
    ["a \\\n b", ["a", "b"]],
    ["a b\\\nc", ["a", "bc"]],
    ["", []],
    ["   ", []],
    ["iptables -N SC~!@#^%&$*-[]+={}-test", ["iptables", "-N", "SC~!@#^%&$*-[]+={}-test"]],
  ])("%j", (cmd, words) => {
    expect(splitShellWords(cmd)).toEqual(words);
  });

  it.each([`a "b`, "a 'b", "a b\\", `"`])("throws IPT_PARSE_BAD_QUOTING for %j", (cmd) => {
    let err: unknown;
    try {
      splitShellWords(cmd);
    } catch (e) {
      err = e;
    }
    expect(isIptablesParseError(err) && err.code).toBe("IPT_PARSE_BAD_QUOTING");
  });

  const quote = (w: string) => `'${w.replaceAll("'", `'"'"'`)}'`;
  fcTest.prop([fc.array(fc.string({ unit: "binary" }), { maxLength: 8 })])(
    "single-quoting any words round-trips",
    (words) => {
      const clean = words.map((w) => w.replaceAll("\0", ""));
      expect(splitShellWords(clean.map(quote).join(" "))).toEqual(clean);
    },
  );

  fcTest.prop([fc.string({ unit: "binary", maxLength: 200 })])(
    "never throws anything but IPT_PARSE_BAD_QUOTING",
    (s) => {
      try {
        const w = splitShellWords(s);
        expect(Array.isArray(w)).toBe(true);
      } catch (e) {
        expect(isIptablesParseError(e) && e.code).toBe("IPT_PARSE_BAD_QUOTING");
      }
    },
  );

  // Differential: /bin/sh itself splits the same strings (alphabet without expansion or operator characters).
  const shWords = (cmd: string): string[] | "error" => {
    try {
      const out = execFileSync("/bin/sh", ["-c", `set -- ${cmd}\nfor a in "$@"; do printf '%s\\0' "$a"; done`], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      });
      return out === "" ? [] : out.slice(0, -1).split("\0");
    } catch {
      return "error";
    }
  };
  const alphabet = fc.constantFrom("a", "b", "-", " ", "\t", "'", '"', "\\", "x y", ":", "/", "!", ".");
  fcTest.prop([fc.array(alphabet, { maxLength: 14 }).map((a) => a.join(""))], { numRuns: 150 })(
    "agrees with /bin/sh on quoting",
    (cmd) => {
      const sh = shWords(cmd);
      let ours: string[] | "error";
      try {
        ours = splitShellWords(cmd);
      } catch {
        ours = "error";
      }
      expect(ours).toEqual(sh);
    },
  );
});
