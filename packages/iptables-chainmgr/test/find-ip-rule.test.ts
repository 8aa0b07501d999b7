import { readFileSync } from "node:fs";
import type { ParsedRule } from "@fwkit/iptables-parse";
import { describe, expect, it } from "vitest";
import { isChainMgrError, matchIpRule, type RuleExt } from "../src/index.ts";
import { findChain, parseListing } from "./support/ipt.ts";

const fixture = (f: string) => readFileSync(new URL(`fixtures/${f}`, import.meta.url), "utf8");
const v4 = {
  filter: parseListing(fixture("v4-filter.list.txt"), { table: "filter" }),
  nat: parseListing(fixture("v4-nat.list.txt"), { table: "nat" }),
};
const v6 = parseListing(fixture("v6-filter.list.txt"), { table: "filter", family: "ipv6" });
const rules = (table: "filter" | "nat", chain: string): ParsedRule[] => findChain(v4[table], table, chain)?.rules ?? [];
const ANY = "0.0.0.0/0";

type Row = [
  src: string,
  dst: string,
  table: "filter" | "nat",
  chain: string,
  target: string,
  ext: RuleExt,
  want: [number, number],
  perl?: [number, number],
];

// Spec §7.6 (real iptables 1.8.9 listing of the §7.1 ruleset). `perl` = what IPTables::ChainMgr 1.6 returned
// where that was a bug (protocol numbers / no port defaulting on 1.8.9); `want` is the corrected answer.
const rows: Row[] = [
  ["1.2.3.4", ANY, "filter", "CUSTOM", "DROP", {}, [1, 4]],
  ["1.2.3.4/32", ANY, "filter", "CUSTOM", "DROP", {}, [0, 4]],
  ["1.2.3.4/32", ANY, "filter", "CUSTOM", "DROP", { normalize: 1 }, [1, 4]],
  ["10.1.2.3/24", "192.168.1.2", "filter", "CUSTOM", "ACCEPT", {}, [0, 4]],
  ["10.1.2.3/24", "192.168.1.2", "filter", "CUSTOM", "ACCEPT", { normalize: 1 }, [2, 4]],
  ["5.6.7.8", ANY, "filter", "CUSTOM", "DROP", {}, [0, 4]],
  [ANY, ANY, "filter", "CUSTOM", "my-chain.1", {}, [3, 4]],
  [ANY, ANY, "filter", "INPUT", "CUSTOM", {}, [13, 14]],
  [ANY, ANY, "filter", "INPUT", "ACCEPT", {}, [1, 14]],
  [ANY, ANY, "filter", "INPUT", "LOG", {}, [14, 14]],
  [ANY, ANY, "filter", "INPUT", "DROP", {}, [0, 14]],
  [ANY, ANY, "filter", "INPUT", "DROP", { normalize: 1 }, [3, 14]],
  [ANY, ANY, "filter", "INPUT", "DROP", { normalize: 0 }, [3, 14]],
  [ANY, ANY, "filter", "INPUT", "ACCEPT", { ctstate: "ESTABLISHED,RELATED" }, [2, 14]],
  [ANY, ANY, "filter", "INPUT", "ACCEPT", { ctstate: "ESTABLISHED" }, [0, 14]],
  [ANY, ANY, "filter", "INPUT", "DROP", { state: "INVALID" }, [3, 14]],
  ["192.168.10.0/24", ANY, "filter", "INPUT", "ACCEPT", { protocol: "tcp", d_port: 22 }, [4, 14], [0, 14]],
  ["192.168.10.0/24", ANY, "filter", "INPUT", "ACCEPT", { protocol: "6", d_port: 22 }, [4, 14]],
  ["192.168.10.0/24", ANY, "filter", "INPUT", "ACCEPT", { d_port: 22, comment: "ssh from lan" }, [4, 14]],
  ["192.168.10.0/24", ANY, "filter", "INPUT", "ACCEPT", { protocol: "tcp", s_port: 0, d_port: 22 }, [4, 14], [0, 14]],
  [ANY, ANY, "filter", "INPUT", "ACCEPT", { mac_source: "00:11:22:33:44:55" }, [9, 14]],
  [ANY, ANY, "filter", "INPUT", "ACCEPT", { mac_source: "00:11:22:33:44:55".toUpperCase() }, [9, 14]],
  [ANY, ANY, "filter", "INPUT", "DROP", { string: "GET /evil" }, [8, 14]],
  [ANY, ANY, "filter", "INPUT", "ACCEPT", { length: "10:100" }, [11, 14]],
  ["10.1.2.3", ANY, "filter", "INPUT", "ACCEPT", { s_port: "1024:65535", d_port: "3306" }, [12, 14]],
  [ANY, "203.0.113.5", "filter", "INPUT", "REJECT", { d_port: "!25" }, [7, 14]],
  ["!10.0.0.0/8", ANY, "filter", "INPUT", "ACCEPT", { sport: 53 }, [6, 14]],
  ["10.1.2.0/24", ANY, "filter", "FORWARD", "ACCEPT", {}, [1, 4]],
  ["10.1.2.0/24", ANY, "filter", "FORWARD", "ACCEPT", { intf_in: "eth0", intf_out: "eth1" }, [1, 4]],
  [ANY, "198.51.100.1", "nat", "PREROUTING", "DNAT", { to_ip: "192.168.1.10", to_port: 80 }, [1, 3]],
  ["10.9.0.0/16", ANY, "nat", "POSTROUTING", "SNAT", {}, [0, 3]],
  ["192.168.1.0/24", ANY, "nat", "POSTROUTING", "MASQUERADE", {}, [1, 3]],
  [ANY, ANY, "filter", "NOSUCHCHAIN", "DROP", {}, [0, 0]],
];

