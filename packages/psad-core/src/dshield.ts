import type { Packet } from "./packet.ts";

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * One DShield-format line for a packet (psad's format):
 * `YYYY-MM-DD HH:MM:SS ±HH:00<TAB>userid<TAB>1<TAB>src<TAB>sport<TAB>dst<TAB>dport<TAB>proto[<TAB>FLAGS]`.
 * ICMP puts the type in the sport column and the code in the dport column. `tzOffsetMinutes` is the
 * local offset from UTC (injected). Returns undefined for packets without a log time.
 */
export function dshieldLine(pkt: Packet, userId: number, tzOffsetMinutes = 0): string | undefined {
  if (Number.isNaN(pkt.time)) return undefined;
  const d = new Date((pkt.time + tzOffsetMinutes * 60) * 1000);
  const sign = tzOffsetMinutes < 0 ? "-" : "+";
  const tz = `${sign}${pad(Math.floor(Math.abs(tzOffsetMinutes) / 60))}:00`;
  const ts = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${tz}`;
  const icmp = pkt.proto === "icmp" || pkt.proto === "icmp6";
  const proto = pkt.proto === "tcp" ? "TCP" : pkt.proto === "udp" ? "UDP" : icmp ? "ICMP" : pkt.proto.toUpperCase();
  let s = `${ts}\t${userId}\t1\t${pkt.src}\t${icmp ? pkt.itype : pkt.sp}\t${pkt.dst}\t${icmp ? pkt.icode : pkt.dp}\t${proto}`;
  if (pkt.proto === "tcp" && pkt.flags && pkt.flags !== "NULL") s += `\t${pkt.flags.replace(/ /g, ",")}`;
  return s;
}

/** DShield e-mail subject psad uses: `FORMAT DSHIELD USERID <id> TZ <tz> psad Version <v>`. */
export function dshieldSubject(userId: number, tz: string, version = "2.4"): string {
  return `FORMAT DSHIELD USERID ${userId} TZ ${tz} psad Version ${version}`;
}
