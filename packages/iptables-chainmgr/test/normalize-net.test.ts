import { execFileSync } from "node:child_process";
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { describe, expect, it } from "vitest";
import { inetNtop6, isChainMgrError, normalizeNet } from "../src/index.ts";

describe("normalizeNet (spec §4.1 verified examples)", () => {
  it.each([
    ["10.1.2.3/24", "10.1.2.0/24"],
    ["10.1.2.3/32", "10.1.2.3"],
    ["1.2.3.4/0", "0.0.0.0/0"],
    ["192.168.1.255/31", "192.168.1.254/31"],
    ["10.1.2.3/255.255.255.0", "10.1.2.0/24"],
    ["FE80::1/128", "fe80::1"],
    ["2001:db8::1/64", "2001:db8::/64"],
    ["0000:0000:00AA:0000:0000:AA00:0000:0001/64", "0:0:aa::/64"],
    ["fe80::200:f8ff:fe21:67cf", "fe80::200:f8ff:fe21:67cf"],
    // unchanged: no '/' with a dotted quad, no ':'
    ["10.1.2.3", "10.1.2.3"],
    ["eth0", "eth0"],
    ["example.com", "example.com"],
    ["10.1.2.3-10.1.2.9", "10.1.2.3-10.1.2.9"],
  ])("%s -> %s", (input, expected) => {
    expect(normalizeNet(input)).toBe(expected);
  });

  it("renders IPv4-mapped IPv6 like inet_ntop/ip6tables (deviation: Perl gave ::ffff:102:304)", () => {
    expect(normalizeNet("::ffff:1.2.3.4")).toBe("::ffff:1.2.3.4");
    expect(normalizeNet("::ffff:102:304")).toBe("::ffff:1.2.3.4");
  });

  it("keeps a leading ! in front of the normalised network (deviation: Perl croaked)", () => {
    expect(normalizeNet("!10.1.2.3/8")).toBe("!10.0.0.0/8");
    expect(normalizeNet("!2001:db8::5/128")).toBe("!2001:db8::5");
  });

  it.each(["", "10.1.2.3/33", "10.1.2.3/255.0.255.0", "300.1.2.3/24", "fe80::zz/64", "fe80::1/129"])(
    "rejects %j with a coded error",
    (bad) => {
      try {
        normalizeNet(bad);
        expect.unreachable();
      } catch (e) {
        expect(isChainMgrError(e)).toBe(true);
        expect((e as { code: string }).code).toBe(bad === "" ? "CHAINMGR_MISSING_ARGUMENT" : "CHAINMGR_BAD_NET");
        if (bad !== "") expect((e as Error).message).toBe(`[*] Could not acquire NetAddr::IP object for ${bad}`);
      }
    },
  );
});

function python(): string | undefined {
  try {
    execFileSync("python3", ["-c", "import socket"], { stdio: "pipe" });
    return "python3";
  } catch {
    return undefined;
  }
}

describe("inetNtop6 vs the C library's inet_ntop (differential, via python3's socket.inet_ntop)", () => {
  const py = python();
  it.skipIf(!py)("agrees on 400 random and edge-case addresses", () => {
    const word = fc.oneof(fc.constant(0), fc.constant(0xffff), fc.constant(1), fc.integer({ min: 0, max: 0xffff }));
    const addrs = fc.sample(fc.array(word, { minLength: 8, maxLength: 8 }), { numRuns: 400, seed: 42 });
    addrs.push(
      [0, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0, 0, 0, 2],
      [0, 0, 0, 0, 0, 0xffff, 0, 0],
    );
    const texts = addrs.map((w) => ipaddr.fromByteArray(new ipaddr.IPv6(w).toByteArray()).toNormalizedString());
    const out = execFileSync(
      py as string,
      [
        "-c",
        "import socket,sys\nfor l in sys.stdin.read().split():\n print(socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, l)))",
      ],
      { input: texts.join("\n") },
    )
      .toString()
      .trim()
      .split("\n");
    expect(addrs.map((w) => inetNtop6(w))).toEqual(out);
  });
});
