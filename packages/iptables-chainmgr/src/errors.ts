/** Stable error codes of @fwkit/iptables-chainmgr (public API: see the README table). */
export type ChainMgrErrorCode =
  | "CHAINMGR_MISSING_ARGUMENT"
  | "CHAINMGR_UNSUPPORTED_KEY"
  | "CHAINMGR_BAD_NET"
  | "CHAINMGR_INVALID_NAME"
  | "CHAINMGR_BAD_RULESPEC"
  | "CHAINMGR_BAD_POSITION"
  | "CHAINMGR_CHECK_FAILED"
  | "CHAINMGR_NOT_CONFIGURED"
  | "CHAINMGR_CONFIG_INVALID";

/** JSON details carried by a {@link ChainMgrError}. */
export type ChainMgrErrorDetails = Record<string, unknown>;

/**
 * The one error class of @fwkit/iptables-chainmgr. `message` reproduces IPTables::ChainMgr's croak text
 * where the original croaks (without Perl's ` at FILE line N.` suffix); branch on `code`, never on the text.
 */
export class ChainMgrError extends Error {
  override readonly name = "ChainMgrError";
  readonly code: ChainMgrErrorCode;
  readonly details: ChainMgrErrorDetails;

  constructor(code: ChainMgrErrorCode, message: string, details: ChainMgrErrorDetails = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.details = details;
  }
}

/**
 * True when `e` is a {@link ChainMgrError} (checked by shape, so it works across package copies).
 * @example
 * try { normalizeNet("") } catch (e) { if (isChainMgrError(e)) e.code; }
 */
export function isChainMgrError(e: unknown): e is ChainMgrError {
  return e instanceof Error && e.name === "ChainMgrError" && typeof (e as { code?: unknown }).code === "string";
}
