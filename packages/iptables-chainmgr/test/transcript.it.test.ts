import { createNetns, missingFor, type Netns, skipWithReason } from "@fwkit/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainMgr } from "../src/index.ts";
import { type Recorded, recordingExecutor } from "./support/exec-record.ts";
import { IptablesParse, nodeExecutor } from "./support/ipt.ts";
import { type Backend, canonicalPath, makeWrappers, type Wrappers } from "./support/netns-ipt.ts";
import { stripSaveDates } from "./support/sanitize.ts";
import { runTranscript } from "./support/transcript.ts";

const reason = missingFor(["iptables-nft", "iptables-legacy", "ip6tables-nft", "ip6tables-legacy"]);
const combos: [family: "ipv4" | "ipv6", backend: Backend][] = [
  ["ipv4", "nft"],
  ["ipv4", "legacy"],
  ["ipv6", "nft"],
  ["ipv6", "legacy"],
];

describe.skipIf(skipWithReason("chainmgr transcript (netns)", reason))(
  "spec §7.7/§7.8 transcript against real iptables 1.8.9",
  () => {
    describe.each(combos)("%s / %s", (family, backend) => {
      let ns: Netns;
      let w: Wrappers;
      beforeAll(async () => {
        ns = await createNetns("cmtr");
        w = makeWrappers(ns);
      });
      afterAll(async () => {
        await ns?.destroy();
        w?.cleanup();
      });

      it("matches the golden transcript (argv, rv, out, err)", async () => {
        const log: Recorded[] = [];
        const rename = canonicalPath(w.dir);
        const parse = await IptablesParse.create({
          iptables: w.bin(family, backend),
          useIpv6: family === "ipv6",
          executor: recordingExecutor(nodeExecutor, log, rename, stripSaveDates),
        });
        const mgr = new ChainMgr(parse);
        const text = await runTranscript(mgr, log, rename);
        await expect(text).toMatchFileSnapshot(`fixtures/transcript-${family}-${backend}.golden.txt`);
        if (backend === "nft") {
          // The recording drives the unit-level replay test (test/transcript.test.ts).
          await expect(`${JSON.stringify(log, null, 1)}\n`).toMatchFileSnapshot(
            `fixtures/transcript-${family}-nft.recording.json`,
          );
        }
      });
    });
  },
);
