import { describe, expect, it } from "vitest";
import { ChainMgr, type ManagedChains } from "../src/index.ts";
import { type Recorded, scriptedExecutor } from "./support/exec-record.ts";
import { IptablesParse } from "./support/ipt.ts";

const VERSION = { stdout: "iptables v1.8.9 (nf_tables)\n" };

async function mgrWith(
  answer: (
    argv: string[],
    input?: string,
  ) => { stdout?: string; stderr?: string; exitCode?: number | null; timedOut?: boolean } | undefined,
  opts: { ipv6?: boolean; firewall?: boolean } = {},
) {
  const log: Recorded[] = [];
  const parse = await IptablesParse.create({
    ...(opts.firewall
      ? { firewallCmd: "/usr/bin/firewall-cmd" }
      : { iptables: opts.ipv6 ? "/usr/sbin/ip6tables" : "/usr/sbin/iptables", useIpv6: Boolean(opts.ipv6) }),
    pathAccess: () => "executable",
    executor: scriptedExecutor((argv, input) => (argv[1] === "--version" ? VERSION : answer(argv, input)), log),
  });
  return {
    mgr: new ChainMgr(parse),
    log,
    cmds: () => log.filter((r) => r.args[0] !== "--version").map((r) => [r.file, ...r.args].join(" ")),
  };
}

async function thrown(p: Promise<unknown> | (() => unknown)): Promise<{ code?: string; message: string }> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    return { code: (e as { code?: string }).code, message: (e as Error).message };
  }
  throw new Error("expected a throw");
}

