/**
 * Golden comparison of `fwkit psad -A -m CAPTURE -c default_psad.conf --syslog-msgs` with the real psad 2.4.6
 * (`psad --test-mode -A -m CAPTURE`, sandboxed as in psad-core's differential test: INSTALL_ROOT in a temp tree
 * via -O, REPUTATION_FEED / IP_INFO removed for 2.4.6, -A never touches the firewall). Both read the same
 * sandboxed data files and Snort rules through the same -O override. Compared as sets of alert messages
 * ("scan detected …", "signature match …"; psad's "imported …" start-up lines are not alerts).
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corpusPath, run as runTool, skipWithReason, which } from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode, run } from "../src/index.ts";
import { fakeIo } from "./fake-io.ts";

const psad = which("psad");
const captures = corpusPath("psad-captures");
const confDir = corpusPath("psad-test-conf");
const snort = corpusPath("snort-2.3.3");
const reason =
  !captures || !confDir || !existsSync(join(confDir, "default_psad.conf"))
    ? "needs ../shared/corpus/psad-captures and psad-test-conf"
    : !existsSync("/etc/psad/signatures")
      ? "needs psad's data files in /etc/psad (Debian package psad)"
      : psad
        ? null
        : "needs the reference psad 2.4.6 (Debian package psad)";

/** Captures where our default (fixed) mode and psad 2.4.6 write the same alerts. */
const sameByDefault = [
  "syn_scan_1000_1500",
  "syn_scan_1000_1500_multi_dst",
  "xmas_scan_1000_1150",
  "udp_scan_1000_1150",
  "ms_sql_server_sig_match",
  "mirai_default_credentials_scan",
];
/** Captures where a documented deviation changes the text: equal with --psad-compat. */
const sameWithCompat = ["syn_sweep", "null_scan_1000_1150", "topera_ipv6_syn_scan_with_ip_opts"];

describe.skipIf(skipWithReason("fwkit psad golden vs psad 2.4.6", reason))(
  "fwkit psad -A --syslog-msgs vs psad 2.4.6",
  () => {
    let root = "";
    let psadConf = "";
    let override = "";
    const conf = join(confDir ?? "", "default_psad.conf");
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), "fwkit-cli-psad-"));
      const etc = join(root, "etc/psad");
      mkdirSync(join(etc, "snort_rules"), { recursive: true });
      for (const d of ["var/log/psad", "var/run/psad", "var/lib/psad", "usr/bin", "usr/sbin"])
        mkdirSync(join(root, d), { recursive: true });
      for (const n of [
        "auto_dl",
        "icmp6_types",
        "icmp_types",
        "ip_options",
        "pf.os",
        "posf",
        "protocols",
        "signatures",
        "snort_rule_dl",
      ])
        copyFileSync(join("/etc/psad", n), join(etc, n));
      if (snort)
        for (const n of readdirSync(snort))
          if (n.endsWith(".rules")) copyFileSync(join(snort, n), join(etc, "snort_rules", n));
      symlinkSync("/bin/true", join(root, "usr/bin/whois_psad"));
      psadConf = join(root, "psad.conf");
      writeFileSync(
        psadConf,
        readFileSync(conf, "utf8")
          .split("\n")
          .filter((l) => !/^(REPUTATION_FEED|IP_INFO)\s/.test(l))
          .join("\n"),
      );
      override = join(root, "override.conf");
      writeFileSync(override, `INSTALL_ROOT ${root};\n`);
    });
    afterAll(() => {
      if (root) rmSync(root, { recursive: true, force: true });
    });

    async function theirs(name: string): Promise<string[]> {
      rmSync(join(root, "var/log/psad"), { recursive: true, force: true });
      mkdirSync(join(root, "var/log/psad"), { recursive: true });
      const r = await runTool(
        psad as string,
        [
          "--test-mode",
          "-A",
          "--analysis-write-data",
          "-m",
          join(captures as string, name),
          "-c",
          psadConf,
          "-O",
          override,
        ],
        { timeoutMs: 60_000 },
      );
      expect(r.code).toBe(0);
      return `${r.stdout}\n${r.stderr}`
        .split("\n")
        .filter((l) => l.startsWith("[+] syslog msg: "))
        .map((l) => l.slice(16))
        .filter((l) => !l.startsWith("imported "))
        .sort();
    }

    async function ours(name: string, extra: string[] = []): Promise<string[]> {
      const io = fakeIo();
      const argv = [
        "psad",
        "-A",
        "-m",
        join(captures as string, name),
        "-c",
        conf,
        "-O",
        override,
        "--syslog-msgs",
        ...extra,
      ];
      expect(await run(argv, io)).toBe(ExitCode.Ok);
      expect(io.err).toBe("");
      return io.out.split("\n").filter(Boolean).sort();
    }

    it.each(sameByDefault)("%s: same alert messages", async (name) => {
      const want = await theirs(name);
      expect(want.length).toBeGreaterThan(0);
      expect(await ours(name)).toEqual(want);
    });

    it.each(sameWithCompat)(
      "%s: same alert messages with --psad-compat (a documented deviation otherwise)",
      async (name) => {
        const want = await theirs(name);
        expect(await ours(name, ["--psad-compat"])).toEqual(want);
        expect(await ours(name)).not.toEqual(want);
      },
    );
  },
);
