import ipaddr from "ipaddr.js";
import { ChainMgrError } from "./errors.ts";

const IPV4_RE = /(?:\d{1,3}\.){3}\d{1,3}/;

/**
 * Render 8 IPv6 words exactly as glibc's `inet_ntop(AF_INET6)` (and therefore ip6tables) does: lower-case hex,
 * the first longest run of ≥ 2 zero words compressed to `::`, and the IPv4 tail in dotted form for
 * IPv4-mapped (`::ffff:1.2.3.4`) and IPv4-compatible (`::1.2.3.4`) addresses.
 * @param words - eight 16-bit words
 * @returns the textual address, e.g. `2001:db8::1`
 * @example inetNtop6([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]) // "::ffff:1.2.3.4"
 */
export function inetNtop6(words: readonly number[]): string {
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ":";
      continue;
    }
    if (i !== 0) out += ":";
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      const w6 = words[6] ?? 0;
      const w7 = words[7] ?? 0;
      out += `${w6 >> 8}.${w6 & 0xff}.${w7 >> 8}.${w7 & 0xff}`;
      break;
    }
    out += (words[i] ?? 0).toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ":";
  return out;
}

function badNet(net: string): ChainMgrError {
  return new ChainMgrError("CHAINMGR_BAD_NET", `[*] Could not acquire NetAddr::IP object for ${net}`, { net });
}

function normalizeV6(net: string): string {
  const slash = net.indexOf("/");
  const addrText = slash === -1 ? net : net.slice(0, slash);
  const lenText = slash === -1 ? "128" : net.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText) || !ipaddr.IPv6.isValid(addrText) || addrText.includes("%")) throw badNet(net);
  const len = Number(lenText);
  if (len > 128) throw badNet(net);
  const parts = ipaddr.IPv6.parse(addrText).parts.slice();
  for (let i = 0; i < 8; i++) {
    const bits = Math.max(0, Math.min(16, len - i * 16));
    const mask = bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff;
    parts[i] = (parts[i] ?? 0) & mask;
  }
  const text = inetNtop6(parts);
  return len === 128 ? text : `${text}/${len}`;
}

function normalizeV4(net: string): string {
  const slash = net.indexOf("/");
  const addrText = slash === -1 ? net : net.slice(0, slash);
  const maskText = slash === -1 ? "32" : net.slice(slash + 1);
  if (!ipaddr.IPv4.isValidFourPartDecimal(addrText)) throw badNet(net);
  let len: number;
  if (/^\d{1,2}$/.test(maskText)) {
    len = Number(maskText);
    if (len > 32) throw badNet(net);
  } else if (ipaddr.IPv4.isValidFourPartDecimal(maskText)) {
    const prefix = ipaddr.IPv4.parse(maskText).prefixLengthFromSubnetMask();
    if (prefix === null) throw badNet(net);
    len = prefix;
  } else throw badNet(net);
  const octets = ipaddr.IPv4.parse(addrText).octets.slice();
  for (let i = 0; i < 4; i++) {
    const bits = Math.max(0, Math.min(8, len - i * 8));
    octets[i] = (octets[i] ?? 0) & (bits === 0 ? 0 : (0xff << (8 - bits)) & 0xff);
  }
  const text = octets.join(".");
  return len === 32 ? text : `${text}/${len}`;
}

/**
 * IPTables::ChainMgr's `normalize_net`: the network address in the form iptables lists it.
 * Only strings that contain `/` and a dotted quad, or contain `:`, are normalised; everything else
 * (`10.1.2.3`, `eth0`, `example.com`, ranges) is returned unchanged, as in Perl.
 * IPv4: network address + prefix, `/32` dropped, netmask notation accepted (`10.1.2.3/255.255.255.0` → `10.1.2.0/24`).
 * IPv6: network address rendered like `inet_ntop`/ip6tables (`::ffff:1.2.3.4`, where Perl printed `::ffff:102:304`),
 * `/128` dropped. A leading `!` is kept in front of the normalised network (Perl croaked).
 * @param net - address or network
 * @returns the normalised form
 * @throws {ChainMgrError} CHAINMGR_MISSING_ARGUMENT for an empty string; CHAINMGR_BAD_NET for an unparsable network
 * @example normalizeNet("10.1.2.3/24") // "10.1.2.0/24"
 */
export function normalizeNet(net: string): string {
  if (!net) throw new ChainMgrError("CHAINMGR_MISSING_ARGUMENT", "[*] Must specify net.");
  const negated = net.startsWith("!");
  const body = negated ? net.slice(1) : net;
  if (!body) throw badNet(net);
  let out = body;
  if ((body.includes("/") && IPV4_RE.test(body)) || body.includes(":")) {
    out = body.includes(":") ? normalizeV6(body) : normalizeV4(body);
  }
  return negated ? `!${out}` : out;
}
