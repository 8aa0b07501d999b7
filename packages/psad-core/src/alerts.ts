import { z } from "zod";
import type { PsadConfig } from "./config.ts";
import type { DetectorState, PairState, ScanAlert, SigHit, SourceState } from "./detector.ts";
import { PsadError } from "./errors.ts";
import type { DetectorSetup } from "./setup.ts";
import type { Signature } from "./signatures.ts";
import type { Result } from "./types.ts";

/** psad's alerting settings (ALERTING_METHODS, EMAIL_*, MAIL_*_PREFIX, ALERT_ALL …), validated. */
export interface AlertSettings {
  /** EMAIL_ADDRESSES, split on commas/whitespace. */
  emailAddresses: string[];
  /** EMAIL_ALERT_DANGER_LEVEL: minimum DL for an e-mail. */
  emailAlertDangerLevel: number;
  /** MIN_DANGER_LEVEL: minimum DL for any alert. */
  minDangerLevel: number;
  /** EMAIL_LIMIT: e-mails per source (or per source→destination), 0 = unlimited. */
  emailLimit: number;
  /** ENABLE_EMAIL_LIMIT_PER_DST. */
  emailLimitPerDst: boolean;
  /** EMAIL_LIMIT_STATUS_MSG: send one "[psad-status] reached email message limit" mail. */
  emailLimitStatusMsg: boolean;
  /** EMAIL_THROTTLE: > 1 sends one alert in N (psad: skips one in N, see README). */
  emailThrottle: number;
  /** ALERT_ALL: false = alert a src→dst pair again only after its DL rose. */
  alertAll: boolean;
  /** ALERTING_METHODS without `noemail` / `nosyslog`. */
  email: boolean;
  syslog: boolean;
  /** HOSTNAME (status subjects). */
  hostname: string;
  /** MAIL_ALERT_PREFIX / MAIL_STATUS_PREFIX. */
  alertPrefix: string;
  statusPrefix: string;
  /** ENABLE_MAC_ADDR_REPORTING. */
  macReporting: boolean;
  /** SYSLOG_IDENTITY, SYSLOG_FACILITY (16..23 = local0..7), SYSLOG_PRIORITY (0..7). */
  syslogIdentity: string;
  syslogFacility: number;
  syslogSeverity: number;
  /** Reproduce psad 2.4.6's throttling quirks (see README "Differences"). */
  psadCompat: boolean;
}

const SEVERITIES = [
  "LOG_EMERG",
  "LOG_ALERT",
  "LOG_CRIT",
  "LOG_ERR",
  "LOG_WARNING",
  "LOG_NOTICE",
  "LOG_INFO",
  "LOG_DEBUG",
];

const yn = (def: string) =>
  z
    .string()
    .default(def)
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(["Y", "N", "YES", "NO"]))
    .transform((s) => s.startsWith("Y"));
const int = (def: string) =>
  z.string().default(def).pipe(z.string().regex(/^\d+$/, "must be a non-negative integer")).transform(Number);

const extraSchema = z.object({
  EMAIL_LIMIT: int("0"),
  ENABLE_EMAIL_LIMIT_PER_DST: yn("N"),
  EMAIL_LIMIT_STATUS_MSG: yn("Y"),
  EMAIL_THROTTLE: int("0"),
  MAIL_ALERT_PREFIX: z.string().default("[psad-alert]"),
  MAIL_STATUS_PREFIX: z.string().default("[psad-status]"),
});

/**
 * Alert settings from a validated psad config (the EMAIL_* keys psad.conf carries beyond the core schema
 * are validated here).
 * @param config - from `parsePsadConfig`
 * @param options - `psadCompat`: reproduce psad's EMAIL_THROTTLE / EMAIL_LIMIT side effects
 * @returns the settings, or PSAD_ALERT_CONFIG_INVALID with `details.issues`
 * @example
 * const s = alertSettings(config.value);
 * if (!s.ok) throw s.error;
 */
