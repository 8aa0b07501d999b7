/**
 * The demo's calls into @fwkit/fwsnort (translation, apply) and the psad-core HTML report, in one place.
 */
import type { DemoAnalysis } from "./analysis.ts";

/** A translated rule set as the demo shows it. */
export interface DemoTranslation {
  /** The iptables-save text (fwsnort.save). */
  save: string;
  translated: number;
  skipped: number;
  /** One-line summary for the step output. */
  summary: string;
  /** What @fwkit/iptables-parse's parseSave reads back from `save`. */
  parsedRules: number;
  parsedChains: string[];
}

/**
 * The demo's fwsnort.conf: Debian's defaults without their WHITELIST addresses (the lab's traffic is all there is);
 * HOME_NET is given per run.
 */
export const DEMO_FWSNORT_CONF = "HOME_NET any;\nEXTERNAL_NET any;\nWHITELIST NONE;\nBLACKLIST NONE;\n";

/** fwsnort's translation of the demo rule set (HOME_NET overridden, EXTERNAL_NET any). */
async function translate(
  rulesText: string,
  file: string,
  vars: { homeNet: string },
): Promise<import("@fwkit/fwsnort").Translation> {
  const fw = await import("@fwkit/fwsnort");
  return fw.translateRuleset([{ path: file, text: rulesText }], {
    config: fw.parseFwsnortConfig(DEMO_FWSNORT_CONF, "fwkit-demo fwsnort.conf"),
    homeNet: vars.homeNet,
    externalNet: "any",
  });
}

/**
 * Translate a Snort rule file into an iptables-save file with @fwkit/fwsnort and read it back with
 * @fwkit/iptables-parse's parseSave.
 * @param vars - HOME_NET override (`any` offline; the lab uses the target's address)
 */
export async function translateRules(
  rulesText: string,
  file: string,
  vars: { homeNet: string },
): Promise<DemoTranslation> {
  const fw = await import("@fwkit/fwsnort");
  const { parseSave } = await import("@fwkit/iptables-parse");
  const t = await translate(rulesText, file, vars);
  const save = fw.renderSave(t);
  const parsed = parseSave(save);
  if (parsed.diagnostics.length > 0) {
    const d = parsed.diagnostics[0];
    throw new Error(`the fwsnort save file does not parse: line ${d?.line}: ${d?.message}`);
  }
  const chains = (parsed.tables.find((x) => x.name === "filter")?.chains ?? []).filter((c) =>
    c.name.startsWith("FWSNORT_"),
  );
  const skipped = t.skipped.map((x) => `${x.message.replace(/\s+/g, " ").trim()} [${x.code}]`).join(", ");
  return {
    save,
    translated: t.translated.length,
    skipped: t.skipped.length,
    summary: `${t.translated.length} Snort rules translated into ${chains.reduce((n, c) => n + c.rules.length, 0)} iptables rules${t.skipped.length ? `; not translated: ${skipped}` : ""}`,
    parsedRules: chains.reduce((n, c) => n + c.rules.length, 0),
    parsedChains: chains.filter((c) => c.rules.length > 0).map((c) => c.name),
  };
}

/**
 * psad-core's HTML report of an analysis (tables and SVG charts).
 * @param generatedAt - the "Generated" text (the renderer never reads the clock)
 */
export async function renderHtml(
  analysis: DemoAnalysis,
  title: string,
  file: string,
  generatedAt: string,
): Promise<{ html: string; charts: number }> {
  const psad = await import("@fwkit/psad-core");
  const html = psad.renderHtmlReport(analysis.result, { title, file, generatedAt, traffic: analysis.traffic });
  return { html, charts: (html.match(/<svg\b/g) ?? []).length };
}

/** An @fwkit/iptables-parse executor that runs every command inside network namespace `ns`. */
async function netnsExecutor(ns: string): Promise<import("@fwkit/iptables-parse").Executor> {
  const { nodeExecutor } = await import("@fwkit/iptables-parse");
  return (file, args, opts) => nodeExecutor("ip", ["netns", "exec", ns, file, ...args], opts);
}

