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

/** The chains fwknopd manages for a config, with their jump rules. */
export function managedChains(cfg: FwknopdConfig): IptChainSpec[] {
  const out = [cfg.iptInputAccess];
  if (cfg.enableIptOutput) out.push(cfg.iptOutputAccess);
  if (cfg.enableIptForwarding || cfg.enableIptLocalNat) out.push(cfg.iptForwardAccess, cfg.iptDnatAccess);
  if (cfg.enableIptSnat) out.push(cfg.snatTranslateIp ? cfg.iptSnatAccess : cfg.iptMasqueradeAccess);
  return out;
}

const PROTO_NUM = { tcp: "6", udp: "17" } as const;

/**
 * The exact rules fwknopd 2.6.10 adds for a grant (spec §4.5): per proto/port an ACCEPT in FWKNOP_INPUT with an
 * `_exp_<epoch>` comment; for NAT access a FORWARD ACCEPT + PREROUTING DNAT; for local NAT an INPUT ACCEPT on the
 * real port + PREROUTING DNAT; OUTPUT mirror rules with ENABLE_IPT_OUTPUT; SNAT/MASQUERADE with ENABLE_IPT_SNAT.
 * An IPv6 allow address (SPA over IPv6 with `-s`) yields the same rules with `::/0`, for ip6tables.
 * Pure; `grant.kind` must be `access`.
 */
