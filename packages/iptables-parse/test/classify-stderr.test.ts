import { describe, expect, it } from "vitest";
import { classifyStderr, isHarmlessWarning, STDERR_PATTERNS } from "../src/classify-stderr.ts";
import type { IptablesParseErrorCode } from "../src/types.ts";

/**
 * Real stderr of iptables/ip6tables v1.8.9 (nf_tables and legacy), recorded in throwaway namespaces on this
 * machine (`ip netns exec NS iptables-nft -X CUSTOM` etc.), with the exit status each command returned.
 */
const SAMPLES: [
  backend: string,
  command: string,
  stderr: string,
  exit: number,
  code: IptablesParseErrorCode | undefined,
][] = [
  ["nft", "-N CUSTOM (exists)", "iptables: Chain already exists.\n", 1, "IPT_CHAIN_EXISTS"],
  ["legacy", "-N CUSTOM (exists)", "ip6tables: Chain already exists.\n", 1, "IPT_CHAIN_EXISTS"],
  [
    "nft",
    "-L NOPE -n",
    "iptables v1.8.9 (nf_tables): chain `NOPE' in table `filter' is incompatible, use 'nft' tool.\n",
    1,
    "IPT_CHAIN_NOT_FOUND",
  ],
  [
    "nft6",
    "-L NOPE -n",
    "ip6tables v1.8.9 (nf_tables): chain `NOPE' in table `filter' is incompatible, use 'nft' tool.\n",
    1,
    "IPT_CHAIN_NOT_FOUND",
  ],
  ["legacy", "-L NOPE -n", "iptables: No chain/target/match by that name.\n", 1, "IPT_CHAIN_NOT_FOUND"],
  ["nft", "-F NOPE", "iptables: No chain/target/match by that name.\n", 1, "IPT_CHAIN_NOT_FOUND"],
  [
    "nft",
    "-X CUSTOM (referenced)",
    "iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain CUSTOM\n",
    4,
    "IPT_CHAIN_IN_USE",
  ],
  ["legacy", "-X CUSTOM (referenced)", "iptables: Too many links.\n", 1, "IPT_CHAIN_IN_USE"],
  ["legacy", "-X C2 (not empty)", "ip6tables: Directory not empty.\n", 1, "IPT_CHAIN_IN_USE"],
  ["nft", "-P C2 DROP", "iptables: Bad built-in chain name.\n", 1, "IPT_BAD_BUILTIN_CHAIN"],
  ["legacy", "-P NOPE DROP", "ip6tables: Bad built-in chain name.\n", 1, "IPT_BAD_BUILTIN_CHAIN"],
  ["nft", "-D INPUT 99", "iptables: Index of deletion too big.\n", 1, "IPT_RULE_NOT_FOUND"],
  ["legacy", "-I INPUT 99 -j ACCEPT", "iptables: Index of insertion too big.\n", 1, "IPT_RULE_NOT_FOUND"],
  ["nft", "-R INPUT 99 -j ACCEPT", "iptables: Index of replacement too big.\n", 1, "IPT_RULE_NOT_FOUND"],
  [
    "nft",
    "-C INPUT -j DROP",
    "iptables: Bad rule (does a matching rule exist in that chain?).\n",
    1,
    "IPT_RULE_NOT_FOUND",
  ],
  [
    "legacy",
    "-D INPUT -j DROP",
    "ip6tables: Bad rule (does a matching rule exist in that chain?).\n",
    1,
    "IPT_RULE_NOT_FOUND",
  ],
  [
    "nft",
    "-A INPUT -j NOPE",
    "iptables v1.8.9 (nf_tables): Chain 'NOPE' does not exist\nTry `iptables -h' or 'iptables --help' for more information.\n",
    2,
    "IPT_CHAIN_NOT_FOUND",
  ],
  [
    "legacy",
    "-A INPUT -j NOPE",
    "iptables v1.8.9 (legacy): Couldn't load target `NOPE':No such file or directory\n\nTry `iptables -h' or 'iptables --help' for more information.\n",
    2,
    "IPT_CHAIN_NOT_FOUND",
  ],
  [
    "nft",
    "-t nosuch -L",
    "iptables v1.8.9 (nf_tables): table 'nosuch' does not exist\nPerhaps iptables or your kernel needs to be upgraded.\n",
    3,
    "IPT_PARSE_UNKNOWN_TABLE",
  ],
  [
    "legacy",
    "-t nosuch -L",
    "ip6tables v1.8.9 (legacy): can't initialize ip6tables table `nosuch': Table does not exist (do you need to insmod?)\nPerhaps ip6tables or your kernel needs to be upgraded.\n",
    3,
    "IPT_PARSE_UNKNOWN_TABLE",
  ],
  [
    "nft",
    "-N xxx…(29)",
    "iptables v1.8.9 (nf_tables): chain name `xxxxxxxxxxxxxxxxxxxxxxxxxxxxx' too long (must be under 29 chars)\nTry `iptables -h' or 'iptables --help' for more information.\n",
    2,
    "IPT_INVALID_NAME",
  ],
  [
    "legacy",
    "-N !bang",
    "iptables v1.8.9 (legacy): chain name not allowed to start with `!'\nTry `iptables -h' or 'iptables --help' for more information.\n",
    2,
    "IPT_INVALID_NAME",
  ],
  [
    "nft",
    "-N 'a b'",
    "iptables v1.8.9 (nf_tables): Invalid chain name `a b'\nTry `iptables -h' or 'iptables --help' for more information.\n",
    2,
    "IPT_INVALID_NAME",
  ],
  [
    "nft",
    "-N ACCEPT",
    "iptables v1.8.9 (nf_tables): chain name may not clash with target name\nTry `iptables -h' or 'iptables --help' for more information.\n",
    2,
    "IPT_INVALID_NAME",
  ],
  [
    "nft",
    "-L as uid 65534",
    "iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)\n",
    4,
    "IPT_PERMISSION_DENIED",
  ],
  [
    "legacy",
    "-L as uid 65534",
    "Fatal: can't open lock file /run/xtables.lock: Permission denied\n",
    4,
    "IPT_PERMISSION_DENIED",
  ],
  [
    "legacy",
    "-L as uid 65534 (own lock file)",
    "iptables v1.8.9 (legacy): can't initialize iptables table `filter': Permission denied (you must be root)\nPerhaps iptables or your kernel needs to be upgraded.\n",
    4,
    "IPT_PERMISSION_DENIED",
  ],
  [
    "legacy",
    "-w 1 -L (lock held)",
    "Can't lock /tmp/exlock/xt.lock: Resource temporarily unavailable\nAnother app is currently holding the xtables lock. Stopped waiting after 1s.\n",
    4,
    "IPT_LOCK_TIMEOUT",
  ],
  [
    "nft",
    "-A INPUT --bogus",
    "iptables v1.8.9 (nf_tables): unknown option \"--bogus\"\nTry `iptables -h' or 'iptables --help' for more information.\n",
    2,
    undefined,
  ],
  [
    "nft",
    "-L (legacy tables present), exit 0",
    "# Warning: iptables-legacy tables present, use iptables-legacy to see them\n",
    0,
    undefined,
  ],
];

