/** `content` strings: `|hex|` blocks, escapes, decoding to bytes and canonical encoding. */

const scratch = new Uint8Array(16384);

/** Decoding result of a content string. */
export type DecodedContent = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Decode the text between the quotes of a `content` value (spec §4.2.1): literal bytes, `\x` escapes (the
 * character itself), and `|41 42|` hex blocks. Characters above 0xFF are encoded as UTF-8.
 * @param text - raw inner text, escapes still present
 * @returns the bytes or the reason they are invalid (odd hex digits, bad hex char, unterminated `|`, empty)
 */
export function decodeContent(text: string): DecodedContent {
  // at most 3 UTF-8 bytes per UTF-16 unit: decoded into a reused scratch buffer (synchronous, not re-entered)
  // (huge hostile contents get their own buffer, so the scratch never stays large)
  const out = text.length * 3 <= scratch.length ? scratch : new Uint8Array(text.length * 3);
  let n = 0;
  let hex = false;
  let nibble = -1;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (hex) {
      if (code === 124 /* | */) {
        if (nibble >= 0) return { ok: false, error: "odd number of hex digits in |…| block" };
        hex = false;
        continue;
      }
      if (code === 32 || code === 9) continue;
      const v = hexValue(code);
      if (v < 0) return { ok: false, error: `non-hex character '${text[i]}' in |…| block` };
      if (nibble < 0) nibble = v;
      else {
        out[n++] = nibble * 16 + v;
        nibble = -1;
      }
      continue;
    }
    if (code === 124) {
      hex = true;
      continue;
    }
    if (code === 92 /* \\ */) {
      if (i + 1 >= text.length) return { ok: false, error: "trailing backslash" };
      code = text.charCodeAt(++i);
    }
    if (code <= 0xff) out[n++] = code;
    else {
      const cp = text.codePointAt(i) as number;
      if (cp > 0xffff) i++;
      for (const b of Buffer.from(String.fromCodePoint(cp), "utf8")) out[n++] = b;
    }
  }
  if (hex) return { ok: false, error: "unterminated |…| hex block" };
  if (n === 0) return { ok: false, error: "empty content" };
  return { ok: true, bytes: out.slice(0, n) };
}

/**
 * Canonical content text for some bytes: printable ASCII stays literal (with `\"`, `\;`, `\\` escaped and `|`
 * written as `|7C|`), everything else goes into upper-case `|hex|` blocks.
 * @param bytes - the bytes to encode (non-empty)
 * @returns text suitable for `content:"…"`
 */
export function encodeContent(bytes: Uint8Array): string {
  let out = "";
  let inHex = false;
  for (const b of bytes) {
    const printable = b >= 0x20 && b < 0x7f && b !== 0x7c && b !== 0x22 && b !== 0x3b && b !== 0x5c && b !== 0x3a;
    if (printable) {
      if (inHex) {
        out += "|";
        inHex = false;
      }
      out += String.fromCharCode(b);
    } else {
      out += inHex ? " " : "|";
      inHex = true;
      out += b.toString(16).toUpperCase().padStart(2, "0");
    }
  }
  if (inHex) out += "|";
  return out;
}
