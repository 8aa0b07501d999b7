import { chainNameProblem, IPTABLES_TABLES } from "@fwkit/iptables-parse";
import { z } from "zod";
import type { Cidr } from "./cidr.ts";
import type { PsadConfig } from "./config.ts";
import type { AutoDlEntry } from "./data-files.ts";
import { PsadError } from "./errors.ts";
import type { Result } from "./types.ts";

/** One `IPT_AUTO_CHAIN<n>` line: `<target>, <src|dst|both>, <table>, <from_chain>, <jump_pos>, <to_chain>, <rule_pos>`. */
export interface AutoChainSpec {
  /** Target of the block rules (psad: `DROP`). */
  target: string;
  /** `src`: `-s IP`; `dst`: `-d IP`; `both`: one rule of each (FORWARD). */
  direction: "src" | "dst" | "both";
  table: string;
  /** Built-in chain that jumps to `toChain`. */
  fromChain: string;
  /** 1-based position of the jump rule in `fromChain`. */
  jumpPosition: number;
  /** psad's chain holding the block rules (`PSAD_BLOCK_INPUT` …). */
  toChain: string;
  /** 1-based position of new block rules in `toChain`. */
  rulePosition: number;
}

/** Validated auto-blocking settings (psad.conf §2.14 keys). */
export interface AutoBlockConfig {
  /** ENABLE_AUTO_IDS */
  enabled: boolean;
  /** AUTO_IDS_DANGER_LEVEL */
  dangerLevel: number;
  /** AUTO_BLOCK_TIMEOUT (used for entries imported from psad's file, which carry no DL). */
  defaultTimeout: number;
  /** AUTO_BLOCK_DL1..5_TIMEOUT, index 1..5 (index 0 unused); 0 = permanent. */
  timeouts: readonly [number, number, number, number, number, number];
  /** AUTO_BLOCK_REGEX when ENABLE_AUTO_IDS_REGEX=Y and it is not NONE. */
  regex: RegExp | undefined;
  /** IPTABLES_BLOCK_METHOD */
  iptablesMethod: boolean;
  /** IPT_AUTO_CHAIN1..n (psad.conf's three chains when none is configured). */
  chains: readonly AutoChainSpec[];
  /** FLUSH_IPT_AT_INIT */
  flushAtInit: boolean;
  /** IPTABLES_PREREQ_CHECK: 1 = ensure chains and jump rules before every block, N = every N blocks. */
  prereqCheck: number;
  /** AUTO_BLOCK_IPT_FILE (psad's `<ip> <epoch>` file). */
  iptFile: string;
  /** Networks that are never blocked: auto_dl entries with DL 0 for all protocols (psad's "ignore"). */
  ignoreNets: readonly Cidr[];
}

/** psad.conf's shipped IPT_AUTO_CHAIN1..3. */
export const DEFAULT_AUTO_CHAINS: readonly string[] = [
  "DROP, src, filter, INPUT, 1, PSAD_BLOCK_INPUT, 1",
  "DROP, dst, filter, OUTPUT, 1, PSAD_BLOCK_OUTPUT, 1",
  "DROP, both, filter, FORWARD, 1, PSAD_BLOCK_FORWARD, 1",
];

const chainName = z.string().refine((c) => chainNameProblem(c) === undefined, "not a valid chain name");
const pos = z
  .string()
  .regex(/^\d+$/, "must be a positive integer")
  .transform(Number)
  .pipe(z.number().int().min(1).max(1_000_000));
const chainSchema = z.tuple([
  z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,28}$/, "not a valid target"),
  z.enum(["src", "dst", "both"]),
  z.string().refine((t) => IPTABLES_TABLES.includes(t), "not an iptables table"),
  chainName,
  pos,
  chainName,
  pos,
]);

const yn = (v: string | undefined, dflt: boolean): boolean | undefined => {
  if (v === undefined) return dflt;
  const u = v.toUpperCase();
  if (u === "Y" || u === "YES") return true;
  if (u === "N" || u === "NO") return false;
  return undefined;
};

function invalid(key: string, message: string, value?: string): Result<never, PsadError> {
  return {
    ok: false,
    error: new PsadError("PSAD_BLOCK_CONFIG_INVALID", `${key}: ${message}`, { key, value }),
  };
}

/**
 * Parse one `IPT_AUTO_CHAIN<n>` value. The old 5-field form (`DROP, src, filter, INPUT, PSAD_BLOCK_INPUT`) sets
 * both positions to 1, as psad does.
 * @param value - the config value, e.g. `DROP, src, filter, INPUT, 1, PSAD_BLOCK_INPUT, 1`
 * @param key - key name for error details
 * @returns the spec, or PSAD_BLOCK_CONFIG_INVALID
 * @example parseAutoChain("DROP, both, filter, FORWARD, 1, PSAD_BLOCK_FORWARD, 1")
 */
