import { hash } from "node:crypto";

/** One digest.cache line: `<digest> <proto> <src_ip> <src_port> <dst_ip> <dst_port> <time>`. */
export interface DigestCacheEntry {
  /** base64 (no `=`) SHA256 of the wire payload, 43 chars. */
  digest: string;
  proto: number;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  /** Unix seconds when stored. */
  time: number;
}

/** Header line fwknopd writes at the top of a new digest.cache. */
export const DIGEST_CACHE_HEADER = "# <digest> <proto> <src_ip> <src_port> <dst_ip> <dst_port> <time>";

/** Replay-cache id of a packet: SHA256 of the exact payload string, base64 without `=` (43 chars). */
export function replayDigest(payload: string | Uint8Array): string {
  return hash("sha256", payload, "base64").replace(/=+$/, "");
}

/** Format one digest.cache line (no newline). */
export function formatDigestCacheLine(e: DigestCacheEntry): string {
  return `${e.digest} ${e.proto} ${e.srcIp} ${e.srcPort} ${e.dstIp} ${e.dstPort} ${e.time}`;
}

/**
 * Parse digest.cache text. Malformed lines are skipped and counted (fwknopd 2.6.5 fixed an overflow here:
 * every field is bounds-checked).
 */
export function parseDigestCache(text: string): { entries: DigestCacheEntry[]; skipped: number } {
  const entries: DigestCacheEntry[] = [];
  let skipped = 0;
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (t === "" || t.startsWith("#")) continue;
    const p = t.split(/\s+/);
    const ok =
      p.length === 7 &&
      /^[A-Za-z0-9+/]{20,88}$/.test(p[0] as string) &&
      /^\d{1,3}$/.test(p[1] as string) &&
      /^[0-9a-fA-F.:]{2,45}$/.test(p[2] as string) &&
      /^\d{1,5}$/.test(p[3] as string) &&
      /^[0-9a-fA-F.:]{2,45}$/.test(p[4] as string) &&
      /^\d{1,5}$/.test(p[5] as string) &&
      /^\d{1,12}$/.test(p[6] as string);
    if (!ok) {
      skipped++;
      continue;
    }
    entries.push({
      digest: p[0] as string,
      proto: Number(p[1]),
      srcIp: p[2] as string,
      srcPort: Number(p[3]),
      dstIp: p[4] as string,
      dstPort: Number(p[5]),
      time: Number(p[6]),
    });
  }
  return { entries, skipped };
}

/** The replay cache the server consults (an interface so that storage is pluggable). */
export interface ReplayCache {
  has(digest: string): boolean;
  add(entry: DigestCacheEntry): void;
  readonly size: number;
}

/** In-memory replay cache; `onAdd` lets a shell persist each new entry (e.g. append to digest.cache). */
export class MemoryReplayCache implements ReplayCache {
  readonly #set = new Set<string>();
  readonly #onAdd: ((e: DigestCacheEntry) => void) | undefined;

  constructor(entries: Iterable<DigestCacheEntry> = [], onAdd?: (e: DigestCacheEntry) => void) {
    for (const e of entries) this.#set.add(e.digest);
    this.#onAdd = onAdd;
  }

  /** True when the digest was seen before (Set lookup: no early-exit comparison over secrets). */
  has(digest: string): boolean {
    return this.#set.has(digest);
  }

  /** Store a digest (and persist through `onAdd`). */
  add(entry: DigestCacheEntry): void {
    if (this.#set.has(entry.digest)) return;
    this.#set.add(entry.digest);
    this.#onAdd?.(entry);
  }

  /** Number of digests held. */
  get size(): number {
    return this.#set.size;
  }
}
