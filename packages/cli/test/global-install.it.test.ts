/**
 * The ops experience of a real install: `pnpm pack` every publishable package (pnpm rewrites `workspace:^` into
 * real ranges), `npm i -g --prefix <tmp>` all the tarballs together (third-party dependencies come from the
 * registry or npm's cache), then run the installed `fwkit`: --version, --help of every command (walked from the
 * help output, so new commands are covered), one real command per package, and an import of every package.
 *
 * Packs the current `dist/` of each package, so it skips (with the reason) when a dist is missing or older than its
 * src: run `pnpm build` first (`npm test` does).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, skipWithReason, which } from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

interface Proc {
  stdout: string;
  stderr: string;
  code: number;
}

function exec(file: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return new Promise<Proc>((resolve) => {
    execFile(
      file,
      args as string[],
      { cwd: opts.cwd, env: opts.env ?? process.env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ stdout: String(stdout), stderr: String(stderr), code });
      },
    );
  });
}

const packagesDir = join(repoRoot, "packages");
/** Publishable packages (not `private`), by directory name. */
const packages = readdirSync(packagesDir).filter((d) => {
  const pj = join(packagesDir, d, "package.json");
  return existsSync(pj) && !(JSON.parse(readFileSync(pj, "utf8")) as { private?: boolean }).private;
});

function newestMtime(dir: string): number {
  let newest = 0;
  for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const s = statSync(join(dir, f));
    if (s.isFile()) newest = Math.max(newest, s.mtimeMs);
  }
  return newest;
}

/** Why the packed tarballs would not reflect the sources, or null. */
function staleReason(): string | null {
  const bad = packages.filter((p) => {
    const dist = join(packagesDir, p, "dist", "index.js");
    return !existsSync(dist) || statSync(dist).mtimeMs < newestMtime(join(packagesDir, p, "src"));
  });
  return bad.length ? `dist missing or older than src in ${bad.join(", ")} (run pnpm build)` : null;
}

const reason = which("npm") ? staleReason() : "needs npm";

/** `pnpm` as the test was started (pnpm exec sets npm_execpath), else through npx. */
function pnpmArgv(args: string[]): [string, string[]] {
  const execpath = process.env.npm_execpath;
  if (execpath && /pnpm/.test(execpath) && existsSync(execpath)) return [process.execPath, [execpath, ...args]];
  return ["npx", ["-y", "pnpm@10", ...args]];
}

/** A real command per package; a row runs when its top-level command exists in the installed `fwkit --help`. */
interface Row {
  package: string;
  command: string;
  argv: (ctx: { tmp: string; examples: string }) => string[];
  check: (out: Proc) => void;
}

const KEY = "qbsDZRubX51ZcnAoyNfO2e/AiN+CCFXBsrYk1dO0pjk=";
const HKEY = "P4tFzhDgHp9pT6eW4H4qNESi5t9nJDPXX/P4tTyrqmeY4gN6YCufrAHrDEBpvbnF0bvD3xvRQTNWCWP1UrkJWQ==";
const LOG_LINE =
  "Nov 22 01:52:39 host kernel: DROP IN=eth0 OUT= MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=192.0.2.7 " +
  "DST=192.0.2.1 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=1 DF PROTO=TCP SPT=40000 DPT=22 WINDOW=1024 RES=0x00 SYN URGP=0 \n";