export function parseAutoChain(value: string, key = "IPT_AUTO_CHAIN"): Result<AutoChainSpec, PsadError> {
  const f = value.split(/\s*,\s*/).map((s) => s.trim());
  const full = f.length === 5 ? [f[0], f[1], f[2], f[3], "1", f[4], "1"] : f;
  const r = chainSchema.safeParse(full);
  if (!r.success) {
    const issue = r.error.issues[0];
    return invalid(key, `${issue ? `field ${Number(issue.path[0] ?? 0) + 1}: ${issue.message}` : "bad value"}`, value);
  }
  const [target, direction, table, fromChain, jumpPosition, toChain, rulePosition] = r.data;
  if (fromChain === toChain) return invalid(key, "from_chain and to_chain must differ", value);
  return { ok: true, value: { target, direction, table, fromChain, jumpPosition, toChain, rulePosition } };
}

/**
 * Read the auto-blocking keys of a validated psad config: ENABLE_AUTO_IDS, AUTO_IDS_DANGER_LEVEL,
 * AUTO_BLOCK_TIMEOUT, AUTO_BLOCK_DL1..5_TIMEOUT, ENABLE_AUTO_IDS_REGEX/AUTO_BLOCK_REGEX, IPTABLES_BLOCK_METHOD,
 * IPT_AUTO_CHAIN1..n (read until the first missing number, as psad does), FLUSH_IPT_AT_INIT,
 * IPTABLES_PREREQ_CHECK and AUTO_BLOCK_IPT_FILE. auto_dl entries with DL 0 for every protocol become never-block
 * networks.
 * @param config - from `parsePsadConfig`
 * @param autoDl - the parsed auto_dl entries (`setup.autoDl`), optional
 * @returns the settings, or PSAD_BLOCK_CONFIG_INVALID (details: key, value)
 * @example
 * const ab = parseAutoBlockConfig(setup.config, setup.autoDl);
 * if (!ab.ok) throw ab.error;
 */
export function parseAutoBlockConfig(
  config: PsadConfig,
  autoDl: readonly AutoDlEntry[] = [],
): Result<AutoBlockConfig, PsadError> {
  const raw = config.raw;
  const chains: AutoChainSpec[] = [];
  for (let n = 1; raw[`IPT_AUTO_CHAIN${n}`] !== undefined; n++) {
    const r = parseAutoChain(raw[`IPT_AUTO_CHAIN${n}`] as string, `IPT_AUTO_CHAIN${n}`);
    if (!r.ok) return r;
    chains.push(r.value);
  }
  if (chains.length === 0)
    for (const v of DEFAULT_AUTO_CHAINS) {
      const r = parseAutoChain(v);
      if (r.ok) chains.push(r.value);
    }
  const iptablesMethod = yn(raw.IPTABLES_BLOCK_METHOD, true);
  if (iptablesMethod === undefined)
    return invalid("IPTABLES_BLOCK_METHOD", "must be Y or N", raw.IPTABLES_BLOCK_METHOD);
  const flushAtInit = yn(raw.FLUSH_IPT_AT_INIT, true);
  if (flushAtInit === undefined) return invalid("FLUSH_IPT_AT_INIT", "must be Y or N", raw.FLUSH_IPT_AT_INIT);
  const prereqRaw = raw.IPTABLES_PREREQ_CHECK ?? "1";
  if (!/^\d+$/.test(prereqRaw) || Number(prereqRaw) < 1)
    return invalid("IPTABLES_PREREQ_CHECK", "must be a positive integer", prereqRaw);
  let regex: RegExp | undefined;
  if (config.ENABLE_AUTO_IDS_REGEX && config.AUTO_BLOCK_REGEX !== "NONE") {
    try {
      regex = new RegExp(config.AUTO_BLOCK_REGEX);
    } catch {
      return invalid("AUTO_BLOCK_REGEX", "invalid regular expression", config.AUTO_BLOCK_REGEX);
    }
  }
  const ignoreNets = autoDl.filter((e) => e.dl === 0 && !e.protos).map((e) => e.net);
  return {
    ok: true,
    value: {
      enabled: config.ENABLE_AUTO_IDS,
      dangerLevel: config.AUTO_IDS_DANGER_LEVEL,
      defaultTimeout: config.AUTO_BLOCK_TIMEOUT,
      timeouts: [
        0,
        config.AUTO_BLOCK_DL1_TIMEOUT,
        config.AUTO_BLOCK_DL2_TIMEOUT,
        config.AUTO_BLOCK_DL3_TIMEOUT,
        config.AUTO_BLOCK_DL4_TIMEOUT,
        config.AUTO_BLOCK_DL5_TIMEOUT,
      ],
      regex,
      iptablesMethod,
      chains,
      flushAtInit,
      prereqCheck: Number(prereqRaw),
      iptFile: raw.AUTO_BLOCK_IPT_FILE ?? `${raw.PSAD_DIR ?? "/var/log/psad"}/auto_blocked_iptables`,
      ignoreNets,
    },
  };
}
