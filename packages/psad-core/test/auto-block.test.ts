import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyzeLog } from "../src/analyze.ts";
import {
  type BlockAction,
  type BlockPolicy,
  batchCandidates,
  blockMessage,
  decideBlocks,
  decideFlush,
  decideManualBlock,
  decideManualUnblock,
  decideRestore,
  remainingSeconds,
} from "../src/auto-block.ts";
import { type AutoBlockConfig, parseAutoBlockConfig, parseAutoChain } from "../src/auto-block-config.ts";
import { applyBlockActions, type BlockExecutorBackend } from "../src/block-executor.ts";
import {
  type BlockState,
  emptyBlockState,
  formatAutoBlockedIptables,
  normalizeBlockTarget,
  parseAutoBlockedIptables,
  parseBlockState,
} from "../src/block-state.ts";
import type { BlockRequest } from "../src/blocking.ts";
import { parsePsadConfig } from "../src/config.ts";
import { parseAutoDl } from "../src/data-files.ts";
import { PsadError } from "../src/errors.ts";
import { buildDetectorSetup } from "../src/setup.ts";
import { loadBlockState, saveBlockState } from "../src/state-files.ts";

const T0 = 1_795_000_000;

function abConfig(text = "", autoDl = ""): AutoBlockConfig {
  const c = parsePsadConfig(`${text}\nENABLE_AUTO_IDS Y;\nAUTO_IDS_DANGER_LEVEL 3;\n`);
  if (!c.ok) throw c.error;
  const r = parseAutoBlockConfig(c.value, parseAutoDl(autoDl).entries);
  if (!r.ok) throw r.error;
  return r.value;
}

function policy(text = "", extra: Partial<BlockPolicy> = {}, autoDl = ""): BlockPolicy {
  return { config: abConfig(text, autoDl), localAddrs: ["192.0.2.1", "2001:db8::1"], ...extra };
}

/** A fake backend recording calls; `failOn` makes one ip fail. */
function fakeBackend(failOn?: string): BlockExecutorBackend & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async block(req: BlockRequest) {
      if (req.ip === failOn) throw new PsadError("PSAD_BLOCK_FAILED", "boom");
      calls.push(`block ${req.ip} ${req.family} dl=${req.dl} t=${req.timeout}`);
    },
    async unblock(ip: string) {
      if (ip === failOn) throw new Error("plain failure");
      calls.push(`unblock ${ip}`);
    },
    async flush(del: boolean) {
      calls.push(`flush ${del}`);
    },
  };
}

