/** One line from {@link readLines}; `truncated` when it was longer than the limit (the rest is dropped). */
export interface ReadLine {
  text: string;
  truncated: boolean;
}

/**
 * Split a byte/string stream into lines without holding more than one line (capped at `maxLineLength`
 * characters) plus one chunk in memory. Bytes are decoded as latin1 so arbitrary input never throws.
 */
export async function* readLines(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  maxLineLength = 65536,
): AsyncGenerator<ReadLine> {
  let carry = "";
  let dropping = false;
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    const s =
      typeof chunk === "string"
        ? chunk
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("latin1");
    let start = 0;
    for (;;) {
      const nl = s.indexOf("\n", start);
      if (nl < 0) {
        if (!dropping) {
          carry += s.slice(start);
          if (carry.length > maxLineLength) {
            carry = carry.slice(0, maxLineLength);
            dropping = true;
          }
        }
        break;
      }
      let text = dropping ? carry : carry + s.slice(start, nl);
      const truncated = dropping || text.length > maxLineLength;
      if (truncated) text = text.slice(0, maxLineLength);
      if (text.endsWith("\r")) text = text.slice(0, -1);
      yield { text, truncated };
      carry = "";
      dropping = false;
      start = nl + 1;
    }
  }
  if (carry.length || dropping) yield { text: carry, truncated: dropping };
}

/**
 * Like {@link readLines} but yields every complete line of a chunk at once (one await per chunk, not per
 * line). `truncatedAt` lists indexes of lines that exceeded the limit.
 */
export async function* readLineBatches(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  maxLineLength = 65536,
): AsyncGenerator<{ lines: string[]; truncated: Set<number> }> {
  let carry = "";
  let dropping = false;
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    const s =
      typeof chunk === "string"
        ? chunk
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("latin1");
    const lines: string[] = [];
    const truncated = new Set<number>();
    let start = 0;
    for (;;) {
      const nl = s.indexOf("\n", start);
      if (nl < 0) {
        if (!dropping) {
          carry += s.slice(start);
          if (carry.length > maxLineLength) {
            carry = carry.slice(0, maxLineLength);
            dropping = true;
          }
        }
        break;
      }
      let text = dropping ? carry : carry.length ? carry + s.slice(start, nl) : s.slice(start, nl);
      if (dropping || text.length > maxLineLength) {
        truncated.add(lines.length);
        text = text.slice(0, maxLineLength);
      }
      if (text.endsWith("\r")) text = text.slice(0, -1);
      lines.push(text);
      carry = "";
      dropping = false;
      start = nl + 1;
    }
    if (lines.length) yield { lines, truncated };
  }
  if (carry.length || dropping) yield { lines: [carry], truncated: dropping ? new Set([0]) : new Set() };
}
