import { describe, expect, it } from "vitest";
import { buildIptMatches, isChainMgrError } from "../src/index.ts";

const S = "10.1.2.0/24";
const D = "192.168.1.2";

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isChainMgrError(e) ? e.code : "other";
  }
  return undefined;
}

describe("buildIptMatches", () => {
  it.each([
    // the §7.7 transcript commands (between `-I CHAIN n` and `-j TARGET`)
    [{ protocol: "tcp", s_port: 0, d_port: 80 }, S, D, ["-s", S, "-d", D, "-p", "tcp", "--dport", "80"]],
    [
      { protocol: "tcp", d_port: 80, state: "ESTABLISHED,RELATED" },
      S,
      D,
      ["-s", S, "-d", D, "-p", "tcp", "--dport", "80", "-m", "state", "--state", "ESTABLISHED,RELATED"],
    ],
    [
      { mac_source: "ff:ff:ff:c6:33:58" },
      "0.0.0.0/0",
      "0.0.0.0/0",
      ["-s", "0.0.0.0/0", "-d", "0.0.0.0/0", "-m", "mac", "--mac-source", "ff:ff:ff:c6:33:58"],
    ],
    [
      { protocol: "tcp", d_port: 80, comment: "test comment", string: "search str" },
      S,
      D,
      [
        "-s",
        S,
        "-d",
        D,
        "-p",
        "tcp",
        "--dport",
        "80",
        "-m",
        "string",
        "--algo",
        "bm",
        "--string",
        "search str",
        "-m",
        "comment",
        "--comment",
        "test comment",
      ],
    ],
    [{ intf_in: "eth0" }, S, D, ["-s", S, "-d", D, "-i", "eth0"]],
    [
      { ctstate: "NEW", length: "10:100" },
      S,
      D,
      ["-s", S, "-d", D, "-m", "conntrack", "--ctstate", "NEW", "-m", "length", "--length", "10:100"],
    ],
  ])("%j", (ext, src, dst, expected) => {
    expect(buildIptMatches(ext, src, dst).args).toEqual(expected);
  });

  it("emits --sport for s_port (Perl's s_dport typo dropped it)", () => {
    expect(buildIptMatches({ protocol: "udp", s_port: 1024, d_port: 53, length: "10:100" }, S, D).args).toEqual([
      "-s",
      S,
      "-d",
      D,
      "-p",
      "udp",
      "--sport",
      "1024",
      "--dport",
      "53",
      "-m",
      "length",
      "--length",
      "10:100",
    ]);
  });

  it("emits -d when only dst is given (Perl tested src)", () => {
    expect(buildIptMatches({ protocol: "tcp" }, "", D).args).toEqual(["-d", D, "-p", "tcp"]);
  });

  it("emits -p once for protocol + proto (Perl emitted it twice) and rejects a conflict", () => {
    expect(buildIptMatches({ protocol: "tcp", proto: "tcp" }, S, D).args.filter((a) => a === "-p")).toHaveLength(1);
    expect(code(() => buildIptMatches({ protocol: "tcp", proto: "udp" }, S, D))).toBe("CHAINMGR_BAD_RULESPEC");
  });

  it("is deterministic: the same option order whatever the key order", () => {
    const a = buildIptMatches({ comment: "c", string: "s", protocol: "tcp", d_port: 1, ctstate: "NEW" }, S, D).args;
    const b = buildIptMatches({ ctstate: "NEW", d_port: 1, protocol: "tcp", string: "s", comment: "c" }, S, D).args;
    expect(a).toEqual(b);
  });

  it("keeps shell metacharacters as literal argv items (no quoting, no escaping)", () => {
    const ext = { comment: 'a (b) & c; d "q" $X *', string: "|3b|" };
    const args = buildIptMatches(ext, S, D).args;
    expect(args).toContain('a (b) & c; d "q" $X *');
    expect(args).toContain("|3b|");
  });

  it("turns inline negation into iptables negation", () => {
    expect(
      buildIptMatches(
        { protocol: "!udp", d_port: "!25", intf_in: "!eth0", mac_source: "!00:11:22:33:44:55" },
        "!10.0.0.0/8",
        "",
      ).args,
    ).toEqual([
      "!",
      "-s",
      "10.0.0.0/8",
      "!",
      "-p",
      "udp",
      "!",
      "-i",
      "eth0",
      "!",
      "--dport",
      "25",
      "-m",
      "mac",
      "!",
      "--mac-source",
      "00:11:22:33:44:55",
    ]);
  });

  it("builds NAT target options from to_ip/to_port", () => {
    expect(
      buildIptMatches(
        { protocol: "tcp", d_port: 8080, to_ip: "192.168.1.10", to_port: 80 },
        "",
        "198.51.100.1",
        "DNAT",
      ),
    ).toEqual({
      args: ["-d", "198.51.100.1", "-p", "tcp", "--dport", "8080"],
      targetArgs: ["--to-destination", "192.168.1.10:80"],
      msg: "",
    });
    expect(buildIptMatches({ to_ip: "203.0.113.9" }, "10.9.0.0/16", "", "SNAT").targetArgs).toEqual([
      "--to-source",
      "203.0.113.9",
    ]);
    expect(buildIptMatches({ to_ip: "fd00::10", to_port: 8080 }, "", "", "DNAT").targetArgs).toEqual([
      "--to-destination",
      "[fd00::10]:8080",
    ]);
    expect(buildIptMatches({ protocol: "tcp", to_port: 3128 }, "", "", "REDIRECT").targetArgs).toEqual([
      "--to-ports",
      "3128",
    ]);
    expect(code(() => buildIptMatches({ to_ip: "1.2.3.4" }, "", "", "ACCEPT"))).toBe("CHAINMGR_UNSUPPORTED_KEY");
  });

  it.each([["mark"], ["rule_num"], ["extended"]])("rejects unsupported key %s with Perl's croak text", (k) => {
    try {
      buildIptMatches({ [k]: "x" } as never, S, D);
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe("CHAINMGR_UNSUPPORTED_KEY");
      expect((e as Error).message).toBe(`[*] Extended hash search key '${k}' not supported by IPTables::Parse`);
    }
  });

  it.each([["packets"], ["bytes"], ["target"]])("rejects search-only key %s instead of emitting a stray value", (k) => {
    expect(code(() => buildIptMatches({ [k]: "1" }, S, D))).toBe("CHAINMGR_UNSUPPORTED_KEY");
  });

  it("ignores normalize and undefined values; port 0 means any port", () => {
    expect(buildIptMatches({ normalize: 1, protocol: "tcp", d_port: 0, s_port: undefined }, S, D).args).toEqual([
      "-s",
      S,
      "-d",
      D,
      "-p",
      "tcp",
    ]);
  });
});
