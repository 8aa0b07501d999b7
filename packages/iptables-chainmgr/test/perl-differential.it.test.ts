/**
 * Differential test against the real Perl IPTables::ChainMgr 1.6: the same call sequence runs through Perl in one
 * fresh namespace and through this port in another (iptables-nft 1.8.9, IPv4 and IPv6); the `(rv, out, err)` triples
 * must be identical. The sequences contain only calls where Perl is correct on 1.8.9 (no protocol/port search keys), so
 * every difference would be a porting error. Perl's own messages (`Table: … added …`, `… rule already exists.`,
 * `Rule position … compensating.`, `Identical from_chain …`, `… does not exist.`) are compared byte for byte.
 */
import { execFileSync } from "node:child_process";
import { createNetns, missingFor, type Netns, skipWithReason } from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainMgr, type ChainMgrResult } from "../src/index.ts";
import { IptablesParse } from "./support/ipt.ts";
import { makeWrappers, type Wrappers } from "./support/netns-ipt.ts";

function perlReason(): string | null {
  try {
    execFileSync("perl", ["-MIPTables::ChainMgr", "-MJSON::PP", "-e", "1"], { stdio: "pipe" });
    return null;
  } catch {
    return "needs Perl IPTables::ChainMgr and JSON::PP";
  }
}
const reason = missingFor(["iptables-nft", "perl"]) ?? perlReason();

const S = "10.1.2.3/24";
const D = "192.168.1.2";
const ANY = "0.0.0.0/0";
const MAC = "ff:ff:ff:c6:33:58";
type Arg = string | number | Record<string, string | number>;
/** [perl method, args]: the camelCase method is derived from the name. */
const STEPS: [string, Arg[]][] = [
  ["chain_exists", ["filter", "CHAINMGR"]],
  ["create_chain", ["filter", "CHAINMGR"]],
  ["create_chain", ["filter", "CHAINMGR"]],
  ["chain_exists", ["filter", "CHAINMGR"]],
  ["add_ip_rule", [S, D, 1000, "filter", "CHAINMGR", "ACCEPT", {}]],
  ["add_ip_rule", [S, D, 1000, "filter", "CHAINMGR", "ACCEPT", {}]],
  ["add_ip_rule", [S, D, 0, "filter", "CHAINMGR", "LOG", {}]],
  ["append_ip_rule", [S, D, "filter", "CHAINMGR", "RETURN", {}]],
  ["add_ip_rule", [ANY, ANY, 1000, "filter", "CHAINMGR", "ACCEPT", { mac_source: MAC }]],
  ["add_ip_rule", [ANY, ANY, 1000, "filter", "CHAINMGR", "ACCEPT", { mac_source: MAC }]],
  ["add_ip_rule", [S, D, 2, "filter", "CHAINMGR", "DROP", { intf_in: "eth0" }]],
  ["add_ip_rule", [S, D, 1000, "filter", "CHAINMGR", "DROP", { ctstate: "ESTABLISHED,RELATED" }]],
  ["add_ip_rule", [S, D, 1000, "filter", "CHAINMGR", "DROP", { ctstate: "RELATED,ESTABLISHED" }]],
  ["find_ip_rule", [S, D, "filter", "CHAINMGR", "DROP", { normalize: 1, ctstate: "RELATED,ESTABLISHED" }]],
  ["find_ip_rule", ["10.1.2.0/24", D, "filter", "CHAINMGR", "LOG", {}]],
  ["find_ip_rule", [S, D, "filter", "CHAINMGR", "LOG", {}]],
  ["add_jump_rule", ["filter", "INPUT", 1, "CHAINMGR"]],
  ["add_jump_rule", ["filter", "INPUT", 1, "CHAINMGR"]],
  ["add_jump_rule", ["filter", "INPUT", 1, "INPUT"]],
  ["add_jump_rule", ["filter", "INPUT", 50, "OTHER"]],
  ["delete_ip_rule", [S, D, "filter", "CHAINMGR", "RETURN", {}]],
  ["delete_ip_rule", [S, D, "filter", "CHAINMGR", "RETURN", {}]],
  ["set_chain_policy", ["filter", "CHAINMGR", "DROP"]],
  ["set_chain_policy", ["filter", "FORWARD", "DROP"]],
  ["flush_chain", ["filter", "CHAINMGR"]],
  ["delete_chain", ["filter", "INPUT", "CHAINMGR"]],
  ["delete_chain", ["filter", "INPUT", "CHAINMGR"]],
  ["create_chain", ["filter", "SC~!@#^%&$*-[]+={}-test"]],
  ["delete_chain", ["filter", "INPUT", "SC~!@#^%&$*-[]+={}-test"]],
  ["normalize_net", ["0000:0000:00AA:0000:0000:AA00:0000:0001/64"]],
  ["normalize_net", ["10.1.2.3/255.255.255.0"]],
  ["set_chain_policy", ["filter", "FORWARD", "ACCEPT"]],
];

