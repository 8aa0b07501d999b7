/** Minimal classic-pcap writer (Ethernet/IPv4/UDP frames) for feeding packets to `fwknopd --pcap-file`. */

function csum(b: Buffer): number {
  let s = 0;
  for (let i = 0; i + 1 < b.length; i += 2) s += b.readUInt16BE(i);
  if (b.length % 2) s += (b[b.length - 1] as number) << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return ~s & 0xffff;
}

function ip4(s: string): Buffer {
  return Buffer.from(s.split(".").map(Number));
}

/** One Ethernet/IPv4/UDP frame carrying `payload`. */
export function udpFrame(src: string, dst: string, sport: number, dport: number, payload: Buffer): Buffer {
  const udpLen = 8 + payload.length;
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(sport, 0);
  udp.writeUInt16BE(dport, 2);
  udp.writeUInt16BE(udpLen, 4);
  const pseudo = Buffer.concat([ip4(src), ip4(dst), Buffer.from([0, 17]), Buffer.from([udpLen >> 8, udpLen & 0xff])]);
  udp.writeUInt16BE(csum(Buffer.concat([pseudo, udp, payload])) || 0xffff, 6);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + udpLen, 2);
  ip.writeUInt16BE(1, 4);
  ip[8] = 64;
  ip[9] = 17;
  ip4(src).copy(ip, 12);
  ip4(dst).copy(ip, 16);
  ip.writeUInt16BE(csum(ip), 10);
  const eth = Buffer.from([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0]);
  return Buffer.concat([eth, ip, udp, payload]);
}

/** One packet of {@link buildPcap}: payload plus optional per-packet source address. */
export type PcapPacket = string | { payload: string; src: string };

/** A pcap file with one UDP datagram per payload (SRC → DST:dport, source ports 40000+i). */
export function buildPcap(
  payloads: readonly PcapPacket[],
  src = "10.99.0.2",
  dst = "10.99.0.1",
  dport = 62201,
): Buffer {
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0);
  hdr.writeUInt16LE(2, 4);
  hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(65535, 16);
  hdr.writeUInt32LE(1, 20);
  const parts: Buffer[] = [hdr];
  payloads.forEach((p, i) => {
    const [payload, from] = typeof p === "string" ? [p, src] : [p.payload, p.src];
    const fr = udpFrame(from, dst, 40000 + (i % 20000), dport, Buffer.from(payload, "latin1"));
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1700000000 + i, 0);
    rec.writeUInt32LE(fr.length, 8);
    rec.writeUInt32LE(fr.length, 12);
    parts.push(rec, fr);
  });
  return Buffer.concat(parts);
}
