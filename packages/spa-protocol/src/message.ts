/** Validators and parsers for the SPA message / NAT / username fields (spec §1.3, §1.5). */

/** One requested `proto/port`. */
export interface ProtoPort {
  proto: "tcp" | "udp";
  port: number;
}

/** A parsed access message `A.B.C.D,proto/port[,proto/port…]`. */
export interface AccessRequest {
  allowIp: string;
  ports: ProtoPort[];
}

/** A parsed command message `A.B.C.D,<command>`. */
export interface CommandRequest {
  allowIp: string;
  command: string;
}

/** A parsed NAT field `host,port`. */
export interface NatRequest {
  host: string;
  port: number;
}

const MAX_HOSTNAME_LEN = 70;

/**
 * Strict dotted-quad IPv4 check (7–15 chars, digits and exactly three dots, each octet 0–255, no leading
 * zeros so no octal ambiguity).
 */
export function isStrictIpv4(s: string): boolean {
  if (s.length < 7 || s.length > 15) return false;
  const parts = s.split(".");
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return false;
    if (p.length > 1 && p[0] === "0") return false;
    if (Number(p) > 255) return false;
  }
  return true;
}

function parsePort(s: string): number | undefined {
  if (!/^\d{1,5}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** Parse `proto/port` where proto is `tcp` or `udp` and port 1…65535. */
export function parseProtoPort(s: string): ProtoPort | undefined {
  const m = /^(tcp|udp)\/(\d{1,5})$/.exec(s);
  if (!m) return undefined;
  const port = parsePort(m[2] as string);
  return port === undefined ? undefined : { proto: m[1] as "tcp" | "udp", port };
}

/**
 * Parse an access message (types 1–6) with libfko's rules (icmp/none/port 0 rejected).
 * @returns the request, or undefined when invalid
 */
export function parseAccessMessage(msg: string): AccessRequest | undefined {
  const parts = msg.split(",");
  if (parts.length < 2) return undefined;
  const allowIp = parts[0] as string;
  if (!isStrictIpv4(allowIp)) return undefined;
  const ports: ProtoPort[] = [];
  for (const p of parts.slice(1)) {
    const pp = parseProtoPort(p);
    if (!pp) return undefined;
    ports.push(pp);
  }
  return { allowIp, ports };
}

/** Parse a command message (type 0): valid allow IP, a comma, at least one character. */
export function parseCommandMessage(msg: string): CommandRequest | undefined {
  const i = msg.indexOf(",");
  if (i < 0) return undefined;
  const allowIp = msg.slice(0, i);
  const command = msg.slice(i + 1);
  if (!isStrictIpv4(allowIp) || command.length < 1) return undefined;
  for (let j = 0; j < command.length; j++) {
    const c = command.charCodeAt(j);
    if (c < 0x20 || c > 0x7e) return undefined;
  }
  return { allowIp, command };
}

/** Parse a NAT field `host,port` (exactly one comma; host ≤ 70 chars without ` / ? " ' \`). */
export function parseNatAccess(nat: string): NatRequest | undefined {
  const parts = nat.split(",");
  if (parts.length !== 2) return undefined;
  const host = parts[0] as string;
  const port = parsePort(parts[1] as string);
  if (port === undefined) return undefined;
  if (host.length < 1 || host.length > MAX_HOSTNAME_LEN) return undefined;
  if (!/^[\x21-\x7e]+$/.test(host) || /[/?"'\\]/.test(host)) return undefined;
  return { host, port };
}

const BAD_USER_CHARS = new Set([...'"/\\[]:;|=,+*?<>'].map((c) => c.charCodeAt(0)));

/** libfko's username rule: non-empty, printable ASCII, none of `" / \ [ ] : ; | = , + * ? < >`. */
export function isValidUsername(user: Uint8Array | string): boolean {
  const b = typeof user === "string" ? Buffer.from(user, "utf8") : user;
  if (b.length < 1) return false;
  for (const c of b) {
    if (c < 0x20 || c > 0x7e) return false;
    if (BAD_USER_CHARS.has(c)) return false;
  }
  return true;
}