describe("parseAutoBlockConfig", () => {
  it("reads psad.conf's keys with psad's defaults (three IPT_AUTO_CHAINs, DL5 permanent)", () => {
    const c = abConfig("AUTO_BLOCK_TIMEOUT 600;\nAUTO_BLOCK_DL4_TIMEOUT 7200;");
    expect(c).toMatchObject({
      enabled: true,
      dangerLevel: 3,
      defaultTimeout: 600,
      timeouts: [0, 600, 600, 600, 7200, 0],
      regex: undefined,
      iptablesMethod: true,
      flushAtInit: true,
      prereqCheck: 1,
    });
    expect(c.chains).toEqual([
      {
        target: "DROP",
        direction: "src",
        table: "filter",
        fromChain: "INPUT",
        jumpPosition: 1,
        toChain: "PSAD_BLOCK_INPUT",
        rulePosition: 1,
      },
      {
        target: "DROP",
        direction: "dst",
        table: "filter",
        fromChain: "OUTPUT",
        jumpPosition: 1,
        toChain: "PSAD_BLOCK_OUTPUT",
        rulePosition: 1,
      },
      {
        target: "DROP",
        direction: "both",
        table: "filter",
        fromChain: "FORWARD",
        jumpPosition: 1,
        toChain: "PSAD_BLOCK_FORWARD",
        rulePosition: 1,
      },
    ]);
  });

  it("reads IPT_AUTO_CHAIN1..n up to the first gap, and the old 5-field form with both positions 1", () => {
    const c = abConfig(
      "IPT_AUTO_CHAIN1 REJECT, src, filter, INPUT, 3, MY_BLOCK, 2;\nIPT_AUTO_CHAIN2 DROP, dst, filter, OUTPUT, MY_OUT;\nIPT_AUTO_CHAIN4 DROP, src, filter, FORWARD, 1, NEVER_READ, 1;",
    );
    expect(c.chains.map((x) => [x.target, x.fromChain, x.jumpPosition, x.toChain, x.rulePosition])).toEqual([
      ["REJECT", "INPUT", 3, "MY_BLOCK", 2],
      ["DROP", "OUTPUT", 1, "MY_OUT", 1],
    ]);
  });

  it.each([
    ["DROP, sideways, filter, INPUT, 1, PSAD_BLOCK_INPUT, 1", "field 2"],
    ["DROP, src, filter, INPUT, 0, PSAD_BLOCK_INPUT, 1", "field 5"],
    ["DROP, src, nosuchtable, INPUT, 1, PSAD_BLOCK_INPUT, 1", "field 3"],
    ["DROP, src, filter, INPUT, 1, BAD CHAIN, 1", "field 6"],
    ["DROP; rm -rf /, src, filter, INPUT, 1, X, 1", "field 1"],
    ["DROP, src, filter, INPUT, 1, INPUT, 1", "differ"],
    ["DROP, src, filter", "field"],
  ])("rejects IPT_AUTO_CHAIN %j with PSAD_BLOCK_CONFIG_INVALID", (value, msg) => {
    const r = parseAutoChain(value, "IPT_AUTO_CHAIN1");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe("PSAD_BLOCK_CONFIG_INVALID");
      expect(r.error.message).toContain(msg);
    }
  });

  it("validates AUTO_BLOCK_REGEX, IPTABLES_PREREQ_CHECK and the Y/N keys", () => {
    const bad = (t: string) => {
      const c = parsePsadConfig(t);
      if (!c.ok) throw c.error;
      const r = parseAutoBlockConfig(c.value);
      return r.ok ? undefined : [r.error.code, r.error.details.key];
    };
    expect(bad("ENABLE_AUTO_IDS_REGEX Y;\nAUTO_BLOCK_REGEX (unclosed;")).toEqual([
      "PSAD_BLOCK_CONFIG_INVALID",
      "AUTO_BLOCK_REGEX",
    ]);
    expect(bad("IPTABLES_PREREQ_CHECK 0;")).toEqual(["PSAD_BLOCK_CONFIG_INVALID", "IPTABLES_PREREQ_CHECK"]);
    expect(bad("FLUSH_IPT_AT_INIT maybe;")).toEqual(["PSAD_BLOCK_CONFIG_INVALID", "FLUSH_IPT_AT_INIT"]);
    expect(bad("ENABLE_AUTO_IDS_REGEX N;\nAUTO_BLOCK_REGEX (unclosed;")).toBeUndefined();
  });
});

