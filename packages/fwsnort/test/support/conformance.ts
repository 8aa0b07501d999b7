/** Helpers for the fwsnort conformance test and bench: run the real fwsnort 1.6.8 in a private sandbox. */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Read every `*.rules` file of a directory (latin-1, byte-preserving). */
export function readRulesDir(dir: string): { path: string; text: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".rules"))
    .sort()
    .map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), "latin1") }));
}

/** Output of one real fwsnort run. */
export interface FwsnortRun {
  save: string;
  log: string;
  stdout: string;
  ms: number;
}

/**
 * Run `/usr/sbin/fwsnort --no-ipt-test` on `rulesDir` with a private config whose every output path points into a
 * temporary directory (INSTALL_ROOT rewritten). Never applies anything (`--ipt-apply` is not passed).
 * When `netns` is given (root), fwsnort runs inside it so its `iptables-save -t filter` sees an empty table.
 */
export async function runFwsnort(
  rulesDir: string,
  extraArgs: readonly string[] = [],
  netns?: string,
): Promise<FwsnortRun> {
  const w = mkdtempSync(join(tmpdir(), "fwkit-fwsnort-"));
  try {
    const root = join(w, "root");
    for (const d of ["etc/fwsnort", "var/log/fwsnort", "var/lib/fwsnort", "home"])
      mkdirSync(join(root, d), { recursive: true });
    const conf = readFileSync("/etc/fwsnort/fwsnort.conf", "utf8").replace(
      /^INSTALL_ROOT .*$/m,
      `INSTALL_ROOT            ${root};`,
    );
    const confPath = join(root, "etc/fwsnort/fwsnort.conf");
    writeFileSync(confPath, conf);
    const argv = [
      "-c",
      confPath,
      "--snort-rdir",
      rulesDir,
      "--Home-dir",
      join(root, "home"),
      "--no-ipt-test",
      ...extraArgs,
    ];
    const [file, args] = netns
      ? ["ip", ["netns", "exec", netns, "env", "PERL_HASH_SEED=0", "/usr/sbin/fwsnort", ...argv]]
      : ["/usr/sbin/fwsnort", argv];
    const t0 = performance.now();
    const stdout = await new Promise<string>((res, rej) => {
      execFile(
        file,
        args as string[],
        { cwd: w, maxBuffer: 64 << 20, env: { ...process.env, LC_ALL: "C", PERL_HASH_SEED: "0" } },
        (e, so, se) => (e ? rej(new Error(`fwsnort failed: ${e.message} ${se}`)) : res(String(so))),
      );
    });
    const ms = performance.now() - t0;
    const read = (p: string) => {
      try {
        return readFileSync(join(root, p), "utf8");
      } catch {
        return "";
      }
    };
    return { save: read("var/lib/fwsnort/fwsnort.save"), log: read("var/log/fwsnort/fwsnort.log"), stdout, ms };
  } finally {
    rmSync(w, { recursive: true, force: true });
  }
}

/** The signature `-A` lines of a save text (fwsnort chains only, prologue excluded), trailing blanks trimmed. */
export function signatureLines(save: string): string[] {
  return save
    .split("\n")
    .filter((l) => /^-A FWSNORT_/.test(l) && !/ -j RETURN\s*$/.test(l) && !/-j FWSNORT_\w+_ESTAB\s*$/.test(l))
    .map((l) => l.trimEnd());
}

/** SID of a signature line (from the LOG prefix or comment), or undefined for action rules without either. */
export function sidOfLine(l: string): number | undefined {
  const m = /SID(\d+) /.exec(l) ?? /--comment "sid:(\d+);/.exec(l);
  return m ? Number(m[1]) : undefined;
}
