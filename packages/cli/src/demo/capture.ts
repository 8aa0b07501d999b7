/**
 * Turning the lab's kernel log records into kern.log lines, and sanitising them for the bundled sample log
 * (`examples/sample-scan.log`): only lines between the lab's two addresses, stable interface name, MAC and prefix.
 */

/** What identifies the lab's lines and what they are rewritten to. */
export interface CaptureFilter {
  /** The target's veth name as the kernel logs it (`IN=…`). */
  iface: string;
  /** The unique LOG prefix of the target's LOG+DROP rule. */
  prefix: string;
  /** The lab's addresses; a line whose SRC or DST is anything else is dropped. */
  addrs: readonly string[];
}

/** Stable replacements used in the recorded sample. */
export const SANITISED = {
  iface: "eth0",
  /** psad's FW_MSG_SEARCH default matches it. */
  prefix: "DROP ",
  /** Locally administered MACs (target, attacker) in the kernel's MAC= layout (dst:src:ethertype). */
  mac: "02:00:5e:12:00:01:02:00:5e:12:00:02:08:00",
  host: "fwkit-lab",
} as const;

/** Whether a kernel message was logged for the lab's target interface. */
export function isLabMessage(message: string, f: CaptureFilter): boolean {
  return message.includes(` IN=${f.iface} `) || message.startsWith(`IN=${f.iface} `);
}

/**
 * Sanitise one kernel message of the lab: `undefined` unless it is a packet between lab addresses on the lab's
 * interface; otherwise the message with the interface, the MAC and the unique prefix replaced by stable values.
 */
export function sanitiseMessage(message: string, f: CaptureFilter): string | undefined {
  if (!isLabMessage(message, f)) return undefined;
  const src = / SRC=(\S+)/.exec(message)?.[1];
  const dst = / DST=(\S+)/.exec(message)?.[1];
  if (!src || !dst || !f.addrs.includes(src) || !f.addrs.includes(dst)) return undefined;
  let m = message.split(`IN=${f.iface} `).join(`IN=${SANITISED.iface} `);
  m = m.replace(/ MAC=[0-9a-f:]+ /, ` MAC=${SANITISED.mac} `);
  if (m.startsWith(f.prefix)) m = SANITISED.prefix + m.slice(f.prefix.length);
  return m;
}