describe("ChainMgr (fake executor)", () => {
  it("exposes Perl's read-only fields", async () => {
    const { mgr } = await mgrWith(() => undefined);
    expect(mgr.cmd).toEqual(["/usr/sbin/iptables", "-w", "30"]);
    expect([mgr.iptBinName, mgr.ipv6, mgr.iptables, mgr.firewallCmd, mgr.lockWait]).toEqual([
      "iptables",
      false,
      "/usr/sbin/iptables",
      "",
      30,
    ]);
    expect(mgr.parseObj).toBeInstanceOf(IptablesParse);
  });

  it.each([
    ["chainExists", (m: ChainMgr) => m.chainExists("", "X"), '[*] Must specify a table, e.g. "filter".'],
    ["chainExists", (m: ChainMgr) => m.chainExists("filter", ""), "[*] Must specify a chain to check."],
    ["createChain", (m: ChainMgr) => m.createChain("filter", ""), "[*] Must specify a chain to create."],
    ["flushChain", (m: ChainMgr) => m.flushChain("filter", ""), "[*] Must specify a chain."],
    [
      "deleteChain",
      (m: ChainMgr) => m.deleteChain("filter", "", "X"),
      "[*] Must specify a chain from which packets were jumped to this chain",
    ],
    ["deleteChain", (m: ChainMgr) => m.deleteChain("filter", "INPUT", ""), "[*] Must specify a chain to delete."],
    [
      "setChainPolicy",
      (m: ChainMgr) => m.setChainPolicy("filter", "INPUT", ""),
      '[-] Must specify iptables target, e.g. "DROP"',
    ],
    [
      "addIpRule",
      (m: ChainMgr) => m.addIpRule("", "1.2.3.4", 1, "filter", "X", "DROP"),
      "[-] Must specify a src address/network.",
    ],
    [
      "addIpRule",
      (m: ChainMgr) => m.addIpRule("1.2.3.4", "", 1, "filter", "X", "DROP"),
      "[-] Must specify a dst address/network.",
    ],
    [
      "addIpRule",
      (m: ChainMgr) => m.addIpRule("1.2.3.4", "1.2.3.4", -2, "filter", "X", "DROP"),
      "[-] Must specify insert rule number, or -1 for append.",
    ],
    [
      "addIpRule",
      (m: ChainMgr) => m.addIpRule("1.2.3.4", "1.2.3.4", 1, "", "X", "DROP"),
      '[-] Must specify a table, e.g. "filter".',
    ],
    [
      "appendIpRule",
      (m: ChainMgr) => m.appendIpRule("1.2.3.4", "1.2.3.4", "filter", "", "DROP"),
      "[-] Must specify a chain.",
    ],
    [
      "deleteIpRule",
      (m: ChainMgr) => m.deleteIpRule("1.2.3.4", "1.2.3.4", "filter", "X", ""),
      '[-] Must specify iptables target, e.g. "DROP"',
    ],
    ["findIpRule", (m: ChainMgr) => m.findIpRule("", "x", "filter", "X", "DROP"), "[*] Must specify source address."],
    [
      "findIpRule",
      (m: ChainMgr) => m.findIpRule("x", "", "filter", "X", "DROP"),
      "[*] Must specify destination address.",
    ],
    ["findIpRule", (m: ChainMgr) => m.findIpRule("x", "y", "", "X", "DROP"), "[*] Must specify iptables table."],
    ["findIpRule", (m: ChainMgr) => m.findIpRule("x", "y", "filter", "", "DROP"), "[*] Must specify iptables chain."],
    [
      "findIpRule",
      (m: ChainMgr) => m.findIpRule("x", "y", "filter", "X", ""),
      "[*] Must specify iptables target (this may be a chain).",
    ],
    ["addJumpRule", (m: ChainMgr) => m.addJumpRule("filter", "", 1, "X"), "[-] Must specify chain to jump from."],
    ["addJumpRule", (m: ChainMgr) => m.addJumpRule("filter", "INPUT", 1, ""), "[-] Must specify chain to jump to."],
    ["runIptCmd", (m: ChainMgr) => m.runIptCmd(""), "[*] Must specify iptables command to run."],
  ])(
    "%s croaks with Perl's text (code CHAINMGR_MISSING_ARGUMENT / _BAD_POSITION) before running anything",
    async (_n, call, msg) => {
      const { mgr, cmds } = await mgrWith(() => undefined);
      const e = await thrown(call(mgr));
      expect(e.message).toBe(msg);
      expect(["CHAINMGR_MISSING_ARGUMENT", "CHAINMGR_BAD_POSITION"]).toContain(e.code);
      expect(cmds()).toEqual([]);
    },
  );

  it("validates table/chain/target names before any exec", async () => {
    const { mgr, cmds } = await mgrWith(() => undefined);
    expect((await thrown(mgr.flushChain("filter; rm -rf /", "X"))).code).toBe("CHAINMGR_INVALID_NAME");
    expect((await thrown(mgr.createChain("filter", "-X"))).code).toBe("CHAINMGR_INVALID_NAME");
    expect((await thrown(mgr.setChainPolicy("filter", "INPUT", "DROP ACCEPT"))).code).toBe("CHAINMGR_INVALID_NAME");
    expect((await thrown(mgr.addIpRule("1.2.3.4", "1.2.3.4", 1, "filter", "a".repeat(29), "DROP"))).code).toBe(
      "CHAINMGR_INVALID_NAME",
    );
    expect((await thrown(mgr.ensureRule("filter", "X", ["-j", "DROP\n"]))).code).toBe("CHAINMGR_BAD_RULESPEC");
    expect(cmds()).toEqual([]);
  });

  it("addJumpRule: rulenum 0 means position 1 (Perl croaked on 0)", async () => {
    const { mgr, cmds } = await mgrWith(() => undefined);
    const r = await mgr.addJumpRule("filter", "INPUT", 0, "FWKIT");
    expect(r.rv).toBe(1);
    expect(cmds().at(-1)).toBe("/usr/sbin/iptables -w 30 -t filter -I INPUT 1 -j FWKIT");
  });

  it("exists() maps the exit status of iptables -C; other failures throw CHAINMGR_CHECK_FAILED", async () => {
    const { mgr, cmds } = await mgrWith((argv) => {
      const s = argv.join(" ");
      if (s.includes("PRESENT")) return { exitCode: 0 };
      if (s.includes("ABSENT"))
        return { exitCode: 1, stderr: "iptables: Bad rule (does a matching rule exist in that chain?).\n" };
      return { exitCode: 2, stderr: "iptables v1.8.9 (nf_tables): Chain 'NOPE' does not exist\n" };
    });
    expect(await mgr.exists("filter", "INPUT", ["-m", "comment", "--comment", "PRESENT", "-j", "ACCEPT"])).toBe(true);
    expect(await mgr.exists("filter", "INPUT", ["-m", "comment", "--comment", "ABSENT", "-j", "ACCEPT"])).toBe(false);
    const e = await thrown(mgr.exists("filter", "INPUT", ["-j", "NOPE"]));
    expect(e.code).toBe("CHAINMGR_CHECK_FAILED");
    expect(cmds()[0]).toBe("/usr/sbin/iptables -w 30 -t filter -C INPUT -m comment --comment PRESENT -j ACCEPT");
  });

  it("ensureChain / ensureRule / deleteRuleIfExists report whether anything changed", async () => {
    const have = new Set<string>();
    const { mgr, cmds } = await mgrWith((argv) => {
      const [, , , , , op, chain, ...rest] = argv; // bin -w 30 -t filter OP CHAIN ...
      const key = `${chain} ${rest.join(" ")}`;
      if (op === "-N" && have.has(chain as string)) return { exitCode: 1, stderr: "iptables: Chain already exists.\n" };
      if (op === "-N") have.add(chain as string);
      if (op === "-C" && !have.has(key))
        return { exitCode: 1, stderr: "iptables: Bad rule (does a matching rule exist in that chain?).\n" };
      if (op === "-A") have.add(key);
      if (op === "-I") have.add(`${chain} ${rest.slice(1).join(" ")}`);
      if (op === "-D") have.delete(key);
      return {};
    });
    expect((await mgr.ensureChain("filter", "F")).changed).toBe(true);
    expect(await mgr.ensureChain("filter", "F")).toMatchObject({ rv: 1, changed: false, code: "IPT_CHAIN_EXISTS" });
    expect((await mgr.ensureRule("filter", "F", ["-j", "DROP"], 1)).changed).toBe(true);
    expect((await mgr.ensureRule("filter", "F", ["-j", "DROP"])).changed).toBe(false);
    expect((await mgr.deleteRuleIfExists("filter", "F", ["-j", "DROP"])).changed).toBe(true);
    expect((await mgr.deleteRuleIfExists("filter", "F", ["-j", "DROP"])).changed).toBe(false);
    expect(cmds()).toEqual([
      "/usr/sbin/iptables -w 30 -t filter -N F",
      "/usr/sbin/iptables -w 30 -t filter -N F",
      "/usr/sbin/iptables -w 30 -t filter -C F -j DROP",
      "/usr/sbin/iptables -w 30 -t filter -I F 1 -j DROP",
      "/usr/sbin/iptables -w 30 -t filter -C F -j DROP",
      "/usr/sbin/iptables -w 30 -t filter -C F -j DROP",
      "/usr/sbin/iptables -w 30 -t filter -D F -j DROP",
      "/usr/sbin/iptables -w 30 -t filter -C F -j DROP",
    ]);
    expect((await thrown(mgr.ensureRule("filter", "F", ["-j", "DROP"], 0))).code).toBe("CHAINMGR_BAD_POSITION");
  });

  const desired: ManagedChains = {
    chains: [{ table: "filter", name: "FWKIT", rules: [["-j", "DROP"]], jumps: [{ from: "INPUT" }] }],
  };

  it("sync(): reads iptables-save per table, then one ip6tables-restore --noflush --wait with the payload on stdin", async () => {
    const save =
      "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n[0:0] -A INPUT -i lo -j ACCEPT\nCOMMIT\n";
    const { mgr, log } = await mgrWith((argv) => (argv[0]?.endsWith("-save") ? { stdout: save } : {}), { ipv6: true });
    const r = await mgr.sync(desired);
    expect(r.rv).toBe(1);
    const runs = log.filter((x) => x.args[0] !== "--version");
    expect(runs.map((x) => [x.file, ...x.args].join(" "))).toEqual([
      "/usr/sbin/ip6tables-save -c -t filter",
      "/usr/sbin/ip6tables-restore --noflush --wait 30",
    ]);
    expect(runs[1]?.input).toBe("*filter\n:FWKIT - [0:0]\n-A FWKIT -j DROP\n-I INPUT 1 -j FWKIT\nCOMMIT\n");
  });

  it("apply(): an empty plan runs nothing; --test is passed through; a failing restore is rv 0 with its stderr", async () => {
    const { mgr, cmds } = await mgrWith((argv) =>
      argv[0]?.endsWith("-restore") ? { exitCode: 1, stderr: "iptables-restore: line 3 failed\n" } : undefined,
    );
    expect(await mgr.apply({ family: "ipv4", tables: [], managed: [] })).toMatchObject({ rv: 1, out: [], err: [] });
    expect(cmds()).toEqual([]);
    const p = {
      family: "ipv4" as const,
      tables: [{ table: "filter", ops: [{ op: "declare" as const, chain: "X" }] }],
      managed: ["filter/X"],
    };
    const r = await mgr.apply(p, { test: true });
    expect(r).toMatchObject({ rv: 0, exitCode: 1, err: ["iptables-restore: line 3 failed"] });
    expect(cmds()).toEqual(["/usr/sbin/iptables-restore --noflush --wait 30 --test"]);
  });

  it("apply() refuses firewalld mode (no restore passthrough)", async () => {
    const { mgr } = await mgrWith(() => ({ stdout: "" }), { firewall: true });
    const p = {
      family: "ipv4" as const,
      tables: [{ table: "filter", ops: [{ op: "declare" as const, chain: "X" }] }],
      managed: [],
    };
    const e = await thrown(mgr.apply(p));
    expect(e.code).toBe("CHAINMGR_NOT_CONFIGURED");
  });

  it("normalizeNet / buildIptMatches methods delegate to the pure functions", async () => {
    const { mgr } = await mgrWith(() => undefined);
    expect(mgr.normalizeNet("10.1.2.3/24")).toBe("10.1.2.0/24");
    expect(mgr.buildIptMatches({ protocol: "tcp" }, "1.2.3.4", "").args).toEqual(["-s", "1.2.3.4", "-p", "tcp"]);
    expect((await thrown(() => mgr.normalizeNet(""))).code).toBe("CHAINMGR_MISSING_ARGUMENT");
  });
});

