import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isIptablesParseError } from "../src/errors.ts";
import { familyFromBinaryName, IptablesParse } from "../src/iptables-parse.ts";
import { PARSE_KEYS } from "../src/parse-keys.ts";
import type { Executor, IptablesParseOptions, PathAccess, RunOptions, RunOutcome } from "../src/types.ts";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const FILTER_V4 = fixture("spec-filter-v4.vnL-ln.txt");
const FILTER_V6 = fixture("spec-filter-v6.vnL-ln.txt");
const NFT_VERSION = "iptables v1.8.9 (nf_tables)\n";
const LEGACY_WARNING = "# Warning: iptables-legacy tables present, use iptables-legacy to see them\n";

interface Call {
  file: string;
  args: string[];
  opts: RunOptions;
}
type Reply = Partial<RunOutcome> | ((c: Call) => Partial<RunOutcome> | Promise<Partial<RunOutcome>>);

/** A fake executor: replies by matching the joined argv against patterns (first match wins). */
function fake(replies: [RegExp, Reply][] = []) {
  const calls: Call[] = [];
  const exec: Executor = async (file, args, opts) => {
    const call = { file, args: [...args], opts };
    calls.push(call);
    const line = [file, ...args].join(" ");
    let r: Partial<RunOutcome> = {};
    const hit = replies.find(([re]) => re.test(line));
    if (hit) r = typeof hit[1] === "function" ? await hit[1](call) : hit[1];
    else if (args.includes("--version"))
      r = { stdout: file.includes("ip6tables") ? "ip6tables v1.8.9 (nf_tables)\n" : NFT_VERSION };
    return { stdout: "", stderr: "", exitCode: 0, signal: null, timedOut: false, pid: 4242, ...r };
  };
  return { exec, calls, lines: () => calls.map((c) => [c.file, ...c.args].join(" ")) };
}

const access =
  (map: Record<string, PathAccess>) =>
  (p: string): PathAccess =>
    map[p] ?? "missing";
const STD = access({ "/usr/sbin/iptables": "executable", "/usr/sbin/ip6tables": "executable" });

async function make(opts: IptablesParseOptions, replies: [RegExp, Reply][] = []) {
  const f = fake(replies);
  const obj = await IptablesParse.create({ pathAccess: STD, executor: f.exec, ...opts });
  return { obj, ...f };
}

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    return isIptablesParseError(e) ? e.code : `other: ${String(e)}`;
  }
  return undefined;
}

