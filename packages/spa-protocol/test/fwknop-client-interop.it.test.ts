/**
 * Interop, the REAL fwknop 2.6.x client → our decoder: for each mode / digest / HMAC / message-type combination
 * the client builds a packet in `-T` mode (`-B` saves the wire), and decodeSpa must yield exactly the fields the
 * client itself printed.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { missingFor, run, skipWithReason } from "@fwkit/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { DIGEST_TYPES, decodeSpa, type EncryptionMode, type SpaKeys } from "../src/index.ts";
import { ENC_B64, HMAC_B64, HRAW, PASS } from "./vectors.ts";

const skip = skipWithReason("real fwknop client → our decoder", missingFor(["fwknop"], false));
const home = mkdtempSync(join(tmpdir(), "fwkit-fwknop-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

interface Case {
  name: string;
  args: string[];
  keys: SpaKeys;
}

const MODES: EncryptionMode[] = ["CBC", "ECB", "CFB", "OFB", "CTR"];
const cases: Case[] = [];
for (const mode of MODES) {
  for (const h of DIGEST_TYPES) {
    cases.push({
      name: `${mode} + HMAC ${h}`,
      args: ["-M", mode, "--key-rijndael", PASS, "--key-hmac", HRAW, "--use-hmac", "--hmac-digest-type", h],
      keys: { key: PASS, mode, hmacKey: HRAW, hmacType: h },
    });
  }
}
for (const d of DIGEST_TYPES) {
  cases.push({
    name: `digest ${d}`,
    args: ["-m", d, "--key-base64-rijndael", ENC_B64],
    keys: { key: Buffer.from(ENC_B64, "base64") },
  });
}
cases.push({
  name: "legacy",
  args: ["-M", "legacy", "--key-rijndael", "fwknoptest"],
  keys: { key: "fwknoptest", mode: "legacy" },
});
cases.push({
  name: "legacy 20-char key",
  args: ["-M", "legacy", "--key-rijndael", "12345678901234567890"],
  keys: { key: "1234567890123456", mode: "legacy" },
});
const b64: Pick<Case, "keys"> & { a: string[] } = {
  a: ["--key-base64-rijndael", ENC_B64, "--key-base64-hmac", HMAC_B64, "--use-hmac"],
  keys: { key: Buffer.from(ENC_B64, "base64"), hmacKey: Buffer.from(HMAC_B64, "base64") },
};
for (const [name, extra] of [
  ["NAT -N", ["-N", "192.168.10.2:22"]],
  ["NAT -N -f", ["-N", "192.168.10.2:2222", "-f", "60"]],
  ["-f", ["-f", "120"]],
  ["--nat-local", ["--nat-local", "--nat-port", "55000"]],
  ["--nat-local -f", ["--nat-local", "--nat-port", "55000", "-f", "45"]],
  ["multi-port", ["-A", "tcp/22,udp/53,tcp/443"]],
  ["time offset", ["--time-offset-minus", "5min"]],
] as const) {
  cases.push({ name, args: [...b64.a, ...extra], keys: b64.keys });
}

/** Parse the client's "SPA Field Values" dump (first occurrence). */
function fieldDump(out: string): Record<string, string> {
  const r: Record<string, string> = {};
  const start = out.indexOf("SPA Field Values:");
  for (const line of out.slice(start).split("\n").slice(2, 20)) {
    const m = /^\s*([A-Za-z ]+): (.*)$/.exec(line);
    if (m) r[(m[1] as string).trim()] = (m[2] as string).trim();
  }
  return r;
}

describe.skipIf(skip)("packets made by the real fwknop client decode with decodeSpa", () => {
  it.each(cases)("$name", async ({ args, keys, name }) => {
    const pkt = join(home, `${name.replace(/\W+/g, "_")}.pkt`);
    const base = ["--no-rc-file", "--no-save-args", "-D", "127.0.0.1", "-T", "-v", "-a", "127.0.0.2", "-U", "alice"];
    const withA = args.includes("-A") ? [] : ["-A", "tcp/22"];
    const cmd = [...base, ...withA, ...args, "-B", pkt];
    const r = await run("fwknop", cmd, { env: { HOME: home } });
    expect(r.code, r.stderr).toBe(0);
    const wire = readFileSync(pkt, "utf8").trim();
    const f = fieldDump(r.stdout);
    const d = decodeSpa(wire, keys);
    expect(d.rand).toBe(f["Random Value"]);
    expect(d.username).toBe(f.Username);
    expect(String(d.timestamp)).toBe(f.Timestamp);
    expect(d.version).toBe("3.0.0");
    expect(d.message).toBe(f["Message String"]);
    expect(String(d.messageType)).toBe(f["Message Type"]?.split(" ")[0]);
    expect(d.natAccess ?? "<NULL>").toBe(f["Nat Access"]);
    expect(String(d.clientTimeout ?? 0)).toBe(f["Client Timeout"]);
  });

  it("covers at least 50 combinations", () => expect(cases.length).toBeGreaterThanOrEqual(50));
});
