/**
 * The live lab of `fwkit demo --lab` (root): two network namespaces joined by a veth pair. The target has a LOG+DROP
 * policy with a unique log prefix, an HTTP server, a TCP listener on port 22, fwsnort's rules from the sample rule
 * set and an SPA server (`fwkit fwknopd`); the attacker port-scans it with nmap, sends a web attack and later an SPA
 * packet. The kernel log (/dev/kmsg, read from the lab's start) goes through psad-core, which detects the scan
 * and auto-blocks the attacker in the target's PSAD_BLOCK chains until the block times out. Every command is an
 * argv array run inside one of the lab's namespaces: the host's own firewall is never touched. Everything is torn
 * down at the end, on an error, and on SIGINT / SIGTERM.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Io } from "../io.ts";
import { readText } from "../options.ts";
import { analyzeKernLog, DEMO_AUTO_IDS_DL, DEMO_BLOCK_TIMEOUT, dangerLevelFor, describeSources } from "./analysis.ts";
import { type CaptureFilter, isLabMessage, SANITISED, sanitiseMessage } from "./capture.ts";
import { formatKernLogLine, type KmsgReader, openKmsg } from "./kmsg.ts";
import { LAB_ADDRS } from "./offline.ts";
import {
  type Child,
  type Exec,
  execIn,
  execWithSignal,
  netnsArgv,
  nodeExec,
  onPath,
  sleep,
  startChild,
} from "./proc.ts";
import { SAMPLE_FILES } from "./samples.ts";
import { demoAccessConf, demoFwknopdConf, demoKeys, SPA_PORT } from "./spa.ts";
import { type StepContext, type StepLog, StepSkipped } from "./steps.ts";
import { applyRulesInNetns, autoBlockInNetns, renderHtml, translateRules } from "./toolkit.ts";

/** Options of {@link runLab}. */
export interface LabOptions {
  outDir: string;
  dataDir: string;
  /** Also write the sanitised capture to `recordDir/sample-scan.log`. */
  recordDir?: string;
  /** Wall clock, epoch ms. */
  now: () => number;
  /** Aborting it interrupts the lab (like SIGINT). */
  signal?: AbortSignal;
}

/** Outcome of the lab. */
export interface LabResult {
  interrupted: boolean;
}

/** Seconds an SPA grant lasts in the lab (FW_ACCESS_TIMEOUT). */
export const LAB_SPA_TIMEOUT = 4;
/** Ports nmap scans (all but 80 are logged and dropped). */
export const LAB_SCAN_PORTS = "1-300";
/** The web attack: a request whose URI matches SID 1000001 ("/etc/passwd") of the sample rule set. */
export const LAB_WEB_ATTACK = { sid: 1000001, path: "/cgi-bin/show?file=/etc/passwd" } as const;

/** HTTP on :80 and an sshd-like banner on :22 in the target. */
const SERVICES_JS = `
const http = require("node:http"), net = require("node:net");
let up = 0; const ready = () => { if (++up === 2) console.log("ready"); };
http.createServer((q, r) => { console.log("http " + q.method + " " + q.url); r.end("fwkit lab target\\n"); }).listen(80, "0.0.0.0", ready);
net.createServer((s) => { console.log("tcp/22 connection from " + s.remoteAddress); s.on("error", () => {}); s.end("SSH-2.0-fwkit_lab\\r\\n"); }).listen(22, "0.0.0.0", ready);
`;

/** `node -e CONNECT host port ms`: prints `open <banner>`, `closed <code>` or `filtered` (no answer). */
const CONNECT_JS = `
const [host, port, ms] = process.argv.slice(1);
const s = require("node:net").connect({ host, port: Number(port) });
const done = (t) => { console.log(t); s.destroy(); process.exit(0); };
s.setTimeout(Number(ms), () => done("filtered"));
s.on("connect", () => { s.setTimeout(0); s.once("data", (d) => done("open " + String(d).trim())); setTimeout(() => done("open"), 500); });
s.on("error", (e) => done("closed " + e.code));
`;