describe("classifyStderr", () => {
  it.each(SAMPLES)("%s %s", (_backend, _cmd, stderr, exit, code) => {
    expect(classifyStderr(stderr, exit)).toBe(code);
  });

  it("returns undefined for exit status 0 whatever stderr says", () => {
    expect(classifyStderr("iptables: Chain already exists.\n", 0)).toBeUndefined();
  });

  it("ignores the harmless legacy-tables warning in front of a real error", () => {
    const s =
      "# Warning: iptables-legacy tables present, use iptables-legacy to see them\niptables: Chain already exists.\n";
    expect(classifyStderr(s, 1)).toBe("IPT_CHAIN_EXISTS");
    expect(
      classifyStderr("# Warning: iptables-legacy tables present, use iptables-legacy to see them\n", 1),
    ).toBeUndefined();
  });

  it("classifies by text when the process was killed (exit status null)", () => {
    const s =
      "Can't lock /run/xtables.lock: Resource temporarily unavailable\nAnother app is currently holding the xtables lock. Stopped waiting after 1s.\n";
    expect(classifyStderr(s, null)).toBe("IPT_LOCK_TIMEOUT");
  });

  it("classifies firewalld's COMMAND_FAILED", () => {
    expect(classifyStderr("Error: COMMAND_FAILED: '/usr/sbin/iptables-restore -w -n' failed\n", 13)).toBe(
      "IPT_COMMAND_FAILED",
    );
  });

  it("every table row matches its own sample", () => {
    for (const row of STDERR_PATTERNS) expect(classifyStderr(`${row.sample}\n`, 1)).toBe(row.code);
  });
});

describe("isHarmlessWarning", () => {
  it.each([
    "# Warning: iptables-legacy tables present, use iptables-legacy to see them",
    "# Warning: ip6tables-legacy tables present, use ip6tables-legacy to see them",
    "# Warning: iptables-legacy tables present, use iptables-legacy-save to see them",
    "# Warning: iptables-legacy tables present, use iptables-legacy to see them\n",
    "Ignoring deprecated --wait-interval option.",
  ])("harmless: %j", (l) => expect(isHarmlessWarning(l)).toBe(true));
  it.each([
    "iptables: Chain already exists.",
    "",
    "# Warning: something else",
    "x # Warning: iptables-legacy tables present, use iptables-legacy to see them",
  ])("not harmless: %j", (l) => expect(isHarmlessWarning(l)).toBe(false));
});