describe("parseCapabilities (Perl print_parse_capabilities, returned instead of printed)", () => {
  it("lists the 21 keys with their iptables match options", async () => {
    const parse = await IptablesParse.create({ skipIptExecCheck: true });
    const lines = new ChainMgr(parse).parseCapabilities();
    expect(lines[0]).toBe("[+] IPTables::Parse regular options:");
    expect(lines).toContain("[+] IPTables::Parse extended options:");
    expect(lines.filter((l) => /^ {4}\S/.test(l))).toHaveLength(21);
    expect(lines).toContain("      ipt_match: -m conntrack --ctstate <val>");
    expect(lines).toContain("      ipt_match: -p <val>");
  });
});

describe("ChainMgr.create (Perl new)", () => {
  it("passes every IPTables::Parse option through and probes the binary once", async () => {
    const log: Recorded[] = [];
    const mgr = await ChainMgr.create({
      iptables: "/usr/sbin/ip6tables",
      useIpv6: true,
      lockWait: 7,
      pathAccess: () => "executable",
      executor: scriptedExecutor(
        (argv) => (argv[1] === "--version" ? { stdout: "ip6tables v1.8.9 (legacy)\n" } : {}),
        log,
      ),
    });
    expect([mgr.ipv6, mgr.iptBinName, mgr.lockWait]).toEqual([true, "ip6tables", 7]);
    expect(mgr.cmd).toEqual(["/usr/sbin/ip6tables", "-w", "7"]);
    expect(log.map((r) => r.args)).toEqual([["--version"]]);
  });

  it("propagates the parser's constructor errors (Perl croaks)", async () => {
    const e = await thrown(ChainMgr.create({ iptables: "/nonexistent/iptables", pathAccess: () => "missing" }));
    expect(e).toEqual({ code: "IPT_BINARY_NOT_FOUND", message: "[*] /nonexistent/iptables incorrect path." });
  });
});