describe("decideBlocks (pure core)", () => {
  const p = policy("AUTO_BLOCK_DL3_TIMEOUT 60;\nAUTO_BLOCK_DL4_TIMEOUT 120;");

  it("blocks sources at or above AUTO_IDS_DANGER_LEVEL with their DL's timeout, once per source", () => {
    const d = decideBlocks(
      [
        { src: "198.51.100.7", dl: 3 },
        { src: "198.51.100.7", dl: 4 },
        { src: "198.51.100.8", dl: 2 },
        { src: "203.0.113.9", dl: 5 },
      ],
      emptyBlockState(),
      T0,
      p,
    );
    expect(d.actions).toEqual([
      {
        kind: "add",
        renew: false,
        entry: { ip: "198.51.100.7", family: "ipv4", since: T0, dl: 4, timeout: 120, origin: "auto" },
      },
      {
        kind: "add",
        renew: false,
        entry: { ip: "203.0.113.9", family: "ipv4", since: T0, dl: 5, timeout: 0, origin: "auto" },
      },
    ]);
    expect(d.actions.map(blockMessage)).toEqual([
      "added iptables auto-block against 198.51.100.7 for 120 seconds",
      "added iptables auto-block against 203.0.113.9 (unlimited timeout)",
    ]);
  });

  it("blocks IPv6 sources too (psad never did), normalising psad's full form", () => {
    const d = decideBlocks([{ src: "2001:0db8:0000:f101:0000:0000:0000:0002", dl: 3 }], emptyBlockState(), T0, p);
    expect(d.actions).toMatchObject([
      { kind: "add", entry: { ip: "2001:db8:0:f101::2", family: "ipv6", timeout: 60 } },
    ]);
  });

  it("never blocks local, loopback, unspecified or ignored (auto_dl DL 0, allowlist) sources", () => {
    const pol = policy("", { allowlist: ["203.0.113.0/24"] }, "198.51.100.0/24 0;\n192.0.2.200 0 tcp;");
    const d = decideBlocks(
      [
        { src: "192.0.2.1", dl: 5 },
        { src: "2001:0db8:0000:0000:0000:0000:0000:0001", dl: 5 },
        { src: "127.0.0.1", dl: 5 },
        { src: "127.3.4.5", dl: 5 },
        { src: "0000:0000:0000:0000:0000:0000:0000:0001", dl: 5 },
        { src: "0.0.0.0", dl: 5 },
        { src: "198.51.100.99", dl: 5 },
        { src: "203.0.113.4", dl: 5 },
        { src: "not-an-ip", dl: 5 },
        { src: "192.0.2.200", dl: 5 },
      ],
      emptyBlockState(),
      T0,
      pol,
    );
    expect(d.skipped).toEqual([
      { ip: "0.0.0.0", reason: "unspecified" },
      { ip: "::1", reason: "loopback" },
      { ip: "127.0.0.1", reason: "loopback" },
      { ip: "127.3.4.5", reason: "loopback" },
      { ip: "192.0.2.1", reason: "local" },
      { ip: "198.51.100.99", reason: "ignored" },
      { ip: "2001:db8::1", reason: "local" },
      { ip: "203.0.113.4", reason: "ignored" },
      { ip: "not-an-ip", reason: "invalid" },
    ]);
    // a DL-0 entry limited to tcp is not a never-block network (the source only loses its tcp packets)
    expect(d.actions).toMatchObject([{ kind: "add", entry: { ip: "192.0.2.200" } }]);
  });

  it("ENABLE_AUTO_IDS_REGEX: blocks only sources whose log prefix matched AUTO_BLOCK_REGEX", () => {
    const matched = new Set(["198.51.100.1"]);
    const pol = policy("ENABLE_AUTO_IDS_REGEX Y;\nAUTO_BLOCK_REGEX ^DROP;", { prefixMatched: (s) => matched.has(s) });
    const d = decideBlocks(
      [
        { src: "198.51.100.1", dl: 3 },
        { src: "198.51.100.2", dl: 3 },
      ],
      emptyBlockState(),
      T0,
      pol,
    );
    expect(d.actions.map((a) => (a.kind === "add" ? a.entry.ip : a.kind))).toEqual(["198.51.100.1"]);
    expect(d.skipped).toEqual([{ ip: "198.51.100.2", reason: "regex" }]);
    // without a tracker nothing can have matched: psad requires a match
    expect(
      decideBlocks([{ src: "198.51.100.1", dl: 3 }], emptyBlockState(), T0, { ...pol, prefixMatched: undefined })
        .skipped,
    ).toEqual([{ ip: "198.51.100.1", reason: "regex" }]);
  });

  it("does not re-block; a DL rise while blocked switches to the new DL's timeout (psad reads the current DL)", () => {
    const st: BlockState = {
      version: 1,
      entries: [{ ip: "198.51.100.7", family: "ipv4", since: T0, dl: 3, timeout: 60, origin: "auto" }],
    };
    expect(decideBlocks([{ src: "198.51.100.7", dl: 3 }], st, T0 + 10, p).actions).toEqual([]);
    expect(decideBlocks([{ src: "198.51.100.7", dl: 5 }], st, T0 + 10, p).actions).toEqual([
      {
        kind: "update",
        entry: { ip: "198.51.100.7", family: "ipv4", since: T0, dl: 5, timeout: 0, origin: "auto" },
      },
    ]);
  });

  it("expires blocks once now - since > timeout (psad's test), never permanent ones; then re-blocks a still-active scanner", () => {
    const st: BlockState = {
      version: 1,
      entries: [
        { ip: "198.51.100.7", family: "ipv4", since: T0, dl: 3, timeout: 60, origin: "auto" },
        { ip: "2001:db8::7", family: "ipv6", since: T0, dl: 5, timeout: 0, origin: "auto" },
      ],
    };
    expect(decideBlocks([], st, T0 + 60, p).actions).toEqual([]);
    expect(decideBlocks([], st, T0 + 60.5, p).actions).toEqual([
      { kind: "remove", ip: "198.51.100.7", family: "ipv4", reason: "expired" },
    ]);
    expect(remainingSeconds(st.entries[0] as never, T0 + 20)).toBe(40);
    expect(remainingSeconds(st.entries[1] as never, T0 + 1e9)).toBe(Number.POSITIVE_INFINITY);
    const again = decideBlocks([{ src: "198.51.100.7", dl: 3 }], st, T0 + 61, p);
    expect(again.actions.map((a) => a.kind)).toEqual(["remove", "add"]);
  });

  it("with ENABLE_AUTO_IDS=N nothing new is blocked, but old blocks still expire", () => {
    const pol = policy("ENABLE_AUTO_IDS N;");
    const st: BlockState = {
      version: 1,
      entries: [{ ip: "198.51.100.7", family: "ipv4", since: T0, dl: 3, timeout: 1, origin: "auto" }],
    };
    expect(decideBlocks([{ src: "198.51.100.9", dl: 5 }], st, T0 + 5, pol).actions).toEqual([
      { kind: "remove", ip: "198.51.100.7", family: "ipv4", reason: "expired" },
    ]);
  });
});

