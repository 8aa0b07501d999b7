/**
 * Beyond the original, against real iptables 1.8.9 in throwaway namespaces (IPv4/IPv6 × nf_tables/legacy):
 * `-C` based idempotent forms and atomic batch apply through one `iptables-restore --noflush`.
 */
import { createNetns, missingFor, type Netns, skipWithReason } from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainMgr, isChainMgrError, type ManagedChains } from "../src/index.ts";
import { IptablesParse } from "./support/ipt.ts";
import { type Backend, makeWrappers, type Wrappers } from "./support/netns-ipt.ts";

const reason = missingFor(["iptables-nft", "iptables-legacy", "ip6tables-nft", "ip6tables-legacy"]);
const combos: [Backend, "ipv4" | "ipv6"][] = [
  ["nft", "ipv4"],
  ["nft", "ipv6"],
  ["legacy", "ipv4"],
  ["legacy", "ipv6"],
];

describe.skipIf(skipWithReason("chainmgr batch/idempotent (netns)", reason))(
  "idempotent forms and atomic batches",
  () => {
    describe.each(combos)("%s / %s", (backend, family) => {
      let ns: Netns;
      let w: Wrappers;
      let mgr: ChainMgr;
      const v6 = family === "ipv6";
      const net = v6 ? "2001:db8:1::/48" : "10.20.0.0/16";
      const host = v6 ? "2001:db8::7" : "192.0.2.7";
      const save = async () =>
        (await ns.execOk(`/usr/sbin/${v6 ? "ip6tables" : "iptables"}-${backend}-save`, ["-t", "filter"])).replace(
          /^#.*\n/gm,
          "",
        );
      const rulesOf = (text: string, chain: string) => text.split("\n").filter((l) => l.startsWith(`-A ${chain} `));

      beforeAll(async () => {
        ns = await createNetns("cmb");
        w = makeWrappers(ns);
        mgr = new ChainMgr(await IptablesParse.create({ iptables: w.bin(family, backend), useIpv6: v6 }));
        // unrelated state that must never be touched
        await ns.execOk(w.bin(family, backend), ["-A", "INPUT", "-i", "lo", "-j", "ACCEPT"]);
        await ns.execOk(w.bin(family, backend), ["-N", "OTHER"]);
        await ns.execOk(w.bin(family, backend), ["-A", "OTHER", "-s", host, "-j", "DROP"]);
        await ns.execOk(w.bin(family, backend), ["-A", "FORWARD", "-j", "OTHER"]);
      });
      afterAll(async () => {
        await ns?.destroy();
        w?.cleanup();
      });

      it("ensureChain / ensureRule / exists / deleteRuleIfExists are idempotent (iptables -C)", async () => {
        expect((await mgr.ensureChain("filter", "IDEM")).changed).toBe(true);
        const again = await mgr.ensureChain("filter", "IDEM");
        expect([again.rv, again.changed]).toEqual([1, false]);
        const spec = [
          "-s",
          net,
          "-p",
          "tcp",
          "--dport",
          "22",
          "-m",
          "comment",
          "--comment",
          'it\'s "quoted" (x)',
          "-j",
          "DROP",
        ];
        expect(await mgr.exists("filter", "IDEM", spec)).toBe(false);
        expect((await mgr.ensureRule("filter", "IDEM", spec)).changed).toBe(true);
        expect((await mgr.ensureRule("filter", "IDEM", spec)).changed).toBe(false);
        expect((await mgr.ensureRule("filter", "IDEM", ["-j", "RETURN"], 1)).changed).toBe(true);
        expect(await mgr.exists("filter", "IDEM", spec)).toBe(true);
        expect(rulesOf(await save(), "IDEM")).toEqual([
          "-A IDEM -j RETURN",
          `-A IDEM -s ${net} -p tcp -m tcp --dport 22 -m comment --comment "it\\'s \\"quoted\\" (x)" -j DROP`,
        ]);
        expect((await mgr.deleteRuleIfExists("filter", "IDEM", spec)).changed).toBe(true);
        expect((await mgr.deleteRuleIfExists("filter", "IDEM", spec)).changed).toBe(false);
        expect(await mgr.exists("filter", "IDEM", spec)).toBe(false);
        expect(rulesOf(await save(), "IDEM")).toEqual(["-A IDEM -j RETURN"]);
      });

      it("exists(): a missing chain is 'absent' (iptables -C says Bad rule), a missing target is an error", async () => {
        expect(await mgr.exists("filter", "NOSUCH", ["-j", "ACCEPT"])).toBe(false);
        try {
          await mgr.exists("filter", "INPUT", ["-j", "NO_SUCH_TARGET"]);
          expect.unreachable();
        } catch (e) {
          expect(isChainMgrError(e) && e.code).toBe("CHAINMGR_CHECK_FAILED");
          expect((e as { details: { code?: string } }).details.code).toBe("IPT_CHAIN_NOT_FOUND");
        }
      });

      const desired: ManagedChains = {
        chains: [
          {
            table: "filter",
            name: "FWKIT",
            rules: [
              ["-s", net, "-p", "tcp", "--dport", "22", "-j", "ACCEPT"],
              ["-m", "comment", "--comment", 'a "b" \\ c; $(d)', "-j", "LOG", "--log-prefix", "FWKIT "],
              ["-j", "FWKIT2"],
            ],
            jumps: [{ from: "INPUT", position: 1 }],
          },
          { table: "filter", name: "FWKIT2", rules: [["-d", host, "-j", "DROP"]] },
        ],
      };

      it("sync() creates the managed chains and jump in one restore, and is idempotent", async () => {
        const before = await save();
        const r = await mgr.sync(desired);
        expect(r.rv, r.err.join("\n")).toBe(1);
        expect(r.argv?.slice(1)).toEqual(["--noflush", "--wait", "30"]);
        const after = await save();
        expect(rulesOf(after, "FWKIT")).toEqual([
          `-A FWKIT -s ${net} -p tcp -m tcp --dport 22 -j ACCEPT`,
          '-A FWKIT -m comment --comment "a \\"b\\" \\\\ c; $(d)" -j LOG --log-prefix "FWKIT "',
          "-A FWKIT -j FWKIT2",
        ]);
        expect(rulesOf(after, "INPUT")).toEqual(["-A INPUT -j FWKIT", "-A INPUT -i lo -j ACCEPT"]);
        expect(rulesOf(after, "OTHER")).toEqual(rulesOf(before, "OTHER"));
        expect(rulesOf(after, "FORWARD")).toEqual(rulesOf(before, "FORWARD"));
        // second run: same state, no second jump
        expect((await mgr.sync(desired)).rv).toBe(1);
        expect(await save()).toBe(after);
      });

      it("a payload with one bad rule changes nothing (atomic)", async () => {
        const before = await save();
        const bad: ManagedChains = {
          chains: [
            {
              ...desired.chains[0],
              rules: [
                ["-s", host, "-j", "ACCEPT"],
                ["-j", "NO_SUCH_CHAIN"],
              ],
            } as never,
            { table: "filter", name: "NEWONE", rules: [["-j", "ACCEPT"]], jumps: [{ from: "FORWARD" }] },
          ],
        };
        const r = await mgr.sync(bad);
        expect(r.rv).toBe(0);
        expect(r.exitCode).not.toBe(0);
        expect(await save()).toBe(before);
      });

      it("--test checks a payload without committing it", async () => {
        const before = await save();
        const r = await mgr.sync(
          { chains: [{ table: "filter", name: "DRYRUN", rules: [["-j", "ACCEPT"]], jumps: [{ from: "INPUT" }] }] },
          { test: true },
        );
        expect(r.rv).toBe(1);
        expect(r.argv).toContain("--test");
        expect(await save()).toBe(before);
      });

      it("state: absent removes the chains and every reference to them", async () => {
        await ns.execOk(w.bin(family, backend), ["-A", "FORWARD", "-j", "FWKIT"]);
        await ns.execOk(w.bin(family, backend), ["-A", "OTHER", "-j", "FWKIT"]);
        const r = await mgr.sync({
          chains: [
            { table: "filter", name: "FWKIT", state: "absent" },
            { table: "filter", name: "FWKIT2", state: "absent" },
          ],
        });
        expect(r.rv, r.err.join("\n")).toBe(1);
        const after = await save();
        expect(after).not.toMatch(/FWKIT/);
        expect(rulesOf(after, "INPUT")).toEqual(["-A INPUT -i lo -j ACCEPT"]);
        expect(rulesOf(after, "OTHER")).toEqual([`-A OTHER -s ${v6 ? `${host}/128` : `${host}/32`} -j DROP`]);
      });
    });
  },
);