const json = (p: Proc) => JSON.parse(p.stdout) as Record<string, unknown>;
const rows: Row[] = [
  {
    package: "iptables-parse",
    command: "ipt",
    argv: ({ examples }) => ["ipt", "parse", join(examples, "sample-policy.v4.save"), "--json"],
    check: (p) => expect(json(p)).toMatchObject({ format: "save", family: "ipv4" }),
  },
  {
    package: "iptables-parse",
    command: "ipt",
    argv: ({ examples }) => ["ipt", "check", "-f", join(examples, "sample-policy.v4.save"), "--json"],
    check: (p) => expect(json(p)).toMatchObject({ ok: true }),
  },
  {
    package: "snort-rules",
    command: "snort",
    argv: ({ examples }) => ["snort", "check", join(examples, "sample.rules"), "--json"],
    check: (p) => expect(json(p)).toMatchObject({ ok: true }),
  },
  {
    package: "spa-protocol",
    command: "fwknop",
    argv: () => ["fwknop", "--key-gen", "--json"],
    check: (p) => {
      const d = json(p);
      expect(Buffer.from(String(d.keyBase64), "base64")).toHaveLength(32);
      expect(Buffer.from(String(d.hmacKeyBase64), "base64")).toHaveLength(64);
    },
  },
  {
    package: "spa-protocol",
    command: "fwknop",
    argv: () => [
      "fwknop",
      ...["-A", "tcp/22", "-a", "198.51.100.7", "-D", "127.0.0.1", "--no-rc-file", "-T", "--json"],
      ...["--key-base64-rijndael", KEY, "--key-base64-hmac", HKEY],
    ],
    check: (p) => expect(json(p)).toMatchObject({ sent: false, message: "198.51.100.7,tcp/22", port: 62201 }),
  },
  {
    package: "spa-protocol",
    command: "fwknopd",
    argv: ({ tmp }) => {
      writeFileSync(join(tmp, "fwknopd.conf"), "UDPSERV_PORT 62201\n", { mode: 0o600 });
      writeFileSync(join(tmp, "access.conf"), `SOURCE ANY\nKEY_BASE64 ${KEY}\nHMAC_KEY_BASE64 ${HKEY}\n`, {
        mode: 0o600,
      });
      return [
        "fwknopd",
        "-c",
        join(tmp, "fwknopd.conf"),
        "-a",
        join(tmp, "access.conf"),
        "--exit-parse-config",
        "--json",
      ];
    },
    check: (p) => expect(json(p)).toMatchObject({ stanzas: 1 }),
  },
  {
    package: "psad-core",
    command: "psad",
    argv: ({ tmp }) => {
      writeFileSync(join(tmp, "kern.log"), LOG_LINE);
      writeFileSync(join(tmp, "psad.conf"), "");
      return ["psad", "--CSV", "-m", join(tmp, "kern.log"), "-c", join(tmp, "psad.conf"), "--CSV-fields", "src dp"];
    },
    check: (p) => expect(p.stdout.trim()).toBe("192.0.2.7, 22"),
  },
  {
    package: "fwsnort",
    command: "fwsnort",
    argv: ({ tmp, examples }) => {
      writeFileSync(join(tmp, "fwsnort.conf"), "");
      const out = join(tmp, "fwsnort-out");
      return [
        "fwsnort",
        ...["-c", join(tmp, "fwsnort.conf"), "--snort-rfile", join(examples, "sample.rules")],
        ...["--output-dir", out, "--no-ipt-sync", "--json"],
      ];
    },
    check: (p) => {
      const d = json(p) as { translated: number; artefacts: { save: string } };
      expect(d.translated).toBeGreaterThan(0);
      expect(readFileSync(d.artefacts.save, "utf8")).toMatch(/^\*filter$/m);
    },
  },
  {
    package: "cli",
    command: "completion",
    argv: () => ["completion", "bash"],
    check: (p) => expect(p.stdout).toContain("complete -F _fwkit fwkit"),
  },
];

