/**
 * The spec §7.7 / §7.8 ChainMgr mutation transcript, as a script over a ChainMgr. Each step's commands (from the
 * executor log) and result are rendered in the spec's `CMD:` format, so the output can be compared with a golden
 * file recorded against real iptables 1.8.9.
 */
import type { ChainMgr, ChainMgrResult } from "../../src/index.ts";
import type { Recorded } from "./exec-record.ts";

/** Test data of upstream's t/basic_tests.pl (spec §6.3). */
export const DATA = {
  ipv4: { src: "10.1.2.3/24", dst: "192.168.1.2", any: "0.0.0.0/0" },
  ipv6: { src: "fe80::200:f8ff:fe21:67cf", dst: "0000:0000:00AA:0000:0000:AA00:0000:0001/64", any: "::/0" },
} as const;

export const MAC = "ff:ff:ff:c6:33:58";
export const ODD_CHAIN = "SC~!@#^%&$*-[]+={}-test";

/** argv as text: items with blanks or quotes JSON-quoted, so the golden shows exactly what each argv item was. */
export function argvText(argv: readonly string[]): string {
  return argv.map((a) => (a === "" || /[\s"'\\]/.test(a) ? JSON.stringify(a) : a)).join(" ");
}

function show(r: ChainMgrResult | [number, number] | unknown): string {
  if (Array.isArray(r)) return `(${r.join(", ")})`;
  const x = r as ChainMgrResult;
  const code = x.code ? ` code=${x.code}` : "";
  return `rv=${x.rv} out=${JSON.stringify(x.out)} err=${JSON.stringify(x.err)}${code}`;
}

/**
 * Run the transcript. `log` is the executor's log (commands are attributed to the step that ran them).
 * `rename` rewrites binary paths for stable output.
 */
export async function runTranscript(
  mgr: ChainMgr,
  log: readonly Recorded[],
  rename: (file: string) => string = (f) => f,
): Promise<string> {
  const fam = mgr.ipv6 ? DATA.ipv6 : DATA.ipv4;
  const { src: S, dst: D, any: ANY } = fam;
  const lines: string[] = [];
  let seen = log.length;
  const step = async (label: string, fn: () => Promise<unknown>) => {
    let text: string;
    try {
      text = show(await fn());
    } catch (e) {
      const err = e as { code?: string; message?: string };
      text = `THROW ${err.code ?? "?"}: ${err.message ?? String(e)}`;
    }
    for (const rec of log.slice(seen)) {
      lines.push(`    CMD: ${argvText([rename(rec.file), ...rec.args])}`);
    }
    seen = log.length;
    lines.push(`${label} => ${text}`);
  };
  const T = "filter";
  const C = "CHAINMGR";
  await step("chainExists(filter,CHAINMGR) [absent]", () => mgr.chainExists(T, C));
  await step("createChain(filter,CHAINMGR)", () => mgr.createChain(T, C));
  await step("createChain(filter,CHAINMGR) [again]", () => mgr.createChain(T, C));
  await step("chainExists(filter,CHAINMGR)", () => mgr.chainExists(T, C));
  await step("addIpRule(S,D,1000,filter,CHAINMGR,ACCEPT,{})", () => mgr.addIpRule(S, D, 1000, T, C, "ACCEPT", {}));
  await step("addIpRule(S,D,1000,...,ACCEPT,{}) [again]", () => mgr.addIpRule(S, D, 1000, T, C, "ACCEPT", {}));
  await step("addIpRule(S,D,0,...,LOG,{})", () => mgr.addIpRule(S, D, 0, T, C, "LOG", {}));
  await step("appendIpRule(S,D,...,RETURN,{})", () => mgr.appendIpRule(S, D, T, C, "RETURN", {}));
  const tcp80 = { protocol: "tcp", s_port: 0, d_port: 80 };
  await step("addIpRule(S,D,1000,...,ACCEPT,{protocol:tcp,s_port:0,d_port:80})", () =>
    mgr.addIpRule(S, D, 1000, T, C, "ACCEPT", tcp80),
  );
  await step("  [again: found now, Perl inserted a duplicate]", () => mgr.addIpRule(S, D, 1000, T, C, "ACCEPT", tcp80));
  const st = { protocol: "tcp", d_port: 80, state: "ESTABLISHED,RELATED" };
  await step("addIpRule(...,{protocol:tcp,d_port:80,state:ESTABLISHED,RELATED})", () =>
    mgr.addIpRule(S, D, 1000, T, C, "ACCEPT", st),
  );
  await step("  [again]", () => mgr.addIpRule(S, D, 1000, T, C, "ACCEPT", st));
  await step("addIpRule(any,any,...,{mac_source})", () =>
    mgr.addIpRule(ANY, ANY, 1000, T, C, "ACCEPT", { mac_source: MAC }),
  );
  await step("  [again]", () => mgr.addIpRule(ANY, ANY, 1000, T, C, "ACCEPT", { mac_source: MAC.toUpperCase() }));
  await step("addIpRule(...,DROP,{protocol:tcp,d_port:80,comment,string})", () =>
    mgr.addIpRule(S, D, 1000, T, C, "DROP", {
      protocol: "tcp",
      d_port: 80,
      comment: "test comment",
      string: "search str",
    }),
  );
  await step("findIpRule(...,DROP,{string,comment,normalize})", () =>
    mgr.findIpRule(S, D, T, C, "DROP", { string: "search str", comment: "test comment", normalize: 1 }),
  );
  await step("addIpRule(...,{protocol:udp,s_port:1024,d_port:53,length:10:100})", () =>
    mgr.addIpRule(S, D, 1000, T, C, "ACCEPT", { protocol: "udp", s_port: 1024, d_port: 53, length: "10:100" }),
  );
  await step("findIpRule(...,{protocol:udp,s_port:1024,normalize}) [--sport was emitted]", () =>
    mgr.findIpRule(S, D, T, C, "ACCEPT", { protocol: "udp", s_port: 1024, normalize: 1 }),
  );
  await step("addIpRule(...,{protocol:udp,sport:1024,dport:53}) [Perl semantics: the length rule matches]", () =>
    mgr.addIpRule(S, D, 1000, T, C, "ACCEPT", { protocol: "udp", sport: 1024, dport: 53 }),
  );
  await step("addIpRule(S,D,2,...,DROP,{intf_in:eth0})", () =>
    mgr.addIpRule(S, D, 2, T, C, "DROP", { intf_in: "eth0" }),
  );
  await step("addIpRule(...,{mark:0x1})", () => mgr.addIpRule(S, D, 1000, T, C, "ACCEPT", { mark: "0x1" } as never));
  await step("addJumpRule(filter,INPUT,1,CHAINMGR)", () => mgr.addJumpRule(T, "INPUT", 1, C));
  await step("addJumpRule(filter,INPUT,1,CHAINMGR) [again]", () => mgr.addJumpRule(T, "INPUT", 1, C));
  await step("addJumpRule(filter,INPUT,50,OTHER) [OTHER absent]", () => mgr.addJumpRule(T, "INPUT", 50, "OTHER"));
  await step("addJumpRule(filter,INPUT,1,INPUT)", () => mgr.addJumpRule(T, "INPUT", 1, "INPUT"));
  await step("findIpRule(any,any,filter,INPUT,CHAINMGR,{})", () => mgr.findIpRule(ANY, ANY, T, "INPUT", C, {}));
  await step("deleteIpRule(S,D,filter,CHAINMGR,RETURN,{})", () => mgr.deleteIpRule(S, D, T, C, "RETURN", {}));
  await step("deleteIpRule(S,D,filter,CHAINMGR,RETURN,{}) [again]", () => mgr.deleteIpRule(S, D, T, C, "RETURN", {}));
  await step("deleteIpRule(S,D,...,ACCEPT,{protocol:tcp,d_port:80,state}) ", () =>
    mgr.deleteIpRule(S, D, T, C, "ACCEPT", st),
  );
  await step("policy(filter) after adds", async () => {
    const p = await mgr.parseObj.policy(T);
    const chains = p.tables.find((t) => t.name === T)?.chains ?? [];
    return {
      rv: 1,
      out: chains.flatMap((c) => c.rules.map((r) => `-A ${c.name} ${r.details.rulespec ?? r.raw}`)),
      err: [],
    };
  });
  await step("setChainPolicy(filter,CHAINMGR,DROP)", () => mgr.setChainPolicy(T, C, "DROP"));
  await step("setChainPolicy(filter,FORWARD,DROP)", () => mgr.setChainPolicy(T, "FORWARD", "DROP"));
  await step("flushChain(filter,CHAINMGR)", () => mgr.flushChain(T, C));
  await step("addJumpRule(filter,FORWARD,1,CHAINMGR) [second reference]", () => mgr.addJumpRule(T, "FORWARD", 1, C));
  await step("deleteChain(filter,INPUT,CHAINMGR) [removes every reference]", () => mgr.deleteChain(T, "INPUT", C));
  await step("deleteChain(filter,INPUT,CHAINMGR) [again]", () => mgr.deleteChain(T, "INPUT", C));
  await step(`createChain(filter,'${ODD_CHAIN}')`, () => mgr.createChain(T, ODD_CHAIN));
  await step(`chainExists(filter,'${ODD_CHAIN}')`, () => mgr.chainExists(T, ODD_CHAIN));
  await step(`addJumpRule(filter,INPUT,1,'${ODD_CHAIN}')`, () => mgr.addJumpRule(T, "INPUT", 1, ODD_CHAIN));
  await step(`deleteChain(filter,INPUT,'${ODD_CHAIN}')`, () => mgr.deleteChain(T, "INPUT", ODD_CHAIN));
  await step("runIptCmd('<bin> -t filter -L NOPE')", () => mgr.runIptCmd(`${mgr.iptables} -t filter -L NOPE`));
  await step("runIptCmd('echo hi')", () => mgr.runIptCmd("echo hi"));
  await step("setChainPolicy(filter,FORWARD,ACCEPT)", () => mgr.setChainPolicy(T, "FORWARD", "ACCEPT"));
  return `${lines.join("\n")}\n`;
}
