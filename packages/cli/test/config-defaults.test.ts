/**
 * Configuration files are looked for in the same default places as the originals: /etc/fwknop/{fwknopd,access}.conf,
 * ~/.fwknoprc, /etc/psad/psad.conf, /etc/fwsnort/fwsnort.conf. Where the original is installed, its default is read
 * from it (the fwknopd binary's strings, psad's and fwsnort's Perl source), so the test is differential.
 */
import { readFileSync } from "node:fs";
import { which } from "@fwkit/test-utils";
import { describe, expect, it } from "vitest";
import { run } from "../src/run.ts";
import { fakeIo } from "./fake-io.ts";

/** A fake Io that serves `files` from memory and records every path read. */
function recordingIo(files: Record<string, string>, env: Record<string, string> = {}) {
  const io = fakeIo(env);
  const reads: string[] = [];
  io.readFile = async (path: string) => {
    reads.push(path);
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
    return text;
  };
  return Object.assign(io, { reads });
}

/** The original's default, from the installed tool when present, else the documented value. */
function originalDefault(tool: string, pattern: RegExp, documented: string): string {
  const path = which(tool);
  if (!path) return documented;
  const text = readFileSync(path, "latin1");
  const m = pattern.exec(text);
  return m?.[1] ?? documented;
}

const FWKNOPD_CONF = originalDefault("fwknopd", /\0(\/etc\/fwknop\/fwknopd\.conf)\0/, "/etc/fwknop/fwknopd.conf");
const ACCESS_CONF = originalDefault("fwknopd", /\0(\/etc\/fwknop\/access\.conf)\0/, "/etc/fwknop/access.conf");
const PSAD_CONF = originalDefault("psad", /my \$config_file\s*=\s*'([^']+)'/, "/etc/psad/psad.conf");
const FWSNORT_CONF = originalDefault("fwsnort", /my \$CONFIG_DEFAULT\s*=\s*'([^']+)'/, "/etc/fwsnort/fwsnort.conf");
const KEY = "qbsDZRubX51ZcnAoyNfO2e/AiN+CCFXBsrYk1dO0pjk=";
const HKEY = "P4tFzhDgHp9pT6eW4H4qNESi5t9nJDPXX/P4tTyrqmeY4gN6YCufrAHrDEBpvbnF0bvD3xvRQTNWCWP1UrkJWQ==";

describe("default configuration places", () => {
  it("the originals' defaults are the documented ones", () => {
    expect([FWKNOPD_CONF, ACCESS_CONF, PSAD_CONF, FWSNORT_CONF]).toEqual([
      "/etc/fwknop/fwknopd.conf",
      "/etc/fwknop/access.conf",
      "/etc/psad/psad.conf",
      "/etc/fwsnort/fwsnort.conf",
    ]);
  });

  it("fwkit fwknopd reads fwknopd.conf, then ACCESS_FILE's default access.conf, from /etc/fwknop", async () => {
    const io = recordingIo({
      [FWKNOPD_CONF]: "UDPSERV_PORT 62201\n",
      [ACCESS_CONF]: `SOURCE ANY\nKEY_BASE64 ${KEY}\nHMAC_KEY_BASE64 ${HKEY}\n`,
    });
    expect(await run(["fwknopd", "--exit-parse-config", "--json"], io)).toBe(0);
    expect(io.reads).toEqual([FWKNOPD_CONF, ACCESS_CONF]);
    expect(JSON.parse(io.out)).toMatchObject({ configFile: FWKNOPD_CONF, accessFile: ACCESS_CONF, stanzas: 1 });
  });

  it("-c and -a override the defaults", async () => {
    const io = recordingIo({
      "/srv/f.conf": "UDPSERV_PORT 62201\n",
      "/srv/a.conf": `SOURCE ANY\nKEY_BASE64 ${KEY}\nHMAC_KEY_BASE64 ${HKEY}\n`,
    });
    expect(await run(["fwknopd", "-c", "/srv/f.conf", "-a", "/srv/a.conf", "--exit-parse-config", "--json"], io)).toBe(
      0,
    );
    expect(io.reads).toEqual(["/srv/f.conf", "/srv/a.conf"]);
  });

  it("fwkit fwknop reads $HOME/.fwknoprc, and --rc-file overrides it", async () => {
    const io = recordingIo(
      { "/home/alice/.fwknoprc": "[default]\n\n[srv]\nSPA_SERVER 192.0.2.1\n" },
      { HOME: "/home/alice" },
    );
    expect(await run(["fwknop", "--stanza-list", "--json"], io)).toBe(0);
    expect(io.reads).toEqual(["/home/alice/.fwknoprc"]);
    expect(JSON.parse(io.out)).toMatchObject({ rcFile: "/home/alice/.fwknoprc", stanzas: ["default", "srv"] });
    const io2 = recordingIo({ "/tmp/rc": "[x]\n" }, { HOME: "/home/alice" });
    expect(await run(["fwknop", "--stanza-list", "--rc-file", "/tmp/rc", "--json"], io2)).toBe(0);
    expect(io2.reads).toEqual(["/tmp/rc"]);
  });

  // psad and fwsnort: checked on their --help once the commands are registered (data-driven, like the help test)
  it.each([
    { command: "psad", conf: PSAD_CONF },
    { command: "fwsnort", conf: FWSNORT_CONF },
  ])("fwkit $command documents $conf as its default config (when the command exists)", async ({ command, conf }) => {
    const top = fakeIo();
    await run(["--help"], top);
    if (!new RegExp(`^ {2}${command}\\b`, "m").test(top.out)) {
      process.stderr.write(`[skip] fwkit ${command} default config: the command is not registered yet\n`);
      return;
    }
    const io = fakeIo();
    expect(await run([command, "--help"], io)).toBe(0);
    expect(io.out).toContain(conf);
  });
});