describe("manual operations (--fw-block-ip, --fw-rm-block-ip, -F/-X)", () => {
  const p = policy("AUTO_BLOCK_DL3_TIMEOUT 60;", {}, "10.0.0.0/8 0;");

  it("--fw-block-ip blocks an address or network with the DL forced to AUTO_IDS_DANGER_LEVEL", () => {
    const r = decideManualBlock("198.51.100.77/255.255.255.0", emptyBlockState(), T0, p);
    expect(r).toEqual({
      ok: true,
      value: [
        {
          kind: "add",
          renew: false,
          entry: { ip: "198.51.100.0/24", family: "ipv4", since: T0, dl: 3, timeout: 60, origin: "manual" },
        },
      ],
    });
  });

  it.each([
    ["10.1.2.0/24", "ignored"],
    ["0.0.0.0/0", "unspecified"],
    ["192.0.2.0/24", "local"],
    ["127.0.0.1", "loopback"],
    ["garbage", "invalid"],
  ])("--fw-block-ip %s is refused (%s), as psad refuses nets overlapping auto_dl DL 0", (target, reason) => {
    const r = decideManualBlock(target, emptyBlockState(), T0, p);
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.error.code, r.error.details.reason]).toEqual(["PSAD_BLOCK_REFUSED", reason]);
  });

  it("--fw-rm-block-ip and -F -X", () => {
    expect(decideManualUnblock("2001:DB8::0001")).toEqual({
      ok: true,
      value: [{ kind: "remove", ip: "2001:db8::1", family: "ipv6", reason: "manual" }],
    });
    expect(decideManualUnblock("nope").ok).toBe(false);
    expect(decideFlush(true)).toEqual([{ kind: "flush", deleteChains: true }]);
  });
});

describe("applyBlockActions (thin executor) with a fake backend", () => {
  it("applies actions in order, folds successes into the state, keeps failed entries for a retry", async () => {
    const p = policy("AUTO_BLOCK_DL3_TIMEOUT 60;");
    const d = decideBlocks(
      [
        { src: "198.51.100.1", dl: 3 },
        { src: "198.51.100.2", dl: 3 },
      ],
      emptyBlockState(),
      T0,
      p,
    );
    const be = fakeBackend("198.51.100.2");
    const r1 = await applyBlockActions(d.actions, emptyBlockState(), be);
    expect(be.calls).toEqual(["block 198.51.100.1 ipv4 dl=3 t=60"]);
    expect(r1.state.entries.map((e) => e.ip)).toEqual(["198.51.100.1"]);
    expect(r1.failures.map((f) => [f.action.kind, f.error.code])).toEqual([["add", "PSAD_BLOCK_FAILED"]]);
    expect(r1.messages).toEqual(["added iptables auto-block against 198.51.100.1 for 60 seconds"]);

    const be2 = fakeBackend("198.51.100.1");
    const exp = decideBlocks([], r1.state, T0 + 61, p);
    const r2 = await applyBlockActions(exp.actions, r1.state, be2);
    expect(r2.failures.map((f) => f.error.code)).toEqual(["PSAD_BLOCK_FAILED"]);
    expect(r2.state).toEqual(r1.state); // still listed: removal retried next time
    const r3 = await applyBlockActions(exp.actions, r2.state, fakeBackend());
    expect(r3.state.entries).toEqual([]);
    expect(r3.messages).toEqual(["removed iptables auto-block against 198.51.100.1"]);

    const r4 = await applyBlockActions(decideFlush(false), r1.state, be2);
    expect(be2.calls).toEqual(["flush false"]);
    expect(r4.state.entries).toEqual([]);
  });
});