/** A ChainMgr for iptables inside network namespace `ns`. */
async function chainMgrIn(ns: string): Promise<import("@fwkit/iptables-chainmgr").ChainMgr> {
  const { ChainMgr } = await import("@fwkit/iptables-chainmgr");
  return ChainMgr.create({ iptables: "/usr/sbin/iptables", executor: await netnsExecutor(ns) });
}

/**
 * Translate and load the rule set into the target's firewall with fwsnort's apply (one atomic iptables-restore
 * through @fwkit/iptables-chainmgr), every command run inside network namespace `ns`.
 */
export async function applyRulesInNetns(
  ns: string,
  rulesText: string,
  file: string,
  vars: { homeNet: string },
): Promise<{ rules: number; chains: string[] }> {
  const fw = await import("@fwkit/fwsnort");
  const t = await translate(rulesText, file, vars);
  const r = await fw.applyTranslation(await chainMgrIn(ns), t);
  if (!r.ok) throw new Error(`iptables-restore refused fwsnort's rules (${r.code}): ${r.stderr.join(" ")}`);
  const chains = [
    ...new Set(
      r.plan.tables
        .flatMap((x) => x.ops)
        .flatMap((op) => (op.op === "append" && op.chain.startsWith("FWSNORT_") ? [op.chain] : [])),
    ),
  ];
  return { rules: r.rules, chains };
}

/** What the auto-block step saw. */
export interface AutoBlockOutcome {
  /** Addresses blocked, and what the probe saw while blocked and after the unblock. */
  blocked: string[];
  whileBlocked: string;
  unblocked: string[];
  afterUnblock: string;
}

/**
 * psad's auto-response on an analysis, in network namespace `ns`: decideBlocks → applyBlockActions over the
 * iptables backend (PSAD_BLOCK_INPUT/OUTPUT/FORWARD through iptables-chainmgr), probe, wait until the block times
 * out, decideBlocks again (the expired block is removed), probe.
 * @param local - the target's own addresses (never blocked)
 * @param now - wall clock, epoch ms
 * @param say - prints one line of the step
 * @param probe - called while blocked (`blocked`) and after the unblock (`unblocked`); returns what it saw
 */
export async function autoBlockInNetns(
  ns: string,
  analysis: DemoAnalysis,
  local: readonly string[],
  now: () => number,
  wait: (ms: number) => Promise<void>,
  say: (line: string) => void,
  probe: (phase: "blocked" | "unblocked") => Promise<string>,
): Promise<AutoBlockOutcome> {
  const psad = await import("@fwkit/psad-core");
  const setup = analysis.result.setup;
  const cfg = psad.parseAutoBlockConfig(setup.config, setup.autoDl);
  if (!cfg.ok) throw cfg.error;
  const mgr = await chainMgrIn(ns);
  const backend = psad.createIptablesBlocking({ chains: cfg.value.chains, ipv4: mgr });
  const policy = { config: cfg.value, localAddrs: local };
  const sec = () => Math.floor(now() / 1000);
  const decision = psad.decideBlocks(analysis.result.alerts, psad.emptyBlockState(), sec(), policy);
  for (const sk of decision.skipped) say(`not blocked: ${sk.ip} (${sk.reason})`);
  const added = await psad.applyBlockActions(decision.actions, psad.emptyBlockState(), backend);
  for (const f of added.failures) throw f.error;
  for (const m of added.messages) say(`psad: ${m}`);
  const blocked = added.state.entries.map((e) => e.ip);
  const whileBlocked = await probe("blocked");
  const timeout = Math.max(0, ...added.state.entries.map((e) => e.timeout));
  say(`waiting ${timeout} s (AUTO_BLOCK_DL timeout) …`);
  await wait(timeout * 1000 + 1100);
  const expiry = psad.decideBlocks([], added.state, sec(), policy);
  const removed = await psad.applyBlockActions(expiry.actions, added.state, backend);
  for (const f of removed.failures) throw f.error;
  for (const m of removed.messages) say(`psad: ${m}`);
  const unblocked = removed.applied.flatMap((a) => (a.kind === "remove" ? [a.ip] : []));
  const afterUnblock = await probe("unblocked");
  return { blocked, whileBlocked, unblocked, afterUnblock };
}
