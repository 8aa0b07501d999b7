import type { ChainMgr, ChainMgrResult } from "@fwkit/iptables-chainmgr";
import { findChain } from "@fwkit/iptables-parse";
import type { AutoChainSpec } from "./auto-block-config.ts";
import { normalizeBlockTarget } from "./block-state.ts";
import type { BlockingBackend, BlockRequest } from "./blocking.ts";
import { PsadError } from "./errors.ts";

/** The ChainMgr methods the iptables backend uses (a real `ChainMgr`, or a recording fake in tests). */
export type BlockChainMgr = Pick<
  ChainMgr,
  "ensureChain" | "addJumpRule" | "ensureRule" | "deleteRuleIfExists" | "chainExists" | "flushChain" | "deleteChain"
> &
  Partial<Pick<ChainMgr, "currentPolicy">>;

/** Options of {@link createIptablesBlocking}. */
export interface IptablesBlockingOptions {
  /** IPT_AUTO_CHAIN<n> specs (`AutoBlockConfig.chains`). */
  chains: readonly AutoChainSpec[];
  /** ChainMgr over iptables (IPv4 blocks). */
  ipv4?: BlockChainMgr;
  /** ChainMgr over ip6tables (IPv6 blocks; psad never blocked IPv6). */
  ipv6?: BlockChainMgr;
  /** Add the jump rules from the built-in chains (default true; psad's `--test-mode` adds none). */
  jumpRules?: boolean;
  /** IPTABLES_PREREQ_CHECK: ensure chains + jump rules before every block (1) or every N blocks. */
  prereqCheck?: number;
}

/** The iptables/ip6tables auto-blocking backend (PSAD_BLOCK_INPUT/OUTPUT/FORWARD through iptables-chainmgr). */
export interface IptablesBlocking extends BlockingBackend {
  /** Flush the PSAD_BLOCK chains of both families; `deleteChains` also deletes them and every jump to them. */
  flush(deleteChains: boolean): Promise<void>;
  /** Create the chains and jump rules now (otherwise done before the first block). */
  ensurePrereqs(family: "ipv4" | "ipv6"): Promise<void>;
  /**
   * psad `--fw-list-auto` / `--List`: "Listing chains from IPT_AUTO_CHAIN keywords..." then each chain's
   * `-t T -v -n -L C` listing (or "[-] Table: T, chain: C, does not exist"); ip6tables chains follow when configured.
   */
  listAuto(opts?: { enabled?: boolean; configFile?: string }): Promise<string>;
}

/** Rulespecs psad adds for one address in one IPT_AUTO_CHAIN (`both` = one `-s` and one `-d` rule). */
export function blockRulespecs(spec: AutoChainSpec, ip: string): string[][] {
  const src = ["-s", ip, "-j", spec.target];
  const dst = ["-d", ip, "-j", spec.target];
  return spec.direction === "src" ? [src] : spec.direction === "dst" ? [dst] : [src, dst];
}

function fail(what: string, r: ChainMgrResult | undefined, cause?: unknown): PsadError {
  return new PsadError(
    "PSAD_BLOCK_FAILED",
    `${what}${r ? `: ${[...r.err, ...r.out].join(" ").trim() || `exit ${r.exitCode}`}` : ""}`,
    r ? { argv: r.argv, exitCode: r.exitCode, code: r.code, stderr: r.err } : {},
    cause === undefined ? undefined : { cause },
  );
}

/**
 * The iptables blocking backend psad uses (IPTABLES_BLOCK_METHOD), over `@fwkit/iptables-chainmgr`: for each
 * IPT_AUTO_CHAIN the chain is created (`ensureChain`) and jumped to from its built-in chain at the configured
 * position (`addJumpRule`, idempotent), then `-s IP -j DROP` / `-d IP -j DROP` rules are inserted at the rule
 * position (`ensureRule`, `iptables -C` first, so never duplicated) and removed with `deleteRuleIfExists`.
 * IPv4 through `ipv4`, IPv6 through `ipv6`. Failures throw PsadError PSAD_BLOCK_FAILED (details: argv, stderr).
 * @param opts - chains, the two ChainMgr instances, jump rules, prereq check interval
 * @returns the backend
 * @example
 * const backend = createIptablesBlocking({
 *   chains: autoBlock.chains,
 *   ipv4: await ChainMgr.create({ iptables: "/usr/sbin/iptables" }),
 *   ipv6: await ChainMgr.create({ iptables: "/usr/sbin/ip6tables", useIpv6: true }),
 * });
 */
