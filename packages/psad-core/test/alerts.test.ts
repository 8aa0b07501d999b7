import { describe, expect, it } from "vitest";
import {
  type AlertSettings,
  alertSettings,
  alertsFor,
  createAlertThrottleState,
  perlLocaltime,
  renderEmailAlert,
} from "../src/alerts.ts";
import { analyzeLog } from "../src/analyze.ts";
import { parsePsadConfig } from "../src/config.ts";
import { createDetector } from "../src/detector.ts";
import { createLogLineParser } from "../src/parse-log-line.ts";
import { buildDetectorSetup } from "../src/setup.ts";
import { analyzeCapture, corpusMissing, corpusSetup } from "./support.ts";

const NOW = Date.parse("2026-11-22T00:00:00Z") / 1000;
const line = (sec: number, dp: number, src = "192.0.2.7", dst = "198.51.100.1") =>
  `Mar 11 20:${String(Math.floor(sec / 60)).padStart(2, "0")}:${String(sec % 60).padStart(2, "0")} fw kernel: DROP IN=eth0 OUT= SRC=${src} DST=${dst} LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=1 PROTO=TCP SPT=40000 DPT=${dp} WINDOW=1024 RES=0x00 SYN URGP=0 `;

function settingsFor(
  conf: string,
  psadCompat = false,
): { settings: AlertSettings; setup: ReturnType<typeof buildDetectorSetup> } {
  const c = parsePsadConfig(conf);
  if (!c.ok) throw c.error;
  const s = alertSettings(c.value, { psadCompat });
  if (!s.ok) throw s.error;
  return { settings: s.value, setup: buildDetectorSetup(c.value) };
}

/** Daemon mode: one CHECK_INTERVAL batch per 10 s of log time, 6 SYNs to new ports per batch. */
function batches(conf: string, n: number, psadCompat = false) {
  const { settings, setup } = settingsFor(`CHECK_INTERVAL 10;\n${conf}`, psadCompat);
  const det = createDetector(setup);
  const parser = createLogLineParser({ referenceTime: NOW });
  const throttle = createAlertThrottleState();
  const plans = [];
  let port = 1000;
  for (let b = 0; b < n; b++) {
    const alerts = [];
    for (let i = 0; i < 6; i++) {
      const r = parser.parseLine(line(b * 10 + 1, port++));
      if (!r.ok) throw new Error(r.reason);
      alerts.push(...det.push(r.packet));
    }
    if (b > 0) plans.push(alertsFor(alerts, det.state(), setup, settings, throttle, { now: NOW }));
  }
  plans.push(alertsFor(det.flush(), det.state(), setup, settings, throttle, { now: NOW }));
  return { plans, throttle };
}

describe("alertSettings", () => {
  it("reads EMAIL_*, ALERTING_METHODS, SYSLOG_* (defaults = psad.conf)", () => {
    const { settings } = settingsFor(
      "EMAIL_ADDRESSES a@x.org, b@y.org;\nALERTING_METHODS nosyslog;\nSYSLOG_FACILITY LOG_LOCAL3;\nSYSLOG_PRIORITY LOG_WARNING;",
    );
    expect(settings).toMatchObject({
      emailAddresses: ["a@x.org", "b@y.org"],
      email: true,
      syslog: false,
      emailLimit: 0,
      emailThrottle: 0,
      alertAll: true,
      alertPrefix: "[psad-alert]",
      syslogFacility: 19,
      syslogSeverity: 4,
    });
    expect(settingsFor("ALERTING_METHODS noemail,nosyslog;").settings).toMatchObject({ email: false, syslog: false });
  });
  it("PSAD_ALERT_CONFIG_INVALID on a bad EMAIL_LIMIT", () => {
    const c = parsePsadConfig("EMAIL_LIMIT lots;");
    if (!c.ok) throw c.error;
    const s = alertSettings(c.value);
    expect(s.ok ? "" : s.error.code).toBe("PSAD_ALERT_CONFIG_INVALID");
  });
});

