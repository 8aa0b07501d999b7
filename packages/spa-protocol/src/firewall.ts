import { ChainMgr } from "@fwkit/iptables-chainmgr";
import type { Executor as IptExecutor } from "@fwkit/iptables-parse";
import type { FwknopdConfig, IptChainSpec } from "./fwknopd-conf.ts";
import type { AccessGrant } from "./server.ts";

/** One iptables rule as fwknopd adds it: table, chain and the rule arguments after `-A <chain>`. */
export interface FwRule {
  table: string;
  chain: string;
  /** Arguments after the chain, e.g. `-p 6 -s 10.99.0.2 -d 0.0.0.0/0 --dport 22 -m comment --comment _exp_N -j ACCEPT`. */
  spec: string[];
  /** Whether to insert at the chain's rule position (ENABLE_RULE_PREPEND) instead of appending. */
  prepend: boolean;
  rulePosition: number;
}

/** Whether fwknopd 2.6.10 configures the FORWARD / DNAT chains (ENABLE_IPT_FORWARDING or ENABLE_IPT_LOCAL_NAT). */
function natChainsOn(cfg: FwknopdConfig): boolean {
  return cfg.enableIptForwarding || cfg.enableIptLocalNat;
}

/** Whether the SNAT / MASQUERADE chains are configured (NAT chains on and ENABLE_IPT_SNAT). */
function snatChainsOn(cfg: FwknopdConfig): boolean {
  return natChainsOn(cfg) && cfg.enableIptSnat;
}

/**
 * The chains fwknopd 2.6.10 manages for a config, in its order (INPUT, OUTPUT, FORWARD, DNAT, SNAT, MASQUERADE):
 * FWKNOP_INPUT always; FWKNOP_OUTPUT with ENABLE_IPT_OUTPUT; FWKNOP_FORWARD + nat/FWKNOP_PREROUTING with
 * ENABLE_IPT_FORWARDING or ENABLE_IPT_LOCAL_NAT; nat/FWKNOP_POSTROUTING + nat/FWKNOP_MASQUERADE when those and
 * ENABLE_IPT_SNAT are on (both, whatever SNAT_TRANSLATE_IP says: the stanza picks SNAT or MASQUERADE per rule).
 */
export function managedChains(cfg: FwknopdConfig): IptChainSpec[] {
  const out = [cfg.iptInputAccess];
  if (cfg.enableIptOutput) out.push(cfg.iptOutputAccess);
  if (natChainsOn(cfg)) out.push(cfg.iptForwardAccess, cfg.iptDnatAccess);
  if (snatChainsOn(cfg)) out.push(cfg.iptSnatAccess, cfg.iptMasqueradeAccess);
  return out;
}

const PROTO_NUM = { tcp: "6", udp: "17" } as const;

/**
 * The exact rules fwknopd 2.6.10 adds for a grant (spec §4.5; each shape checked with `iptables-save` against the
 * real fwknopd in `firewall-rules.it.test.ts`), as argv rulespecs in fwknopd's word order:
 * - plain access: per proto/port `FWKNOP_INPUT -p P -s ALLOW -d DST --dport PORT -m comment --comment _exp_N -j ACCEPT`,
 *   plus with ENABLE_IPT_OUTPUT `FWKNOP_OUTPUT -p P -d ALLOW -s DST --sport PORT … -j ACCEPT`;
 * - NAT (message types 2/4/5/6, FORCE_NAT, FORWARD_ALL) uses only the **first** proto/port of the message:
 *   local NAT (5/6) `FWKNOP_INPUT -p P -s ALLOW -d DST --dport NATPORT`; otherwise `FWKNOP_FORWARD -p P -s ALLOW
 *   --dport NATPORT` (FORWARD_ALL: `-s ALLOW` only); `FWKNOP_PREROUTING -p P -s ALLOW -d DST --dport PORT -j DNAT
 *   --to-destination NATIP:NATPORT` (FORWARD_ALL: `-s ALLOW -d DST -j DNAT --to-destination NATIP`) unless
 *   DISABLE_DNAT; with FORCE_SNAT / FORCE_MASQUERADE / ENABLE_IPT_SNAT an SNAT (`-p P -d NATIP --dport NATPORT -j
 *   SNAT --to-source IP`) or MASQUERADE (`… -j MASQUERADE --to-ports PORT`) rule; FORWARD_ALL: `-s ALLOW -j
 *   MASQUERADE` / `-j SNAT --to-source IP`.
 * Rules for chains the config does not enable are left out (fwknopd tries them with an empty chain name and fails).
 * An IPv6 allow address (SPA over IPv6 with `-s`) yields the same rules with `::/0`, for ip6tables.
 * Pure; `grant.kind` must be `access`.
 */
