/** What the iptables in use can do (fwsnort's capability probe, spec §10), as plain data. */

/** Limits and features the translator relies on. */
export interface Capabilities {
  /** Maximum `--log-prefix` length: prefixes with length >= this fall back to `SID<n> ` (iptables: 29). */
  logPrefixMax: number;
  /** Maximum `--comment` length: comments with length >= this are left out (iptables: 255). */
  commentMax: number;
  /** Maximum pattern length of `-m string` in bytes (kernel XT_STRING_MAX_PATTERN_SIZE: 128). */
  stringMax: number;
  /** Maximum number of ports in one `-m multiport` list (a range counts 2; kernel: 15). */
  multiportMax: number;
  /** `-m conntrack` available (else `-m state`). */
  conntrack: boolean;
  /** `-m ipv4options` available (it is not on current kernels). */
  ipv4options: boolean;
  /** `--icmp-type any` accepted (the original's `--no-ipt-test` default is false → type 8 in compat mode). */
  icmpTypeAny: boolean;
}

/**
 * The values fwsnort uses with `--no-ipt-test` (spec §10): LOG prefix 29, comment 255, string 128, multiport 15,
 * conntrack on, ipv4options unsupported, default icmp type 8.
 */
export const NO_IPT_TEST_CAPABILITIES: Readonly<Capabilities> = Object.freeze({
  logPrefixMax: 29,
  commentMax: 255,
  stringMax: 128,
  multiportMax: 15,
  conntrack: true,
  ipv4options: false,
  icmpTypeAny: false,
});

/**
 * Capabilities with overrides applied to the `--no-ipt-test` defaults.
 * @param over - values to change
 * @returns a complete capability record
 * @example capabilities({ conntrack: false }).conntrack // false
 */
export function capabilities(over: Partial<Capabilities> = {}): Capabilities {
  return { ...NO_IPT_TEST_CAPABILITIES, ...over };
}