describe("alertsFor: throttling", () => {
  it("one alert e-mail per batch, syslog lines in order", () => {
    const { plans } = batches("", 4);
    expect(plans.map((p) => p.emails.length)).toEqual([1, 1, 1, 1]);
    expect(plans[0]?.emails[0]?.subject).toBe("[psad-alert] DL1 src: 192.0.2.7 dst: 198.51.100.1");
    expect(plans[0]?.syslog).toEqual([
      "scan detected (Nmap -sT or -sS scan): 192.0.2.7 -> 198.51.100.1 tcp: [1000-1005] flags: SYN tcp pkts: 6 DL: 1 total scan dsts: 1",
    ]);
  });
  it("EMAIL_LIMIT 2: two alerts, one status mail, then only the syslog notice", () => {
    const { plans, throttle } = batches("EMAIL_LIMIT 2;\nHOSTNAME fw1;", 5);
    expect(plans.map((p) => p.emails.map((e) => e.kind).join(","))).toEqual(["alert", "alert", "status", "", ""]);
    expect(plans[2]?.emails[0]).toMatchObject({
      subject: "[psad-status] reached email message limit for 192.0.2.7 on fw1",
      text: "",
    });
    expect(plans[3]?.syslog).toContain("email limit reached for src: 192.0.2.7");
    // fixed: the scan itself is still logged to syslog
    expect(plans[3]?.syslog.some((l) => l.startsWith("scan detected"))).toBe(true);
    expect(throttle.emailCounts.get("192.0.2.7")).toBe(2);
  });
  it("EMAIL_LIMIT per destination with ENABLE_EMAIL_LIMIT_PER_DST", () => {
    const { plans } = batches("EMAIL_LIMIT 1;\nENABLE_EMAIL_LIMIT_PER_DST Y;\nHOSTNAME fw1;", 3);
    expect(plans[1]?.emails[0]?.subject).toBe(
      "[psad-status] reached email message limit for 192.0.2.7 on fw1 (198.51.100.1)",
    );
    expect(plans[1]?.syslog[0]).toBe("email limit reached for src: 192.0.2.7 against dst: 198.51.100.1");
  });
  it("EMAIL_THROTTLE 3 sends 1 alert in 3 (psad: skips 1 in 3)", () => {
    const fixed = batches("EMAIL_THROTTLE 3;", 7).plans.map((p) => p.emails.length);
    expect(fixed).toEqual([1, 0, 0, 1, 0, 0, 1]);
    const compat = batches("EMAIL_THROTTLE 3;", 7, true).plans.map((p) => p.emails.length);
    expect(compat).toEqual([1, 1, 0, 1, 1, 0, 1]);
    // psad also drops the throttled batches' syslog lines
    const compatSyslog = batches("EMAIL_THROTTLE 3;", 3, true).plans.map((p) => p.syslog.length);
    expect(compatSyslog).toEqual([1, 1, 0]);
  });
  it("ALERT_ALL N: a pair alerts again only when its DL rises", () => {
    const { plans } = batches("ALERT_ALL N;", 4);
    // 6 pkts → DL1; 18 pkts (DL2 at 15) in the third batch
    expect(plans.map((p) => p.emails.length)).toEqual([1, 0, 1, 0]);
    expect(plans[1]?.skipped).toEqual([{ src: "192.0.2.7", dst: "198.51.100.1", reason: "alert_all" }]);
    expect(plans[2]?.emails[0]?.subject).toContain("DL2");
  });
  it("EMAIL_ALERT_DANGER_LEVEL, noemail, nosyslog", () => {
    expect(batches("EMAIL_ALERT_DANGER_LEVEL 2;", 3).plans.map((p) => p.emails.length)).toEqual([0, 0, 1]);
    const quiet = batches("ALERTING_METHODS noemail,nosyslog;", 2).plans;
    expect(quiet.flatMap((p) => [...p.emails, ...p.syslog])).toEqual([]);
    expect(quiet[0]?.skipped[0]?.reason).toBe("email_disabled");
  });
});

