import { describe, expect, it } from "vitest";
import { isChainMgrError, plan, quoteRestoreArg, renderRestore, validateRulespec } from "../src/index.ts";
import { policyOf, rule } from "./support/policy.ts";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isChainMgrError(e) ? e.code : String(e);
  }
}

describe("plan + renderRestore (pure)", () => {
  it("creates a new managed chain, fills it and inserts its jump", () => {
    const current = policyOf({ filter: { INPUT: [rule(1, "ACCEPT", "-i lo -j ACCEPT")], FORWARD: [], OUTPUT: [] } });
    const p = plan(current, {
      chains: [
        {
          table: "filter",
          name: "FWKIT",
          rules: [
            ["-s", "10.0.0.0/8", "-p", "tcp", "--dport", "22", "-j", "ACCEPT"],
            ["-m", "comment", "--comment", 'ssh "lan" \\ x', "-j", "DROP"],
          ],
          jumps: [{ from: "INPUT", position: 5 }],
        },
      ],
    });
    expect(renderRestore(p)).toBe(
      [
        "*filter",
        ":FWKIT - [0:0]",
        "-A FWKIT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT",
        '-A FWKIT -m comment --comment "ssh \\"lan\\" \\\\ x" -j DROP',
        "-I INPUT 2 -j FWKIT",
        "COMMIT",
        "",
      ].join("\n"),
    );
    expect(p.managed).toEqual(["filter/FWKIT"]);
  });

  it("keeps an existing plain jump (no churn) and only re-declares the chain", () => {
    const current = policyOf({
      filter: { INPUT: [rule(1, "FWKIT", "-j FWKIT")], FWKIT: [rule(1, "DROP", "-s 1.2.3.4/32 -j DROP")] },
    });
    const text = renderRestore(
      plan(current, {
        chains: [{ table: "filter", name: "FWKIT", rules: [["-j", "RETURN"]], jumps: [{ from: "INPUT" }] }],
      }),
    );
    expect(text).toBe("*filter\n:FWKIT - [0:0]\n-A FWKIT -j RETURN\nCOMMIT\n");
  });

  it("removes duplicate and unwanted jumps by rulespec, touching no other rule", () => {
    const current = policyOf({
      filter: {
        INPUT: [rule(1, "FWKIT", "-j FWKIT"), rule(2, "ACCEPT", "-i lo -j ACCEPT"), rule(3, "FWKIT", "-j FWKIT")],
        FORWARD: [rule(1, "FWKIT", '-i eth0 -m comment --comment "x y" -j FWKIT')],
        FWKIT: [],
      },
    });
    const text = renderRestore(
      plan(current, { chains: [{ table: "filter", name: "FWKIT", rules: [], jumps: [{ from: "INPUT" }] }] }),
    );
    expect(text).toBe(
      [
        "*filter",
        ":FWKIT - [0:0]",
        "-D INPUT -j FWKIT",
        "-D INPUT -j FWKIT",
        '-D FORWARD -i eth0 -m comment --comment "x y" -j FWKIT',
        "-I INPUT 1 -j FWKIT",
        "COMMIT",
        "",
      ].join("\n"),
    );
  });

  it("falls back to deletion by number, highest first, when the policy came from a -L listing", () => {
    const current = policyOf({ filter: { INPUT: [rule(2, "FWKIT"), rule(5, "FWKIT")], FWKIT: [] } });
    const text = renderRestore(plan(current, { chains: [{ table: "filter", name: "FWKIT", state: "absent" }] }));
    expect(text).toBe("*filter\n-D INPUT 5\n-D INPUT 2\n-F FWKIT\n-X FWKIT\nCOMMIT\n");
  });

  it("absent chains that do not exist produce an empty plan and payload", () => {
    const p = plan(policyOf({ filter: { INPUT: [] } }), {
      chains: [{ table: "filter", name: "GONE", state: "absent" }],
    });
    expect(p.tables).toEqual([]);
    expect(renderRestore(p)).toBe("");
  });

  it("appends jumps when asked and handles several tables in one payload", () => {
    const current = policyOf({ filter: { INPUT: [rule(1, "ACCEPT", "-j ACCEPT")] }, nat: { PREROUTING: [] } });
    const text = renderRestore(
      plan(current, {
        chains: [
          {
            table: "filter",
            name: "A",
            rules: [["-j", "LOG", "--log-prefix", "A "]],
            jumps: [{ from: "INPUT", position: "append", matches: ["-p", "tcp"] }],
          },
          {
            table: "nat",
            name: "N",
            rules: [["-p", "tcp", "--dport", "80", "-j", "DNAT", "--to-destination", "10.0.0.1:8080"]],
            jumps: [{ from: "PREROUTING" }],
          },
        ],
      }),
    );
    expect(text).toBe(
      [
        "*filter",
        ":A - [0:0]",
        '-A A -j LOG --log-prefix "A "',
        "-A INPUT -p tcp -j A",
        "COMMIT",
        "*nat",
        ":N - [0:0]",
        "-A N -p tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080",
        "-I PREROUTING 1 -j N",
        "COMMIT",
        "",
      ].join("\n"),
    );
  });

  it.each([
    [{ table: "filter", name: "INPUT" }, "CHAINMGR_INVALID_NAME"],
    [{ table: "bogus", name: "X" }, "CHAINMGR_INVALID_NAME"],
    [{ table: "filter", name: 'X"Y' }, "CHAINMGR_INVALID_NAME"],
    [{ table: "filter", name: "X", rules: [["-j", "DROP\nCOMMIT"]] }, "CHAINMGR_BAD_RULESPEC"],
    [{ table: "filter", name: "X", rules: [["-t", "nat", "-j", "DROP"]] }, "CHAINMGR_BAD_RULESPEC"],
    [{ table: "filter", name: "X", rules: [[]] }, "CHAINMGR_BAD_RULESPEC"],
    [{ table: "filter", name: "X", rules: [["-s", "", "-j", "DROP"]] }, "CHAINMGR_BAD_RULESPEC"],
    [{ table: "filter", name: "X", jumps: [{ from: "INPUT", position: 0 }] }, "CHAINMGR_BAD_POSITION"],
  ])("rejects %j", (chain, code) => {
    expect(codeOf(() => plan(policyOf({ filter: {} }), { chains: [chain as never] }))).toBe(code);
  });

  it("rejects a jump from another managed chain and duplicate chains", () => {
    const chains = [
      { table: "filter", name: "A", rules: [] },
      { table: "filter", name: "B", jumps: [{ from: "A" }] },
    ];
    expect(codeOf(() => plan(policyOf({ filter: {} }), { chains }))).toBe("CHAINMGR_BAD_RULESPEC");
    expect(codeOf(() => plan(policyOf({ filter: {} }), { chains: [chains[0] as never, chains[0] as never] }))).toBe(
      "CHAINMGR_INVALID_NAME",
    );
  });

  it("allows command-looking words as comment text", () => {
    expect(codeOf(() => validateRulespec(["-m", "comment", "--comment", "-A", "-j", "ACCEPT"]))).toBeUndefined();
  });

  it.each([
    ["plain", "plain"],
    ["a b", '"a b"'],
    ['q"q', '"q\\"q"'],
    ["back\\slash", '"back\\\\slash"'],
    ["it's", '"it\'s"'],
    ["#hash", '"#hash"'],
    ["$(x);|&", "$(x);|&"],
  ])("quoteRestoreArg(%j) = %s", (input, out) => {
    expect(quoteRestoreArg(input)).toBe(out);
  });
});

describe("plan: absent chains that reference each other", () => {
  it("drops outside references, flushes all absent chains, then deletes them", () => {
    const current = policyOf({
      filter: {
        INPUT: [rule(1, "A", "-j A")],
        A: [rule(1, "B", "-j B")],
        B: [rule(1, "DROP", "-j DROP")],
      },
    });
    const text = renderRestore(
      plan(current, {
        chains: [
          { table: "filter", name: "A", state: "absent" },
          { table: "filter", name: "B", state: "absent" },
        ],
      }),
    );
    expect(text).toBe("*filter\n-D INPUT -j A\n-F A\n-F B\n-X A\n-X B\nCOMMIT\n");
  });
});
