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
  const n = s.length;
  if (n < 7 || n > 15) return false;
  let dots = 0;
  let digits = 0;
  let octet = 0;
  let lead = 0;
  for (let i = 0; i <= n; i++) {
    const c = i === n ? 0x2e : s.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || octet > 255 || (digits > 1 && lead === 0x30)) return false;
      if (i < n) dots++;
      digits = 0;
      octet = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits === 0) lead = c;
      if (++digits > 3) return false;
      octet = octet * 10 + (c - 0x30);
    } else return false;
  }
  return dots === 3;
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
  // A string is checked by char code: any non-ASCII char fails here exactly as its UTF-8 bytes (≥ 0x80) would.
  const n = user.length;
  if (n < 1) return false;
  const isStr = typeof user === "string";
  for (let i = 0; i < n; i++) {
    const c = isStr ? user.charCodeAt(i) : (user[i] as number);
    if (c < 0x20 || c > 0x7e) return false;
    if (BAD_USER_CHARS.has(c)) return false;
  }
  return true;
}
