import { appendFileSync, chmodSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isPsadError } from "../src/errors.ts";
import { followFile, followJournal } from "../src/follow.ts";
import { parseJournalLine } from "../src/journal.ts";
import { createLogLineParser } from "../src/parse-log-line.ts";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fwkit-follow-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Pull lines from an async iterator until `n` arrived (or a timeout). */
async function take(it: AsyncIterator<string>, n: number, ms = 5000): Promise<string[]> {
  const got: string[] = [];
  const deadline = Date.now() + ms;
  while (got.length < n) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    const r = await Promise.race([it.next(), new Promise<"timeout">((res) => setTimeout(() => res("timeout"), left))]);
    if (r === "timeout" || r.done) break;
    got.push(r.value);
  }
  return got;
}

const tick = (ms = 60) => new Promise((r) => setTimeout(r, ms));

describe("followFile", () => {
  it("starts at EOF and yields appended lines (partial lines wait for their newline)", async () => {
    const f = join(dir, "kern.log");
    writeFileSync(f, "old 1\nold 2\n");
    const ac = new AbortController();
    const it = followFile(f, { signal: ac.signal, pollMs: 20 })[Symbol.asyncIterator]();
    const first = it.next();
    await tick();
    appendFileSync(f, "new 1\nnew ");
    await tick();
    appendFileSync(f, "2\n");
    expect((await first).value).toBe("new 1");
    expect(await take(it, 1)).toEqual(["new 2"]);
    ac.abort();
    expect((await it.next()).done).toBe(true);
  });

  it("fromStart reads the existing lines first", async () => {
    const f = join(dir, "kern.log");
    writeFileSync(f, "a\nb\r\n");
    const ac = new AbortController();
    const it = followFile(f, { signal: ac.signal, pollMs: 20, fromStart: true })[Symbol.asyncIterator]();
    expect(await take(it, 2)).toEqual(["a", "b"]);
    ac.abort();
    await it.return(undefined);
  });

  it("survives rotation: the rest of the old file, then the new file from its start", async () => {
    const f = join(dir, "kern.log");
    writeFileSync(f, "");
    const ac = new AbortController();
    const it = followFile(f, { signal: ac.signal, pollMs: 20 })[Symbol.asyncIterator]();
    const p = take(it, 4);
    await tick();
    appendFileSync(f, "before rotate\n");
    await tick();
    appendFileSync(f, "late write to old file\n");
    renameSync(f, `${f}.1`); // logrotate: rename …
    await tick();
    writeFileSync(f, "first of new\n"); // … and create
    await tick();
    appendFileSync(f, "second of new\n");
    expect(await p).toEqual(["before rotate", "late write to old file", "first of new", "second of new"]);
    appendFileSync(`${f}.1`, "never seen\n");
    appendFileSync(f, "third of new\n");
    expect(await take(it, 1)).toEqual(["third of new"]);
    ac.abort();
    await it.return(undefined);
  });

  it("survives truncation in place (copytruncate)", async () => {
    const f = join(dir, "kern.log");
    writeFileSync(f, `${"x".repeat(100)}\n`);
    const ac = new AbortController();
    const it = followFile(f, { signal: ac.signal, pollMs: 20 })[Symbol.asyncIterator]();
    const p = take(it, 2);
    await tick();
    appendFileSync(f, "one\n");
    await tick(120);
    truncateSync(f, 0);
    await tick(120);
    appendFileSync(f, "after truncate\n");
    expect(await p).toEqual(["one", "after truncate"]);
    ac.abort();
    await it.return(undefined);
  });

  it("cuts over-long lines so the tokenizer can report them", async () => {
    const f = join(dir, "kern.log");
    writeFileSync(f, `${"y".repeat(50)}\nok\n`);
    const ac = new AbortController();
    const it = followFile(f, { signal: ac.signal, pollMs: 20, fromStart: true, maxLineLength: 10, chunkSize: 7 });
    const lines = await take(it, 2);
    expect(lines).toEqual(["y".repeat(11), "ok"]);
    ac.abort();
    await it.return(undefined);
  });

  it("an abort while waiting ends the iteration promptly", async () => {
    const f = join(dir, "kern.log");
    writeFileSync(f, "");
    const ac = new AbortController();
    const it = followFile(f, { signal: ac.signal, pollMs: 10_000 })[Symbol.asyncIterator]();
    const next = it.next();
    await tick();
    const t0 = Date.now();
    ac.abort();
    expect((await next).done).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it("a missing file is PSAD_FOLLOW_FAILED", async () => {
    const it = followFile(join(dir, "nope.log"))[Symbol.asyncIterator]();
    const e = await it.next().catch((x: unknown) => x);
    expect(isPsadError(e) && e.code).toBe("PSAD_FOLLOW_FAILED");
  });
});

const LOG = (port: number) =>
  `DROP IN=eth0 OUT= MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=192.0.2.7 DST=198.51.100.1 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=1 PROTO=TCP SPT=40000 DPT=${port} WINDOW=1024 RES=0x00 SYN URGP=0 `;

describe("followJournal", () => {
  function fakeJournalctl(body: string): string {
    const bin = join(dir, "journalctl");
    writeFileSync(bin, `#!/bin/sh\n${body}\n`);
    chmodSync(bin, 0o755);
    return dir;
  }

  it("spawns journalctl -kf -o json (found on PATH) and yields its lines for parseJournalLine", async () => {
    const lines = [1000, 1001].map((p) =>
      JSON.stringify({ MESSAGE: LOG(p), __REALTIME_TIMESTAMP: "1795392000000000", _HOSTNAME: "fw" }),
    );
    const path = fakeJournalctl(
      `echo "ARGS:$*" >&2\nprintf '%s\\n' '${lines[0]}'\nprintf '%s\\n' '${lines[1]}'\nexec sleep 30`,
    );
    const ac = new AbortController();
    const it = followJournal({ signal: ac.signal, env: { PATH: `${path}:/usr/bin:/bin` } })[Symbol.asyncIterator]();
    const got = await take(it, 2);
    expect(got).toEqual(lines);
    const parser = createLogLineParser();
    const r = parseJournalLine(got[1] as string, parser);
    expect(r.ok && [r.packet.dp, r.packet.syslog_host, r.packet.time]).toEqual([1001, "fw", 1795392000]);
    const t0 = Date.now();
    ac.abort(); // kills the fake journalctl (sleep 30)
    expect((await it.next()).done).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it("passes the argv unchanged (no shell)", async () => {
    const path = fakeJournalctl(`for a in "$@"; do echo "[$a]"; done`);
    const got = await take(
      followJournal({ env: { PATH: path }, command: "journalctl", args: ["-kf", "a b;$(x)"] })[Symbol.asyncIterator](),
      2,
    );
    expect(got).toEqual(["[-kf]", "[a b;$(x)]"]);
  });

  it("a failing journalctl is PSAD_FOLLOW_FAILED with its stderr", async () => {
    const path = fakeJournalctl(`echo "No journal files were found." >&2\nexit 1`);
    const it = followJournal({ env: { PATH: path } })[Symbol.asyncIterator]();
    const e = await it.next().catch((x: unknown) => x);
    expect(isPsadError(e) && e.code).toBe("PSAD_FOLLOW_FAILED");
    expect(isPsadError(e) && e.details.stderr).toBe("No journal files were found.");
  });

  it("a missing journalctl is PSAD_FOLLOW_FAILED", async () => {
    const it = followJournal({ env: { PATH: join(dir, "empty") } })[Symbol.asyncIterator]();
    const e = await it.next().catch((x: unknown) => x);
    expect(isPsadError(e) && e.code).toBe("PSAD_FOLLOW_FAILED");
  });
});
