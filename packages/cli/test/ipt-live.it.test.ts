import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createNetns, makeWrappers, missingFor, type Netns, skipWithReason, type Wrappers } from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode, run } from "../src/index.ts";
import { fakeIo } from "./fake-io.ts";

const examples = resolve(__dirname, "../../../examples");
const skip = skipWithReason("cli live ipt tests", missingFor(["iptables-nft-restore", "ip6tables-nft-restore"]));

describe.skipIf(skip)("fwkit ipt list/check against real iptables in a namespace", () => {
  let ns: Netns;
  let dir: string;
  let w: Wrappers;

  beforeAll(async () => {
    ns = await createNetns("cli");
    dir = mkdtempSync(join(tmpdir(), "fwkit-cli-"));
    w = makeWrappers(ns, "nft", dir);
    await ns.execOk("/usr/sbin/iptables-nft-restore", [], {
      input: readFileSync(join(examples, "sample-policy.v4.save"), "utf8"),
    });
    await ns.execOk("/usr/sbin/ip6tables-nft-restore", [], {
      input: readFileSync(join(examples, "sample-policy.v6.save"), "utf8"),
    });
  });
  afterAll(async () => {
    await ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("lists the live nat table as rule objects", async () => {
    const io = fakeIo();
    const code = await run(["ipt", "list", "-t", "nat", "-c", "POSTROUTING", "--iptables", w.v4, "--json"], io);
    expect(io.err).toBe("");
    expect(code).toBe(ExitCode.Ok);
    const json = JSON.parse(io.out) as { tables: { chains: { name: string; rules: Record<string, unknown>[] }[] }[] };
    const chains = json.tables.flatMap((t) => t.chains);
    expect(chains.map((c) => c.name)).toEqual(["POSTROUTING"]);
    expect(chains[0]?.rules[0]).toMatchObject({ target: "MASQUERADE", src: "192.168.10.0/24", intf_out: "eth0" });
  });

  it("the live policy parses to the same rules as the file it was loaded from", async () => {
    const live = fakeIo();
    await run(["ipt", "list", "--iptables", w.v4, "--json"], live);
    const file = fakeIo();
    await run(["ipt", "parse", join(examples, "sample-policy.v4.save"), "--json"], file);
    type J = {
      tables: { name: string; chains: { name: string; rules: { target: string; src: string; d_port: unknown }[] }[] }[];
    };
    const shape = (j: J) =>
      j.tables
        .find((t) => t.name === "filter")
        ?.chains.map((c) => [c.name, c.rules.map((r) => [r.target, r.src, r.d_port])]);
    expect(shape(JSON.parse(live.out) as J)).toEqual(shape(JSON.parse(file.out) as J));
  });

  it("checks the live IPv4 policy (good) and IPv6 policy (FORWARD lacks a LOG rule)", async () => {
    const v4 = fakeIo();
    expect(await run(["ipt", "check", "--iptables", w.v4], v4)).toBe(ExitCode.Ok);
    expect(v4.out).toMatch(/Firewall config looks good/);
    const v6 = fakeIo();
    expect(await run(["ipt", "check", "-6", "--iptables", w.v6, "--json"], v6)).toBe(ExitCode.Failure);
    const j = JSON.parse(v6.out) as { ok: boolean; family: string; chains: { chain: string; ok: boolean }[] };
    expect(j.family).toBe("ipv6");
    expect(j.chains.map((c) => [c.chain, c.ok])).toEqual([
      ["INPUT", true],
      ["FORWARD", false],
    ]);
  });

  it("reports a missing iptables binary with its code", async () => {
    const io = fakeIo();
    expect(await run(["ipt", "list", "--iptables", join(dir, "no-such-iptables")], io)).toBe(ExitCode.Failure);
    expect(io.err).toMatch(/^fwkit: IPT_BINARY_NOT_FOUND: /);
  });
});
