import type { ChainMgrResult, EnsureResult } from "@fwkit/iptables-chainmgr";
import { parseSave } from "@fwkit/iptables-parse";
import { describe, expect, it } from "vitest";
import type { AutoChainSpec } from "../src/auto-block-config.ts";
import { parseAutoChain } from "../src/auto-block-config.ts";
import { type BlockChainMgr, blockRulespecs, createIptablesBlocking } from "../src/iptables-blocking.ts";

const ok = (): ChainMgrResult => ({ rv: 1, out: [], err: [], exitCode: 0, timedOut: false });
const okE = (changed: boolean): EnsureResult => ({ ...ok(), changed });

function chains(...v: string[]): AutoChainSpec[] {
  return v.map((x) => {
    const r = parseAutoChain(x);
    if (!r.ok) throw r.error;
    return r.value;
  });
}
const DEFAULT = chains(
  "DROP, src, filter, INPUT, 1, PSAD_BLOCK_INPUT, 1",
  "DROP, dst, filter, OUTPUT, 1, PSAD_BLOCK_OUTPUT, 1",
  "DROP, both, filter, FORWARD, 1, PSAD_BLOCK_FORWARD, 1",
);

/** A recording fake ChainMgr: keeps the rules of each chain so -C / -D behave. */
function fakeMgr(name: string, log: string[], opts: { failRule?: string; noChains?: boolean } = {}): BlockChainMgr {
  const rules = new Map<string, string[]>();
  const has = (c: string) => rules.has(c);
  return {
    async ensureChain(table, chain) {
      log.push(`${name} ensureChain ${table} ${chain}`);
      const existed = has(chain);
      if (!existed) rules.set(chain, []);
      return okE(!existed);
    },
    async addJumpRule(table, from, pos, to) {
      log.push(`${name} addJumpRule ${table} ${from} ${pos} ${to}`);
      return ok();
    },
    async ensureRule(table, chain, spec, position = "append") {
      const text = spec.join(" ");
      log.push(`${name} ensureRule ${table} ${chain} ${position} ${text}`);
      if (opts.failRule && text.includes(opts.failRule)) return { ...okE(false), rv: 0, err: ["iptables: nope"] };
      const r = rules.get(chain) ?? [];
      if (r.includes(text)) return okE(false);
      r.push(text);
      rules.set(chain, r);
      return okE(true);
    },
    async deleteRuleIfExists(table, chain, spec) {
      const text = spec.join(" ");
      log.push(`${name} deleteRuleIfExists ${table} ${chain} ${text}`);
      const r = rules.get(chain) ?? [];
      const i = r.indexOf(text);
      if (i >= 0) r.splice(i, 1);
      return okE(i >= 0);
    },
    async chainExists(_table, chain) {
      if (opts.noChains || !has(chain)) return { ...ok(), rv: 0 };
      const r = rules.get(chain) ?? [];
      return {
        ...ok(),
        out: [`Chain ${chain} (1 references)`, " pkts bytes target", ...r.map((x) => `    0     0 ${x}`)],
      };
    },
    async flushChain(table, chain) {
      log.push(`${name} flushChain ${table} ${chain}`);
      rules.set(chain, []);
      return ok();
    },
    async deleteChain(table, from, chain) {
      log.push(`${name} deleteChain ${table} ${from} ${chain}`);
      rules.delete(chain);
      return ok();
    },
    async currentPolicy() {
      let text = "*filter\n:INPUT ACCEPT [0:0]\n";
      for (const [c, r] of rules) {
        text += `:${c} - [0:0]\n`;
        for (const x of r) text += `-A ${c} ${x}\n`;
      }
      return parseSave(`${text}COMMIT\n`);
    },
  };
}

