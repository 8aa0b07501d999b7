/** A block decision the auto-response layer hands to a backend. */
export interface BlockRequest {
  ip: string;
  family: "ipv4" | "ipv6";
  dl: number;
  /** Seconds until removal, 0 = permanent (AUTO_BLOCK_DL<n>_TIMEOUT). */
  timeout: number;
}

/**
 * The auto-blocking backend interface (PSAD_BLOCK_INPUT/OUTPUT/FORWARD chains via iptables-chainmgr,
 * nftables sets, dry-run …). Implemented for iptables/ip6tables by `createIptablesBlocking`; driven by
 * `applyBlockActions`.
 */
export interface BlockingBackend {
  block(req: BlockRequest): Promise<void>;
  unblock(ip: string): Promise<void>;
  list(): Promise<{ ip: string; since: number }[]>;
}

/** AUTO_BLOCK_DL<n>_TIMEOUT for a danger level (values from the validated config). */
export function blockTimeoutFor(
  dl: number,
  config: {
    AUTO_BLOCK_DL1_TIMEOUT: number;
    AUTO_BLOCK_DL2_TIMEOUT: number;
    AUTO_BLOCK_DL3_TIMEOUT: number;
    AUTO_BLOCK_DL4_TIMEOUT: number;
    AUTO_BLOCK_DL5_TIMEOUT: number;
  },
): number {
  const t = [
    0,
    config.AUTO_BLOCK_DL1_TIMEOUT,
    config.AUTO_BLOCK_DL2_TIMEOUT,
    config.AUTO_BLOCK_DL3_TIMEOUT,
    config.AUTO_BLOCK_DL4_TIMEOUT,
    config.AUTO_BLOCK_DL5_TIMEOUT,
  ];
  return t[Math.min(5, Math.max(1, dl))] ?? 0;
}
