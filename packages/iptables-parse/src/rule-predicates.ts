import type { ParsedPolicy, ParsedRule } from "./types.ts";

/** `0.0.0.0/0` or `::/0` exactly (not `10.0.0.0/0`, which the Perl regex also accepted). */
export function isAnyAddress(a: string): boolean {
  return a === "0.0.0.0/0" || a === "::/0";
}

/**
 * No real interface restriction: `*` (verbose listing / save), `''` (non-verbose listing), or `!lo` — "everything
 * but loopback" is the usual way to write a default LOG/DROP rule (`-A INPUT ! -i lo -j LOG`).
 */
export function isAnyInterface(i: string): boolean {
  return i === "" || i === "*" || i === "!lo";
}

/** LOG, ULOG or NFLOG target. */
export function isLogTarget(t: string): boolean {
  return t === "LOG" || t === "ULOG" || t === "NFLOG";
}

/**
 * The rule applies to every packet of its protocol: any source/destination, any interface, no fragment match,
 * a parsed, non-negated protocol.
 */
export function isAnyToAny(r: ParsedRule): boolean {
  const d = r.details;
  return (
    r.protocol !== "" &&
    d.negated?.protocol !== true &&
    d.fragment !== true &&
    isAnyAddress(r.src) &&
    isAnyAddress(r.dst) &&
    isAnyInterface(r.intf_in) &&
    isAnyInterface(r.intf_out)
  );
}

/** The binary name used in Perl's messages for this policy's family. */
export function binName(policy: ParsedPolicy): string {
  return policy.family === "ipv6" ? "ip6tables" : "iptables";
}

/** True when the policy holds no chain at all (Perl: "Could not get … output"). */
export function isEmptyPolicy(policy: ParsedPolicy): boolean {
  for (const t of policy.tables) if (t.chains.length > 0) return false;
  return true;
}