/** `node -e WEB host path`: sends one HTTP request, prints the status line. */
const WEB_JS = `
const [host, path] = process.argv.slice(1);
const s = require("node:net").connect({ host, port: 80 }, () =>
  s.write("GET " + path + " HTTP/1.0\\r\\nHost: " + host + "\\r\\nUser-Agent: fwkit-lab\\r\\n\\r\\n"));
let d = ""; s.on("data", (x) => { d += x; });
s.setTimeout(3000, () => { console.log("timeout"); process.exit(0); });
s.on("end", () => { console.log(d.split("\\r\\n")[0]); process.exit(0); });
s.on("error", (e) => { console.log("error " + e.code); process.exit(0); });
`;

/**
 * The fwkit entry point the lab runs inside the namespaces (`fwkit fwknopd`, `fwkit fwknop`): `bin.js` next to the
 * built chunk, this very file when it is the running single-file bundle, or from the sources the built dist.
 * @param from - the module URL (default: this module)
 * @param main - the running script (default: process.argv[1])
 */
export function fwkitBin(
  from: string = import.meta.url,
  main: string | undefined = process.argv[1],
): string | undefined {
  const here = fileURLToPath(from);
  if (here.endsWith(".ts")) {
    const dist = resolve(dirname(here), "../../dist/bin.js");
    return existsSync(dist) ? dist : undefined;
  }
  const sibling = join(dirname(here), "bin.js");
  if (existsSync(sibling)) return sibling;
  return main !== undefined && resolve(main) === here ? here : undefined;
}

const NF_LOG_ALL_NETNS = "/proc/sys/net/netfilter/nf_log_all_netns";

/** The lab's resources, released by {@link Lab.teardown} (also synchronously on process exit). */
class Lab {
  readonly id = randomBytes(3).toString("hex");
  readonly target = `fwkit-lab-${this.id}-t`;
  readonly attacker = `fwkit-lab-${this.id}-a`;
  readonly vethT = `fwl${this.id}t`;
  readonly vethA = `fwl${this.id}a`;
  readonly prefix = `FWKIT-${this.id} DROP `;
  readonly namespaces: string[] = [];
  readonly children: Child[] = [];
  tmp: string | undefined;
  nfLogBefore: string | undefined;
  kmsg: KmsgReader | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  /** Kernel log lines of the lab (kern.log format, unsanitised) and their sanitised form. */
  readonly lines: string[] = [];
  readonly sanitised: string[] = [];
  private tornDown = false;

  /**
   * @param exec - runs the steps' commands (killed when the lab is interrupted)
   * @param teardownExec - runs the teardown's commands (never interrupted)
   */
  constructor(
    readonly exec: Exec,
    private readonly teardownExec: Exec,
  ) {}

  get filter(): CaptureFilter {
    return { iface: this.vethT, prefix: this.prefix, addrs: [LAB_ADDRS.target, LAB_ADDRS.attacker] };
  }

  inTarget(): Exec {
    return execIn(this.exec, this.target);
  }

  inAttacker(): Exec {
    return execIn(this.exec, this.attacker);
  }

  /** Start a long-running child inside a namespace. */
  spawnIn(ns: string, name: string, file: string, args: readonly string[]): Child {
    const [f, a] = netnsArgv(ns, file, args);
    const c = startChild(name, f, a);
    this.children.push(c);
    return c;
  }

  /** Read new kernel records, keep the lab's. */
  pollKmsg(): void {
    if (!this.kmsg) return;
    for (const rec of this.kmsg.poll()) {
      if (!isLabMessage(rec.message, this.filter)) continue;
      const usec = this.kmsg.epochUsec(rec);
      this.lines.push(formatKernLogLine(usec, SANITISED.host, rec.message));
      const s = sanitiseMessage(rec.message, this.filter);
      if (s !== undefined) this.sanitised.push(formatKernLogLine(usec, SANITISED.host, s));
    }
  }

  startKmsg(now: () => number): void {
    this.kmsg = openKmsg(now);
    this.pollTimer = setInterval(() => this.pollKmsg(), 20);
  }

