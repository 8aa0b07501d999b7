import { describe, expect, it } from "vitest";
import { defaultDrop } from "../src/default-drop.ts";
import { parseListing } from "../src/parse-listing.ts";
import { parsePolicy } from "../src/parse-policy.ts";
import { parseSave } from "../src/parse-save.ts";
import type { DefaultDropReport } from "../src/types.ts";
import { fixture, perlGolden } from "./support/golden.ts";

type PerlDrop = Record<string, { DROP?: number; LOG?: { prefix: string; rulenum: number } }>;

/**
 * Perl's (old-format, hence correctly parsed) default_drop result with the documented fixes applied:
 * D14a real rule numbers (Perl reports one too many), D14c the modern `prefix "X"` is read (Perl: always NONE),
 * blanks trimmed as Perl's old-format regex did.
 */
function fixPerl(perl: PerlDrop, prefixes: Record<number, string>): DefaultDropReport {
  const out: DefaultDropReport = {};
  for (const [proto, e] of Object.entries(perl)) {
    const o: DefaultDropReport[string] = {};
    if (e.DROP !== undefined) o.DROP = e.DROP === 0 ? 0 : e.DROP - 1;
    if (e.LOG !== undefined) {
      expect(e.LOG.prefix).toBe("NONE");
      const rulenum = e.LOG.rulenum - 1;
      o.LOG = { prefix: prefixes[rulenum] ?? "NONE", rulenum };
    }
    out[proto] = o;
  }
  return out;
}

const V4 = {
  chains: ["INPUT", "FORWARD", "OUTPUT", "CUSTOM", "my-chain.1"],
  prefixes: { INPUT: { 14: "DROP" }, FORWARD: { 3: "FWD" }, OUTPUT: { 1: "OUT-TCP" } } as Record<
    string,
    Record<number, string>
  >,
};

describe("defaultDrop vs IPTables::Parse golden data (spec §7.5, §7.9)", () => {
  const perlOld = perlGolden("old-filter-v4.nL.txt");
  const perlNew = perlGolden("spec-filter-v4.nL.txt");
  const inputs = {
    "1.8.9 -n -L": parseListing(fixture("spec-filter-v4.nL.txt")),
    "old-format -n -L": parseListing(fixture("old-filter-v4.nL.txt")),
    "1.8.9 -v -n -L --line-numbers (D14d: Perl always fails on -v)": parseListing(fixture("spec-filter-v4.vnL-ln.txt")),
    "iptables-save -c (D16)": parseSave(fixture("spec-save-c-v4.txt")),
  };
  for (const chain of V4.chains) {
    const [perlResult, perlRv] = perlOld.default_drop[chain] as [unknown, 0 | 1];
    const expected = perlRv === 1 ? [fixPerl(perlResult as PerlDrop, V4.prefixes[chain] ?? {}), 1] : [perlResult, 0];
    for (const [name, policy] of Object.entries(inputs)) {
      it(`${chain} from ${name}`, () => {
        expect(defaultDrop(policy, "filter", chain)).toEqual(expected);
      });
    }
  }
  it("Perl's 1.8.9 bugs are what the fixes address: raw protocol keys and off-by-one numbers (D14a, D14b)", () => {
    expect(perlNew.default_drop.FORWARD).toEqual([
      { "0": { DROP: 5 }, all: { LOG: { prefix: "NONE", rulenum: 4 } } },
      1,
    ]);
    expect(defaultDrop(inputs["1.8.9 -n -L"], "filter", "FORWARD")).toEqual([
      { all: { DROP: 4, LOG: { prefix: "FWD", rulenum: 3 } } },
      1,
    ]);
    expect(perlNew.default_drop.OUTPUT?.[0]).toHaveProperty("6");
  });
  it("IPv6 1.8.9 (D5): Perl fails on FORWARD, ours equals Perl on the old format (fixed)", () => {
    const perl6new = perlGolden("spec-filter-v6.nL.txt");
    const perl6old = perlGolden("old-filter-v6.nL.txt");
    expect(perl6new.default_drop.FORWARD).toEqual(["[-] There are no default drop rules in the ip6tables policy!", 0]);
    const ours = parseListing(fixture("spec-filter-v6.nL.txt"));
    const oursSave = parseSave(fixture("spec-save-c-v6.txt"));
    const prefixes: Record<string, Record<number, string>> = { INPUT: { 8: "DROP6" }, FORWARD: { 1: "FWD6" } };
    for (const chain of ["INPUT", "FORWARD", "OUTPUT"]) {
      const [r, rv] = perl6old.default_drop[chain] as [unknown, 0 | 1];
      const expected = rv === 1 ? [fixPerl(r as PerlDrop, prefixes[chain] ?? {}), 1] : [r, 0];
      expect(defaultDrop(ours, "filter", chain)).toEqual(expected);
      expect(defaultDrop(oursSave, "filter", chain)).toEqual(expected);
    }
  });
});

