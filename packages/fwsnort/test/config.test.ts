import { describe, expect, it } from "vitest";
import { defaultFwsnortConfig, parseFwsnortConfig, safeParseFwsnortConfig } from "../src/config.ts";
import { isFwsnortError } from "../src/errors.ts";

describe("parseFwsnortConfig", () => {
  it("defaults = the Debian fwsnort.conf (spec §3)", () => {
    const c = defaultFwsnortConfig();
    expect(c.homeNet).toBe("any");
    expect(c.whitelist).toEqual(["96.43.137.99", "204.12.217.19"]);
    expect(c.blacklist).toEqual([]);
    expect(c.variables.get("HTTP_SERVERS")).toBe("$HOME_NET");
    expect(c.expanded.get("HTTP_SERVERS")).toBe("any");
    expect(c.paths.saveFile).toBe("/var/lib/fwsnort/fwsnort.save");
    expect([c.avgIpHeaderLen, c.avgTcpHeaderLen, c.maxFrameLen, c.maxStringLen]).toEqual([20, 30, 1500, 1024]);
    expect(c.jumpPositions).toEqual({ INPUT: 1, FORWARD: 1, OUTPUT: 1 });
  });
  it("first definition wins, comments, INSTALL_ROOT expansion, multi-line lists", () => {
    const c = parseFwsnortConfig(
      [
        "# comment",
        "HOME_NET  192.168.10.0/24;  ### trailing",
        "HOME_NET  10.0.0.0/8;",
        "INSTALL_ROOT /opt/fw;",
        "WHITELIST 203.0.113.5;",
        "WHITELIST 2001:db8::1, 198.51.100.0/24;",
        "BLACKLIST 192.0.2.0/24 DROP;",
        "BLACKLIST 198.51.100.7 REJECT;",
        "FWSNORT_INPUT_JUMP 3;",
        "iptablesCmd /usr/sbin/iptables;",
      ].join("\n"),
    );
    expect(c.homeNet).toBe("192.168.10.0/24");
    expect(c.paths.saveFile).toBe("/opt/fw/var/lib/fwsnort/fwsnort.save");
    expect(c.whitelist).toEqual(["203.0.113.5", "2001:db8::1", "198.51.100.0/24"]);
    expect(c.blacklist).toEqual([
      { addrs: ["192.0.2.0/24"], action: "DROP" },
      { addrs: ["198.51.100.7"], action: "REJECT" },
    ]);
    expect(c.jumpPositions.INPUT).toBe(3);
    expect(c.commands.iptablesCmd).toBe("/usr/sbin/iptables");
  });
  it.each([
    ["HOME_NET _CHANGEME_;", "FWSNORT_CONFIG_CHANGEME", 1],
    ["A $A;", "FWSNORT_CONFIG_VARIABLE_CYCLE", 1],
    ["X 1;\nA $B;", "FWSNORT_CONFIG_UNDEFINED_VARIABLE", 2],
    ["this line has no semicolon", "FWSNORT_CONFIG_INVALID", 1],
    ["MAX_STRING_LEN lots;", "FWSNORT_CONFIG_INVALID", 1],
  ])("%j → %s (line %i)", (text, code, line) => {
    const r = safeParseFwsnortConfig(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.details.line).toBe(line);
      expect(isFwsnortError(r.error)).toBe(true);
    }
  });
  it("deep $VAR chains stop after 20 passes", () => {
    const text = `${Array.from({ length: 40 }, (_, i) => `V${i} $V${i + 1};`).join("\n")}\nV40 x;`;
    const r = safeParseFwsnortConfig(text);
    expect(r.ok ? "ok" : r.error.code).toBe("FWSNORT_CONFIG_VARIABLE_CYCLE");
  });
  it("a bad whitelist entry is a warning, not an error", () => {
    const c = parseFwsnortConfig("WHITELIST not-an-ip, 10.0.0.1;");
    expect(c.whitelist).toEqual(["10.0.0.1"]);
    expect(c.warnings.map((w) => [w.code, w.line])).toEqual([["FWSNORT_CONFIG_WARNING", 1]]);
  });
});
