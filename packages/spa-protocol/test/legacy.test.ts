import { describe, expect, it } from "vitest";
import { decodeSpa, effectivePassphrase, encodeSpa, isSpaError } from "../src/index.ts";
import { fixedRandom } from "./vectors.ts";

describe("pre-2.5 / 1.9.x legacy format (spec §2.6, §5.6, §6)", () => {
  it("decodes the fwknop 2.0 test-suite packet (version 1.9.12, key fwknoptest)", () => {
    const wire =
      "9ptGrLs8kVGVludcXFy17opvThEYzTeaT7RVlCN66W/G9QZs9BBevEQ0xxI8eCnKPDM+Bu9g0XwmCEVxxg+4jwBwtbCxVt9t5aSR29EVWZ6UAOwLkunK3t4FYBy1tL55krFt+1B2TtNSAH005kyDEZEOIGoY9Q/iU";
    const d = decodeSpa(wire, { key: "fwknoptest", mode: "legacy" });
    expect(d).toMatchObject({
      rand: "5287119991111783",
      username: "mbr",
      timestamp: 1353002653,
      version: "1.9.12",
      messageType: 1,
      message: "0.0.0.0,tcp/22",
    });
    let code = "OK";
    try {
      decodeSpa(wire, { key: "fwknoptest", mode: "CBC" });
    } catch (e) {
      code = isSpaError(e) ? e.code : "THROWN";
    }
    expect(code).toBe("SPA_DECRYPT_FAILED");
  });
  it("key handling: padded with '0' to 16, truncated to 16", () => {
    expect(effectivePassphrase(Buffer.from("fwknoptest"), "legacy").toString()).toBe("fwknoptest000000");
    expect(effectivePassphrase(Buffer.from("12345678901234567890"), "legacy").toString()).toBe("1234567890123456");
    expect(effectivePassphrase(Buffer.from("12345678901234567890"), "CBC").toString()).toBe("12345678901234567890");
  });
  it("encodes 1.9.x-style packets (MD5 digest, 1.9.12 version, server_auth crypt,<pw>) that decode back", () => {
    const e = encodeSpa(
      {
        rand: "1234567890123456",
        username: "mbr",
        timestamp: 1353002653,
        version: "1.9.12",
        messageType: 1,
        message: "10.0.0.2,tcp/22",
        serverAuth: "crypt,pw",
        digestType: "md5",
      },
      { key: "fwknoptest", mode: "legacy" },
      { random: fixedRandom("0011223344556677") },
    );
    expect(decodeSpa(e.wire, { key: "fwknoptest", mode: "legacy" })).toMatchObject({
      version: "1.9.12",
      serverAuth: "crypt,pw",
      digestType: "md5",
    });
  });
});