const S6 = "fe80::200:f8ff:fe21:67cf";
const D6 = "0000:0000:00AA:0000:0000:AA00:0000:0001/64";
const ANY6 = "::/0";
/**
 * IPv6: Perl only parses ip6tables 1.8.9 listings when the binary is not named exactly `ip6tables` (spec §7.4), and
 * then `_ipv6` is 0, so its jump-rule and delete_chain paths search for `0.0.0.0/0` and fail: those are left out.
 */
const STEPS6: [string, Arg[]][] = [
  ["chain_exists", ["filter", "CHAINMGR"]],
  ["create_chain", ["filter", "CHAINMGR"]],
  ["create_chain", ["filter", "CHAINMGR"]],
  ["add_ip_rule", [S6, D6, 1000, "filter", "CHAINMGR", "ACCEPT", {}]],
  ["add_ip_rule", [S6, D6, 1000, "filter", "CHAINMGR", "ACCEPT", {}]],
  ["add_ip_rule", [S6, D6, 0, "filter", "CHAINMGR", "LOG", {}]],
  ["append_ip_rule", [S6, D6, "filter", "CHAINMGR", "RETURN", {}]],
  ["add_ip_rule", [ANY6, ANY6, 1000, "filter", "CHAINMGR", "ACCEPT", { mac_source: MAC }]],
  ["add_ip_rule", [ANY6, ANY6, 1000, "filter", "CHAINMGR", "ACCEPT", { mac_source: MAC }]],
  ["add_ip_rule", [S6, D6, 2, "filter", "CHAINMGR", "DROP", { intf_in: "eth0" }]],
  ["add_ip_rule", [S6, D6, 1000, "filter", "CHAINMGR", "DROP", { ctstate: "ESTABLISHED,RELATED" }]],
  ["add_ip_rule", [S6, D6, 1000, "filter", "CHAINMGR", "DROP", { ctstate: "RELATED,ESTABLISHED" }]],
  ["find_ip_rule", ["fe80::200:f8ff:fe21:67cf/128", D6, "filter", "CHAINMGR", "LOG", { normalize: 1 }]],
  ["delete_ip_rule", [S6, D6, "filter", "CHAINMGR", "RETURN", {}]],
  ["delete_ip_rule", [S6, D6, "filter", "CHAINMGR", "RETURN", {}]],
  ["set_chain_policy", ["filter", "CHAINMGR", "DROP"]],
  ["flush_chain", ["filter", "CHAINMGR"]],
  ["normalize_net", ["2001:DB8::1/64"]],
];

const camel = (s: string) => s.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

