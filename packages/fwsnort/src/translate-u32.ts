/** Absolute `byte_test` → `-m u32` (spec §16.2 / issue: "byte_test via -m u32 where expressible"). Pure. */
import type { RuleOption } from "@fwkit/snort-rules";

type ByteTest = Extract<RuleOption, { kind: "byte_test" }>;

const MAX32 = 4294967295;

/**
 * The u32 match words for one byte_test on an IPv4 tcp/udp packet, or undefined when it cannot be expressed
 * exactly (relative, string/dce/little-endian, bitmask, `^`, byte_extract variables, more than 4 bytes,
 * offset too small to read a whole 32-bit word ending at the tested bytes).
 * The location walks the real IP header length (`0>>22&0x3C@`) and, for tcp, the real TCP header length
 * (`12>>26&0x3C@`), so the offset is exact from the payload start, unlike `--from/--to`.
 * @param bt - the byte_test option
 * @param proto - `tcp` or `udp`
 * @returns argv words (`-m u32 [!] --u32 "<expr>"`) or undefined
 * @example byteTestU32({ kind: "byte_test", bytes: 2, negated: false, operator: ">", value: 20, offset: 10, flags: [] }, "tcp")
 *   // ["-m", "u32", "--u32", "0>>22&0x3C@12>>26&0x3C@8&0xFFFF=21:65535"]
 */
export function byteTestU32(bt: ByteTest, proto: string): string[] | undefined {
  if (proto !== "tcp" && proto !== "udp") return undefined;
  if (typeof bt.value !== "number" || typeof bt.offset !== "number") return undefined;
  if (bt.bytes < 1 || bt.bytes > 4 || bt.bitmask !== undefined) return undefined;
  if (bt.flags.some((f) => f !== "big")) return undefined; // relative, string, hex, dec, oct, little, dce
  const p = bt.offset + bt.bytes - 4; // read the 32-bit word that ends with the tested bytes
  if (p < 0) return undefined;
  const max = bt.bytes === 4 ? MAX32 : 2 ** (8 * bt.bytes) - 1;
  const v = bt.value;
  if (v < 0 || v > MAX32) return undefined;
  const mask = bt.bytes === 4 ? "" : `&0x${max.toString(16).toUpperCase()}`;
  const loc = proto === "tcp" ? `0>>22&0x3C@12>>26&0x3C@${p}` : `0>>22&0x3C@${p + 8}`;
  let range: string;
  const negate = bt.negated;
  let m = mask;
  switch (bt.operator) {
    case "=":
      if (v > max) return undefined;
      range = String(v);
      break;
    case "<":
      if (v === 0) return undefined;
      range = `0:${Math.min(v - 1, max)}`;
      break;
    case "<=":
      range = `0:${Math.min(v, max)}`;
      break;
    case ">":
      if (v >= max) return undefined;
      range = `${v + 1}:${max}`;
      break;
    case ">=":
      if (v > max) return undefined;
      range = `${v}:${max}`;
      break;
    case "&": {
      const bits = v & max;
      if (bits === 0) return undefined;
      m = `&0x${(bits >>> 0).toString(16).toUpperCase()}`;
      range = `1:${MAX32}`;
      break;
    }
    default:
      return undefined;
  }
  return ["-m", "u32", ...(negate ? ["!"] : []), "--u32", `${loc}${m}=${range}`];
}
