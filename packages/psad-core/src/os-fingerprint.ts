import type { P0fSig, PosfSig } from "./data-files.ts";
import { decodeTcpOptions, type TcpOption } from "./options.ts";
import type { Packet } from "./packet.ts";

const P0F_KIND: Record<string, number> = { N: 1, M: 2, W: 3, S: 4, T: 8 };

/** p0f v1 matcher over pf.os signatures (IPv4 SYNs with TCP options). */
export interface P0fMatcher {
  /** Every OS string whose signature matches the SYN packet (empty when none). */
  match(pkt: Packet): string[];
}

function optsMatch(sigOpts: string[], opts: TcpOption[]): boolean {
  for (let i = 0; i < sigOpts.length; i++) {
    const so = sigOpts[i] as string;
    const letter = so[0] as string;
    const kind = P0F_KIND[letter];
    if (kind === undefined) continue; // E, ?n, . are wildcards (as in psad)
    const o = opts[i];
    if (!o || o.kind !== kind) return false;
    const rest = so.slice(1);
    if (letter === "M" || letter === "W") {
      if (/^\d+$/.test(rest)) {
        if (o.value !== Number(rest)) return false;
      } else if (/^%\d+$/.test(rest)) {
        if (o.value % Number(rest.slice(1)) !== 0) return false;
      }
    } else if (letter === "T" && rest === "0") {
      if (o.value !== 0) return false;
    }
  }
  return true;
}

/** Build a p0f matcher; `maxHops` is psad's MAX_HOPS. Results are cached per fingerprint. */
export function createP0fMatcher(sigs: readonly P0fSig[], maxHops: number): P0fMatcher {
  // two-level cache: TCP options text -> (ip_len, DF, TTL, window) packed into one number -> OS list
  const cache = new Map<string, Map<number, string[]>>();
  let lastOpts = "";
  let lastMap: Map<number, string[]> | undefined;
  let entries = 0;
  return {
    match(pkt: Packet): string[] {
      if (pkt.tcp_opts !== lastOpts || !lastMap) {
        lastOpts = pkt.tcp_opts;
        lastMap = cache.get(lastOpts);
        if (!lastMap) {
          if (entries > 10_000) {
            cache.clear();
            entries = 0;
          }
          lastMap = new Map();
          cache.set(lastOpts, lastMap);
        }
      }
      const key =
        ((pkt.ip_len & 0xffff) * 2 + (pkt.frag_bit ? 1 : 0)) * 65536 * 256 +
        (pkt.ttl & 255) * 65536 +
        (pkt.win & 0xffff);
      const hit = lastMap.get(key);
      if (hit) return hit;
      const opts = decodeTcpOptions(pkt.tcp_opts);
      const out: string[] = [];
      if (opts) {
        const mss = opts[0]?.kind === 2 ? opts[0].value : -1;
        for (const s of sigs) {
          if (s.len !== "*") {
            if (s.len.startsWith("%")) {
              if (pkt.ip_len % Number(s.len.slice(1)) !== 0) continue;
            } else if (Number(s.len) !== pkt.ip_len) continue;
          }
          if (s.df !== "*" && Number(s.df) !== (pkt.frag_bit ? 1 : 0)) continue;
          if (!(pkt.ttl > s.ttl - maxHops && pkt.ttl <= s.ttl)) continue;
          if (s.win !== "*") {
            if (s.win.startsWith("%")) {
              if (pkt.win % Number(s.win.slice(1)) !== 0) continue;
            } else if (s.win.startsWith("S")) {
              if (mss < 0 || pkt.win !== mss * Number(s.win.slice(1))) continue;
            } else if (Number(s.win) !== pkt.win) continue;
          }
          if (!optsMatch(s.opts, opts)) continue;
          if (!out.includes(s.os)) out.push(s.os);
        }
      }
      lastMap.set(key, out);
      entries++;
      return out;
    },
  };
}

/** Per-source posf state: values seen so far. */
export interface PosfState {
  ctr: number;
  lens: Set<number>;
  ttls: number[];
  wins: Set<number>;
  ids: number[];
  guess: string | undefined;
}

/** New empty posf state. */
export function newPosfState(): PosfState {
  return { ctr: 0, lens: new Set(), ttls: [], wins: new Set(), ids: [], guess: undefined };
}

/**
 * Feed one option-less SYN to the posf (TOS-based) fingerprinter. Returns the guess once made (frozen
 * afterwards). The first signature in file order wins (psad: Perl hash order).
 */
export function posfUpdate(state: PosfState, pkt: Packet, sigs: readonly PosfSig[]): string | undefined {
  if (state.guess) return state.guess;
  state.ctr++;
  state.lens.add(pkt.ip_len);
  if (state.ttls.length < 200) state.ttls.push(pkt.ttl);
  state.wins.add(pkt.win);
  if (state.ids.length < 200) state.ids.push(pkt.ip_id);
  let minTtl = 256;
  let maxTtl = -1;
  for (const t of state.ttls) {
    if (t < minTtl) minTtl = t;
    if (t > maxTtl) maxTtl = t;
  }
  let smallIncr = state.ids.length > 1;
  for (let i = 1; i < state.ids.length; i++) {
    const d = (state.ids[i] as number) - (state.ids[i - 1] as number);
    if (d < 0 || d >= 1000) {
      smallIncr = false;
      break;
    }
  }
  const idType = smallIncr ? "SMALLINCR" : "RANDOM";
  for (const s of sigs) {
    if (state.ctr < s.numPkts) continue;
    if (!state.wins.has(s.win) || !state.lens.has(s.len)) continue;
    if (!(minTtl > s.ttl - 20 && maxTtl <= s.ttl)) continue;
    if (s.id !== idType) continue;
    state.guess = s.os;
    return s.os;
  }
  return undefined;
}
