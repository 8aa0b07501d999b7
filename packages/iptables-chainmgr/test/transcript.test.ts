import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ChainMgr } from "../src/index.ts";
import { type Recorded, replayExecutor } from "./support/exec-record.ts";
import { IptablesParse } from "./support/ipt.ts";
import { runTranscript } from "./support/transcript.ts";

// Replays the outcomes recorded from real iptables 1.8.9 (nf_tables) by test/transcript.it.test.ts: the replaying
// Executor fails on any argv that differs from the recording, and the rendered transcript (argv + Perl triples)
// must equal the golden file. No root, no iptables needed.
describe.each(["ipv4", "ipv6"] as const)("spec §7.7/§7.8 transcript replay (%s)", (family) => {
  it("runs exactly the recorded argv and returns the golden results", async () => {
    const recording = JSON.parse(
      readFileSync(new URL(`fixtures/transcript-${family}-nft.recording.json`, import.meta.url), "utf8"),
    ) as Recorded[];
    const log: Recorded[] = [];
    const parse = await IptablesParse.create({
      iptables: family === "ipv6" ? "/usr/sbin/ip6tables" : "/usr/sbin/iptables",
      useIpv6: family === "ipv6",
      executor: replayExecutor(recording, log),
      pathAccess: () => "executable",
    });
    const mgr = new ChainMgr(parse);
    expect(mgr.cmd).toEqual([family === "ipv6" ? "/usr/sbin/ip6tables" : "/usr/sbin/iptables", "-w", "30"]);
    const text = await runTranscript(mgr, log);
    expect(log).toHaveLength(recording.length);
    await expect(text).toMatchFileSnapshot(`fixtures/transcript-${family}.replay.golden.txt`);
  });
});