export function planGrantRules(g: AccessGrant, cfg: FwknopdConfig): FwRule[] {
  const out: FwRule[] = [];
  const cmt = ["-m", "comment", "--comment", `_exp_${g.expiresAt}`];
  const v6 = g.allowIp.includes(":");
  const any = v6 ? "::/0" : "0.0.0.0/0";
  const dstUsable = cfg.enableDestinationRule && g.dstIp !== "0.0.0.0" && g.dstIp.includes(":") === v6;
  const dst = dstUsable ? g.dstIp : any;
  const st = g.stanza;
  const add = (c: IptChainSpec, spec: string[]) =>
    out.push({ table: c.table, chain: c.toChain, spec, prepend: cfg.enableRulePrepend, rulePosition: c.rulePosition });
  const t = g.messageType;
  const isLocalNat = t === 5 || t === 6;
  const isNat = t === 2 || t === 4 || isLocalNat || st.forceNat !== undefined || st.forwardAll;
  if (!isNat) {
    for (const pp of g.ports) {
      const p = PROTO_NUM[pp.proto];
      const port = String(pp.port);
      const tgt = ["-j", cfg.iptInputAccess.target];
      add(cfg.iptInputAccess, ["-p", p, "-s", g.allowIp, "-d", dst, "--dport", port, ...cmt, ...tgt]);
      if (cfg.enableIptOutput) {
        const otgt = ["-j", cfg.iptOutputAccess.target];
        add(cfg.iptOutputAccess, ["-p", p, "-d", g.allowIp, "-s", dst, "--sport", port, ...cmt, ...otgt]);
      }
    }
    return out;
  }
  const first = g.ports[0];
  if (!first) return out;
  const p = PROTO_NUM[first.proto];
  const fstPort = String(first.port);
  const nat = st.forceNat ? { host: st.forceNat.ip, port: st.forceNat.port } : g.nat;
  const natIp = nat?.host;
  const natPort = nat ? String(nat.port) : "0";
  if (isLocalNat) {
    const tgt = ["-j", cfg.iptInputAccess.target];
    add(cfg.iptInputAccess, ["-p", p, "-s", g.allowIp, "-d", dst, "--dport", natPort, ...cmt, ...tgt]);
  } else if (natChainsOn(cfg)) {
    const c = cfg.iptForwardAccess;
    add(
      c,
      st.forwardAll
        ? ["-s", g.allowIp, ...cmt, "-j", c.target]
        : ["-p", p, "-s", g.allowIp, "--dport", natPort, ...cmt, "-j", c.target],
    );
  }
  // FORWARD_ALL without FORCE_NAT: fwknopd adds `-j DNAT --to-destination 0.0.0.0` (breaks all forwarded traffic
  // of that source); no DNAT target ⇒ no DNAT rule here (README "Differences").
  if (natChainsOn(cfg) && !st.disableDnat && natIp !== undefined) {
    const c = cfg.iptDnatAccess;
    add(
      c,
      st.forwardAll
        ? ["-s", g.allowIp, "-d", dst, ...cmt, "-j", c.target, "--to-destination", natIp]
        : [
            "-p",
            p,
            "-s",
            g.allowIp,
            "-d",
            dst,
            "--dport",
            fstPort,
            ...cmt,
            "-j",
            c.target,
            "--to-destination",
            `${natIp}:${natPort}`,
          ],
    );
  }
  if ((st.forceSnat !== undefined || st.forceMasquerade || cfg.enableIptSnat) && snatChainsOn(cfg)) {
    const snat = cfg.iptSnatAccess;
    const masq = cfg.iptMasqueradeAccess;
    const staticIp = st.forceSnat ?? (st.forceMasquerade ? undefined : cfg.snatTranslateIp);
    if (st.forwardAll) {
      const ip = st.forceSnat ?? cfg.snatTranslateIp;
      if (ip) add(snat, ["-s", g.allowIp, ...cmt, "-j", snat.target, "--to-source", ip]);
      else add(masq, ["-s", g.allowIp, ...cmt, "-j", masq.target]);
    } else if (natIp !== undefined) {
      const m = ["-p", p, "-d", natIp, "--dport", natPort, ...cmt];
      if (staticIp) add(snat, [...m, "-j", snat.target, "--to-source", staticIp]);
      else add(masq, [...m, "-j", masq.target, "--to-ports", fstPort]);
    }
  }
  return out;
}

