/**
 * Spec finding #8: in a namespace where legacy tables also exist, every iptables-nft listing prints
 * `# Warning: iptables-legacy tables present, use iptables-legacy to see them` on stderr. Perl treats any stderr as
 * failure, so chain_exists(filter, INPUT) is 0 and create_chain(filter, INPUT) fails with "Chain already exists".
 * The port judges by exit status and knows the warning is harmless.
 */
import { execFileSync } from "node:child_process";
import { createNetns, missingFor, type Netns, skipWithReason } from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainMgr } from "../src/index.ts";
import { IptablesParse } from "./support/ipt.ts";
import { makeWrappers, type Wrappers } from "./support/netns-ipt.ts";

const reason = missingFor(["iptables-nft", "iptables-legacy"]);
const hasPerl = (() => {
  try {
    execFileSync("perl", ["-MIPTables::ChainMgr", "-e", "1"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(skipWithReason("chainmgr mixed nft/legacy namespace", reason))(
  "legacy tables present next to nf_tables",
  () => {
    let ns: Netns;
    let w: Wrappers;
    beforeAll(async () => {
      ns = await createNetns("cmmix");
      w = makeWrappers(ns);
      await ns.execOk("/usr/sbin/iptables-legacy", ["-N", "LEGACYCHAIN"]);
    });
    afterAll(async () => {
      await ns?.destroy();
      w?.cleanup();
    });

    it("chainExists/createChain/addIpRule work despite the warning (Perl: rv 0, 'Chain already exists')", async () => {
      const mgr = new ChainMgr(await IptablesParse.create({ iptables: w.bin("ipv4", "nft") }));
      const ex = await mgr.chainExists("filter", "INPUT");
      expect(ex.rv).toBe(1);
      expect(ex.err).toEqual(["# Warning: iptables-legacy tables present, use iptables-legacy to see them"]);
      const cr = await mgr.createChain("filter", "INPUT");
      expect(cr.rv).toBe(1);
      expect(cr.argv).not.toContain("-N");
      expect((await mgr.createChain("filter", "FWKIT")).rv).toBe(1);
      const add = await mgr.addIpRule("10.1.2.3/24", "192.168.1.2", 1, "filter", "FWKIT", "ACCEPT");
      expect(add.out).toEqual(["Table: filter, chain: FWKIT, added 10.1.2.0/24 -> 192.168.1.2"]);
      const again = await mgr.addIpRule("10.1.2.3/24", "192.168.1.2", 1, "filter", "FWKIT", "ACCEPT");
      expect(again.out).toEqual(["Table: filter, chain: FWKIT, 10.1.2.0/24 -> 192.168.1.2 rule already exists."]);
    });

    it.skipIf(!hasPerl)(
      "Perl IPTables::ChainMgr in the same namespace reports the failure the port fixes",
      async () => {
        const script = `use IPTables::ChainMgr;
my $m = IPTables::ChainMgr->new(iptables => '/usr/sbin/iptables-nft');
my ($rv, $o, $e) = $m->chain_exists('filter', 'INPUT'); print "exists=$rv\\n";
($rv, $o, $e) = $m->create_chain('filter', 'INPUT'); print "create=$rv @$e";`;
        const r = await ns.exec("perl", ["-e", script]);
        expect(r.stdout).toBe("exists=0\ncreate=0 iptables: Chain already exists.\n");
      },
    );
  },
);