export function alertSettings(
  config: PsadConfig,
  options: { psadCompat?: boolean } = {},
): Result<AlertSettings, PsadError> {
  const r = extraSchema.safeParse(config.raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => ({ key: String(i.path[0] ?? ""), message: i.message }));
    return {
      ok: false,
      error: new PsadError(
        "PSAD_ALERT_CONFIG_INVALID",
        `invalid alert config: ${issues.map((i) => `${i.key}: ${i.message}`).join("; ")}`,
        { issues },
      ),
    };
  }
  const methods = config.ALERTING_METHODS;
  return {
    ok: true,
    value: {
      emailAddresses: config.EMAIL_ADDRESSES.split(/[\s,]+/).filter((a) => a.includes("@")),
      emailAlertDangerLevel: config.EMAIL_ALERT_DANGER_LEVEL,
      minDangerLevel: config.MIN_DANGER_LEVEL,
      emailLimit: r.data.EMAIL_LIMIT,
      emailLimitPerDst: r.data.ENABLE_EMAIL_LIMIT_PER_DST,
      emailLimitStatusMsg: r.data.EMAIL_LIMIT_STATUS_MSG,
      emailThrottle: r.data.EMAIL_THROTTLE,
      alertAll: config.ALERT_ALL,
      // psad: /no.?e?mail/i and /no.?syslog/i
      email: !/no.?e?mail/i.test(methods),
      syslog: !/no.?syslog/i.test(methods),
      hostname: config.HOSTNAME,
      alertPrefix: r.data.MAIL_ALERT_PREFIX,
      statusPrefix: r.data.MAIL_STATUS_PREFIX,
      macReporting: config.ENABLE_MAC_ADDR_REPORTING,
      syslogIdentity: config.SYSLOG_IDENTITY,
      syslogFacility: 16 + Number(config.SYSLOG_FACILITY.slice(-1)),
      syslogSeverity: Math.max(0, SEVERITIES.indexOf(config.SYSLOG_PRIORITY)),
      psadCompat: options.psadCompat ?? false,
    },
  };
}

/** Per-source/-pair counters behind EMAIL_LIMIT, EMAIL_THROTTLE and ALERT_ALL (psad's `email_ctr` files). */
export interface AlertThrottleState {
  /** Key `src` or `src dst` (ENABLE_EMAIL_LIMIT_PER_DST) → alerts counted. */
  emailCounts: Map<string, number>;
  /** Keys whose limit status mail was sent. */
  limitNotified: Set<string>;
  /** `src dst` → DL of the last alert (ALERT_ALL=N). */
  alertedDl: Map<string, number>;
}

/** Fresh, empty throttle state (keep one per daemon; persist it to survive restarts). */
export function createAlertThrottleState(): AlertThrottleState {
  return { emailCounts: new Map(), limitNotified: new Set(), alertedDl: new Map() };
}

/** One e-mail to send. */
export interface EmailMessage {
  kind: "alert" | "status";
  to: string[];
  subject: string;
  /** Plain-text body ("" for status mails, as psad sends them). */
  text: string;
  src: string;
  dst: string;
}

/** Why an alert produced no e-mail (or nothing at all). */
export type AlertSkipReason = "alert_all" | "email_limit" | "throttle" | "danger_level" | "email_disabled";

/** What {@link alertsFor} decided for one batch. */
export interface AlertDelivery {
  /** Syslog messages in order (empty when ALERTING_METHODS has `nosyslog`). */
  syslog: string[];
  emails: EmailMessage[];
  skipped: { src: string; dst: string; reason: AlertSkipReason }[];
}