function perlScript(bin: string, ipv6: boolean): string {
  return `
use strict; use warnings; use IPTables::ChainMgr; use JSON::PP;
my $steps = decode_json(do { local $/; <STDIN> });
my $m = IPTables::ChainMgr->new(iptables => '${bin}'${ipv6 ? ", use_ipv6 => 1" : ""});
my $json = JSON::PP->new->canonical;
for my $s (@$steps) {
  my ($name, @args) = @$s;
  my @r = eval { $m->$name(@args) };
  if ($@) { (my $e = $@) =~ s/ at \\S+ line \\d+\\.?\\n?$//; print $json->encode({croak => $e}), "\\n"; next; }
  if ($name eq 'find_ip_rule') { print $json->encode({find => [map { 0 + $_ } @r]}), "\\n"; next; }
  if ($name eq 'normalize_net') { print $json->encode({net => $r[0]}), "\\n"; next; }
  my ($rv, $out, $err) = @r;
  chomp(my @o = @$out); chomp(my @e = @$err);
  print $json->encode({rv => 0 + $rv, out => \\@o, err => \\@e}), "\\n";
}`;
}

describe.skipIf(skipWithReason("chainmgr differential vs Perl IPTables::ChainMgr (netns)", reason))(
  "differential: the same calls through Perl IPTables::ChainMgr 1.6 and through this port",
  () => {
    let nsPerl: Netns;
    let nsOurs: Netns;
    let w: Wrappers;
    beforeAll(async () => {
      nsPerl = await createNetns("cmpl");
      nsOurs = await createNetns("cmts");
      w = makeWrappers(nsOurs);
    });
    afterAll(async () => {
      await nsPerl?.destroy();
      await nsOurs?.destroy();
      w?.cleanup();
    });

    it.each([
      ["ipv4", STEPS],
      ["ipv6", STEPS6],
    ] as const)("%s: the calls give identical (rv, out, err)", async (family, steps) => {
      const v6 = family === "ipv6";
      const perl = await nsPerl.exec(
        "perl",
        ["-e", perlScript(v6 ? "/usr/sbin/ip6tables-nft" : "/usr/sbin/iptables-nft", v6)],
        {
          input: JSON.stringify(steps.map(([n, a]) => [n, ...a])),
        },
      );
      expect(perl.code, perl.stderr).toBe(0);
      const perlResults = perl.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as unknown);
      expect(perlResults).toHaveLength(steps.length);
      // spot checks that the comparison is about real behaviour
      const [s, d] = v6 ? ["fe80::200:f8ff:fe21:67cf", "0:0:aa::/64"] : ["10.1.2.0/24", D];
      expect(perlResults[v6 ? 4 : 5]).toEqual({
        rv: 1,
        out: [`Table: filter, chain: CHAINMGR, ${s} -> ${d} rule already exists.`],
        err: [],
      });
      expect(perlResults[v6 ? 11 : 12]).toMatchObject({
        rv: 1,
        out: [expect.stringMatching(/ctstate RELATED,ESTABLISHED rule already exists\.$/)],
      });

      const mgr = new ChainMgr(await IptablesParse.create({ iptables: w.bin(family, "nft"), useIpv6: v6 }));
      const ours: unknown[] = [];
      for (const [name, args] of steps) {
        const fn = (mgr as unknown as Record<string, (...a: Arg[]) => unknown>)[camel(name)];
        if (typeof fn !== "function") throw new Error(`no method ${camel(name)}`);
        try {
          const r = await fn.apply(mgr, args);
          if (name === "find_ip_rule") ours.push({ find: r });
          else if (name === "normalize_net") ours.push({ net: r });
          else {
            const x = r as ChainMgrResult;
            ours.push({ rv: x.rv, out: x.out, err: x.err });
          }
        } catch (e) {
          ours.push({ croak: (e as Error).message });
        }
      }
      const labelled = (xs: unknown[]) => xs.map((x, i) => ({ step: `${i + 1} ${steps[i]?.[0]}`, ...(x as object) }));
      expect(labelled(ours)).toEqual(labelled(perlResults));
    });
  },
);