/**
 * Rule numbers whose `_exp_<epoch>` comment is due, from `iptables -L <chain> --line-numbers -n` output,
 * highest first (so deleting in order never renumbers a pending one).
 */
export function expiredRuleNumbers(listing: string, now: number): Array<{ num: number; expiresAt: number }> {
  const out: Array<{ num: number; expiresAt: number }> = [];
  for (const line of listing.split("\n")) {
    const m = /^(\d+)\s.*_exp_(\d+)/.exec(line);
    if (m && Number(m[2]) <= now) out.push({ num: Number(m[1]), expiresAt: Number(m[2]) });
  }
  return out.sort((a, b) => b.num - a.num);
}

/** What the server needs from a firewall backend ({@link IptablesFirewall} implements it with iptables-chainmgr). */
export interface SpaFirewall {
  /** Create the FWKNOP_* chains and jump rules (FLUSH_IPT_AT_INIT first flushes and deletes them). */
  init(): Promise<void>;
  /** Add the rules of an access grant (re-creating a missing chain / jump rule first); returns the rules added. */
  grant(g: AccessGrant): Promise<FwRule[]>;
  /** Remove rules whose `_exp_` time has passed; returns how many were removed. */
  expire(now: number): Promise<number>;
  /** `--fw-flush`: remove jump rules, flush and delete the chains. */
  flush(): Promise<void>;
  /** `--fw-list`: the `-L <chain> --line-numbers -n` listing of each chain. */
  list(): Promise<string>;
}

/** Runs a program with an argv array (never a shell); adapted to ChainMgr's process runner by {@link IptablesFirewall}. */
export type Executor = (
  file: string,
  args: readonly string[],
) => Promise<{ stdout: string; stderr: string; exitCode: number }>;

/** Options of {@link IptablesFirewall}. */
export interface IptablesFirewallOptions {
  /** Use ip6tables (FIREWALL_EXE with `iptables` → `ip6tables`). */
  ipv6?: boolean;
  /** Seconds per iptables command (IptablesParse `iptAlarm`), default 30. */
  iptAlarm?: number;
}

function adaptExecutor(exec: Executor): IptExecutor {
  return async (file, args) => {
    const r = await exec(file, args);
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, signal: null, timedOut: false };
  };
}

/**
 * fwknopd's iptables backend on top of `@fwkit/iptables-chainmgr`: chains with `ensureChain` + `addJumpRule`, rules
 * with `ensureRule` (`iptables -C` first, then `-A`, or `-I <pos>` with ENABLE_RULE_PREPEND), `--fw-flush` with
 * `deleteChain` (every jump removed, flush, `-X`); expiry lists each chain with `-L <chain> --line-numbers -n` and
 * deletes due `_exp_<epoch>` rules by number, highest first. Every command is an argv array (no shell).
 */
export class IptablesFirewall implements SpaFirewall {
  readonly #cfg: FwknopdConfig;
  #mgr: Promise<ChainMgr> | undefined;
  readonly #make: () => Promise<ChainMgr>;

  /**
   * @param cfg - fwknopd.conf (FIREWALL_EXE, the IPT_*_ACCESS chains, ENABLE_* switches)
   * @param backend - a ready ChainMgr, or an {@link Executor} every iptables command is run with (the ChainMgr for
   *   FIREWALL_EXE, or ip6tables with `ipv6`, is then built on first use)
   * @param opts - IPv6 / timeout
   */
  constructor(cfg: FwknopdConfig, backend: Executor | ChainMgr, opts: IptablesFirewallOptions = {}) {
    this.#cfg = cfg;
    if (backend instanceof ChainMgr) {
      const m = backend;
      this.#make = async () => m;
    } else {
      const exe = opts.ipv6 ? cfg.firewallExe.replace(/iptables$/, "ip6tables") : cfg.firewallExe;
      this.#make = () =>
        ChainMgr.create({
          iptables: exe,
          ...(opts.ipv6 ? { useIpv6: true } : {}),
          executor: adaptExecutor(backend),
          iptAlarm: opts.iptAlarm ?? 30,
        });
    }
  }

