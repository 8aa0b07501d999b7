import { describe, expect, it } from "vitest";
import { defaultLog } from "../src/default-log.ts";
import { parseListing } from "../src/parse-listing.ts";
import { parseSave } from "../src/parse-save.ts";
import { fixture, perlGolden } from "./support/golden.ts";

describe("defaultLog vs IPTables::Parse golden data (spec §7.5, §7.9)", () => {
  const perlOld = perlGolden("old-filter-v4.nL.txt");
  const inputs = {
    "1.8.9 -n -L": parseListing(fixture("spec-filter-v4.nL.txt")),
    "old-format -n -L": parseListing(fixture("old-filter-v4.nL.txt")),
    "1.8.9 -v -n -L --line-numbers (D15a)": parseListing(fixture("spec-filter-v4.vnL-ln.txt")),
    "iptables-save -c (D16)": parseSave(fixture("spec-save-c-v4.txt")),
  };
  for (const chain of ["INPUT", "FORWARD", "OUTPUT", "CUSTOM", "my-chain.1"]) {
    for (const [name, policy] of Object.entries(inputs)) {
      it(`${chain} from ${name} equals Perl on the old format`, () => {
        expect(defaultLog(policy, "filter", chain)).toEqual(perlOld.default_log[chain]);
      });
    }
  }
  it("Perl on 1.8.9 keys by protocol number (D14b)", () => {
    expect(perlGolden("spec-filter-v4.nL.txt").default_log.INPUT).toEqual([{ "6": "", all: "" }, 1]);
    expect(defaultLog(inputs["1.8.9 -n -L"], "filter", "INPUT")).toEqual([{ tcp: "", all: "" }, 1]);
  });
  it("IPv6: unreachable logging gives the failure message instead of Perl's empty hash (D15e)", () => {
    const perl6old = perlGolden("old-filter-v6.nL.txt");
    expect(perl6old.default_log.OUTPUT).toEqual([{}, 1]);
    const ours = parseListing(fixture("spec-filter-v6.nL.txt"));
    expect(defaultLog(ours, "filter", "OUTPUT")).toEqual([
      "[-] There are no default logging rules in the ip6tables policy!",
      0,
    ]);
    expect(defaultLog(ours, "filter", "INPUT")).toEqual(perl6old.default_log.INPUT);
    expect(defaultLog(ours, "filter", "FORWARD")).toEqual(perl6old.default_log.FORWARD);
    // Perl on the 1.8.9 ip6tables listing finds nothing at all (D5).
    expect(perlGolden("spec-filter-v6.nL.txt").default_log.INPUT?.[1]).toBe(0);
  });
});

describe("defaultLog semantics (spec §3.2 minus its bugs)", () => {
  const save = (rules: string[], chains = ":INPUT ACCEPT [0:0]\n:A - [0:0]\n:B - [0:0]") =>
    parseSave(`*filter\n${chains}\n${rules.join("\n")}\nCOMMIT\n`);
  it("follows sub-chains transitively, with a cycle guard", () => {
    const p = save(["-A INPUT -j A", "-A A -j B", "-A B -j A", "-A B -p udp -j LOG"]);
    expect(defaultLog(p, "filter", "INPUT")).toEqual([{ udp: "" }, 1]);
  });
  it("chains with 10, 20 … references are not ignored (D15b)", () => {
    const text = [
      "Chain INPUT (policy ACCEPT)",
      "target     prot opt source               destination",
      "SUB        0    --  0.0.0.0/0            0.0.0.0/0",
      "",
      "Chain SUB (10 references)",
      "target     prot opt source               destination",
      'LOG        0    --  0.0.0.0/0            0.0.0.0/0            LOG flags 0 level 4 prefix "S "',
    ].join("\n");
    expect(defaultLog(parseListing(text), "filter", "INPUT")).toEqual([{ all: "" }, 1]);
  });
  it("NFLOG counts; interface-bound or address-bound LOG rules do not", () => {
    expect(defaultLog(save(["-A INPUT -j NFLOG --nflog-group 2"]), "filter", "INPUT")).toEqual([{ all: "" }, 1]);
    expect(defaultLog(save(["-A INPUT -i eth0 -j LOG", "-A INPUT -s 1.2.3.4 -j LOG"]), "filter", "INPUT")).toEqual([
      "[-] There are no default logging rules in the iptables policy!",
      0,
    ]);
  });
  it("`! -i lo` (everything but loopback) still counts as a default LOG; `-i eth0` does not", () => {
    expect(defaultLog(save(["-A INPUT ! -i lo -j LOG"]), "filter", "INPUT")).toEqual([{ all: "" }, 1]);
    expect(defaultLog(save(["-A INPUT -i eth0 -j LOG"]), "filter", "INPUT")[1]).toBe(0);
  });
  it("empty policy and missing chain", () => {
    expect(defaultLog(parseSave(""), "filter", "INPUT")).toEqual(["[-] Could not get iptables output!", 0]);
    expect(defaultLog(save(["-A INPUT -j LOG"]), "filter", "NOPE")[1]).toBe(0);
    expect(defaultLog(save(["-A A -j LOG"]), "filter", "INPUT")[1]).toBe(0);
  });
});