describe("renderEmailAlert", () => {
  it("psad's layout: 23-column labels, frames, global stats", async () => {
    const { settings, setup } = settingsFor("HOSTNAME fw1;");
    const lines = Array.from({ length: 20 }, (_, i) => line(11, 1000 + i));
    const r = await analyzeLog([lines.join("\n")], setup, { now: () => NOW });
    const plan = alertsFor(r.alerts, r.state, setup, settings, createAlertThrottleState(), {
      now: NOW,
      mode: "analysis",
    });
    const mail = plan.emails[0];
    expect(mail?.subject).toBe("[psad-alert] DL2 (analysis mode) src: 192.0.2.7 dst: 198.51.100.1");
    expect(mail?.text).toBe(
      [
        "=-=-=-=-=-=-=-=-=-=-=-= Sun Nov 22 00:00:00 2026 =-=-=-=-=-=-=-=-=-=-=-=",
        "",
        "",
        "         Danger level: [2] (out of 5)",
        "",
        " Scanned destinations: 1",
        "    Scanned TCP ports: [1000-1019: 20 packets]",
        "            TCP flags: [SYN: 20 packets, Nmap: -sT or -sS]",
        "       iptables chain: INPUT, 20 packets",
        "",
        "               Source: 192.0.2.7",
        "",
        "          Destination: 198.51.100.1",
        "",
        "   Overall scan start: Wed Mar 11 20:00:11 2026",
        "   Total email alerts: 1",
        "   Complete TCP range: [1000-1019]",
        "      Syslog hostname: fw",
        "",
        "         Global stats: ",
        "                       chain:   interface:  protocol:  packets:  ",
        "                       INPUT    eth0        tcp        20        ",
        "",
        "=-=-=-=-=-=-=-=-=-=-=-= Sun Nov 22 00:00:00 2026 =-=-=-=-=-=-=-=-=-=-=-=",
        "",
      ].join("\n"),
    );
  });
  it("with analyzeLog's alertDetail the chain line carries the log prefix, as psad's does", async () => {
    const { settings, setup } = settingsFor("");
    const lines = Array.from({ length: 6 }, (_, i) => line(11, 1000 + i));
    const r = await analyzeLog([lines.join("\n")], setup, { now: () => NOW, alertDetail: true });
    const a = r.alerts[0];
    if (!a) throw new Error("no alert");
    expect(a.chainPrefixes).toEqual([["tcp|INPUT|DROP", 6]]);
    expect(renderEmailAlert(a, { emailCount: 0, setup }, settings, { now: NOW })).toContain(
      '\n       iptables chain: INPUT (prefix "DROP"), 6 packets\n',
    );
  });
  it("perlLocaltime pads the day with a space and honours the offset", () => {
    expect(perlLocaltime(Date.parse("2026-03-01T23:30:05Z") / 1000)).toBe("Sun Mar  1 23:30:05 2026");
    expect(perlLocaltime(Date.parse("2026-03-01T23:30:05Z") / 1000, 60)).toBe("Mon Mar  2 00:30:05 2026");
  });
  it.skipIf(corpusMissing())("signature blocks from a corpus capture (ms_sql_server_sig_match)", async () => {
    const r = await analyzeCapture("ms_sql_server_sig_match");
    const setup = await corpusSetup();
    const s = alertSettings(setup.config);
    if (!s.ok) throw s.error;
    const a = r.alerts[0];
    if (!a) throw new Error("no alert");
    const text = renderEmailAlert(
      a,
      { pair: r.state.sources.get(a.src)?.dsts.get(a.dst), emailCount: 1, setup },
      s.value,
      { now: NOW, localPorts: { tcp: new Set([22]) } },
    );
    expect(text).toContain("[+] TCP scan signatures:");
    expect(text).toMatch(
      / {3}"[^"]*SQL[^"]*"\n {7}dst port: {2}1433 \(no server bound to local port\)\n {7}flags: {5}SYN\n/,
    );
    expect(text).toMatch(/\n {7}(sid|psad_id): +\d+/);
    expect(text).toContain("      Syslog hostname: linux");
  });
});
