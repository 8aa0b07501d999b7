/** fwknop's base64 flavour: standard alphabet, trailing `=` stripped on output, lenient padding on input. */

const B64_BODY = /^[A-Za-z0-9+/]*$/;
const B64_WITH_PAD = /^[A-Za-z0-9+/=]*$/;

/**
 * Base64-encode with the standard alphabet and strip every trailing `=` (as libfko does).
 * @param data - bytes or a string (UTF-8)
 * @returns the unpadded base64 text
 */
export function b64Encode(data: Uint8Array | string): string {
  const buf =
    typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data.buffer, data.byteOffset, data.length);
  const s = buf.toString("base64");
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 61) end--;
  return s.slice(0, end);
}

/**
 * Decode fwknop base64: stops at the first `=`, tolerates missing padding, and fails (returns undefined)
 * on any character outside `A–Z a–z 0–9 + /` or on an impossible length (4n+1 characters).
 * @param text - base64 text
 * @returns the decoded bytes, or undefined when the text is not base64
 */
export function b64Decode(text: string): Buffer | undefined {
  const eq = text.indexOf("=");
  const body = eq >= 0 ? text.slice(0, eq) : text;
  if (!B64_BODY.test(body)) return undefined;
  if (body.length % 4 === 1) return undefined;
  return Buffer.from(body, "base64");
}

/** True when `text` consists only of base64 alphabet characters and `=` (fwknopd's pre-check). */
export function isB64Charset(text: string): boolean {
  return B64_WITH_PAD.test(text);
}

/** Standard padded base64 (the form config files and `--key-gen` use for keys). */
export function b64EncodePadded(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.length).toString("base64");
}