const listing = (body: string[], header = "Chain INPUT (policy ACCEPT)"): string =>
  [header, "target     prot opt source               destination", ...body].join("\n");

describe("defaultDrop semantics (spec §3.1 minus its bugs)", () => {
  it("Perl messages: no output / no default drop / ip6tables", () => {
    expect(defaultDrop(parseListing(""), "filter", "INPUT")).toEqual(["[-] Could not get iptables output!", 0]);
    expect(defaultDrop(parseListing("", { family: "ipv6" }), "filter", "INPUT")).toEqual([
      "[-] Could not get ip6tables output!",
      0,
    ]);
    const p = parseListing(listing(["ACCEPT     all  --  0.0.0.0/0            0.0.0.0/0"]));
    expect(defaultDrop(p, "filter", "INPUT")).toEqual([
      "[-] There are no default drop rules in the iptables policy!",
      0,
    ]);
    expect(defaultDrop(p, "filter", "NOSUCH")).toEqual([
      "[-] There are no default drop rules in the iptables policy!",
      0,
    ]);
  });
  it("an interface-bound or fragment DROP is not a default drop (D14e)", () => {
    const p = parseSave("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -i eth0 -j DROP\n-A INPUT -f -j DROP\nCOMMIT\n");
    expect(defaultDrop(p, "filter", "INPUT")[1]).toBe(0);
  });
  it("`! -i lo -j DROP` counts as a default drop", () => {
    const p = parseSave("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT ! -i lo -j DROP\nCOMMIT\n");
    expect(defaultDrop(p, "filter", "INPUT")).toEqual([{ all: { DROP: 1 } }, 1]);
  });
  it("10.0.0.0/0 is not 'any' (D14e: Perl's unanchored regex accepted it)", () => {
    const p = parseListing(listing(["DROP       all  --  10.0.0.0/0           0.0.0.0/0"]));
    expect(defaultDrop(p, "filter", "INPUT")[1]).toBe(0);
  });
  it("negated protocols never count; DROP with matches never counts", () => {
    const p = parseListing(
      listing([
        "DROP      !6    --  0.0.0.0/0            0.0.0.0/0",
        "DROP       6    --  0.0.0.0/0            0.0.0.0/0            tcp dpt:22",
      ]),
    );
    expect(defaultDrop(p, "filter", "INPUT")).toEqual([
      "[-] There are no default drop rules in the iptables policy!",
      0,
    ]);
  });
  it("user chains work (D14f): an any→any DROP in a user chain", () => {
    const p = parseListing(
      listing(
        [
          'LOG        0    --  0.0.0.0/0            0.0.0.0/0            LOG flags 0 level 4 prefix "X "',
          "DROP       0    --  0.0.0.0/0            0.0.0.0/0",
        ],
        "Chain MINE (12 references)",
      ),
    );
    expect(defaultDrop(p, "filter", "MINE")).toEqual([{ all: { DROP: 2, LOG: { prefix: "X", rulenum: 1 } } }, 1]);
  });
  it("NFLOG counts as logging; an empty prefix is NONE; the old backtick prefix is read", () => {
    const p = parseListing(
      listing([
        'NFLOG      0    --  0.0.0.0/0            0.0.0.0/0            nflog-prefix "nf" nflog-group 5',
        "LOG        17   --  0.0.0.0/0            0.0.0.0/0            LOG flags 0 level 4",
        "LOG        6    --  0.0.0.0/0            0.0.0.0/0            LOG flags 0 level 4 prefix `OLD '",
        "DROP       0    --  0.0.0.0/0            0.0.0.0/0",
      ]),
    );
    expect(defaultDrop(p, "filter", "INPUT")).toEqual([
      {
        all: { LOG: { prefix: "nf", rulenum: 1 }, DROP: 4 },
        udp: { LOG: { prefix: "NONE", rulenum: 2 } },
        tcp: { LOG: { prefix: "OLD", rulenum: 3 } },
      },
      1,
    ]);
  });
  it("policy DROP: DROP rules are ignored, the policy is reported as DROP 0 (Perl)", () => {
    const p = parsePolicy("*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -j DROP\nCOMMIT\n");
    expect(defaultDrop(p, "filter", "INPUT")).toEqual([{ all: { DROP: 0 } }, 1]);
  });
});
