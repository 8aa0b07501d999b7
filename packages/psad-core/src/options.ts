import type { IpOptionTable } from "./data-files.ts";

function hexBytes(hex: string): number[] | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out: number[] = [];
  for (let i = 0; i < hex.length; i += 2) out.push(Number.parseInt(hex.slice(i, i + 2), 16));
  return out;
}

/**
 * Decode IPv4 options hex into psad keywords (`ip_options` table) with a correct TLV walk:
 * EOL (0) and NOP (1) are one byte, every other option is type, length, data. Stops at EOL or a bad length.
 */
export function decodeIpOptions(hex: string, table: IpOptionTable): string[] {
  const bytes = hexBytes(hex);
  if (!bytes) return [];
  const out: string[] = [];
  let i = 0;
  while (i < bytes.length) {
    const t = bytes[i] as number;
    const kw = table.get(t)?.keyword;
    if (kw) out.push(kw);
    if (t === 0) break;
    if (t === 1) {
      i++;
      continue;
    }
    const len = bytes[i + 1];
    if (len === undefined || len < 2) break;
    i += len;
  }
  return out;
}

/** One decoded TCP option: `kind` plus the value p0f needs (MSS, window scale, TSval). */
export interface TcpOption {
  kind: number;
  value: number;
}

/**
 * Decode TCP options hex (TLV walk). Every kind is recorded (psad drops unknown kinds, shifting the
 * positions p0f compares). Returns undefined for odd-length hex or a length byte of 0/1.
 */
export function decodeTcpOptions(hex: string): TcpOption[] | undefined {
  const b = hexBytes(hex);
  if (!b) return undefined;
  const out: TcpOption[] = [];
  let i = 0;
  while (i < b.length) {
    const kind = b[i] as number;
    if (kind === 0) break;
    if (kind === 1) {
      out.push({ kind, value: 0 });
      i++;
      continue;
    }
    const len = b[i + 1];
    if (len === undefined || len < 2) return undefined;
    let value = 0;
    if (kind === 2 && len === 4) value = ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0);
    else if (kind === 3 && len === 3) value = b[i + 2] ?? 0;
    else if (kind === 8 && len === 10)
      value = (((b[i + 2] ?? 0) << 24) | ((b[i + 3] ?? 0) << 16) | ((b[i + 4] ?? 0) << 8) | (b[i + 5] ?? 0)) >>> 0;
    out.push({ kind, value });
    i += len;
  }
  return out;
}