export function createIptablesBlocking(opts: IptablesBlockingOptions): IptablesBlocking {
  const jumpRules = opts.jumpRules ?? true;
  const every = Math.max(1, opts.prereqCheck ?? 1);
  const counter = { ipv4: 0, ipv6: 0 };
  const mgrFor = (family: "ipv4" | "ipv6"): BlockChainMgr => {
    const m = family === "ipv4" ? opts.ipv4 : opts.ipv6;
    if (!m) throw new PsadError("PSAD_BLOCK_FAILED", `no ${family === "ipv4" ? "iptables" : "ip6tables"} backend`);
    return m;
  };

  async function ensurePrereqs(family: "ipv4" | "ipv6"): Promise<void> {
    const mgr = mgrFor(family);
    for (const spec of opts.chains) {
      const c = await mgr.ensureChain(spec.table, spec.toChain);
      if (!c.rv) throw fail(`could not create ${spec.table} ${spec.toChain} chain`, c);
      if (jumpRules) {
        const j = await mgr.addJumpRule(spec.table, spec.fromChain, spec.jumpPosition, spec.toChain);
        if (!j.rv) throw fail(`could not add jump rule to ${spec.toChain} chain`, j);
      }
    }
  }

  async function run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof PsadError) throw e;
      throw fail(what, undefined, e);
    }
  }

  return {
    ensurePrereqs,
    async block(req: BlockRequest): Promise<void> {
      const t = normalizeBlockTarget(req.ip);
      if (!t) throw new PsadError("PSAD_BLOCK_FAILED", `not an address: ${req.ip}`, { ip: req.ip });
      const mgr = mgrFor(t.family);
      await run(`could not add block rule for ${t.ip}`, async () => {
        // psad: check on the first block and then every IPTABLES_PREREQ_CHECK blocks
        if (counter[t.family] % every === 0) await ensurePrereqs(t.family);
        counter[t.family]++;
        for (const spec of opts.chains) {
          for (const rs of blockRulespecs(spec, t.ip)) {
            let r = await mgr.ensureRule(spec.table, spec.toChain, rs, spec.rulePosition);
            // a position past the end of the chain: append (psad's add_ip_rule compensates the same way)
            if (!r.rv && spec.rulePosition > 1) r = await mgr.ensureRule(spec.table, spec.toChain, rs, "append");
            if (!r.rv) throw fail(`could not add block rule ${rs.join(" ")} to ${spec.toChain}`, r);
          }
        }
      });
    },
    async unblock(ip: string): Promise<void> {
      const t = normalizeBlockTarget(ip);
      if (!t) throw new PsadError("PSAD_BLOCK_FAILED", `not an address: ${ip}`, { ip });
      const mgr = mgrFor(t.family);
      await run(`could not remove block rule for ${t.ip}`, async () => {
        for (const spec of opts.chains) {
          const ex = await mgr.chainExists(spec.table, spec.toChain);
          if (!ex.rv) continue;
          for (const rs of blockRulespecs(spec, t.ip)) {
            const r = await mgr.deleteRuleIfExists(spec.table, spec.toChain, rs);
            if (!r.rv) throw fail(`could not delete rule ${rs.join(" ")} from ${spec.toChain}`, r);
          }
        }
      });
    },
    async list(): Promise<{ ip: string; since: number }[]> {
      const found = new Set<string>();
      for (const mgr of [opts.ipv4, opts.ipv6]) {
        if (!mgr?.currentPolicy) continue;
        const tables = [...new Set(opts.chains.map((c) => c.table))];
        const policy = await run("could not list the block chains", () =>
          (mgr.currentPolicy as NonNullable<BlockChainMgr["currentPolicy"]>)(tables),
        );
        for (const spec of opts.chains) {
          for (const rule of findChain(policy, spec.table, spec.toChain)?.rules ?? []) {
            if (rule.target !== spec.target) continue;
            for (const a of [rule.src, rule.dst]) {
              const t = a && !a.startsWith("!") ? normalizeBlockTarget(a) : undefined;
              if (t && t.net.prefix > 0) found.add(t.ip);
            }
          }
        }
      }
      return [...found].sort().map((ip) => ({ ip, since: 0 }));
    },
    async listAuto(o = {}): Promise<string> {
      let text = "[+] Listing chains from IPT_AUTO_CHAIN keywords...\n";
      if (o.enabled === false)
        text += `[-] NOTE: ENABLE_AUTO_IDS is currently disabled in ${o.configFile ?? "psad.conf"}\n`;
      text += "\n";
      for (const family of ["ipv4", "ipv6"] as const) {
        const mgr = family === "ipv4" ? opts.ipv4 : opts.ipv6;
        if (!mgr) continue;
        if (family === "ipv6") text += "[+] ip6tables:\n\n";
        for (const spec of opts.chains) {
          const r = await run("could not list the block chains", () => mgr.chainExists(spec.table, spec.toChain));
          if (r.rv) text += `${r.out.join("\n")}\n\n`;
          else text += `[-] Table: ${spec.table}, chain: ${spec.toChain}, does not exist\n`;
        }
      }
      return text;
    },
    async flush(deleteChains: boolean): Promise<void> {
      for (const family of ["ipv4", "ipv6"] as const) {
        const mgr = family === "ipv4" ? opts.ipv4 : opts.ipv6;
        if (!mgr) continue;
        await run("could not flush the psad chains", async () => {
          for (const spec of opts.chains) {
            const ex = await mgr.chainExists(spec.table, spec.toChain);
            if (!ex.rv) continue;
            const r = deleteChains
              ? await mgr.deleteChain(spec.table, spec.fromChain, spec.toChain)
              : await mgr.flushChain(spec.table, spec.toChain);
            if (!r.rv) throw fail(`could not ${deleteChains ? "delete" : "flush"} ${spec.toChain}`, r);
          }
        });
        counter[family] = 0;
      }
    },
  };
}