describe("serialisation per instance", () => {
  it("concurrent addIpRule calls for the same rule insert it once (list-then-insert never interleaves)", async () => {
    const rules: string[] = [];
    const pad = (s: string, n: number) => s.padEnd(n);
    const { mgr, cmds } = await mgrWith((argv) => {
      const a = argv.slice(3); // after `bin -w 30`
      if (a.includes("-L")) {
        const body = rules.map(
          (r, i) =>
            `${pad(String(i + 1), 4)}     0     0 ${pad(r.split(" ")[2] as string, 10)} 0    --  *      *       ${pad(r.split(" ")[0] as string, 20)} ${r.split(" ")[1]}`,
        );
        return {
          stdout: `Chain FW (0 references)\nnum   pkts bytes target     prot opt in     out     source               destination\n${body.join("\n")}\n`,
        };
      }
      const s = a[a.indexOf("-s") + 1];
      const d = a[a.indexOf("-d") + 1];
      const j = a[a.indexOf("-j") + 1];
      rules.push(`${s} ${d} ${j}`);
      return {};
    });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => mgr.addIpRule("10.1.2.3/24", "192.168.1.2", 1, "filter", "FW", "ACCEPT")),
    );
    expect(rules).toEqual(["10.1.2.0/24 192.168.1.2 ACCEPT"]);
    expect(results.map((r) => r.out[0])).toEqual([
      "Table: filter, chain: FW, added 10.1.2.0/24 -> 192.168.1.2",
      ...Array(4).fill("Table: filter, chain: FW, 10.1.2.0/24 -> 192.168.1.2 rule already exists."),
    ]);
    expect(cmds().filter((c) => c.includes(" -I "))).toHaveLength(1);
  });
});

describe("deleteChain: absent vs. failed listing", () => {
  it("absent chain → rv 1 with iptables' message (Perl); a timed-out listing → rv 0 and nothing else runs", async () => {
    const absent = await mgrWith(() => ({ exitCode: 1, stderr: "iptables: No chain/target/match by that name.\n" }));
    expect(await absent.mgr.deleteChain("filter", "INPUT", "GONE")).toMatchObject({
      rv: 1,
      err: ["iptables: No chain/target/match by that name."],
      code: "IPT_CHAIN_NOT_FOUND",
    });
    const slow = await mgrWith(() => ({ exitCode: null, timedOut: true }));
    const r = await slow.mgr.deleteChain("filter", "INPUT", "BUSY");
    expect([r.rv, r.timedOut, r.code]).toEqual([0, true, "IPT_TIMEOUT"]);
    expect(slow.cmds()).toEqual(["/usr/sbin/iptables -w 30 -t filter -v -n -L BUSY"]);
  });
});
