import { describe, expect, it } from "vitest";
import { protocolName, protocolNumber } from "../src/protocols.ts";

describe("protocolName", () => {
  it.each([
    ["0", "all"],
    ["6", "tcp"],
    ["17", "udp"],
    ["1", "icmp"],
    ["58", "ipv6-icmp"],
    ["132", "sctp"],
    ["47", "gre"],
    ["136", "udplite"],
    ["200", "200"],
    ["!6", "!tcp"],
    ["!17", "!udp"],
    ["TCP", "tcp"],
    ["icmpv6", "ipv6-icmp"],
    ["mh", "mobility-header"],
    ["all", "all"],
    ["ipv6-icmp", "ipv6-icmp"],
  ])("%s → %s", (tok, name) => {
    expect(protocolName(tok, "ipv4")).toBe(name);
  });
  it("same table for IPv6", () => {
    expect(protocolName("58", "ipv6")).toBe("ipv6-icmp");
  });
});

describe("protocolNumber", () => {
  it.each([
    ["tcp", 6],
    ["udp", 17],
    ["all", 0],
    ["icmpv6", 58],
    ["ipv6-icmp", 58],
    ["GRE", 47],
    ["6", 6],
    ["255", 255],
    ["999", undefined],
    ["nosuch", undefined],
  ] as const)("%s → %s", (name, num) => {
    expect(protocolNumber(name)).toBe(num);
  });
  it("round-trips every named number", () => {
    for (let n = 0; n < 256; n++) {
      const name = protocolName(String(n));
      expect(protocolNumber(name)).toBe(n);
    }
  });
});