describe("persistence and restart (psad's auto_blocked_iptables semantics)", () => {
  const dir = mkdtempSync(join(tmpdir(), "fwkit-psad-blockstate-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const p = policy("AUTO_BLOCK_TIMEOUT 30;\nAUTO_BLOCK_DL3_TIMEOUT 10;");

  it("survives a restart: saved atomically, reloaded, unexpired blocks renewed with their original time, expired removed", async () => {
    const be = fakeBackend();
    const d = decideBlocks(
      [
        { src: "198.51.100.1", dl: 3 },
        { src: "2001:db8:0:0:0:0:0:99", dl: 5 },
      ],
      emptyBlockState(),
      T0,
      p,
    );
    const r = await applyBlockActions(d.actions, emptyBlockState(), be);
    const file = join(dir, "blocks.json");
    const psadFile = join(dir, "auto_blocked_iptables");
    await saveBlockState(file, r.state, { psadFile });
    expect(readdirSync(dir).sort()).toEqual(["auto_blocked_iptables", "blocks.json"]); // no temp files left
    expect(readFileSync(psadFile, "utf8")).toBe(`198.51.100.1 ${T0}\n2001:db8::99 ${T0}\n`);

    // restart 5 s later: flush (FLUSH_IPT_AT_INIT), renew both
    const loaded = await loadBlockState(file);
    expect(loaded).toEqual({ state: r.state, diagnostics: [] });
    const early = decideRestore(loaded.state, T0 + 5, p);
    expect(early.actions.map((a) => blockMessage(a))).toEqual([
      "flushing existing psad iptables auto-response chains",
      "renewed iptables auto-block against 198.51.100.1 for 10 seconds",
      "renewed iptables auto-block against 2001:db8::99 (unlimited timeout)",
    ]);
    const after = await applyBlockActions(early.actions, loaded.state, fakeBackend());
    expect(after.state).toEqual(r.state); // same since: the block does not outlive its timeout
    expect(decideBlocks([], after.state, T0 + 10.5, p).actions).toEqual([
      { kind: "remove", ip: "198.51.100.1", family: "ipv4", reason: "expired" },
    ]);

    // restart after the timeout: the expired block is removed instead of renewed
    const late = decideRestore(loaded.state, T0 + 11, policy("FLUSH_IPT_AT_INIT N;\nAUTO_BLOCK_DL3_TIMEOUT 10;"));
    expect(late.actions.map((a) => a.kind)).toEqual(["remove", "add"]);
  });

  it("with ENABLE_AUTO_IDS=N start-up does nothing (psad only flushes and renews when it is Y)", () => {
    const st: BlockState = {
      version: 1,
      entries: [{ ip: "198.51.100.1", family: "ipv4", since: T0, dl: 3, timeout: 0, origin: "auto" }],
    };
    expect(decideRestore(st, T0, policy("ENABLE_AUTO_IDS N;"))).toEqual({ actions: [], skipped: [] });
  });

  it("a block that became never-block (new local address) is removed at start-up", () => {
    const st: BlockState = {
      version: 1,
      entries: [{ ip: "192.0.2.1", family: "ipv4", since: T0, dl: 3, timeout: 0, origin: "auto" }],
    };
    expect(decideRestore(st, T0, policy("FLUSH_IPT_AT_INIT N;"))).toEqual({
      actions: [{ kind: "remove", ip: "192.0.2.1", family: "ipv4", reason: "manual" }],
      skipped: [{ ip: "192.0.2.1", reason: "local" }],
    });
  });

  it("imports psad's own auto_blocked_iptables when there is no JSON state (DL = AUTO_IDS_DANGER_LEVEL, AUTO_BLOCK_TIMEOUT)", async () => {
    const psadFile = join(dir, "psad-written");
    writeFileSync(psadFile, `203.0.113.5 ${T0}\n203.0.113.6\nbogus line here\n`);
    const r = await loadBlockState(join(dir, "missing.json"), { psadFile, config: p.config, now: T0 + 1 });
    expect(r.state.entries).toEqual([
      { ip: "203.0.113.5", family: "ipv4", since: T0, dl: 3, timeout: 30, origin: "import" },
      { ip: "203.0.113.6", family: "ipv4", since: T0 + 1, dl: 3, timeout: 30, origin: "import" },
    ]);
    expect(r.diagnostics.map((x) => [x.code, x.line])).toEqual([["PSAD_STATE_INVALID", 3]]);
  });

  it("bad state files never crash: empty state plus a diagnostic", async () => {
    const f = join(dir, "bad.json");
    writeFileSync(f, "{not json");
    expect((await loadBlockState(f)).diagnostics.map((d) => d.code)).toEqual(["PSAD_STATE_INVALID"]);
    writeFileSync(f, JSON.stringify({ version: 1, entries: [{ ip: "1.2.3.4", family: "ipv6" }] }));
    const r = await loadBlockState(f);
    expect(r.state).toEqual(emptyBlockState());
    expect(r.diagnostics[0]?.code).toBe("PSAD_STATE_INVALID");
    expect(await loadBlockState(join(dir, "absent.json"))).toEqual({ state: emptyBlockState(), diagnostics: [] });
  });

  it("parseBlockState checks every address against its family", () => {
    const ok = parseBlockState({
      version: 1,
      entries: [{ ip: "2001:0db8::1", family: "ipv6", since: 1, dl: 2, timeout: 3, origin: "auto" }],
    });
    expect(ok.ok && ok.value.entries[0]?.ip).toBe("2001:db8::1");
    const bad = parseBlockState({
      version: 1,
      entries: [{ ip: "2001:db8::1", family: "ipv4", since: 1, dl: 2, timeout: 3, origin: "auto" }],
    });
    expect(bad.ok ? undefined : bad.error.code).toBe("PSAD_STATE_INVALID");
  });

  it("psad file format round-trips", () => {
    const st: BlockState = {
      version: 1,
      entries: [
        { ip: "198.51.100.0/24", family: "ipv4", since: T0 + 0.7, dl: 3, timeout: 5, origin: "manual" },
        { ip: "2001:db8::5", family: "ipv6", since: T0, dl: 3, timeout: 5, origin: "auto" },
      ],
    };
    const text = formatAutoBlockedIptables(st);
    expect(text).toBe(`198.51.100.0/24 ${T0}\n2001:db8::5 ${T0}\n`);
    expect(parseAutoBlockedIptables(text).lines).toEqual([
      { ip: "198.51.100.0/24", family: "ipv4", since: T0 },
      { ip: "2001:db8::5", family: "ipv6", since: T0 },
    ]);
    expect(normalizeBlockTarget("198.51.100.9/24")?.ip).toBe("198.51.100.0/24");
  });
});

it("batchCandidates: every source of the last batch with its DL (psad's curr_scan), alerted or not", async () => {
  const c = parsePsadConfig("MIN_DANGER_LEVEL 3;");
  if (!c.ok) throw c.error;
  const setup = buildDetectorSetup(c.value);
  const line = (src: string, p: number) =>
    `Nov 21 23:59:01 fw kernel: DROP IN=eth0 OUT= SRC=${src} DST=192.0.2.1 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=1 PROTO=TCP SPT=4 DPT=${p} WINDOW=1024 RES=0x00 SYN URGP=0 `;
  const lines = [...Array.from({ length: 20 }, (_, i) => line("198.51.100.1", i + 1)), line("198.51.100.2", 80)];
  const r = await analyzeLog([`${lines.join("\n")}\n`], setup, { now: () => T0 });
  expect(r.alerts).toEqual([]); // DL 2 < MIN_DANGER_LEVEL 3: no alert
  expect(batchCandidates(r.state)).toEqual([
    { src: "198.51.100.1", dl: 2 },
    { src: "198.51.100.2", dl: 0 },
  ]);
  const d = decideBlocks(batchCandidates(r.state), emptyBlockState(), T0, policy("AUTO_IDS_DANGER_LEVEL 2;"));
  expect(d.actions).toMatchObject([{ kind: "add", entry: { ip: "198.51.100.1", dl: 2 } }]);
});

it("blockMessage covers every action kind", () => {
  const acts: BlockAction[] = [
    { kind: "update", entry: { ip: "x", family: "ipv4", since: 0, dl: 1, timeout: 1, origin: "auto" } },
    { kind: "flush", deleteChains: true },
  ];
  expect(acts.map(blockMessage)).toEqual([undefined, "flushing existing psad iptables auto-response chains"]);
});
