/**
 * Pure parser for `iptables --version` / `ip6tables --version` output, e.g. `iptables v1.8.9 (nf_tables)`,
 * `ip6tables v1.8.9 (legacy)`, `iptables v1.4.21`. Feature thresholds are the ones used by Kubernetes' iptables
 * utility and coreos/go-iptables: `-C` since 1.4.11, `-w` since 1.4.20, `-w <seconds>` since 1.4.22.
 */

/** What `iptables --version` tells us. */
export interface IptablesVersion {
  /** `1.8.9`; `''` when the text is not an iptables version line. */
  version: string;
  /** `nf_tables` / `legacy` as printed (iptables ≥ 1.8); versions before 1.8 are legacy; otherwise `unknown`. */
  backend: "nf_tables" | "legacy" | "unknown";
  /** `-w` (wait for the xtables lock) is supported. */
  wait: boolean;
  /** `-w <seconds>` is supported. */
  waitSeconds: boolean;
  /** `-C` (check whether a rule exists) is supported. */
  check: boolean;
  /** The binary's own name in the output (`iptables` / `ip6tables`), `''` when not found. */
  program: string;
}

const VERSION_RE = /\b(ip6?tables)(?:-\S+)?\s+v(\d+)\.(\d+)\.(\d+)(?:\.\d+)?\S*(?:\s+\((nf_tables|legacy)\))?/;

function atLeast(v: readonly [number, number, number], min: readonly [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) {
    if ((v[i] as number) !== (min[i] as number)) return (v[i] as number) > (min[i] as number);
  }
  return true;
}

/** Parse `iptables --version` output (first matching line wins); unknown text gives `version: ''` and no features. */
export function parseIptablesVersion(text: string): IptablesVersion {
  const m = VERSION_RE.exec(text);
  if (!m) return { version: "", backend: "unknown", wait: false, waitSeconds: false, check: false, program: "" };
  const v: [number, number, number] = [Number(m[2]), Number(m[3]), Number(m[4])];
  const backend = m[5] === "nf_tables" || m[5] === "legacy" ? m[5] : atLeast(v, [1, 8, 0]) ? "unknown" : "legacy";
  return {
    version: `${v[0]}.${v[1]}.${v[2]}`,
    backend,
    wait: atLeast(v, [1, 4, 20]),
    waitSeconds: atLeast(v, [1, 4, 22]),
    check: atLeast(v, [1, 4, 11]),
    program: m[1] as string,
  };
}
