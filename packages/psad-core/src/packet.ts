/**
 * The packet record produced by the log tokenizer. Field names follow psad's packet hash (and its
 * `--CSV-fields` names) where psad has the field; extra fields cover what psad drops (§1.5 of the spec).
 */
export interface Packet {
  /** Raw timestamp text from the syslog header ("Mar 11 20:35:11", ISO text, or "" when absent). */
  timestamp: string;
  /** Seconds since the epoch of the log line, or NaN when the line carries no usable time. */
  time: number;
  /** Syslog host ("unknown" when the header has no `kernel:` token). */
  syslog_host: string;
  /** The --log-prefix text (trimmed, kernel uptime removed), "" when none. */
  log_prefix: string;
  /** fwsnort SID from a `SID<n>` prefix, 0 when none. */
  fwsnort_sid: number;
  /** fwsnort rule number from a `[N]` prefix, 0 when none. */
  fwsnort_rnum: number;
  /** True when the fwsnort prefix carried ESTAB. */
  fwsnort_estab: boolean;
  /** INPUT, OUTPUT or FORWARD, inferred from IN=/OUT=. */
  chain: "INPUT" | "OUTPUT" | "FORWARD";
  /** Interface psad associates with the line (IN, or OUT for OUTPUT). */
  intf: string;
  in_if: string;
  out_if: string;
  physin: string;
  physout: string;
  src_mac: string;
  dst_mac: string;
  /** MACPROTO= value (with --log-macdecode), "" when absent. */
  mac_proto: string;
  /** Source address (IPv4 dotted; IPv6 in psad's full 8x4 lower-case form). */
  src: string;
  dst: string;
  is_ipv6: boolean;
  /** IPv4 total length, or IPv6 payload length + 40 (as the kernel prints it). */
  ip_len: number;
  tos: number;
  prec: number;
  ttl: number;
  ip_id: number;
  ce: boolean;
  frag_bit: boolean;
  mf: boolean;
  /** Fragment offset of a non-first fragment (FRAG:n), -1 when absent. */
  frag_offset: number;
  /** IPv4 options as upper-case hex, "" when absent. */
  ip_opts: string;
  /** Number of IPv6 extension-header `OPT ( … )` groups. */
  ip6_opt_groups: number;
  /** IPv6 extension-header option hex (concatenated), "" when none. */
  ip6_opts: string;
  tc: number;
  hop_limit: number;
  flow_label: number;
  /** tcp, udp, udplite, icmp, icmp6, ah, esp, or the decimal protocol number. */
  proto: string;
  sp: number;
  dp: number;
  tcp_seq: number;
  tcp_ack: number;
  win: number;
  /** TCP flags as psad writes them ("SYN", "URG PSH FIN", "NULL"), "" for non-TCP. */
  flags: string;
  /** TCP flags as a bitmask (FIN=1 SYN=2 RST=4 PSH=8 ACK=16 URG=32 ECE=64 CWR=128). */
  flag_bits: number;
  urgp: number;
  /** TCP options hex, "" when absent. */
  tcp_opts: string;
  udp_len: number;
  itype: number;
  icode: number;
  icmp_id: number;
  icmp_seq: number;
  icmp_mtu: number;
  icmp_gateway: string;
  icmp_parameter: number;
  /** The packet quoted inside an ICMP error (`[SRC=… ]`), parsed one level deep. */
  nested: NestedPacket | undefined;
  /** AH/ESP SPI (hex text), "" when absent. */
  spi: string;
  /** True when the kernel marked the L4 header INCOMPLETE. */
  incomplete: boolean;
  uid: number;
  gid: number;
  mark: string;
  /** IPv6 line with >= 7 consecutive empty `OPT ( )` groups (Topera). */
  is_topera: boolean;
  /** Pure SYN without options after TCP options were seen earlier (set by the analyzer). */
  is_masscan: boolean;
  /** Set by the detector on the 2323 SYN of a Mirai pattern. */
  is_mirai: boolean;
}

/** The header of the packet quoted inside an ICMP error message. */
export interface NestedPacket {
  src: string;
  dst: string;
  proto: string;
  ip_len: number;
  ttl: number;
  ip_id: number;
  sp: number;
  dp: number;
  itype: number;
  icode: number;
}

/** TCP flag bits used by {@link Packet.flag_bits}. */
export const TCP_FLAG = {
  FIN: 1,
  SYN: 2,
  RST: 4,
  PSH: 8,
  ACK: 16,
  URG: 32,
  ECE: 64,
  CWR: 128,
} as const;

/** A fresh packet with every field at its "absent" value. */
export function emptyPacket(): Packet {
  return {
    timestamp: "",
    time: Number.NaN,
    syslog_host: "unknown",
    log_prefix: "",
    fwsnort_sid: 0,
    fwsnort_rnum: 0,
    fwsnort_estab: false,
    chain: "INPUT",
    intf: "",
    in_if: "",
    out_if: "",
    physin: "",
    physout: "",
    src_mac: "",
    dst_mac: "",
    mac_proto: "",
    src: "",
    dst: "",
    is_ipv6: false,
    ip_len: -1,
    tos: -1,
    prec: -1,
    ttl: -1,
    ip_id: -1,
    ce: false,
    frag_bit: false,
    mf: false,
    frag_offset: -1,
    ip_opts: "",
    ip6_opt_groups: 0,
    ip6_opts: "",
    tc: -1,
    hop_limit: -1,
    flow_label: -1,
    proto: "",
    sp: 0,
    dp: 0,
    tcp_seq: -1,
    tcp_ack: -1,
    win: -1,
    flags: "",
    flag_bits: 0,
    urgp: -1,
    tcp_opts: "",
    udp_len: -1,
    itype: -1,
    icode: -1,
    icmp_id: -1,
    icmp_seq: -1,
    icmp_mtu: -1,
    icmp_gateway: "",
    icmp_parameter: -1,
    nested: undefined,
    spi: "",
    incomplete: false,
    uid: -1,
    gid: -1,
    mark: "",
    is_topera: false,
    is_masscan: false,
    is_mirai: false,
  };
}
