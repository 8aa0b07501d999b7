/** Untrusted input never throws out of translateRuleset / renderSave: random bytes, huge lines, deep variables. */
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { parseFwsnortConfig } from "../src/config.ts";
import { renderSave } from "../src/render-save.ts";
import { translateRuleset } from "../src/translate.ts";

const header = fc.constantFrom(
  "alert tcp $EXTERNAL_NET any -> $HOME_NET 80",
  "alert udp any any <> any [1,2,!3]",
  "alert ip [10.0.0.0/8,!10.1.0.0/16] any -> $HOME_NET any",
  "pass icmp any any -> any any",
  "log tcp any any -> any any",
);
const option = fc.constantFrom(
  'content:"GET"',
  'content:!"|00 01|"',
  "offset:3",
  "depth:1",
  "distance:2",
  "within:4",
  "nocase",
  "fast_pattern",
  'pcre:"/a.*b/i"',
  "flags:SF12*",
  "dsize:<>",
  "dsize:10<>5",
  "ttl:1-300",
  "itype:>3",
  "flow:to_client,established",
  "byte_test:4,>,1,0",
  "resp:rst_all",
  "ip_proto:!6",
  'msg:"x"',
  "sid:1",
);

describe("hostile input", () => {
  test.prop([fc.uint8Array({ maxLength: 2000 })])("random bytes", (bytes) => {
    const text = Buffer.from(bytes).toString("latin1");
    const t = translateRuleset([{ path: "/r/x.rules", text }]);
    expect(() => renderSave(t)).not.toThrow();
  });
  test.prop([header, fc.array(option, { maxLength: 12 }), fc.boolean()])("random rules", (h, opts, compat) => {
    const text = `${h} (${opts.join("; ")}; sid:9;)`;
    const t = translateRuleset([{ path: "/r/x.rules", text }], { compat });
    expect(t.files[0]?.total).toBe(1);
    expect(() => renderSave(t)).not.toThrow();
  });
  it("huge lines and deep variable recursion become diagnostics", () => {
    const huge = `alert tcp any any -> any 80 (msg:"${"A".repeat(200_000)}"; content:"${"B".repeat(100_000)}"; sid:1;)`;
    const vars = Array.from({ length: 100 }, (_, i) => `V${i} $V${i + 1};`).join("\n");
    expect(() => parseFwsnortConfig(vars)).toThrow(expect.objectContaining({ code: "FWSNORT_CONFIG_VARIABLE_CYCLE" }));
    const loop = { ...parseFwsnortConfig("") };
    const variables = new Map(loop.variables);
    variables.set("LOOP_A", "$LOOP_B");
    variables.set("LOOP_B", "[$LOOP_A,1.2.3.4]");
    const cfg = {
      ...loop,
      variables,
      expanded: new Map([...loop.expanded, ["LOOP_A", "$LOOP_B"], ["LOOP_B", "$LOOP_A"]]),
    };
    const rules = `${huge}\nalert tcp $LOOP_A any -> any 80 (msg:"l"; content:"x"; sid:2;)`;
    for (const compat of [false, true]) {
      const t = translateRuleset([{ path: "/r/x.rules", text: rules }], { compat, config: cfg });
      expect(t.translated).toEqual([]);
      expect(t.skipped.map((s) => s.code).sort()).toEqual(["FWSNORT_PARSE_ERROR", "FWSNORT_PATTERN_TOO_LONG"]);
    }
  });
});
