/** The fast paths of the decoder (precomputed-pad HMAC, single-buffer EVP_BytesToKey, char-loop validators) against node:crypto's reference objects and the straightforward forms. */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  computeHmac,
  DIGEST_TYPES,
  evpBytesToKey,
  isSpaError,
  isStrictIpv4,
  isValidUsername,
  verifyHmac,
} from "../src/index.ts";

const NODE: Record<string, string> = { sha3_256: "sha3-256", sha3_512: "sha3-512" };

describe("decoder fast paths agree with the reference implementations", () => {
  it("computeHmac = createHmac for every digest type, key lengths 1…136 and messages 0…2100 chars", () => {
    for (const t of DIGEST_TYPES) {
      for (const klen of [1, 16, 63, 64, 65, 71, 72, 73, 127, 128, 129, 135, 136]) {
        const key = randomBytes(klen);
        for (const mlen of [0, 1, 150, 399, 1500, 2048, 2049, 2100]) {
          const msg = `U2FsdGVkX1${randomBytes(mlen).toString("latin1")}`.slice(0, mlen);
          const want = createHmac(NODE[t] ?? t, key)
            .update(msg, "latin1")
            .digest("base64")
            .replace(/=+$/, "");
          expect(computeHmac(t, key, msg), `${t} k=${klen} m=${mlen}`).toBe(want);
          expect(computeHmac(t, key, msg), "cached pads").toBe(want);
        }
      }
    }
  });

  it("evpBytesToKey = EVP_BytesToKey(MD5, 1 iteration) written out with createHash", () => {
    for (const plen of [1, 10, 16, 32]) {
      const pass = randomBytes(plen);
      const salt = randomBytes(8);
      const md5 = (...b: Buffer[]) => createHash("md5").update(Buffer.concat(b)).digest();
      const d1 = md5(pass, salt);
      const d2 = md5(d1, pass, salt);
      const d3 = md5(d2, pass, salt);
      const got = evpBytesToKey(pass, salt);
      expect(got.key.equals(Buffer.concat([d1, d2])), `pass ${plen}`).toBe(true);
      expect(got.iv.equals(d3)).toBe(true);
    }
  });

  it("isStrictIpv4 / isValidUsername (string) match the split/regex and byte forms", () => {
    const ref = (s: string) => {
      if (s.length < 7 || s.length > 15) return false;
      const p = s.split(".");
      return (
        p.length === 4 && p.every((x) => /^\d{1,3}$/.test(x) && !(x.length > 1 && x[0] === "0") && Number(x) <= 255)
      );
    };
    const samples = ["1.2.3.4", "255.255.255.255", "256.1.1.1", "01.2.3.4", "0.0.0.0", "1.2.3", "1.2.3.4.", ".1.2.3.4"];
    samples.push("1..2.3", "1.2.3.4a", "1.2.3.1000", "10.0.0.10", "1.2.3.04", "1234.1.1.1", "a.b.c.d", "1.2.3. ");
    for (let i = 0; i < 3000; i++) {
      const chars = "0123456789.";
      samples.push(Array.from({ length: 7 + (i % 9) }, () => chars[Math.floor(Math.random() * 11)]).join(""));
    }
    for (const s of samples) expect(isStrictIpv4(s), s).toBe(ref(s));
    for (const u of ["alice", "a b", "x:y", "ü", "tab\t", "", "root", "a/b", "é".repeat(3)]) {
      expect(isValidUsername(u), u).toBe(isValidUsername(Buffer.from(u, "utf8")));
    }
  });

  it("verifyHmac: a char ≥ 0x80 whose low byte equals the right base64 char is still a bad MAC", () => {
    const key = randomBytes(32);
    const data = randomBytes(120).toString("base64").replace(/=+$/, "");
    const mac = computeHmac("sha256", key, `U2FsdGVkX1${data}`);
    expect(verifyHmac("sha256", key, data + mac, "U2FsdGVkX1")).toBe(data);
    const forged = data + mac.slice(0, -1) + String.fromCharCode(0x100 + mac.charCodeAt(mac.length - 1));
    let code = "";
    try {
      verifyHmac("sha256", key, forged, "U2FsdGVkX1");
    } catch (e) {
      code = isSpaError(e) ? e.code : "other";
    }
    expect(code).toBe("SPA_BAD_MAC");
  });
});