async function errorOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isIptablesParseError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("did not throw");
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "fwkit-ipt-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("IptablesParse.create — binary resolution (spec §1.1)", () => {
  it("auto-detects /usr/sbin/iptables, probes --version once and appends -w <lockWait> (Perl _cmd '/usr/sbin/iptables -w')", async () => {
    const { obj, lines } = await make({});
    expect(lines()).toEqual(["/usr/sbin/iptables --version"]);
    expect(obj.cmd).toEqual(["/usr/sbin/iptables", "-w", "30"]);
    expect(obj.waitArgs).toEqual(["-w", "30"]);
    expect(obj).toMatchObject({ iptBinName: "iptables", ipv6: false, family: "ipv4", iptables: "/usr/sbin/iptables" });
    expect(obj.firewallCmd).toBe("");
    expect(obj.fwdArgs).toBe("--direct --passthrough ipv4");
    expect(obj.iptablesVersion).toMatchObject({ version: "1.8.9", backend: "nf_tables", waitSeconds: true });
  });

  it("useIpv6 switches /usr/sbin/iptables to /usr/sbin/ip6tables (Perl _cmd '/usr/sbin/ip6tables -w')", async () => {
    const { obj, lines } = await make({ useIpv6: true });
    expect(lines()).toEqual(["/usr/sbin/ip6tables --version"]);
    expect(obj.cmd).toEqual(["/usr/sbin/ip6tables", "-w", "30"]);
    expect(obj).toMatchObject({ iptBinName: "ip6tables", ipv6: true, family: "ipv6" });
  });

  it("prefers /usr/bin/firewall-cmd and probes with Perl's passthrough listing", async () => {
    const { obj, lines } = await make({
      pathAccess: access({ "/usr/bin/firewall-cmd": "executable", "/usr/sbin/iptables": "executable" }),
    });
    expect(lines()).toEqual(["/usr/bin/firewall-cmd --direct --passthrough ipv4 -w -t filter -n -L INPUT"]);
    expect(obj.cmd).toEqual(["/usr/bin/firewall-cmd", "--direct", "--passthrough", "ipv4", "-w"]);
    expect(obj).toMatchObject({
      iptBinName: "firewall-cmd",
      ipv6: false,
      iptables: "",
      firewallCmd: "/usr/bin/firewall-cmd",
    });
  });

  it("firewalld + useIpv6 rewrites fwd_args to --direct --passthrough ipv6", async () => {
    const { obj } = await make({
      firewallCmd: "/opt/fw/firewall-cmd",
      useIpv6: true,
      pathAccess: access({ "/opt/fw/firewall-cmd": "executable" }),
    });
    expect(obj.fwdArgs).toBe("--direct --passthrough ipv6");
    expect(obj.cmd).toEqual(["/opt/fw/firewall-cmd", "--direct", "--passthrough", "ipv6", "-w"]);
    expect(obj.ipv6).toBe(true);
    const v6args = await make({
      firewallCmd: "/f",
      fwdArgs: "--direct --passthrough ipv6",
      pathAccess: access({ "/f": "executable" }),
    });
    expect(v6args.obj.ipv6).toBe(true);
  });

  it("firewalld probe failure leaves -w off", async () => {
    const { obj } = await make({ firewallCmd: "/f", pathAccess: access({ "/f": "executable" }) }, [
      [/-w -t filter/, { exitCode: 2, stderr: "usage\n" }],
    ]);
    expect(obj.cmd).toEqual(["/f", "--direct", "--passthrough", "ipv4"]);
  });

  it("croaks with Perl's messages and typed codes", async () => {
    expect(await errorOf(IptablesParse.create({ pathAccess: access({}) }))).toEqual({
      code: "IPT_BINARY_NOT_FOUND",
      message: "[*] Could not find/execute iptables, specify path via _iptables",
    });
    expect(await errorOf(IptablesParse.create({ iptables: "/x/iptables", pathAccess: access({}) }))).toEqual({
      code: "IPT_BINARY_NOT_FOUND",
      message: "[*] /x/iptables incorrect path.",
    });
    expect(
      await errorOf(
        IptablesParse.create({ iptables: "/x/iptables", pathAccess: access({ "/x/iptables": "not-executable" }) }),
      ),
    ).toEqual({ code: "IPT_BINARY_NOT_EXECUTABLE", message: "[*] /x/iptables not executable." });
    expect(await errorOf(IptablesParse.create({ firewallCmd: "/x/firewall-cmd", pathAccess: access({}) }))).toEqual({
      code: "IPT_BINARY_NOT_FOUND",
      message: "[*] /x/firewall-cmd incorrect path.",
    });
    expect(
      await errorOf(
        IptablesParse.create({ useIpv6: true, pathAccess: access({ "/usr/sbin/iptables": "executable" }) }),
      ),
    ).toEqual({
      code: "IPT_BINARY_NOT_FOUND",
      message: "[*] Could not find/execute ip6tables, specify path via _iptables",
    });
    expect(
      await errorOf(
        IptablesParse.create({
          iptables: "/opt/iptables",
          useIpv6: true,
          pathAccess: access({ "/opt/iptables": "executable" }),
        }),
      ),
    ).toEqual({ code: "IPT_PARSE_BAD_OPTION", message: "[*] use_ipv6 is true, but /opt/iptables not ip6tables." });
    // unlike Perl (which only checks the exact name `iptables`), iptables-nft / iptables-legacy are IPv4 binaries too
    expect(
      await codeOf(
        IptablesParse.create({
          iptables: "/usr/sbin/iptables-nft",
          useIpv6: true,
          pathAccess: access({ "/usr/sbin/iptables-nft": "executable" }),
        }),
      ),
    ).toBe("IPT_PARSE_BAD_OPTION");
  });

  it("detects the family from iptables-nft / ip6tables-legacy names, not only from the exact name ip6tables", async () => {
    for (const [name, ipv6] of [
      ["ip6tables-nft", true],
      ["ip6tables-legacy", true],
      ["ip6tables", true],
      ["iptables-nft", false],
      ["iptables-legacy", false],
    ] as const) {
      const path = `/usr/sbin/${name}`;
      const { obj, lines } = await make({ iptables: path, pathAccess: access({ [path]: "executable" }) });
      expect(obj.ipv6).toBe(ipv6);
      expect(obj.iptBinName).toBe(name);
      expect(lines()).toEqual([`${path} --version`]);
    }
    expect(familyFromBinaryName("xtables-nft-multi")).toBeUndefined();
    // an unrecognised wrapper name takes the family from useIpv6
    const w = await make({ iptables: "/t/fwwrap", useIpv6: true, pathAccess: access({ "/t/fwwrap": "executable" }) }, [
      [/--version/, { stdout: "ip6tables v1.8.9 (legacy)\n" }],
    ]);
    expect(w.obj.ipv6).toBe(true);
    expect(w.obj.iptablesVersion?.backend).toBe("legacy");
  });

  it("the ip6tables option is an alias of iptables", async () => {
    const { obj } = await make({ ip6tables: "/usr/sbin/ip6tables" });
    expect(obj.iptables).toBe("/usr/sbin/ip6tables");
    expect(obj.ipv6).toBe(true);
  });

  it("skipIptExecCheck: no path checks, no probe, default /usr/sbin/iptables", async () => {
    const { obj, calls } = await make({ skipIptExecCheck: true, pathAccess: access({}) });
    expect(calls).toEqual([]);
    expect(obj.cmd).toEqual(["/usr/sbin/iptables"]);
    expect(obj.skipIptExecCheck).toBe(true);
    const v6 = await make({ skipIptExecCheck: true, useIpv6: true, pathAccess: access({}) });
    expect(v6.obj.cmd).toEqual(["/usr/sbin/ip6tables"]);
  });

  it("locklessIptExec: no probe, no -w", async () => {
    const { obj, calls } = await make({ locklessIptExec: true });
    expect(calls).toEqual([]);
    expect(obj.cmd).toEqual(["/usr/sbin/iptables"]);
  });

  it("the legacy-tables warning on stderr does not cost -w (Perl's rv-from-stderr probe bug, spec finding #8)", async () => {
    const { obj } = await make({}, [[/--version/, { stdout: NFT_VERSION, stderr: LEGACY_WARNING }]]);
    expect(obj.cmd).toEqual(["/usr/sbin/iptables", "-w", "30"]);
  });

  it("uses lockWait for -w, bare -w for 1.4.20/1.4.21, nothing before 1.4.20", async () => {
    expect((await make({ lockWait: 5 })).obj.cmd).toEqual(["/usr/sbin/iptables", "-w", "5"]);
    expect((await make({ iptAlarm: 12 })).obj.cmd).toEqual(["/usr/sbin/iptables", "-w", "12"]);
    expect((await make({}, [[/--version/, { stdout: "iptables v1.4.21\n" }]])).obj.cmd).toEqual([
      "/usr/sbin/iptables",
      "-w",
    ]);
    expect((await make({}, [[/--version/, { stdout: "iptables v1.4.19\n" }]])).obj.cmd).toEqual(["/usr/sbin/iptables"]);
  });

  it("falls back to Perl's listing probe (judged by exit status) when --version is not understood", async () => {
    const ok = await make({}, [[/--version/, { stdout: "wrapper 0.1\n" }]]);
    expect(ok.lines()).toEqual(["/usr/sbin/iptables --version", "/usr/sbin/iptables -w -t filter -n -L INPUT"]);
    expect(ok.obj.cmd).toEqual(["/usr/sbin/iptables", "-w"]);
    const bad = await make({}, [
      [/--version/, { stdout: "" }],
      [/-w -t filter/, { exitCode: 2, stderr: "unknown option -w\n" }],
    ]);
    expect(bad.obj.cmd).toEqual(["/usr/sbin/iptables"]);
  });

  it("rejects bad option values with IPT_PARSE_BAD_OPTION; 0 means default like Perl's ||", async () => {
    expect(await codeOf(make({ iptExecStyle: "fork" as never }))).toBe("IPT_PARSE_BAD_OPTION");
    expect(await codeOf(make({ iptAlarm: -1 }))).toBe("IPT_PARSE_BAD_OPTION");
    expect(await codeOf(make({ iptExecSleep: Number.NaN }))).toBe("IPT_PARSE_BAD_OPTION");
    expect(await codeOf(make({ successRule: "loose" as never }))).toBe("IPT_PARSE_BAD_OPTION");
    expect(await codeOf(make({ sigchldHandler: "REAPER" as never }))).toBe("IPT_PARSE_BAD_OPTION");
    const { obj } = await make({ iptAlarm: 0, iptExecSleep: 0 });
    expect(obj.iptAlarm).toBe(30);
    expect(obj.iptExecSleep).toBe(0);
    expect(obj.iptExecStyle).toBe("waitpid");
    expect(obj.successRule).toBe("strict");
  });
});

