/**
 * Real-kernel check of the translated matches (netns, UDP over loopback with the loopback exclusion off):
 * a content with offset/depth matches a real packet in default mode but not with fwsnort's arithmetic (compat),
 * and an absolute byte_test becomes a u32 match that fires only on the right value.
 */
import { createNetns, missingFor, type Netns, skipWithReason } from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderSave } from "../src/render-save.ts";
import { translateRuleset } from "../src/translate.ts";

const reason = missingFor(["iptables-restore", "iptables-save"]);
const RULES = [
  'alert udp any any -> any 5555 (msg:"anchored GET"; content:"GET"; offset:0; depth:3; sid:900001; rev:1;)',
  'alert udp any any -> any 5555 (msg:"u32"; byte_test:2,>,1000,4; sid:900002; rev:1;)',
].join("\n");

describe.skipIf(skipWithReason("kernel match", reason))("translated rules against real packets", () => {
  let ns: Netns;
  beforeAll(async () => {
    ns = await createNetns("fwskm");
  });
  afterAll(async () => {
    await ns?.destroy();
  });

  async function hits(compat: boolean, payloadsHex: string[]): Promise<Map<number, number>> {
    const t = translateRuleset([{ path: "/r/k.rules", text: RULES }], { compat, excludeLoopback: false });
    await ns.execOk("iptables-restore", [], { input: renderSave(t) });
    for (const hex of payloadsHex) {
      await ns.execOk(process.execPath, [
        "-e",
        'const s=require("dgram").createSocket("udp4");s.send(Buffer.from(process.argv[1],"hex"),5555,"127.0.0.1",()=>s.close())',
        hex,
      ]);
    }
    const save = await ns.execOk("iptables-save", ["-c", "-t", "filter"]);
    const out = new Map<number, number>();
    for (const l of save.split("\n")) {
      const m = /^\[(\d+):\d+\] -A FWSNORT_INPUT .*SID(\d+) /.exec(l);
      if (m) out.set(Number(m[2]), (out.get(Number(m[2])) ?? 0) + Number(m[1]));
    }
    return out;
  }

  it("offset/depth: ours matches the real packet, fwsnort's --from 42 --to 45 does not", async () => {
    const get = Buffer.from("GET /index.html").toString("hex");
    expect((await hits(false, [get])).get(900001)).toBe(1);
    expect((await hits(true, [get])).get(900001) ?? 0).toBe(0);
  });
  it("byte_test:2,>,1000,4 → u32: fires for 0x0400 at payload offset 4, not for 0x0010", async () => {
    const c = await hits(false, ["41414141040041", "41414141001041"]);
    expect(c.get(900002)).toBe(1);
  });
});