  stopKmsg(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    this.pollKmsg();
  }

  /** Stop every child, restore the sysctl, delete the namespaces (and with them the veth pair), remove files. */
  async teardown(): Promise<string[]> {
    if (this.tornDown) return [];
    this.tornDown = true;
    const done: string[] = [];
    this.stopKmsg();
    this.kmsg?.close();
    this.kmsg = undefined;
    await Promise.all(this.children.map((c) => c.stop(1500)));
    if (this.children.length) done.push(`${this.children.length} processes stopped`);
    for (const ns of [...this.namespaces].reverse()) {
      const r = await this.teardownExec("ip", ["netns", "del", ns]);
      if (r.code === 0) done.push(`namespace ${ns} deleted`);
      else done.push(`ip netns del ${ns} failed: ${r.stderr.trim()}`);
    }
    this.namespaces.length = 0;
    if (this.nfLogBefore !== undefined) {
      writeFileSync(NF_LOG_ALL_NETNS, this.nfLogBefore);
      done.push(`net.netfilter.nf_log_all_netns restored to ${this.nfLogBefore}`);
      this.nfLogBefore = undefined;
    }
    if (this.tmp) await rm(this.tmp, { recursive: true, force: true });
    return done;
  }

  /** Last resort on process exit: synchronous kills and deletes. */
  teardownSync(): void {
    if (this.tornDown) return;
    this.tornDown = true;
    for (const c of this.children) {
      if (c.process.pid !== undefined && c.process.exitCode === null) {
        try {
          process.kill(-c.process.pid, "SIGKILL");
        } catch {
          /* gone */
        }
      }
    }
    for (const ns of this.namespaces) {
      try {
        execFileSync("ip", ["netns", "del", ns], { stdio: "ignore" });
      } catch {
        /* already gone */
      }
    }
    if (this.nfLogBefore !== undefined) writeFileSync(NF_LOG_ALL_NETNS, this.nfLogBefore);
  }
}

/** A step the rest of the lab depends on did not succeed: the lab stops (and is torn down). */
class LabStopped extends Error {
  override readonly name = "LabStopped";
  constructor(readonly step: string) {
    super(`the lab stopped after step ${step}`);
  }
}

