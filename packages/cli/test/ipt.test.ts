import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode, run } from "../src/index.ts";
import { fakeIo } from "./fake-io.ts";

const examples = resolve(__dirname, "../../../examples");
const v4save = resolve(examples, "sample-policy.v4.save");
const v4list = resolve(examples, "sample-policy.v4.list");
const v6save = resolve(examples, "sample-policy.v6.save");

interface PolicyJson {
  format: string;
  family: string;
  tables: { name: string; chains: { name: string; policy: string; rules: Record<string, unknown>[] }[] }[];
  diagnostics: unknown[];
}

async function runJson<T>(argv: string[]): Promise<{ code: number; json: T; err: string }> {
  const io = fakeIo();
  const code = await run(argv, io);
  return { code, json: JSON.parse(io.out) as T, err: io.err };
}

describe("fwkit ipt parse", () => {
  it("parses an iptables-save file into rule objects with the Perl key names", async () => {
    const { code, json } = await runJson<PolicyJson>(["ipt", "parse", v4save, "--json"]);
    expect(code).toBe(ExitCode.Ok);
    expect(json.format).toBe("save");
    const filter = json.tables.find((t) => t.name === "filter");
    const services = filter?.chains.find((c) => c.name === "SERVICES");
    expect(services?.rules).toHaveLength(4);
    expect(services?.rules[0]).toMatchObject({
      rule_num: 1,
      target: "ACCEPT",
      protocol: "tcp",
      src: "192.168.10.0/24",
      dst: "0.0.0.0/0",
      d_port: "22",
      comment: "ssh from lan",
    });
    const nat = json.tables.find((t) => t.name === "nat");
    expect(nat?.chains.find((c) => c.name === "PREROUTING")?.rules[0]).toMatchObject({
      target: "DNAT",
      dst: "198.51.100.1",
      to_ip: "192.168.10.5",
      to_port: "80",
    });
  });

  it("gives the same filter rules from the -v -n -L --line-numbers listing of the same policy", async () => {
    const save = await runJson<PolicyJson>(["ipt", "parse", v4save, "--json"]);
    const list = await runJson<PolicyJson>(["ipt", "parse", v4list, "--json"]);
    const keys = ["target", "protocol", "src", "dst", "intf_in", "intf_out", "d_port", "state", "ctstate", "comment"];
    const pick = (p: PolicyJson) =>
      p.tables
        .find((t) => t.name === "filter")
        ?.chains.map((c) => ({ name: c.name, rules: c.rules.map((r) => keys.map((k) => r[k])) }));
    expect(list.json.format).not.toBe("save");
    expect(pick(list.json)).toEqual(pick(save.json));
  });

  it("infers IPv6 from the file's addresses without -6", async () => {
    const { json } = await runJson<PolicyJson>(["ipt", "parse", v6save, "--json"]);
    expect(json.family).toBe("ipv6");
    expect(json.tables[0]?.chains[0]?.rules[0]).toMatchObject({ src: "::/0", dst: "::/0", intf_in: "lo" });
  });

  it("prints a human table without --json", async () => {
    const io = fakeIo();
    expect(await run(["ipt", "parse", v4save], io)).toBe(ExitCode.Ok);
    expect(io.out).toMatch(/Chain SERVICES/);
    expect(io.out).toMatch(/ssh from lan/);
  });

  it("reports an unreadable file as CLI_IO with exit 1", async () => {
    const io = fakeIo();
    expect(await run(["ipt", "parse", "/nonexistent/rules"], io)).toBe(ExitCode.Failure);
    expect(io.err).toMatch(/^fwkit: CLI_IO: /);
  });

  it("reports a usage error as CLI_USAGE with exit 2, in JSON too", async () => {
    const { code, json } = await runJson<{ error: { code: string } }>([
      "ipt",
      "parse",
      v4save,
      "-t",
      "bogus",
      "--json",
    ]);
    expect(code).toBe(ExitCode.Usage);
    expect(json.error.code).toBe("CLI_USAGE");
    const io = fakeIo();
    expect(await run(["ipt", "nosuch"], io)).toBe(ExitCode.Usage);
    expect(io.err).toMatch(/CLI_USAGE/);
  });
});

describe("fwkit ipt check", () => {
  it("passes the sample IPv4 policy (default LOG and DROP in INPUT and FORWARD)", async () => {
    const { code, json } = await runJson<{ ok: boolean; chains: { chain: string; ok: boolean }[] }>([
      "ipt",
      "check",
      "-f",
      v4save,
      "--json",
    ]);
    expect(json.chains.map((c) => [c.chain, c.ok])).toEqual([
      ["INPUT", true],
      ["FORWARD", true],
    ]);
    expect(json.ok).toBe(true);
    expect(code).toBe(ExitCode.Ok);
  });

  it("flags the sample IPv6 FORWARD chain that drops without logging, exit 1", async () => {
    const io = fakeIo();
    const code = await run(["ipt", "check", "-6", "-f", v6save], io);
    expect(code).toBe(ExitCode.Failure);
    expect(io.out).toMatch(/\[-\] Errors found in firewall config\./);
    // fwcheck_psad's FW_SEARCH_ALL=Y wording, then its help paragraph for the chain
    expect(io.out).toMatch(
      /Could not determine whether the FORWARD chain is configured with\n\s+a default logging rule on localhost/,
    );
    expect(io.out).toMatch(/add a default logging rule to the\n\s+'filter' 'FORWARD' chain on localhost/);
    expect(io.out).not.toMatch(/'INPUT' chain/);
  });

  it("with --fw-search-all N requires the LOG prefix to match FW_MSG_SEARCH", async () => {
    const ok = await runJson<{ ok: boolean }>(["ipt", "check", "-f", v4save, "--fw-search-all", "N", "--json"]);
    expect(ok.json.ok).toBe(true);
    const bad = await runJson<{ ok: boolean; report: string }>([
      "ipt",
      "check",
      "-f",
      v4save,
      "--fw-search-all",
      "N",
      "--fw-msg-search",
      "PSAD-",
      "--json",
    ]);
    expect(bad.json.ok).toBe(false);
    expect(bad.json.report).toMatch(/log prefix is set to "DROP"\n/);
    expect(bad.code).toBe(ExitCode.Failure);
  });
});

describe("fwkit --help / --version", () => {
  it("prints help with examples and the version", async () => {
    const io = fakeIo();
    expect(await run(["--help"], io)).toBe(ExitCode.Ok);
    expect(io.out).toMatch(/Examples:/);
    const io2 = fakeIo();
    expect(await run(["--version"], io2)).toBe(ExitCode.Ok);
    expect(io2.out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const io3 = fakeIo();
    expect(await run(["ipt", "check", "--help"], io3)).toBe(ExitCode.Ok);
    expect(io3.out).toMatch(/--fw-search-all/);
  });
});