describe("createIptablesBlocking (fake ChainMgr transcript)", () => {
  it("psad's rules: chains + jump rules first, -s for src, -d for dst, both for FORWARD; IPv6 through ip6tables", async () => {
    const log: string[] = [];
    const b = createIptablesBlocking({ chains: DEFAULT, ipv4: fakeMgr("v4", log), ipv6: fakeMgr("v6", log) });
    await b.block({ ip: "198.51.100.7", family: "ipv4", dl: 3, timeout: 60 });
    await b.block({ ip: "2001:0db8:0000:0000:0000:0000:0000:0007", family: "ipv6", dl: 3, timeout: 60 });
    expect(log).toEqual([
      "v4 ensureChain filter PSAD_BLOCK_INPUT",
      "v4 addJumpRule filter INPUT 1 PSAD_BLOCK_INPUT",
      "v4 ensureChain filter PSAD_BLOCK_OUTPUT",
      "v4 addJumpRule filter OUTPUT 1 PSAD_BLOCK_OUTPUT",
      "v4 ensureChain filter PSAD_BLOCK_FORWARD",
      "v4 addJumpRule filter FORWARD 1 PSAD_BLOCK_FORWARD",
      "v4 ensureRule filter PSAD_BLOCK_INPUT 1 -s 198.51.100.7 -j DROP",
      "v4 ensureRule filter PSAD_BLOCK_OUTPUT 1 -d 198.51.100.7 -j DROP",
      "v4 ensureRule filter PSAD_BLOCK_FORWARD 1 -s 198.51.100.7 -j DROP",
      "v4 ensureRule filter PSAD_BLOCK_FORWARD 1 -d 198.51.100.7 -j DROP",
      "v6 ensureChain filter PSAD_BLOCK_INPUT",
      "v6 addJumpRule filter INPUT 1 PSAD_BLOCK_INPUT",
      "v6 ensureChain filter PSAD_BLOCK_OUTPUT",
      "v6 addJumpRule filter OUTPUT 1 PSAD_BLOCK_OUTPUT",
      "v6 ensureChain filter PSAD_BLOCK_FORWARD",
      "v6 addJumpRule filter FORWARD 1 PSAD_BLOCK_FORWARD",
      "v6 ensureRule filter PSAD_BLOCK_INPUT 1 -s 2001:db8::7 -j DROP",
      "v6 ensureRule filter PSAD_BLOCK_OUTPUT 1 -d 2001:db8::7 -j DROP",
      "v6 ensureRule filter PSAD_BLOCK_FORWARD 1 -s 2001:db8::7 -j DROP",
      "v6 ensureRule filter PSAD_BLOCK_FORWARD 1 -d 2001:db8::7 -j DROP",
    ]);
    expect(await b.list()).toEqual([
      { ip: "198.51.100.7", since: 0 },
      { ip: "2001:db8::7", since: 0 },
    ]);
    expect(await b.listAuto({ enabled: false, configFile: "/etc/psad/psad.conf" })).toBe(
      "[+] Listing chains from IPT_AUTO_CHAIN keywords...\n" +
        "[-] NOTE: ENABLE_AUTO_IDS is currently disabled in /etc/psad/psad.conf\n\n" +
        "Chain PSAD_BLOCK_INPUT (1 references)\n pkts bytes target\n    0     0 -s 198.51.100.7 -j DROP\n\n" +
        "Chain PSAD_BLOCK_OUTPUT (1 references)\n pkts bytes target\n    0     0 -d 198.51.100.7 -j DROP\n\n" +
        "Chain PSAD_BLOCK_FORWARD (1 references)\n pkts bytes target\n    0     0 -s 198.51.100.7 -j DROP\n    0     0 -d 198.51.100.7 -j DROP\n\n" +
        "[+] ip6tables:\n\n" +
        "Chain PSAD_BLOCK_INPUT (1 references)\n pkts bytes target\n    0     0 -s 2001:db8::7 -j DROP\n\n" +
        "Chain PSAD_BLOCK_OUTPUT (1 references)\n pkts bytes target\n    0     0 -d 2001:db8::7 -j DROP\n\n" +
        "Chain PSAD_BLOCK_FORWARD (1 references)\n pkts bytes target\n    0     0 -s 2001:db8::7 -j DROP\n    0     0 -d 2001:db8::7 -j DROP\n\n",
    );
    log.length = 0;
    await b.unblock("198.51.100.7");
    expect(log).toEqual([
      "v4 deleteRuleIfExists filter PSAD_BLOCK_INPUT -s 198.51.100.7 -j DROP",
      "v4 deleteRuleIfExists filter PSAD_BLOCK_OUTPUT -d 198.51.100.7 -j DROP",
      "v4 deleteRuleIfExists filter PSAD_BLOCK_FORWARD -s 198.51.100.7 -j DROP",
      "v4 deleteRuleIfExists filter PSAD_BLOCK_FORWARD -d 198.51.100.7 -j DROP",
    ]);
    expect(await b.list()).toEqual([{ ip: "2001:db8::7", since: 0 }]);
    log.length = 0;
    await b.flush(true);
    expect(log).toEqual([
      "v4 deleteChain filter INPUT PSAD_BLOCK_INPUT",
      "v4 deleteChain filter OUTPUT PSAD_BLOCK_OUTPUT",
      "v4 deleteChain filter FORWARD PSAD_BLOCK_FORWARD",
      "v6 deleteChain filter INPUT PSAD_BLOCK_INPUT",
      "v6 deleteChain filter OUTPUT PSAD_BLOCK_OUTPUT",
      "v6 deleteChain filter FORWARD PSAD_BLOCK_FORWARD",
    ]);
  });

  it("IPTABLES_PREREQ_CHECK N re-checks chains every N blocks; --test-mode style adds no jump rules", async () => {
    const log: string[] = [];
    const spec = chains("DROP, src, filter, INPUT, 2, PSAD_BLOCK_INPUT, 1");
    const b = createIptablesBlocking({ chains: spec, ipv4: fakeMgr("v4", log), prereqCheck: 2, jumpRules: false });
    for (const ip of ["198.51.100.1", "198.51.100.2", "198.51.100.3"])
      await b.block({ ip, family: "ipv4", dl: 3, timeout: 0 });
    expect(log.filter((l) => l.includes("ensureChain")).length).toBe(2);
    expect(log.some((l) => l.includes("addJumpRule"))).toBe(false);
  });

  it("a rule position past the end falls back to append; failures are PSAD_BLOCK_FAILED; no ip6tables → PSAD_BLOCK_FAILED", async () => {
    const log: string[] = [];
    const spec = chains("DROP, src, filter, INPUT, 1, PSAD_BLOCK_INPUT, 5");
    const failing = fakeMgr("v4", log, { failRule: "198.51.100.9" });
    const b = createIptablesBlocking({ chains: spec, ipv4: failing });
    await expect(b.block({ ip: "198.51.100.9", family: "ipv4", dl: 3, timeout: 0 })).rejects.toMatchObject({
      code: "PSAD_BLOCK_FAILED",
    });
    expect(log.slice(-2)).toEqual([
      "v4 ensureRule filter PSAD_BLOCK_INPUT 5 -s 198.51.100.9 -j DROP",
      "v4 ensureRule filter PSAD_BLOCK_INPUT append -s 198.51.100.9 -j DROP",
    ]);
    await expect(b.block({ ip: "2001:db8::9", family: "ipv6", dl: 3, timeout: 0 })).rejects.toMatchObject({
      code: "PSAD_BLOCK_FAILED",
    });
    await expect(b.unblock("not an ip")).rejects.toMatchObject({ code: "PSAD_BLOCK_FAILED" });
  });

  it("blockRulespecs and unblock of an absent chain (nothing to do)", async () => {
    expect(blockRulespecs(DEFAULT[2] as AutoChainSpec, "192.0.2.0/24")).toEqual([
      ["-s", "192.0.2.0/24", "-j", "DROP"],
      ["-d", "192.0.2.0/24", "-j", "DROP"],
    ]);
    const log: string[] = [];
    const b = createIptablesBlocking({ chains: DEFAULT, ipv4: fakeMgr("v4", log, { noChains: true }) });
    await b.unblock("198.51.100.7");
    await b.flush(false);
    expect(log).toEqual([]);
    expect(await b.listAuto()).toBe(
      "[+] Listing chains from IPT_AUTO_CHAIN keywords...\n\n" +
        "[-] Table: filter, chain: PSAD_BLOCK_INPUT, does not exist\n" +
        "[-] Table: filter, chain: PSAD_BLOCK_OUTPUT, does not exist\n" +
        "[-] Table: filter, chain: PSAD_BLOCK_FORWARD, does not exist\n",
    );
  });
});
