import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defaultPsadConfig, parsePsadConfig, parsePsadConfText } from "../src/config.ts";
import { confPath, testConfDir } from "./support.ts";

describe("psad.conf parsing", () => {
  it("KEY value; syntax, comments after ;, first definition wins, multi-valued FW_MSG_SEARCH", () => {
    const t = parsePsadConfText(
      "# c\nDANGER_LEVEL1   7;  ### packets\nDANGER_LEVEL1 9;\nFW_MSG_SEARCH DROP;\nFW_MSG_SEARCH REJECT;\nbad line\n",
    );
    expect(t.values.get("DANGER_LEVEL1")).toEqual({ value: "7", line: 2, file: "psad.conf" });
    expect(t.multi.get("FW_MSG_SEARCH")).toEqual(["DROP", "REJECT"]);
    expect(t.diagnostics).toMatchObject([{ code: "PSAD_CONFIG_INVALID", line: 6 }]);
  });

  it("-O overrides win over the main file and $VAR expands", () => {
    const r = parsePsadConfig("INSTALL_ROOT /opt;\nPSAD_DIR $INSTALL_ROOT/var/log/psad;\nDANGER_LEVEL1 5;", {
      overrides: [{ text: "DANGER_LEVEL1 3;\nINSTALL_ROOT /tmp/x;", file: "o.conf" }],
    });
    expect(r.ok && r.value.DANGER_LEVEL1).toBe(3);
    expect(r.ok && r.value.raw.PSAD_DIR).toBe("/tmp/x/var/log/psad");
    expect(r.ok && r.value.AUTO_BLOCK_DL1_TIMEOUT).toBe(3600);
  });

  it("INSTALL_ROOT / expands to the empty string", () => {
    const r = parsePsadConfig("INSTALL_ROOT /;\nPSAD_DIR $INSTALL_ROOT/var/log/psad;");
    expect(r.ok && r.value.raw.PSAD_DIR).toBe("/var/log/psad");
  });

  it.each([
    ["DANGER_LEVEL1 five;", "DANGER_LEVEL1"],
    ["ENABLE_AUTO_IDS maybe;", "ENABLE_AUTO_IDS"],
    ["AUTO_IDS_DANGER_LEVEL 9;", "AUTO_IDS_DANGER_LEVEL"],
    ["SYSLOG_FACILITY LOG_USER;", "SYSLOG_FACILITY"],
    ["EMAIL_ADDRESSES nobody;", "EMAIL_ADDRESSES"],
  ])("%s -> PSAD_CONFIG_INVALID naming the key and line", (text, key) => {
    const r = parsePsadConfig(`# x\n${text}`, { file: "t.conf" });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe("PSAD_CONFIG_INVALID");
      expect(r.error.details).toMatchObject({ key, line: 2, file: "t.conf" });
    }
  });

  it("self-referencing variable -> PSAD_CONFIG_VAR_UNDEFINED", () => {
    const r = parsePsadConfig("HOME_NET $HOME_NET;");
    expect(!r.ok && r.error.code).toBe("PSAD_CONFIG_VAR_UNDEFINED");
  });

  it("ENABLE_* accepts YES/NO", () => {
    const r = parsePsadConfig("ENABLE_AUTO_IDS YES;\nALERT_ALL no;");
    expect(r.ok && [r.value.ENABLE_AUTO_IDS, r.value.ALERT_ALL]).toEqual([true, false]);
  });

  it("defaults", () => {
    const d = defaultPsadConfig();
    expect([d.DANGER_LEVEL1, d.DANGER_LEVEL5, d.DL5_UNIQUE_HOSTS, d.FW_MSG_SEARCH]).toEqual([5, 10000, 500, ["DROP"]]);
  });
});

describe.skipIf(!testConfDir)("every corpus config validates", () => {
  const names = [
    "default_psad.conf",
    "auto_blocking.conf",
    "auto_min_dl5_blocking.conf",
    "disable_ipv6_detection.conf",
    "enable_ack_detection.conf",
    "ignore_igmp.conf",
    "ignore_intf.conf",
    "ignore_tcp.conf",
    "ignore_udp.conf",
    "reputation.conf",
    "require_DROP_syslog_prefix_str.conf",
    "require_missing_syslog_prefix_str.conf",
  ];
  it.each(names)("%s", (n) => {
    const r = parsePsadConfig(readFileSync(confPath(n), "utf8"), { file: n });
    if (!r.ok) throw r.error;
    expect(r.value.raw.INSTALL_ROOT).toBe("psad-install");
  });
  it("auto_blocking.conf turns auto-IDS on at DL 3 with a 3 s timeout", () => {
    const r = parsePsadConfig(readFileSync(confPath("auto_blocking.conf"), "utf8"));
    expect(r.ok && [r.value.ENABLE_AUTO_IDS, r.value.AUTO_IDS_DANGER_LEVEL, r.value.AUTO_BLOCK_TIMEOUT]).toEqual([
      true,
      3,
      3,
    ]);
  });
  it("normal_root_override.conf works as a -O override", () => {
    const r = parsePsadConfig(readFileSync(confPath("default_psad.conf"), "utf8"), {
      overrides: [{ text: readFileSync(confPath("normal_root_override.conf"), "utf8") }],
    });
    expect(r.ok && r.value.raw.INSTALL_ROOT).not.toBe("psad-install");
  });
});