describe("execution styles, sleep, sigchld, queue", () => {
  it("waitpid passes the ipt_alarm timeout; system has none; popen streams", async () => {
    for (const [style, timeoutMs, stream] of [
      ["waitpid", 7000, undefined],
      ["system", undefined, undefined],
      ["popen", undefined, true],
    ] as const) {
      const { obj, calls } = await make({ iptExecStyle: style, iptAlarm: 7 });
      await obj.run(["-t", "filter", "-n", "-L", "INPUT"]);
      for (const c of calls) {
        expect(c.opts.timeoutMs).toBe(timeoutMs);
        expect(c.opts.stream).toBe(stream);
      }
      expect(calls).toHaveLength(2);
    }
  });

  it("sleeps iptExecSleep whole seconds before every command, the probe included", async () => {
    const slept: number[] = [];
    const { obj, lines } = await make({ iptExecSleep: 2.7, sleep: async (ms) => void slept.push(ms) });
    expect(slept).toEqual([2000]);
    await obj.run(["-L"]);
    await obj.runBinary("iptables-save", []);
    expect(slept).toEqual([2000, 2000, 2000]);
    expect(lines()).toHaveLength(3);
  });

  it("calls sigchldHandler(pid, code, signal) after each waitpid-style child, never in system/popen style", async () => {
    const seen: unknown[] = [];
    const handler = (pid: number, code: number | null, sig: NodeJS.Signals | null) => void seen.push([pid, code, sig]);
    const { obj } = await make({ sigchldHandler: handler }, [[/-L NOPE/, { exitCode: 1, pid: 77 }]]);
    await obj.run(["-L", "NOPE"]);
    expect(seen).toEqual([
      [4242, 0, null],
      [77, 1, null],
    ]);
    seen.length = 0;
    const sys = await make({ sigchldHandler: handler, iptExecStyle: "system" });
    await sys.obj.run(["-L"]);
    expect(seen).toEqual([]);
  });

  it("serialises commands per instance (never interleaved), in call order, even when one fails", async () => {
    let running = 0;
    let max = 0;
    const order: string[] = [];
    const { obj } = await make({}, [
      [
        /-L/,
        async (c) => {
          running++;
          max = Math.max(max, running);
          await new Promise((r) => setTimeout(r, 5 + (c.args.includes("A") ? 20 : 0)));
          order.push(c.args[c.args.length - 1] as string);
          running--;
          if (c.args.includes("B")) throw new Error("boom");
          return {};
        },
      ],
    ]);
    const results = await Promise.allSettled(["A", "B", "C", "D"].map((x) => obj.run(["-L", x])));
    expect(max).toBe(1);
    expect(order).toEqual(["A", "B", "C", "D"]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
  });

  it("passes input to the executor (iptables-restore payloads) and env", async () => {
    const { obj, calls } = await make({ env: { XTABLES_LOCKFILE: "/tmp/x.lock" } });
    await obj.runBinary("iptables-restore", ["--noflush"], { input: "*filter\nCOMMIT\n" });
    const last = calls[calls.length - 1] as Call;
    expect(last.file).toBe("/usr/sbin/iptables-restore");
    expect(last.opts.input).toBe("*filter\nCOMMIT\n");
    expect(last.opts.env).toEqual({ XTABLES_LOCKFILE: "/tmp/x.lock" });
  });

  it("iptout / ipterr receive the stdout / stderr of every command (Perl's temp files, only when asked for)", async () => {
    const iptout = join(dir, "ipt.out");
    const ipterr = join(dir, "ipt.err");
    const { obj } = await make({ iptout, ipterr }, [[/-L X/, { stdout: "listing\n", stderr: "warn\n" }]]);
    expect(readFileSync(iptout, "utf8")).toBe(NFT_VERSION); // the probe
    await obj.run(["-L", "X"]);
    expect(readFileSync(iptout, "utf8")).toBe("listing\n");
    expect(readFileSync(ipterr, "utf8")).toBe("warn\n");
    const bad = await make({ locklessIptExec: true, iptout: join(dir, "no", "such", "dir") });
    expect(await codeOf(bad.obj.run(["-L"]))).toBe("IPT_EXEC_FAILED");
  });

  it("resolves sibling binaries by family and backend", async () => {
    const nft6 = (
      await make({
        iptables: "/usr/sbin/ip6tables-nft",
        pathAccess: access({ "/usr/sbin/ip6tables-nft": "executable" }),
      })
    ).obj;
    expect(nft6.siblingBinary("iptables-save")).toBe("/usr/sbin/ip6tables-nft-save");
    expect(nft6.siblingBinary("iptables-restore")).toBe("/usr/sbin/ip6tables-nft-restore");
    expect(nft6.siblingBinary("iptables-legacy-save")).toBe("/usr/sbin/ip6tables-legacy-save");
    expect(nft6.siblingBinary("/bin/true")).toBe("/bin/true");
    const plain = (await make({})).obj;
    expect(plain.siblingBinary("iptables-save")).toBe("/usr/sbin/iptables-save");
    expect(plain.siblingBinary("xtables-monitor")).toBe("/usr/sbin/xtables-monitor");
  });

  it("logs Perl's debug lines (localtime stamp) to the injected logger only", async () => {
    const log: string[] = [];
    const now = () => new Date(2026, 10, 2, 1, 52, 2);
    const { obj } = await make({
      debug: true,
      logger: (l) => log.push(l),
      now,
      iptExecSleep: 1,
      sleep: async () => {},
    });
    await obj.run(["-t", "filter", "-n", "-L", "INPUT"]);
    expect(log).toContain(
      "Mon Nov  2 01:52:02 2026 [+] IPTables::Parse::exec_iptables(waitpid()) /usr/sbin/iptables -w 30 -t filter -n -L INPUT",
    );
    expect(log).toContain("Mon Nov  2 01:52:02 2026 [+] IPTables::Parse::exec_iptables() sleep seconds: 1");
    expect(log).toContain(
      "Mon Nov  2 01:52:02 2026 [+] IPTables::Parse: sleeping for 1 seconds before executing iptables command.",
    );
    expect(log).toContain("Mon Nov  2 01:52:02 2026     Return value: 1");
    const quiet: string[] = [];
    const q = await make({ logger: (l) => quiet.push(l) });
    await q.obj.run(["-L"]);
    expect(quiet).toEqual([]);
  });
});

describe("ExecResult: success rules (spec §5.1 table)", () => {
  // [case, outcome, strict rv, compat rv, code when rv 0 (strict), code (compat)]
  const cases: [string, Partial<RunOutcome>, 0 | 1, 0 | 1, string | undefined, string | undefined][] = [
    ["exit 0, no stderr", { stdout: "x\n" }, 1, 1, undefined, undefined],
    ["stdout only, exit 3", { stdout: "x\n", exitCode: 3 }, 0, 1, "IPT_EXEC_FAILED", undefined],
    ["warning on stderr, exit 0", { stderr: "some warning\n" }, 1, 0, undefined, "IPT_EXEC_FAILED"],
    ["legacy-tables warning, exit 0", { stderr: LEGACY_WARNING }, 1, 0, undefined, "IPT_EXEC_FAILED"],
    [
      "chain exists, exit 1",
      { stderr: "iptables: Chain already exists.\n", exitCode: 1 },
      0,
      0,
      "IPT_CHAIN_EXISTS",
      "IPT_CHAIN_EXISTS",
    ],
    [
      "timeout with empty stderr (Perl: rv 1!)",
      { stdout: "partial\n", timedOut: true, exitCode: null, signal: "SIGTERM" },
      0,
      0,
      "IPT_TIMEOUT",
      "IPT_TIMEOUT",
    ],
    [
      "timeout with stderr",
      { stderr: "partial-err\n", timedOut: true, exitCode: null, signal: "SIGKILL" },
      0,
      0,
      "IPT_TIMEOUT",
      "IPT_TIMEOUT",
    ],
    ["killed by a signal", { exitCode: null, signal: "SIGSEGV" }, 0, 1, "IPT_EXEC_FAILED", undefined],
  ];
  it.each(cases)("%s", async (_name, outcome, strictRv, compatRv, strictCode, compatCode) => {
    for (const [rule, rv, code] of [
      ["strict", strictRv, strictCode],
      ["compat", compatRv, compatCode],
    ] as const) {
      const { obj } = await make({ successRule: rule, locklessIptExec: true }, [[/-L/, outcome]]);
      const r = await obj.run(["-L"]);
      expect(r.rv).toBe(rv);
      expect(r.code).toBe(code);
      expect(r.timedOut).toBe(outcome.timedOut ?? false);
      expect(r.argv).toEqual(["/usr/sbin/iptables", "-L"]);
    }
  });

  it("splits lines without trailing newlines; a trailing `success` line is stripped (compat: any binary, strict: firewalld)", async () => {
    const c = await make({ successRule: "compat", locklessIptExec: true }, [[/-L/, { stdout: "a\nb\nsuccess\n" }]]);
    expect((await c.obj.run(["-L"])).out).toEqual(["a", "b"]);
    const s = await make({ locklessIptExec: true }, [[/-L/, { stdout: "a\nb\nsuccess\n" }]]);
    expect((await s.obj.run(["-L"])).out).toEqual(["a", "b", "success"]);
  });

  it("firewalld: strips `success`, COMMAND_FAILED is a failure in both rules", async () => {
    for (const rule of ["strict", "compat"] as const) {
      const { obj } = await make(
        {
          firewallCmd: "/usr/bin/firewall-cmd",
          successRule: rule,
          pathAccess: access({ "/usr/bin/firewall-cmd": "executable" }),
        },
        [
          [/-N X/, { stdout: "success\n" }],
          [
            /-N Y/,
            {
              stdout: "Error: COMMAND_FAILED: '/usr/sbin/iptables -w10 -N Y' failed: iptables: Chain already exists.\n",
            },
          ],
        ],
      );
      const ok = await obj.run(["-N", "X"]);
      expect(ok).toMatchObject({ rv: 1, out: [] });
      const bad = await obj.run(["-N", "Y"]);
      expect(bad.rv).toBe(0);
      expect(bad.code).toBe("IPT_COMMAND_FAILED");
    }
  });

  it("propagates IPT_BINARY_NOT_FOUND from the executor", async () => {
    const { obj } = await make({ locklessIptExec: true }, [
      [
        /-L/,
        () => {
          throw Object.assign(new Error("[*] /usr/sbin/iptables incorrect path."), {
            name: "IptablesParseError",
            code: "IPT_BINARY_NOT_FOUND",
          });
        },
      ],
    ]);
    expect(await codeOf(obj.run(["-L"]))).toBe("IPT_BINARY_NOT_FOUND");
  });
});

describe("execIptables (Perl's string entry point)", () => {
  it("splits with shell quoting rules and runs without a shell", async () => {
    const { obj, calls } = await make({ locklessIptExec: true });
    await obj.execIptables(`/usr/sbin/iptables -A INPUT -m comment --comment "a (b) & c; d" -s 10.0.0.0/8 -j ACCEPT`);
    expect(calls[0]?.file).toBe("/usr/sbin/iptables");
    expect(calls[0]?.args).toEqual([
      "-A",
      "INPUT",
      "-m",
      "comment",
      "--comment",
      "a (b) & c; d",
      "-s",
      "10.0.0.0/8",
      "-j",
      "ACCEPT",
    ]);
  });

  it("refuses strings that do not look like an iptables command, with Perl's message", async () => {
    const { obj, calls } = await make({ locklessIptExec: true });
    expect(await errorOf(obj.execIptables("rm -rf /"))).toEqual({
      code: "IPT_NOT_IPTABLES_COMMAND",
      message: "[*] rm -rf / does not look like an iptables command.",
    });
    expect(await errorOf(obj.execIptables(""))).toEqual({
      code: "IPT_PARSE_MISSING_ARGUMENT",
      message: "[*] Must specify an iptables command to run.",
    });
    expect(await codeOf(obj.execIptables(`iptables -A "x`))).toBe("IPT_PARSE_BAD_QUOTING");
    expect(calls).toEqual([]);
    // Perl's prefix test accepts these forms
    await obj.execIptables("  ip6tables -L");
    await obj.execIptables("/sbin/firewall-cmd --direct --passthrough ipv4 -L");
    expect(calls.map((c) => c.file)).toEqual(["ip6tables", "/sbin/firewall-cmd"]);
  });

  it("accepts this object's own binary path even when its name is not iptables-like (test wrappers)", async () => {
    const { obj, calls } = await make({
      iptables: "/t/wrap",
      locklessIptExec: true,
      pathAccess: access({ "/t/wrap": "executable" }),
    });
    await obj.execIptables("/t/wrap -t filter -L");
    expect(calls[0]).toMatchObject({ file: "/t/wrap", args: ["-t", "filter", "-L"] });
  });
});

describe("parse methods", () => {
  const NOPE_NFT = "iptables v1.8.9 (nf_tables): chain `NOPE' in table `filter' is incompatible, use 'nft' tool.\n";
  const listing = (text: string): [RegExp, Reply][] => [
    [/-L NOPE/, { stderr: NOPE_NFT, exitCode: 1 }],
    [/-L/, { stdout: text }],
  ];

  it("chainRules runs Perl's command and returns the parsed rules", async () => {
    const { obj, lines } = await make({}, listing(FILTER_V4));
    const rules = await obj.chainRules("filter", "INPUT");
    expect(lines()[1]).toBe("/usr/sbin/iptables -w 30 -t filter -v -n -L INPUT --line-numbers");
    expect(rules).toHaveLength(14);
    expect(rules[3]).toMatchObject({
      rule_num: 4,
      target: "ACCEPT",
      protocol: "tcp",
      src: "192.168.10.0/24",
      d_port: "22",
      comment: "ssh from lan",
    });
    expect(await obj.chainActionRules("filter", "CUSTOM")).toHaveLength(4);
  });

  it("a missing chain gives [] / '' like Perl", async () => {
    const { obj } = await make({}, listing(FILTER_V4));
    expect(await obj.chainRules("filter", "NOPE")).toEqual([]);
    expect(await obj.chainPolicy("filter", "NOPE")).toBe("");
    expect(await obj.defaultDrop("filter", "NOPE")).toEqual(["[-] Could not get iptables output!", 0]);
  });

  it("strict: a timeout or a lock failure throws with its code; compat: Perl's silent empty result", async () => {
    const timeout: [RegExp, Reply][] = [
      [
        /-L/,
        { stdout: "Chain INPUT (policy DROP 0 packets, 0 bytes)\n", timedOut: true, exitCode: null, signal: "SIGTERM" },
      ],
    ];
    expect(await codeOf((await make({}, timeout)).obj.chainRules("filter", "INPUT"))).toBe("IPT_TIMEOUT");
    expect(await (await make({ successRule: "compat" }, timeout)).obj.chainRules("filter", "INPUT")).toEqual([]);
    const lock: [RegExp, Reply][] = [
      [
        /-L/,
        { stderr: "Another app is currently holding the xtables lock. Stopped waiting after 30s.\n", exitCode: 4 },
      ],
    ];
    expect(await codeOf((await make({}, lock)).obj.listTableChains("filter"))).toBe("IPT_LOCK_TIMEOUT");
  });

  it("the legacy-tables warning does not break live parsing (strict)", async () => {
    const { obj } = await make({}, [[/-L/, { stdout: FILTER_V4, stderr: LEGACY_WARNING }]]);
    expect(await obj.chainPolicy("filter", "INPUT")).toBe("DROP");
  });

  it("chainPolicy / listTableChains / defaultDrop / defaultLog give spec §7.5's answers (protocol names)", async () => {
    const { obj, lines } = await make({}, listing(FILTER_V4));
    expect(await obj.listTableChains("filter")).toEqual(["INPUT", "FORWARD", "OUTPUT", "CUSTOM", "my-chain.1"]);
    expect(await obj.chainPolicy("filter", "INPUT")).toBe("DROP");
    expect(await obj.chainPolicy("filter", "FORWARD")).toBe("ACCEPT");
    expect(await obj.chainPolicy("filter", "CUSTOM")).toBe("");
    const [drop, ok] = await obj.defaultDrop("filter", "INPUT");
    expect(ok).toBe(1);
    expect(drop).toMatchObject({ all: { DROP: 0, LOG: { rulenum: 14 } } });
    // Perl live: {all: ''} (it lists INPUT only); the whole-table listing also reaches my-chain.1's tcp LOG via
    // CUSTOM, as Perl itself reports for a whole-table file (spec §7.9: {'6': '', all: ''}).
    expect(await obj.defaultLog("filter", "INPUT")).toEqual([{ all: "", tcp: "" }, 1]);
    expect(lines().slice(1)).toEqual([
      "/usr/sbin/iptables -w 30 -t filter -v -n -L",
      "/usr/sbin/iptables -w 30 -t filter -v -n -L INPUT",
      "/usr/sbin/iptables -w 30 -t filter -v -n -L FORWARD",
      "/usr/sbin/iptables -w 30 -t filter -v -n -L CUSTOM",
      "/usr/sbin/iptables -w 30 -t filter -v -n -L INPUT",
      "/usr/sbin/iptables -w 30 -t filter -v -n -L",
    ]);
  });

  it("IPv6 objects parse ip6tables listings (the opt column) correctly", async () => {
    const { obj } = await make({ useIpv6: true }, listing(FILTER_V6));
    const rules = await obj.chainRules("filter", "INPUT");
    expect(rules[0]).toMatchObject({ target: "ACCEPT", protocol: "all", intf_in: "*", src: "fe80::/10", dst: "::/0" });
    expect(rules[5]).toMatchObject({ target: "DROP", protocol: "tcp", src: "!2001:db8::/32", d_port: "22" });
  });

  it("validates names before any exec; missing arguments croak with Perl's texts", async () => {
    const { obj, calls } = await make({ locklessIptExec: true });
    expect(await codeOf(obj.chainRules("filter", "-j"))).toBe("IPT_INVALID_NAME");
    expect(await codeOf(obj.chainRules("filter", "a b"))).toBe("IPT_INVALID_NAME");
    expect(await codeOf(obj.chainPolicy("bogus", "INPUT"))).toBe("IPT_INVALID_NAME");
    expect(await codeOf(obj.listTableChains("filter;id"))).toBe("IPT_INVALID_NAME");
    expect(await codeOf(obj.defaultLog("filter", "!x"))).toBe("IPT_INVALID_NAME");
    expect(await codeOf(obj.policy("nope"))).toBe("IPT_INVALID_NAME");
    expect(calls).toEqual([]);
    expect(await errorOf(obj.chainRules("", "INPUT"))).toEqual({
      code: "IPT_PARSE_MISSING_ARGUMENT",
      message: '[*] Specify a table, e.g. "nat"',
    });
    expect(await errorOf(obj.defaultDrop("filter", ""))).toEqual({
      code: "IPT_PARSE_MISSING_ARGUMENT",
      message: '[*] Specify a chain, e.g. "OUTPUT"',
    });
    // the ChainMgr upstream test chain is a valid name
    await obj.chainRules("filter", "SC~!@#^%&$*-[]+={}-test");
    expect(calls[0]?.args).toContain("SC~!@#^%&$*-[]+={}-test");
  });

  it("reads iptRulesFile (or the file argument) in -L or save format instead of executing", async () => {
    const listFile = join(dir, "filter.txt");
    writeFileSync(listFile, FILTER_V4);
    const saveFile = join(dir, "save.txt");
    writeFileSync(saveFile, fixture("spec-save-c-v4.txt"));
    const { obj, calls } = await make({ iptRulesFile: listFile, skipIptExecCheck: true });
    expect(obj.iptRulesFile).toBe(listFile);
    expect(await obj.chainRules("filter", "INPUT")).toHaveLength(14);
    expect(await obj.listTableChains("filter")).toEqual(["INPUT", "FORWARD", "OUTPUT", "CUSTOM", "my-chain.1"]);
    const fromSave = await obj.chainRules("nat", "PREROUTING", saveFile);
    expect(fromSave.map((r) => r.target)).toEqual(["DNAT", "DNAT", "DNAT"]);
    expect(await obj.chainPolicy("filter", "INPUT", saveFile)).toBe("DROP");
    expect((await obj.policy("filter")).tables[0]?.chains).toHaveLength(5);
    expect(calls).toEqual([]);
    expect(await codeOf(obj.chainRules("filter", "INPUT", join(dir, "missing.txt")))).toBe("IPT_FILE_UNREADABLE");
  });

  it("policy(table) runs iptables-save -c -t T next to the binary (firewalld: -S passthrough)", async () => {
    const save = fixture("spec-save-c-v4.txt");
    const { obj, lines } = await make({}, [[/iptables-save/, { stdout: save }]]);
    const p = await obj.policy("filter");
    expect(lines()[1]).toBe("/usr/sbin/iptables-save -c -t filter");
    expect(p.format).toBe("save");
    expect(p.tables.find((t) => t.name === "filter")?.chains.map((c) => c.name)).toEqual([
      "INPUT",
      "FORWARD",
      "OUTPUT",
      "CUSTOM",
      "my-chain.1",
    ]);
    const fw = await make({ firewallCmd: "/f", pathAccess: access({ "/f": "executable" }) }, [
      [/-S/, { stdout: "-P INPUT DROP\n-A INPUT -i lo -j ACCEPT\n" }],
    ]);
    const fp = await fw.obj.policy("filter");
    expect(fw.lines()[1]).toBe("/f --direct --passthrough ipv4 -w -t filter -S");
    expect(fp.tables[0]?.chains[0]?.rules[0]).toMatchObject({ target: "ACCEPT", intf_in: "lo" });
  });

  it("parseKeys() is Perl's key table", async () => {
    const { obj } = await make({ locklessIptExec: true });
    expect(obj.parseKeys()).toBe(PARSE_KEYS);
  });
});