/** Fail the step with a message unless the command succeeded; returns stdout. */
async function ok(exec: Exec, file: string, args: readonly string[], input?: string): Promise<string> {
  const r = await exec(file, args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`${file} ${args.join(" ")} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

/**
 * The target's policy: loopback, established, HTTP, the SPA server's UDP port (fwknopd in UDP-server mode needs it
 * open; tcp/22 stays closed until an SPA packet opens it), then LOG with the unique prefix and DROP.
 */
export function targetPolicy(prefix: string): string {
  return [
    "*filter",
    ":INPUT ACCEPT [0:0]",
    ":FORWARD DROP [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    "-A INPUT -i lo -j ACCEPT",
    "-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
    "-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT",
    `-A INPUT -p udp -m udp --dport ${SPA_PORT} -j ACCEPT`,
    `-A INPUT -j LOG --log-prefix "${prefix}" --log-ip-options --log-tcp-options`,
    "-A INPUT -j DROP",
    "COMMIT",
    "",
  ].join("\n");
}

/**
 * Run the lab's steps on `log`; everything is torn down before it returns (also when interrupted).
 * @throws only for errors outside the steps (the steps record their own failures)
 */
export async function runLab(io: Io, log: StepLog, o: LabOptions): Promise<LabResult> {
  const ac = new AbortController();
  const lab = new Lab(execWithSignal(nodeExec, ac.signal), nodeExec);
  const onSignal = (sig: NodeJS.Signals) => ac.abort(sig);
  const onOuter = () => ac.abort(typeof o.signal?.reason === "string" ? o.signal.reason : "SIGINT");
  const onExit = () => lab.teardownSync();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("exit", onExit);
  o.signal?.addEventListener("abort", onOuter, { once: true });
  if (o.signal?.aborted) onOuter();
  const signal = ac.signal;
  const interrupted = () => new StepSkipped(`interrupted by ${String(signal.reason)}`);
  /** Reject as soon as the lab is interrupted. */
  const guard = <T>(p: Promise<T>): Promise<T> =>
    new Promise<T>((res, rej) => {
      if (signal.aborted) return rej(interrupted());
      const onAbort = () => rej(interrupted());
      signal.addEventListener("abort", onAbort, { once: true });
      p.then(
        (v) => {
          signal.removeEventListener("abort", onAbort);
          res(v);
        },
        (e) => {
          signal.removeEventListener("abort", onAbort);
          rej(e);
        },
      );
    });
  const wait = (ms: number) => guard(sleep(ms));
  /** Run a step; stop the lab when it was interrupted or a required step did not succeed. */
  const step = async <T>(
    id: string,
    title: string,
    fn: (s: StepContext) => Promise<T>,
    required = false,
  ): Promise<T | undefined> => {
    const v = await log.run(id, title, (s) => guard(fn(s)));
    if (signal.aborted) throw interrupted();
    if (required && log.steps[log.steps.length - 1]?.status !== "ok") throw new LabStopped(id);
    return v;
  };
  const connect = async (port: number, ms = 1500): Promise<string> => {
    const r = await guard(
      lab.inAttacker()(process.execPath, ["-e", CONNECT_JS, LAB_ADDRS.target, String(port), String(ms)], {
        timeoutMs: ms + 5000,
      }),
    );
    return r.stdout.trim() || `error ${r.stderr.trim()}`;
  };

  let wasInterrupted = false;
  try {
    const rulesPath = join(o.dataDir, SAMPLE_FILES.rules);
    const rulesText = await readText(io, rulesPath);
    const pfOs = await io.readFile(join(o.dataDir, SAMPLE_FILES.pfOs)).catch(() => undefined);
    const bin = fwkitBin();

    await step(
      "lab-netns",
      "lab: two network namespaces joined by a veth pair",
      async (s) => {
        lab.tmp = await mkdtemp(join(tmpdir(), "fwkit-lab-"));
        for (const ns of [lab.target, lab.attacker]) {
          await ok(lab.exec, "ip", ["netns", "add", ns]);
          lab.namespaces.push(ns);
          await ok(lab.exec, "ip", ["-n", ns, "link", "set", "lo", "up"]);
        }
        await ok(lab.exec, "ip", [
          "-n",
          lab.target,
          "link",
          "add",
          lab.vethT,
          "type",
          "veth",
          "peer",
          "name",
          lab.vethA,
          "netns",
          lab.attacker,
        ]);
        for (const [ns, dev, addr] of [
          [lab.target, lab.vethT, LAB_ADDRS.target],
          [lab.attacker, lab.vethA, LAB_ADDRS.attacker],
        ] as const) {
          await ok(lab.exec, "ip", ["-n", ns, "addr", "add", `${addr}/${LAB_ADDRS.prefixLen}`, "dev", dev]);
          await ok(lab.exec, "ip", ["-n", ns, "link", "set", dev, "up"]);
        }
        s.line(`target   ${lab.target}  ${LAB_ADDRS.target}/${LAB_ADDRS.prefixLen} on ${lab.vethT}`);
        s.line(`attacker ${lab.attacker}  ${LAB_ADDRS.attacker}/${LAB_ADDRS.prefixLen} on ${lab.vethA}`);
        const before = readFileSync(NF_LOG_ALL_NETNS, "utf8").trim();
        if (before !== "1") {
          await ok(lab.exec, "sysctl", ["-w", "net.netfilter.nf_log_all_netns=1"]);
          lab.nfLogBefore = before;
          s.line("sysctl -w net.netfilter.nf_log_all_netns=1 (LOG rules in namespaces reach the kernel log)");
        } else s.line("net.netfilter.nf_log_all_netns is 1 (LOG rules in namespaces reach the kernel log)");
        s.set({ target: lab.target, attacker: lab.attacker, namespaces: [lab.target, lab.attacker] });
      },
      true,
    );

    await step(
      "lab-target",
      "target: HTTP on :80, an sshd-like listener on :22, LOG + DROP policy",
      async (s) => {
        const svc = lab.spawnIn(lab.target, "target services", process.execPath, ["-e", SERVICES_JS]);
        await svc.waitFor(/^ready$/m, 10_000);
        await ok(lab.inTarget(), "iptables-restore", [], targetPolicy(lab.prefix));
        const rules = await ok(lab.inTarget(), "iptables", ["-S", "INPUT"]);
        for (const l of rules.trim().split("\n")) s.line(l);
        s.set({ prefix: lab.prefix });
      },
      true,
    );

    await step("lab-fwsnort", `fwsnort: the rules of ${rulesPath} applied in the target`, async (s) => {
      const t = await translateRules(rulesText, rulesPath, { homeNet: LAB_ADDRS.target });
      const save = join(o.outDir, "fwsnort.save");
      await writeFile(save, t.save);
      s.line(t.summary);
      s.output(save);
      const applied = await applyRulesInNetns(lab.target, rulesText, rulesPath, { homeNet: LAB_ADDRS.target });
      s.line(`applied atomically: ${applied.rules} rules in ${applied.chains.join(", ")}`);
      const estab = await ok(lab.inTarget(), "iptables", ["-S", "FWSNORT_INPUT_ESTAB"]);
      for (const l of estab.split("\n").filter((x) => x.includes(`SID${LAB_WEB_ATTACK.sid} `))) s.line(`target: ${l}`);
      s.set({ translated: t.translated, applied: applied.rules });
    });

    await step(
      "lab-kmsg",
      "kernel log: /dev/kmsg from its current end",
      async (s) => {
        lab.startKmsg(o.now);
        s.line(
          `reading records after #${lab.kmsg?.startSeq ?? -1}; kept: lines logged on ${lab.vethT} (the LOG prefix "${lab.prefix.trim()}" and fwsnort's "[N] SID…")`,
        );
      },
      true,
    );

    await step("lab-baseline", "attacker: before the scan", async (s) => {
      const http = await connect(80);
      const ssh = await connect(22);
      s.line(`connect ${LAB_ADDRS.target}:80 → ${http}`);
      s.line(`connect ${LAB_ADDRS.target}:22 → ${ssh} (LOG + DROP)`);
      s.set({ http, ssh });
    });

    await step("lab-scan", `attacker: nmap -sS -p ${LAB_SCAN_PORTS} ${LAB_ADDRS.target}`, async (s) => {
      if (!onPath("nmap")) throw new StepSkipped("nmap is not installed");
      const args = ["-sS", "-n", "-Pn", "-T4", "--max-retries", "0", "-p", LAB_SCAN_PORTS, LAB_ADDRS.target];
      const r = await guard(lab.inAttacker()("nmap", args, { timeoutMs: 60_000 }));
      if (r.code !== 0) throw new Error(`nmap exited ${r.code}: ${r.stderr.trim()}`);
      for (const l of r.stdout.split("\n")) {
        if (/^\d+\/tcp|Not shown|Nmap done/.test(l)) s.line(`nmap: ${l.trim()}`);
      }
    });

    await step("lab-web", `attacker: web attack GET ${LAB_WEB_ATTACK.path}`, async (s) => {
      const r = await guard(
        lab.inAttacker()(process.execPath, ["-e", WEB_JS, LAB_ADDRS.target, LAB_WEB_ATTACK.path], {
          timeoutMs: 10_000,
        }),
      );
      s.line(`response: ${r.stdout.trim()}`);
      s.set({ response: r.stdout.trim() });
    });

    const analysis = await step("lab-psad", "psad: the kernel log of the lab → scan report", async (s) => {
      await wait(500);
      lab.pollKmsg();
      const raw = join(o.outDir, "lab-kern.log");
      await writeFile(raw, `${lab.lines.join("\n")}\n`);
      s.line(
        `/dev/kmsg: ${lab.lines.length} lines of the lab (prefix "${lab.prefix.trim()}" or IN=${lab.vethT})${lab.kmsg?.lost ? `, ${lab.kmsg.lost} records lost to ring-buffer wrap` : ""}`,
      );
      s.output(raw);
      const sidLines = lab.sanitised.filter((l) => new RegExp(`SID${LAB_WEB_ATTACK.sid}\\b`).test(l));
      s.line(`fwsnort log lines for SID${LAB_WEB_ATTACK.sid}: ${sidLines.length}`);
      if (o.recordDir !== undefined) {
        await mkdir(o.recordDir, { recursive: true });
        const rec = join(o.recordDir, SAMPLE_FILES.scanLog);
        await writeFile(rec, `${lab.sanitised.join("\n")}\n`);
        s.line(`recorded ${lab.sanitised.length} sanitised lines (only ${LAB_ADDRS.attacker} ↔ ${LAB_ADDRS.target})`);
        s.output(rec);
      }
      const a = await analyzeKernLog(
        lab.sanitised,
        { snortRules: [rulesText], ...(pfOs !== undefined ? { pfOs } : {}), now: () => o.now() / 1000 },
        "lab-kern.log",
      );
      for (const l of describeSources(a.json)) s.line(l);
      for (const l of a.syslog) s.line(`syslog: ${l}`);
      const reportPath = join(o.outDir, "psad-report.txt");
      const jsonPath = join(o.outDir, "psad-analysis.json");
      await writeFile(reportPath, a.report);
      await writeFile(jsonPath, `${JSON.stringify(a.json, null, 2)}\n`);
      s.output(reportPath);
      s.output(jsonPath);
      const attacker = a.json.sources.find((x) => x.src === LAB_ADDRS.attacker);
      const dropped = lab.sanitised.filter(
        (l) => l.includes(`kernel: ${SANITISED.prefix}`) && l.includes(`SRC=${LAB_ADDRS.attacker} `),
      ).length;
      const expectedDl = dangerLevelFor(dropped);
      s.line(
        `scan: ${attacker ? `DL ${attacker.dl}` : "not detected"}; ${dropped} logged packets give DL ${expectedDl} by the thresholds`,
      );
      s.set({
        kernLines: lab.lines.length,
        sanitisedLines: lab.sanitised.length,
        lost: lab.kmsg?.lost ?? 0,
        droppedLogged: dropped,
        expectedDl,
        sidLines: sidLines.length,
        attacker: attacker
          ? {
              src: attacker.src,
              dl: attacker.dl,
              packets: attacker.packets,
              osGuesses: attacker.osGuesses,
              sids: [...new Set(attacker.destinations.flatMap((d) => d.signatures.map((g) => g.sid)))].sort(
                (x, y) => x - y,
              ),
            }
          : null,
        syslog: a.syslog,
      });
      return a;
    });

    await step("lab-html", "psad: HTML report of the lab", async (s) => {
      if (!analysis) throw new StepSkipped("no analysis");
      const html = await renderHtml(analysis, "fwkit lab", "lab-kern.log", new Date(o.now()).toISOString());
      const p = join(o.outDir, "psad-report.html");
      await writeFile(p, html.html);
      s.line(`${html.charts} SVG charts`);
      s.output(p);
    });

    await step(
      "lab-block",
      `psad: auto-block the attacker (DL ≥ ${DEMO_AUTO_IDS_DL}) for ${DEMO_BLOCK_TIMEOUT} s`,
      async (s) => {
        if (!analysis) throw new StepSkipped("no analysis");
        const r = await autoBlockInNetns(
          lab.target,
          analysis,
          [LAB_ADDRS.target],
          o.now,
          wait,
          s.line,
          async (phase) => {
            if (phase === "blocked") {
              const rules = await ok(lab.inTarget(), "iptables", ["-S", "PSAD_BLOCK_INPUT"]);
              for (const l of rules.trim().split("\n")) s.line(`target: ${l}`);
            }
            const http = await connect(80);
            s.line(`${phase}: attacker connect :80 → ${http}`);
            return http;
          },
        );
        s.set({ ...r });
        if (!r.blocked.includes(LAB_ADDRS.attacker)) throw new Error("the attacker was not blocked");
        if (r.whileBlocked.startsWith("open")) throw new Error("the attacker still reached :80 while blocked");
        if (!r.afterUnblock.startsWith("open")) throw new Error("the attacker did not reach :80 after the unblock");
      },
    );

    await step(
      "lab-spa",
      `SPA: fwknop client in the attacker → fwkit fwknopd in the target opens tcp/22`,
      async (s) => {
        if (!bin) throw new StepSkipped("the fwkit bin is not built (run pnpm build): it runs fwknopd in the target");
        const tmp = lab.tmp as string;
        const keys = await demoKeys();
        const conf = join(tmp, "fwknopd.conf");
        const access = join(tmp, "access.conf");
        const rc = join(tmp, "fwknoprc");
        await mkdir(join(tmp, "run"), { recursive: true, mode: 0o700 });
        await writeFile(conf, demoFwknopdConf(join(tmp, "run")), { mode: 0o600 });
        await writeFile(access, demoAccessConf(keys, LAB_SPA_TIMEOUT), { mode: 0o600 });
        await writeFile(
          rc,
          `[lab]\nACCESS tcp/22\nALLOW_IP ${LAB_ADDRS.attacker}\nSPA_SERVER ${LAB_ADDRS.target}\nKEY_BASE64 ${keys.keyBase64}\nHMAC_KEY_BASE64 ${keys.hmacKeyBase64}\nUSE_HMAC Y\n`,
          { mode: 0o600 },
        );
        const server = lab.spawnIn(lab.target, "fwkit fwknopd", process.execPath, [
          bin,
          "fwknopd",
          "-f",
          "-c",
          conf,
          "-a",
          access,
          "-i",
          LAB_ADDRS.target,
        ]);
        const started = await server.waitFor(/Starting fwknopd[^\n]*/, 15_000);
        s.line(`target: ${started[0]}`);
        const before = await connect(22);
        s.line(`attacker: connect :22 → ${before}`);
        const [cf, ca] = netnsArgv(lab.attacker, process.execPath, [
          bin,
          "fwknop",
          "--rc-file",
          rc,
          "-n",
          "lab",
          "-p",
          String(SPA_PORT),
        ]);
        const sent = await guard(lab.exec(cf, ca, { timeoutMs: 15_000 }));
        if (sent.code !== 0) throw new Error(`fwkit fwknop exited ${sent.code}: ${sent.stderr.trim()}`);
        s.line(`attacker: fwkit fwknop -n lab → SPA packet to ${LAB_ADDRS.target}:${SPA_PORT}/udp`);
        const added = await server.waitFor(/Added access rule[^\n]*/, 10_000);
        s.line(`target: ${added[0]}`);
        const after = await connect(22);
        s.line(`attacker: connect :22 → ${after}`);
        const removed = await server.waitFor(/Removed \d+ expired rule[^\n]*/, (LAB_SPA_TIMEOUT + 6) * 1000);
        s.line(`target: ${removed[0]}`);
        const expired = await connect(22);
        s.line(`attacker: connect :22 → ${expired}`);
        await server.stop();
        s.set({ before, after, expired, grantLog: added[0], expireLog: removed[0] });
        if (!after.startsWith("open")) throw new Error("tcp/22 did not open after the SPA packet");
        if (after.startsWith("open") && expired.startsWith("open")) throw new Error("tcp/22 stayed open after expiry");
      },
    );
  } catch (e) {
    if (e instanceof StepSkipped && signal.aborted) wasInterrupted = true;
    else if (!(e instanceof LabStopped)) throw e;
  } finally {
    o.signal?.removeEventListener("abort", onOuter);
    const done = await lab.teardown();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("exit", onExit);
    await log.run("lab-teardown", "lab: teardown", async (s) => {
      for (const d of done) s.line(d);
      s.set({ done });
    });
  }
  return { interrupted: wasInterrupted || signal.aborted };
}