/** Context of {@link alertsFor} / {@link renderEmailAlert}: injected time and mode. */
export interface AlertContext {
  /** Epoch seconds of the alert (header/footer time; psad prints its wall clock). */
  now: number;
  /** `analysis` adds psad's "(analysis mode)" to subjects (psad -A --email-analysis). Default `daemon`. */
  mode?: "daemon" | "analysis";
  /** Send e-mails at all (default true; psad -A needs --email-analysis). */
  email?: boolean;
  /** Offset of the local time zone in minutes for psad's `localtime` stamps (default 0 = UTC). */
  tzOffsetMinutes?: number;
  /** Listening ports (psad's netstat/ss lookup) for "server bound to local port" notes; omitted when unknown. */
  localPorts?: { tcp?: ReadonlySet<number>; udp?: ReadonlySet<number> };
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Perl's `scalar localtime` format: `Sun Nov 22 04:43:48 2026` (day of month space-padded). */
export function perlLocaltime(epoch: number, tzOffsetMinutes = 0): string {
  const d = new Date((epoch + tzOffsetMinutes * 60) * 1000);
  if (Number.isNaN(d.getTime())) return "-";
  const p2 = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

const W = 23;
const lab = (label: string, value: string) => `${label.padStart(W)}${value}`;

/** Everything the e-mail body needs beyond the {@link ScanAlert}. */
export interface EmailAlertDetail {
  source?: SourceState;
  pair?: PairState;
  /** "Total email alerts" value. */
  emailCount: number;
  setup?: DetectorSetup;
  /** sid → psad signature (default: built once per setup and cached). */
  sigIndex?: Map<number, Signature>;
}

const SIG_INDEX = new WeakMap<DetectorSetup, Map<number, Signature>>();

function signatureIndex(setup: DetectorSetup): Map<number, Signature> {
  let m = SIG_INDEX.get(setup);
  if (!m) {
    m = new Map(setup.signatures.map((s) => [s.sid, s]));
    SIG_INDEX.set(setup, m);
  }
  return m;
}

function sigBlock(h: SigHit, d: EmailAlertDetail, ctx: AlertContext): string[] {
  const L: string[] = [];
  const sig = (d.sigIndex ?? (d.setup ? signatureIndex(d.setup) : undefined))?.get(h.sid);
  const fw = h.isFwsnort ? d.setup?.snortRules.get(h.sid) : undefined;
  L.push(`   "${h.msg}"`);
  if (h.proto === "tcp" || h.proto === "udp" || h.proto === "udplite") {
    const ports = h.proto === "tcp" ? ctx.localPorts?.tcp : h.proto === "udp" ? ctx.localPorts?.udp : undefined;
    let note = "";
    if (h.chain === "INPUT" && ports)
      note = ports.has(h.dp) ? " (server bound to local port!)" : " (no server bound to local port)";
    L.push(`       dst port:  ${h.dp}${note}`);
    if (h.proto === "tcp") L.push(`       flags:     ${h.flags}`);
  }
  if (fw) for (const c of fw.contents) L.push(`       content:   "${c}"`);
  let sid = h.isPsadId ? `       psad_id:   ${h.sid}` : `       sid:       ${h.sid}`;
  if (sig?.derivedSids.length) sid += ` (derived from: ${sig.derivedSids.join(" ")})`;
  L.push(sid);
  let chain = h.chain;
  if (h.isFwsnort) chain = `FWSNORT_${h.chain}${h.fwsnortEstab ? "_ESTAB" : ""}`;
  L.push(`       chain:     ${chain}`, `       packets:   ${h.pkts}`);
  const classtype = fw?.classtype || sig?.classtype;
  if (classtype) L.push(`       classtype: ${classtype}`);
  L.push("");
  return L;
}

/**
 * psad's per-scan alert text (the e-mail body psad writes to `<src>/<dst>_email_alert`): labels
 * right-aligned to 23 columns, framed by `=-=-=` lines with the alert time. Pure; time is `ctx.now`.
 * Not rendered (no data in the port): whois/DNS blocks, the 3.0 version/reputation/IP-info lines. The
 * `iptables chain` lines carry the log prefix when the detector ran with `chainPrefixes` (`analyzeLog`'s
 * `alertDetail`); otherwise they give the chain and its packets only.
 * @param alert - one alert of a closed batch
 * @param detail - detector state of the pair and source, the e-mail counter, the setup
 * @param settings - from {@link alertSettings}
 * @param ctx - time, mode, local ports
 * @returns the body text (lines end with `\n`)
 */
export function renderEmailAlert(
  alert: ScanAlert,
  detail: EmailAlertDetail,
  settings: AlertSettings,
  ctx: AlertContext,
): string {
  const tz = ctx.tzOffsetMinutes ?? 0;
  const time = perlLocaltime(ctx.now, tz);
  const frame = `=-=-=-=-=-=-=-=-=-=-=-= ${time} =-=-=-=-=-=-=-=-=-=-=-=`;
  const L: string[] = [frame, "", ""];
  const pair = detail.pair;
  let dlLine = lab("Danger level: ", `[${alert.dl}] (out of 5)`);
  if (alert.multiProtocol) dlLine += " Multi-Protocol";
  if (alert.autoAssigned) dlLine += " Auto-assigned";
  L.push(dlLine, "");
  L.push(lab("Scanned destinations: ", String(alert.totalDsts)));
  if (alert.protocolScan) L.push(lab("IP Protocol scan: ", `[${alert.protocolScan} unique protocols, Nmap -sO]`));
  const chainLines = (proto: string): string[] => {
    if (alert.chainPrefixes) {
      const L2: string[] = [];
      for (const [k, n] of alert.chainPrefixes) {
        const [p, chain, ...rest] = k.split("|");
        if (p !== proto) continue;
        const prefix = rest.join("|");
        if (!prefix) {
          L2.push(lab("iptables chain: ", `${chain}, ${n} packets`));
          continue;
        }
        let shown = chain as string;
        let rnum = 0;
        if (detail.setup && prefix.includes(detail.setup.config.SNORT_SID_STR)) {
          rnum = Number(/\[(\d+)\]/.exec(prefix)?.[1] ?? 0);
          if (chain === "INPUT" || chain === "FORWARD" || chain === "OUTPUT") shown = `FWSNORT_${chain}`;
          if (prefix.includes("ESTAB")) shown += "_ESTAB";
        }
        L2.push(lab("iptables chain: ", `${shown} (prefix "${prefix}"), ${n} packets`));
        if (rnum) L2.push(lab("fwsnort rule: ", String(rnum)));
      }
      return L2;
    }
    if (!pair) return [];
    const per = new Map<string, number>();
    for (const [k, n] of pair.chainCounts) {
      const [chain, , p] = k.split("|");
      if (p === proto) per.set(chain as string, (per.get(chain as string) ?? 0) + n);
    }
    return [...per.entries()].sort().map(([c, n]) => lab("iptables chain: ", `${c}, ${n} packets`));
  };
  if (alert.tcp) {
    L.push(lab("Scanned TCP ports: ", `[${alert.tcp.range}: ${alert.tcp.pkts} packets]`));
    alert.tcp.flags.forEach(([flags, n], i) => {
      const label = i === 0 ? "TCP flags: " : "";
      let what: string;
      if (alert.isPortSweep && !settings.psadCompat) what = `port sweep ${flags} scan`;
      else if (alert.style.startsWith("Topera")) what = `Topera ${flags} scan`;
      else if (alert.style.startsWith("Masscan")) what = `Masscan ${flags} scan`;
      else if (alert.style.startsWith("Mirai")) what = "Mirai botnet default credentials scan";
      else {
        const hint = NMAP[flags];
        what = hint ? `Nmap: ${hint}` : "";
      }
      L.push(lab(label, `[${flags}: ${n} packets${what ? `, ${what}` : ""}]`));
    });
    L.push(...chainLines("tcp"));
  }
  if (alert.udp) {
    L.push(lab("Scanned UDP ports: ", `[${alert.udp.range}: ${alert.udp.pkts} packets, Nmap: -sU]`));
    L.push(...chainLines("udp"));
  }
  if (alert.icmpPkts) {
    L.push(lab("icmp packets: ", `[${alert.icmpPkts}]`));
    L.push(...chainLines("icmp"));
  }
  if (alert.icmp6Pkts && !settings.psadCompat) {
    L.push(lab("icmp6 packets: ", `[${alert.icmp6Pkts}]`));
    L.push(...chainLines("icmp6"));
  }
  if (alert.otherProtoPkts && !settings.psadCompat) L.push(lab("other proto packets: ", `[${alert.otherProtoPkts}]`));
  L.push("", lab("Source: ", alert.src));
  if (settings.macReporting && alert.srcMac) L.push(lab("MAC: ", alert.srcMac));
  alert.osGuesses.forEach((os, i) => {
    L.push(lab(i === 0 ? "OS guess: " : " ", os));
  });
  L.push("", lab("Destination: ", alert.dst));
  if (settings.macReporting && alert.dstMac) L.push(lab("MAC: ", alert.dstMac));
  L.push("");
  if (pair) L.push(lab("Overall scan start: ", perlLocaltime(pair.sTime, tz)));
  L.push(lab("Total email alerts: ", String(detail.emailCount)));
  const tr = pair?.ranges.get("tcp");
  const ur = pair?.ranges.get("udp");
  const fr = (r: { lo: number; hi: number }) => (r.lo === r.hi ? String(r.lo) : `${r.lo}-${r.hi}`);
  if (tr) L.push(lab("Complete TCP range: ", `[${fr(tr)}]`));
  if (ur) L.push(lab("Complete UDP range: ", `[${fr(ur)}]`));
  const hosts = alert.syslogHosts ?? [];
  if (hosts.length) L.push(lab(hosts.length > 1 ? "Syslog hostnames: " : "Syslog hostname: ", hosts.join(", ")));
  if (pair) {
    L.push("", lab("Global stats: ", ""));
    const row = (a: string, b: string, c: string, d: string) =>
      `${"".padStart(W)}${a.padEnd(9)}${b.padEnd(12)}${c.padEnd(11)}${d.padEnd(10)}`;
    L.push(row("chain:", "interface:", "protocol:", "packets:"));
    for (const [k, n] of [...pair.chainCounts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const [chain, intf, proto] = k.split("|") as [string, string, string];
      const name = /^\d+$/.test(proto) ? (detail.setup?.protocols.get(Number(proto))?.name ?? proto) : proto;
      L.push(row(chain, intf, name, String(n)));
    }
  }
  // signatures and invalid ICMP, one block per protocol
  const protos = new Set<string>([...alert.signatures.map((h) => h.proto), ...alert.invalidIcmp.map((i) => i.proto)]);
  for (const proto of [...protos].sort()) {
    L.push("", "", `[+] ${proto.toUpperCase()} scan signatures:`, "");
    for (const h of alert.signatures) if (h.proto === proto) L.push(...sigBlock(h, detail, ctx));
    for (const i of alert.invalidIcmp) {
      if (i.proto !== proto) continue;
      if (i.kind === "type") L.push(`   Invalid ICMP type "${i.type}" chain=${i.chain} packets=${i.pkts}`);
      else
        L.push(
          `   Invalid ICMP code "${i.code}" for ICMP "${i.typeName}" packet`,
          `       chain=${i.chain} packets=${i.pkts}`,
        );
    }
  }
  L.push("", frame);
  return `${L.join("\n")}\n`;
}

const NMAP: Record<string, string> = {
  SYN: "-sT or -sS",
  FIN: "-sF",
  "URG PSH FIN": "-sX",
  NULL: "-sN",
  "URG PSH SYN FIN": "-O",
};

/**
 * psad's `scan_logr` decisions for one closed batch: which syslog messages and e-mails to send, applying
 * ALERTING_METHODS, MIN_DANGER_LEVEL, ALERT_ALL, EMAIL_ALERT_DANGER_LEVEL, EMAIL_LIMIT (per source or per
 * destination, with the one-time status mail) and EMAIL_THROTTLE. Pure apart from updating `throttle`.
 * @param alerts - the alerts of one batch (`detector.push`/`flush`, or `AnalysisResult.alerts`)
 * @param state - `detector.state()` (pair/source detail for the e-mail body)
 * @param setup - the detector setup (signature classtypes, protocol names)
 * @param settings - from {@link alertSettings}
 * @param throttle - counters kept across batches ({@link createAlertThrottleState})
 * @param ctx - injected time and mode
 * @returns syslog messages, e-mails and the skipped alerts with reasons
 * @example
 * const plan = alertsFor(det.push(pkt), det.state(), setup, settings, throttle, { now: pkt.time });
 * await syslog.send(plan.syslog);
 * for (const m of plan.emails) await mailer.send(m);
 */
export function alertsFor(
  alerts: readonly ScanAlert[],
  state: DetectorState,
  setup: DetectorSetup,
  settings: AlertSettings,
  throttle: AlertThrottleState,
  ctx: AlertContext,
): AlertDelivery {
  const out: AlertDelivery = { syslog: [], emails: [], skipped: [] };
  const compat = settings.psadCompat;
  const mailOn = settings.email && (ctx.email ?? true) && settings.emailAddresses.length > 0;
  // psad counts once per source per batch (per pair with ENABLE_EMAIL_LIMIT_PER_DST)
  const srcDecision = new Map<string, AlertSkipReason | "send">();
  const decide = (key: string, src: string, dst: string): AlertSkipReason | "send" => {
    const limit = settings.emailLimit;
    const seen = throttle.emailCounts.has(key);
    const ctr = throttle.emailCounts.get(key) ?? 0;
    if (seen && limit > 0 && ctr >= limit) {
      if (!throttle.limitNotified.has(key) && settings.emailLimitStatusMsg && mailOn) {
        const subject = `${settings.statusPrefix} reached email message limit for ${src} on ${settings.hostname}${settings.emailLimitPerDst ? ` (${dst})` : ""}`;
        out.emails.push({ kind: "status", to: settings.emailAddresses, subject, text: "", src, dst });
      }
      throttle.limitNotified.add(key);
      out.syslog.push(
        settings.emailLimitPerDst
          ? `email limit reached for src: ${src} against dst: ${dst}`
          : `email limit reached for src: ${src}`,
      );
      return "email_limit";
    }
    const next = compat || mailOn ? ctr + 1 : ctr;
    throttle.emailCounts.set(key, next);
    const n = settings.emailThrottle;
    if (n > 1 && next > 0) {
      // psad skips every Nth (sends (N-1)/N); fixed: send the 1st, (N+1)th, … (1/N as psad.conf promises)
      if (compat ? next % n === 0 : (next - 1) % n !== 0) return "throttle";
    }
    return "send";
  };
  for (const a of alerts) {
    if (a.dl < settings.minDangerLevel || a.dl === 0) continue;
    const pairKey = `${a.src} ${a.dst}`;
    if (!settings.alertAll) {
      const last = throttle.alertedDl.get(pairKey);
      if (last !== undefined && a.dl <= last) {
        out.skipped.push({ src: a.src, dst: a.dst, reason: "alert_all" });
        continue;
      }
    }
    let verdict: AlertSkipReason | "send";
    if (settings.emailLimitPerDst) verdict = decide(pairKey, a.src, a.dst);
    else {
      let v = srcDecision.get(a.src);
      if (v === undefined) {
        v = decide(a.src, a.src, a.dst);
        srcDecision.set(a.src, v);
      }
      verdict = v;
    }
    if (verdict !== "send") {
      out.skipped.push({ src: a.src, dst: a.dst, reason: verdict });
      // psad skips the whole alert (syslog included); fixed: limits and throttling apply to e-mail only
      if (compat) continue;
    }
    if (!settings.alertAll) throttle.alertedDl.set(pairKey, a.dl);
    if (settings.syslog) out.syslog.push(...a.syslog);
    if (verdict !== "send") continue;
    if (!mailOn) {
      out.skipped.push({ src: a.src, dst: a.dst, reason: "email_disabled" });
      continue;
    }
    if (a.dl < settings.emailAlertDangerLevel) {
      out.skipped.push({ src: a.src, dst: a.dst, reason: "danger_level" });
      continue;
    }
    const source = state.sources.get(a.src);
    const pair = source?.dsts.get(a.dst);
    const emailCount = throttle.emailCounts.get(settings.emailLimitPerDst ? pairKey : a.src) ?? 0;
    const text = renderEmailAlert(a, { source, pair, emailCount, setup }, settings, ctx);
    const subject = `${settings.alertPrefix} DL${a.dl}${ctx.mode === "analysis" ? " (analysis mode)" : ""} src: ${a.src} dst: ${a.dst}`;
    out.emails.push({ kind: "alert", to: settings.emailAddresses, subject, text, src: a.src, dst: a.dst });
  }
  return out;
}
