import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeSpa, isSpaError, parsePlaintext, rijndaelEncrypt, SALTED_PREFIX_B64 } from "../src/index.ts";
import { stanzaKeys, vectors } from "./vectors.ts";

/** Counts outcomes; any non-SpaError escapes and fails the property. */
function probe(f: () => unknown, tally: Map<string, number>): void {
  try {
    f();
    tally.set("OK", (tally.get("OK") ?? 0) + 1);
  } catch (e) {
    if (!isSpaError(e)) throw e;
    tally.set(e.code, (tally.get(e.code) ?? 0) + 1);
  }
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const b64Char = fc.constantFrom(...B64, "=");
const wires = Object.values(vectors).map((v) => v.wire);
const plaintexts = Object.values(vectors).map((v) => v.plaintext);
const encodedParts = plaintexts.map((p) => p.slice(0, p.lastIndexOf(":")));
const withDigest = (s: string) => `${s}:${createHash("sha256").update(s).digest("base64").replace(/=+$/, "")}`;
const ptChars = fc.constantFrom(..."0123456789:ABCabc+/=,.- \t\x00\x7f\u00e9");

/** Mutate a string: replace / insert / delete characters at random positions. */
const mutated = (seeds: string[], ch: fc.Arbitrary<string>) =>
  fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom(0, 1, 2), ch), { minLength: 1, maxLength: 6 }),
    )
    .map(([s, ops]) => {
      let out = s;
      for (const [pos, op, c] of ops) {
        const i = out.length === 0 ? 0 : pos % out.length;
        if (op === 0) out = out.slice(0, i) + c + out.slice(i + 1);
        else if (op === 1) out = out.slice(0, i) + c + out.slice(i);
        else out = out.slice(0, i) + out.slice(i + 1);
      }
      return out;
    });

describe("decoder fuzzing: 100,000 inputs, nothing but SpaError escapes", () => {
  it("decodeSpa on random, base64-alphabet and mutated wire strings (50,000)", () => {
    const tally = new Map<string, number>();
    const arb = fc.oneof(
      fc.string({ maxLength: 600 }),
      fc.string({ unit: b64Char, minLength: 30, maxLength: 1600 }),
      mutated(wires, b64Char),
      mutated(wires, fc.string({ minLength: 1, maxLength: 1 })),
    );
    fc.assert(
      fc.property(arb, fc.integer({ min: 1, max: 11 }), (w, s) => {
        probe(() => decodeSpa(w, stanzaKeys[s]!), tally);
      }),
      { numRuns: 50_000 },
    );
    const total = [...tally.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(50_000);
    expect(tally.get("SPA_BAD_MAC") ?? 0).toBeGreaterThan(0);
    expect(tally.get("SPA_DECRYPT_FAILED") ?? 0).toBeGreaterThan(0);
  }, 60_000);

  it("mutated plaintexts, encrypted then decoded through the full pipeline (50,000)", () => {
    const tally = new Map<string, number>();
    const key = Buffer.from("fwknop-interop-pass");
    const salt = Buffer.from("0011223344556677", "hex");
    fc.assert(
      fc.property(
        fc.oneof(
          mutated(plaintexts, ptChars),
          mutated(encodedParts, ptChars).map(withDigest),
          fc.string({ minLength: 17, maxLength: 300 }),
        ),
        (pt) => {
          const wire = rijndaelEncrypt(Buffer.from(pt, "utf8"), key, "CBC", salt).slice(SALTED_PREFIX_B64.length);
          probe(() => decodeSpa(wire, { key }), tally);
          probe(() => parsePlaintext(pt), tally);
        },
      ),
      { numRuns: 50_000 },
    );
    // every stage of the field decoder is reached by some input
    const stages = ["SPA_DIGEST_MISMATCH", "SPA_DIGEST_TYPE_INVALID", "SPA_DECODE_FIELDS", "SPA_DECRYPT_FAILED"];
    stages.push("SPA_DECODE_USERNAME", "SPA_DECODE_TIMESTAMP", "SPA_DECODE_MSGTYPE", "SPA_DECODE_ACCESS", "OK");
    for (const c of stages) {
      expect(tally.get(c) ?? 0, c).toBeGreaterThan(0);
    }
  }, 60_000);
});

describe("config / cache readers never throw on arbitrary text (AFL-style targets of upstream)", () => {
  const line = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc
      .tuple(
        fc.constantFrom(
          "SOURCE",
          "KEY",
          "KEY_BASE64",
          "HMAC_KEY_BASE64",
          "OPEN_PORTS",
          "ACCESS_EXPIRE",
          "FORCE_NAT",
          "%include",
          "[default]",
          "IPT_INPUT_ACCESS",
          "ENCRYPTION_MODE",
        ),
        fc.string({ maxLength: 40 }),
      )
      .map(([k, v]) => `${k} ${v}`),
  );
  const text = fc.array(line, { maxLength: 30 }).map((l) => l.join("\n"));
  it("parseAccessConf / parseFwknopdConf / parseFwknoprc / parseDigestCache (5,000 each)", async () => {
    const { parseAccessConf, parseFwknopdConf, parseFwknoprc, parseDigestCache, resolveRcOptions } = await import(
      "../src/index.ts"
    );
    fc.assert(
      fc.property(text, (t) => {
        parseAccessConf(t);
        parseFwknopdConf(t);
        parseFwknoprc(t);
        parseDigestCache(t);
        resolveRcOptions(t);
      }),
      { numRuns: 5_000 },
    );
  }, 60_000);
});