export function planGrantRules(g: AccessGrant, cfg: FwknopdConfig): FwRule[] {
  const out: FwRule[] = [];
  const cmt = ["-m", "comment", "--comment", `_exp_${g.expiresAt}`];
  const any = g.allowIp.includes(":") ? "::/0" : "0.0.0.0/0";
  const dstUsable =
    cfg.enableDestinationRule && g.dstIp !== "0.0.0.0" && g.dstIp.includes(":") === g.allowIp.includes(":");
  const dst = dstUsable ? g.dstIp : any;
  const rule = (c: IptChainSpec, spec: string[]): FwRule => ({
    table: c.table,
    chain: c.toChain,
    spec,
    prepend: cfg.enableRulePrepend,
    rulePosition: c.rulePosition,
  });
  const nat = g.stanza.forceNat ? { host: g.stanza.forceNat.ip, port: g.stanza.forceNat.port } : g.nat;
  const isLocalNat = g.messageType === 5 || g.messageType === 6;
  const isFwdNat = g.messageType === 2 || g.messageType === 4 || (g.stanza.forceNat !== undefined && !isLocalNat);
  for (const pp of g.ports) {
    const p = PROTO_NUM[pp.proto];
    if (nat && isLocalNat) {
      out.push(
        rule(cfg.iptInputAccess, [
          "-p",
          p,
          "-s",
          g.allowIp,
          "-d",
          dst,
          "--dport",
          String(nat.port),
          ...cmt,
          "-j",
          "ACCEPT",
        ]),
      );
      out.push(
        rule(cfg.iptDnatAccess, [
          "-p",
          p,
          "-s",
          g.allowIp,
          "-d",
          dst,
          "--dport",
          String(pp.port),
          ...cmt,
          "-j",
          "DNAT",
          "--to-destination",
          `${nat.host}:${nat.port}`,
        ]),
      );
    } else if (nat && isFwdNat) {
      out.push(
        rule(cfg.iptForwardAccess, [
          "-p",
          p,
          "-s",
          g.allowIp,
          "-d",
          any,
          "--dport",
          String(nat.port),
          ...cmt,
          "-j",
          "ACCEPT",
        ]),
      );
      out.push(
        rule(cfg.iptDnatAccess, [
          "-p",
          p,
          "-s",
          g.allowIp,
          "-d",
          dst,
          "--dport",
          String(pp.port),
          ...cmt,
          "-j",
          "DNAT",
          "--to-destination",
          `${nat.host}:${nat.port}`,
        ]),
      );
      if (cfg.enableIptSnat) {
        const snat = cfg.snatTranslateIp
          ? ["-j", "SNAT", "--to-source", cfg.snatTranslateIp]
          : ["-j", "MASQUERADE", "--to-ports", String(nat.port)];
        const c = cfg.snatTranslateIp ? cfg.iptSnatAccess : cfg.iptMasqueradeAccess;
        out.push(rule(c, ["-p", p, "-d", nat.host, "--dport", String(nat.port), ...cmt, ...snat]));
      }
    } else {
      out.push(
        rule(cfg.iptInputAccess, [
          "-p",
          p,
          "-s",
          g.allowIp,
          "-d",
          dst,
          "--dport",
          String(pp.port),
          ...cmt,
          "-j",
          "ACCEPT",
        ]),
      );
    }
    if (cfg.enableIptOutput) {
      out.push(
        rule(cfg.iptOutputAccess, ["-p", p, "-d", g.allowIp, "--sport", String(pp.port), ...cmt, "-j", "ACCEPT"]),
      );
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

/** Runs a program with an argv array (never a shell). */
export type Executor = (
  file: string,
  args: readonly string[],
) => Promise<{ stdout: string; stderr: string; exitCode: number }>;

/** What the server needs from a firewall backend (iptables-chainmgr will implement this). */
export interface SpaFirewall {
  /** Create the FWKNOP_* chains and jump rules (FLUSH_IPT_AT_INIT). */
  init(): Promise<void>;
  /** Add the rules of an access grant; returns the rules added. */
  grant(g: AccessGrant): Promise<FwRule[]>;
  /** Remove rules whose `_exp_` time has passed; returns how many were removed. */
  expire(now: number): Promise<number>;
  /** `--fw-flush`: remove jump rules, flush and delete the chains. */
  flush(): Promise<void>;
  /** `--fw-list`: the `-L <chain> --line-numbers -n` listing of each chain. */
  list(): Promise<string>;
}

/**
 * Direct iptables backend issuing the same commands as fwknopd through an injected {@link Executor}
 * (argv arrays, `-w` for the xtables lock). Interim until @fwkit/iptables-chainmgr is wired in.
 */
export class IptablesFirewall implements SpaFirewall {
  readonly #cfg: FwknopdConfig;
  readonly #exec: Executor;
  readonly #exe: string;

  constructor(cfg: FwknopdConfig, exec: Executor, opts: { ipv6?: boolean } = {}) {
    this.#cfg = cfg;
    this.#exec = exec;
    this.#exe = opts.ipv6 ? cfg.firewallExe.replace(/iptables$/, "ip6tables") : cfg.firewallExe;
  }

  async #ipt(args: string[]): Promise<{ stdout: string; exitCode: number }> {
    const r = await this.#exec(this.#exe, ["-w", "5", ...args]);
    return { stdout: r.stdout, exitCode: r.exitCode };
  }

  /** @inheritdoc */
  async init(): Promise<void> {
    if (this.#cfg.flushIptAtInit) await this.flush();
    for (const c of managedChains(this.#cfg)) {
      await this.#ipt(["-t", c.table, "-N", c.toChain]);
      const jump = ["-t", c.table, "-C", c.fromChain, "-j", c.toChain];
      if ((await this.#ipt(jump)).exitCode !== 0) {
        await this.#ipt(["-t", c.table, "-I", c.fromChain, String(c.jumpRulePosition), "-j", c.toChain]);
      }
    }
  }

  /** @inheritdoc */
  async grant(g: AccessGrant): Promise<FwRule[]> {
    const added: FwRule[] = [];
    for (const r of planGrantRules(g, this.#cfg)) {
      await this.#ipt(["-t", r.table, "-N", r.chain]);
      if ((await this.#ipt(["-t", r.table, "-C", r.chain, ...r.spec])).exitCode === 0) continue;
      const op = r.prepend ? ["-I", r.chain, String(r.rulePosition)] : ["-A", r.chain];
      const res = await this.#ipt(["-t", r.table, ...op, ...r.spec]);
      if (res.exitCode === 0) added.push(r);
    }
    return added;
  }

  /** @inheritdoc */
  async expire(now: number): Promise<number> {
    let n = 0;
    for (const c of managedChains(this.#cfg)) {
      const l = await this.#ipt(["-t", c.table, "-L", c.toChain, "--line-numbers", "-n"]);
      if (l.exitCode !== 0) continue;
      for (const e of expiredRuleNumbers(l.stdout, now)) {
        if ((await this.#ipt(["-t", c.table, "-D", c.toChain, String(e.num)])).exitCode === 0) n++;
      }
    }
    return n;
  }

  /** @inheritdoc */
  async flush(): Promise<void> {
    for (const c of managedChains(this.#cfg)) {
      while ((await this.#ipt(["-t", c.table, "-D", c.fromChain, "-j", c.toChain])).exitCode === 0) {
        /* remove every jump rule */
      }
      await this.#ipt(["-t", c.table, "-F", c.toChain]);
      await this.#ipt(["-t", c.table, "-X", c.toChain]);
    }
  }

  /** @inheritdoc */
  async list(): Promise<string> {
    let out = "Listing rules in fwknopd iptables chains...\n";
    for (const c of managedChains(this.#cfg)) {
      const l = await this.#ipt(["-t", c.table, "-L", c.toChain, "--line-numbers", "-n"]);
      out += `\n${l.stdout}`;
    }
    return out;
  }
}
