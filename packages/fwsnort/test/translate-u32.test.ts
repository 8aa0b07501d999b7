import { describe, expect, it } from "vitest";
import { translateRuleset } from "../src/translate.ts";
import { byteTestU32 } from "../src/translate-u32.ts";

const bt = (o: Partial<Parameters<typeof byteTestU32>[0]>) =>
  ({
    kind: "byte_test",
    bytes: 2,
    negated: false,
    operator: ">",
    value: 20,
    offset: 10,
    flags: [],
    ...o,
  }) as Parameters<typeof byteTestU32>[0];

describe("byteTestU32", () => {
  it.each([
    [bt({}), "tcp", ["-m", "u32", "--u32", "0>>22&0x3C@12>>26&0x3C@8&0xFFFF=21:65535"]],
    [bt({ operator: "<", value: 67, bytes: 1, offset: 3 }), "udp", ["-m", "u32", "--u32", "0>>22&0x3C@8&0xFF=0:66"]],
    [
      bt({ operator: "=", negated: true, value: 16, offset: 8 }),
      "tcp",
      ["-m", "u32", "!", "--u32", "0>>22&0x3C@12>>26&0x3C@6&0xFFFF=16"],
    ],
    [
      bt({ operator: "&", value: 16, bytes: 1, offset: 4 }),
      "tcp",
      ["-m", "u32", "--u32", "0>>22&0x3C@12>>26&0x3C@1&0x10=1:4294967295"],
    ],
    [
      bt({ bytes: 4, value: 2147483647, offset: 5 }),
      "udp",
      ["-m", "u32", "--u32", "0>>22&0x3C@13=2147483648:4294967295"],
    ],
  ])("%j on %s", (o, proto, words) => expect(byteTestU32(o, proto)).toEqual(words));
  it.each([
    ["relative", bt({ flags: ["relative"] })],
    ["string", bt({ flags: ["string", "dec"] })],
    ["little endian", bt({ flags: ["little"] })],
    ["xor", bt({ operator: "^" })],
    ["too early to read a word", bt({ offset: 0, bytes: 1 })],
    ["5 bytes", bt({ bytes: 5 })],
    ["variable", bt({ value: "var" })],
  ])("%s → not expressible", (_n, o) => expect(byteTestU32(o, "tcp")).toBeUndefined());
  it("is used in default mode only; compat keeps fwsnort's 'Unsupported option(s)'", () => {
    const r = 'alert tcp any any -> any 139 (msg:"b"; content:"x"; byte_test:2,>,20,10; sid:1;)';
    const d = translateRuleset([{ path: "/r/x.rules", text: r }]);
    expect(d.translated[0]?.rules[0]?.args.join(" ")).toContain(
      "-m u32 --u32 0>>22&0x3C@12>>26&0x3C@8&0xFFFF=21:65535",
    );
    const c = translateRuleset([{ path: "/r/x.rules", text: r }], { compat: true });
    expect(c.skipped[0]?.message).toBe("SID: 1  Unsupported option(s): 'byte_test' at line: 1, skipping.");
  });
});