describe.skipIf(skipWithReason("packed global install", reason))("npm i -g of the packed tarballs", () => {
  let tmp = "";
  let prefix = "";
  let fwkit = "";
  let env: NodeJS.ProcessEnv = {};
  const run = (args: string[]) => exec(fwkit, args, { cwd: tmp, env });

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "fwkit-global-"));
    prefix = join(tmp, "prefix");
    const tgz = join(tmp, "tgz");
    const [pn, pnArgs] = pnpmArgv(["-r", "--filter", "./packages/*", "pack", "--pack-destination", tgz]);
    const packed = await exec(pn, pnArgs, { cwd: repoRoot });
    expect(packed.code, packed.stderr).toBe(0);
    const tarballs = readdirSync(tgz).filter((f) => f.endsWith(".tgz"));
    expect(tarballs).toHaveLength(packages.length);
    const npmEnv = { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false" };
    const installed = await exec(
      "npm",
      ["i", "-g", "--prefix", prefix, "--prefer-offline", "--no-audit", ...tarballs.map((t) => join(tgz, t))],
      { cwd: tmp, env: npmEnv },
    );
    expect(installed.code, installed.stderr).toBe(0);
    fwkit = join(prefix, "bin", "fwkit");
    // a clean environment: no rc files from the real home, no colour
    env = { PATH: process.env.PATH, HOME: tmp, NO_COLOR: "1", LC_ALL: "C" };
  }, 120_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("installs the fwkit bin and every package with real (non-workspace) dependency ranges", () => {
    expect(existsSync(fwkit)).toBe(true);
    for (const p of packages) {
      const pj = JSON.parse(readFileSync(join(prefix, "lib", "node_modules", "@fwkit", p, "package.json"), "utf8"));
      expect(JSON.stringify(pj.dependencies ?? {}), p).not.toContain("workspace:");
    }
    expect(existsSync(join(prefix, "lib/node_modules/@fwkit/cli/systemd/fwkit-psad.service"))).toBe(true);
  });

  it("fwkit --version prints the cli version", async () => {
    const want = JSON.parse(readFileSync(join(packagesDir, "cli", "package.json"), "utf8")).version;
    const r = await run(["--version"]);
    expect(r).toMatchObject({ code: 0, stdout: `${want}\n` });
  });

  it("fwkit --help, and --help of every command and subcommand", async () => {
    const seen: string[] = [];
    const visit = async (path: string[]) => {
      const r = await run([...path, "--help"]);
      expect(r.code, `fwkit ${path.join(" ")} --help: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`Usage: fwkit${path.length ? ` ${path.join(" ")}` : ""}`);
      seen.push(path.join(" "));
      const section = (r.stdout.split(/^Commands:\n/m)[1] ?? "").split("\n\n")[0] ?? "";
      for (const l of section.split("\n")) {
        const name = /^ {2}(\S+)/.exec(l)?.[1];
        if (name && name !== "help") await visit([...path, name]);
      }
    };
    await visit([]);
    expect(seen).toEqual(expect.arrayContaining(["", "ipt", "ipt parse", "snort check", "fwknop", "fwknopd"]));
  }, 60_000);

  it("every package imports from the global prefix (ESM, exports map)", async () => {
    for (const p of packages) {
      const r = await exec(
        process.execPath,
        ["--input-type=module", "-e", `const m = await import("@fwkit/${p}"); console.log(Object.keys(m).length);`],
        { cwd: join(prefix, "lib"), env },
      );
      expect(r.code, `${p}: ${r.stderr}`).toBe(0);
      expect(Number(r.stdout), p).toBeGreaterThan(0);
    }
  });

  it("runs one real command per package (the rows whose command is installed)", async () => {
    const top = (await run(["--help"])).stdout;
    const ran = new Set<string>();
    for (const row of rows) {
      if (!new RegExp(`^ {2}${row.command}\\b`, "m").test(top)) {
        process.stderr.write(`[skip] global install row fwkit ${row.command}: command not registered\n`);
        continue;
      }
      const argv = row.argv({ tmp, examples: join(repoRoot, "examples") });
      const r = await run(argv);
      expect(r.code, `fwkit ${argv.join(" ")}: ${r.stderr}`).toBe(0);
      expect(r.stderr, `fwkit ${argv.join(" ")}`).not.toMatch(/CLI_INTERNAL|\n\s+at /);
      row.check(r);
      ran.add(row.package);
    }
    // the command-less library (chainmgr) is covered by the import test; everything with a command ran
    for (const p of ["iptables-parse", "snort-rules", "spa-protocol", "psad-core", "cli"])
      expect(ran.has(p), p).toBe(true);
  }, 60_000);
});