  /**
   * Build the firewall and its ChainMgr now (so a bad FIREWALL_EXE fails here rather than at the first grant).
   * @param cfg - fwknopd.conf
   * @param opts - IPv6 / timeout, and the {@link Executor} (default: IptablesParse's own process runner)
   * @throws {IptablesParseError} IPT_BINARY_NOT_FOUND / IPT_BINARY_NOT_EXECUTABLE for a bad FIREWALL_EXE
   */
  static async create(
    cfg: FwknopdConfig,
    opts: IptablesFirewallOptions & { executor?: Executor } = {},
  ): Promise<IptablesFirewall> {
    const exe = opts.ipv6 ? cfg.firewallExe.replace(/iptables$/, "ip6tables") : cfg.firewallExe;
    const mgr = await ChainMgr.create({
      iptables: exe,
      ...(opts.ipv6 ? { useIpv6: true } : {}),
      ...(opts.executor ? { executor: adaptExecutor(opts.executor) } : {}),
      iptAlarm: opts.iptAlarm ?? 30,
    });
    return new IptablesFirewall(cfg, mgr);
  }

  /**
   * The ChainMgr every command goes through (built on first use).
   * @throws {IptablesParseError} IPT_BINARY_NOT_FOUND / IPT_BINARY_NOT_EXECUTABLE for a bad FIREWALL_EXE
   */
  chainMgr(): Promise<ChainMgr> {
    if (!this.#mgr) {
      this.#mgr = this.#make();
      this.#mgr.catch(() => {
        this.#mgr = undefined;
      });
    }
    return this.#mgr;
  }

  async #mkChain(c: IptChainSpec): Promise<void> {
    const mgr = await this.chainMgr();
    await mgr.ensureChain(c.table, c.toChain);
    await mgr.addJumpRule(c.table, c.fromChain, c.jumpRulePosition, c.toChain);
  }

  async #listing(c: IptChainSpec): Promise<{ ok: boolean; text: string }> {
    const r = await (await this.chainMgr()).parseObj.run(["-t", c.table, "-L", c.toChain, "--line-numbers", "-n"]);
    return { ok: r.rv === 1, text: r.out.join("\n") };
  }

  /** @inheritdoc */
  async init(): Promise<void> {
    if (this.#cfg.flushIptAtInit) await this.flush();
    for (const c of managedChains(this.#cfg)) await this.#mkChain(c);
  }

  /** @inheritdoc */
  async grant(g: AccessGrant): Promise<FwRule[]> {
    const added: FwRule[] = [];
    const made = new Set<string>();
    const chains = managedChains(this.#cfg);
    for (const r of planGrantRules(g, this.#cfg)) {
      const key = `${r.table}/${r.chain}`;
      const spec = chains.find((c) => c.table === r.table && c.toChain === r.chain);
      try {
        if (spec && !made.has(key)) {
          await this.#mkChain(spec);
          made.add(key);
        }
        const res = await (await this.chainMgr()).ensureRule(
          r.table,
          r.chain,
          r.spec,
          r.prepend ? Math.max(1, r.rulePosition) : "append",
        );
        if (res.changed) added.push(r);
      } catch {
        // a rule iptables refuses (-C itself failed) is skipped, like fwknopd's failed create_rule
      }
    }
    return added;
  }

  /** @inheritdoc */
  async expire(now: number): Promise<number> {
    let n = 0;
    for (const c of managedChains(this.#cfg)) {
      const l = await this.#listing(c);
      if (!l.ok) continue;
      for (const e of expiredRuleNumbers(l.text, now)) {
        const r = await (await this.chainMgr()).parseObj.run(["-t", c.table, "-D", c.toChain, String(e.num)]);
        if (r.rv === 1) n++;
      }
    }
    return n;
  }

  /** @inheritdoc */
  async flush(): Promise<void> {
    const mgr = await this.chainMgr();
    for (const c of managedChains(this.#cfg)) await mgr.deleteChain(c.table, c.fromChain, c.toChain);
  }

  /** @inheritdoc */
  async list(): Promise<string> {
    let out = "Listing rules in fwknopd iptables chains...\n";
    for (const c of managedChains(this.#cfg)) {
      const { text } = await this.#listing(c);
      out += text ? `\n${text}\n` : "\n";
    }
    return out;
  }
}
