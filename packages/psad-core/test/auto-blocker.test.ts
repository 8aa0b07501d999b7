import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fc, test } from "@fast-check/vitest";
import { afterAll, describe, expect, it } from "vitest";
import { applyToState, decideBlocks, neverBlockReason } from "../src/auto-block.ts";
import { parseAutoBlockConfig, parseAutoChain } from "../src/auto-block-config.ts";
import { createAutoBlocker } from "../src/auto-blocker.ts";
import type { BlockExecutorBackend } from "../src/block-executor.ts";
import {
  type BlockState,
  emptyBlockState,
  normalizeBlockTarget,
  parseAutoBlockedIptables,
  parseBlockState,
} from "../src/block-state.ts";
import { parsePsadConfig } from "../src/config.ts";
import { parseAutoDl } from "../src/data-files.ts";
import { parseStatusSnapshot } from "../src/status.ts";

const T0 = 1_795_000_000;

function ab(text = "") {
  const c = parsePsadConfig(`${text}\nENABLE_AUTO_IDS Y;\nAUTO_IDS_DANGER_LEVEL 2;\nAUTO_BLOCK_TIMEOUT 10;\n`);
  if (!c.ok) throw c.error;
  const r = parseAutoBlockConfig(c.value, parseAutoDl("10.9.0.0/16 0;").entries);
  if (!r.ok) throw r.error;
  return r.value;
}

function recorder(): BlockExecutorBackend & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    block: async (r) => {
      calls.push(`+${r.ip}`);
    },
    unblock: async (ip) => {
      calls.push(`-${ip}`);
    },
    flush: async (d) => {
      calls.push(`flush${d ? " -X" : ""}`);
    },
  };
}

describe("createAutoBlocker (follow-mode loop)", () => {
  const dir = mkdtempSync(join(tmpdir(), "fwkit-psad-blocker-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("start → batches → expiry → restart → manual ops, persisting after every change", async () => {
    const stateFile = join(dir, "state.json");
    const psadFile = join(dir, "auto_blocked_iptables");
    const be = recorder();
    const b = createAutoBlocker({ config: ab(), localAddrs: ["192.0.2.1"], backend: be, stateFile, psadFile });
    const s0 = await b.start(T0);
    expect(s0.diagnostics).toEqual([]);
    expect(be.calls).toEqual(["flush"]);
    expect(existsSync(stateFile)).toBe(true); // the flush changed (emptied) the state

    const s1 = await b.onBatch(
      [
        { src: "198.51.100.7", dl: 2 },
        { src: "192.0.2.1", dl: 5 },
        { src: "198.51.100.8", dl: 1 },
      ],
      T0,
    );
    expect(s1.messages).toEqual(["added iptables auto-block against 198.51.100.7 for 10 seconds"]);
    expect(s1.skipped).toEqual([{ ip: "192.0.2.1", reason: "local" }]);
    expect(readFileSync(psadFile, "utf8")).toBe(`198.51.100.7 ${T0}\n`);
    expect((await b.expire(T0 + 10)).applied).toEqual([]);

    // restart at T0 + 5 with a fresh object: the block is renewed from the file
    const be2 = recorder();
    const b2 = createAutoBlocker({ config: ab(), backend: be2, stateFile, psadFile });
    await b2.start(T0 + 5);
    expect(be2.calls).toEqual(["flush", "+198.51.100.7"]);
    const e = await b2.expire(T0 + 10.5);
    expect(e.messages).toEqual(["removed iptables auto-block against 198.51.100.7"]);
    expect(JSON.parse(readFileSync(stateFile, "utf8"))).toEqual({ version: 1, entries: [] });

    const m = await b2.block("10.9.3.4", T0);
    expect(m.ok ? undefined : [m.error.code, m.error.details.reason]).toEqual(["PSAD_BLOCK_REFUSED", "ignored"]);
    const m2 = await b2.block("203.0.113.0/24", T0);
    expect(m2.ok && m2.value.messages).toEqual(["added iptables auto-block against 203.0.113.0/24 for 10 seconds"]);
    const m3 = await b2.unblock("203.0.113.0/24");
    expect(m3.ok && m3.value.messages).toEqual(["removed iptables auto-block against 203.0.113.0/24"]);
    await b2.flush(true);
    expect(be2.calls.slice(-3)).toEqual(["+203.0.113.0/24", "-203.0.113.0/24", "flush -X"]);
    expect(b2.state()).toEqual(emptyBlockState());
  });
});

// Property: whatever the alerts, decideBlocks never blocks a never-block address, never adds an address twice,
// and applying its actions yields one entry per address with the DL's timeout.
const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join("."));
const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((w) => w.map((x) => x.toString(16)).join(":"));
const special = fc.constantFrom("127.0.0.1", "0.0.0.0", "192.0.2.1", "10.9.1.1", "::1", "0:0:0:0:0:0:0:0", "garbage");
const alert = fc.record({ src: fc.oneof(v4, v6, special), dl: fc.integer({ min: 0, max: 5 }) });

test.prop([fc.array(alert, { maxLength: 30 }), fc.array(alert, { maxLength: 10 })])(
  "decideBlocks: never blocks never-block sources, adds each address once, is idempotent",
  (first, second) => {
    const policy = { config: ab(), localAddrs: ["192.0.2.1"] };
    let st: BlockState = emptyBlockState();
    for (const batch of [first, second, first]) {
      const d = decideBlocks(batch, st, T0, policy);
      const adds = d.actions.flatMap((a) => (a.kind === "add" ? [a.entry] : []));
      expect(new Set(adds.map((e) => e.ip)).size).toBe(adds.length);
      for (const e of adds) {
        const t = normalizeBlockTarget(e.ip);
        expect(t && neverBlockReason(t, policy)).toBeUndefined();
        expect(e.dl).toBeGreaterThanOrEqual(2);
        expect(e.timeout).toBe(e.dl === 5 ? 0 : 10);
        expect(st.entries.some((x) => x.ip === e.ip)).toBe(false);
      }
      for (const a of d.actions) st = applyToState(st, a);
    }
    // a repeat of a batch already applied adds nothing
    expect(decideBlocks(first, st, T0, policy).actions.filter((a) => a.kind === "add")).toEqual([]);
  },
);

// Hostile input: state files, psad's block file and IPT_AUTO_CHAIN values never crash the parsers.
test.prop([fc.anything()])("parseBlockState / parseStatusSnapshot never throw on arbitrary JSON", (v) => {
  expect(typeof parseBlockState(v).ok).toBe("boolean");
  expect(typeof parseStatusSnapshot(v).ok).toBe("boolean");
});

test.prop([fc.string({ maxLength: 300 }), fc.string({ maxLength: 120 })])(
  "parseAutoBlockedIptables / parseAutoChain / normalizeBlockTarget never throw",
  (text, value) => {
    const r = parseAutoBlockedIptables(text);
    for (const l of r.lines) expect(normalizeBlockTarget(l.ip)?.ip).toBe(l.ip);
    expect(typeof parseAutoChain(value).ok).toBe("boolean");
    normalizeBlockTarget(value);
  },
);