describe("matchIpRule: spec §7.6 find_ip_rule table (IPv4, real 1.8.9 listing)", () => {
  it.each(rows)("%s -> %s %s/%s %s %j", (src, dst, table, chain, target, ext, want) => {
    expect(matchIpRule(rules(table, chain), src, dst, target, ext)).toEqual(want);
  });

  it("croaks on an unsupported key with Perl's text", () => {
    try {
      matchIpRule(rules("filter", "FORWARD"), ANY, ANY, "ACCEPT", { mark: "0x1" } as RuleExt);
      expect.unreachable();
    } catch (e) {
      expect(isChainMgrError(e) && e.code).toBe("CHAINMGR_UNSUPPORTED_KEY");
      expect((e as Error).message).toBe("[*] Extended hash search key 'mark' not supported by IPTables::Parse");
    }
  });
});

describe("matchIpRule: IPv6 (Perl mis-parsed the opt column and found nothing)", () => {
  const input = findChain(v6, "filter", "INPUT")?.rules ?? [];
  it.each([
    ["fe80::/10", "::/0", "ACCEPT", {}, [1, 8]],
    ["fe80::1/10", "::/0", "ACCEPT", { normalize: 1 }, [1, 8]],
    ["::/0", "2001:db8::1", "ACCEPT", { protocol: "tcp", d_port: 443 }, [2, 8]],
    ["::/0", "::/0", "LOG", {}, [8, 8]],
    ["2001:db8::5/128", "::/0", "ACCEPT", { normalize: 1, protocol: "udp", comment: "dns v6" }, [5, 8]],
    ["!2001:db8::/32", "::/0", "DROP", { d_port: 22 }, [6, 8]],
  ] as const)("%s -> %s %s %j", (src, dst, target, ext, want) => {
    expect(matchIpRule(input, src, dst, target, ext as RuleExt)).toEqual(want);
  });
});

describe("ChainMgr.findIpRule with iptRulesFile (Perl ipt_rules_file): -L listing and iptables-save files agree", () => {
  const filterRows = rows.filter((r) => r[2] === "filter");
  it.each(["v4-filter.list.txt", "v4.save.txt"])("%s", async (file) => {
    const { ChainMgr } = await import("../src/index.ts");
    const { IptablesParse } = await import("./support/ipt.ts");
    const path = new URL(`fixtures/${file}`, import.meta.url).pathname;
    const mgr = new ChainMgr(await IptablesParse.create({ iptRulesFile: path, skipIptExecCheck: true }));
    for (const [src, dst, table, chain, target, ext, want] of filterRows) {
      expect(
        await mgr.findIpRule(src, dst, table, chain, target, ext),
        `${src} ${dst} ${chain} ${target} ${JSON.stringify(ext)}`,
      ).toEqual(want);
    }
  });
});
