import { z } from "zod";
import { PsadError } from "./errors.ts";
import type { Diagnostic, Result } from "./types.ts";

/** Keys that may appear several times (every value is kept). */
const MULTI_KEYS = new Set(["FW_MSG_SEARCH", "REPUTATION_FEED"]);

/** One psad.conf-style file after lexing (before `$VAR` expansion). */
export interface PsadConfText {
  /** First value of each key, with the 1-based line it came from. */
  values: Map<string, { value: string; line: number; file: string }>;
  /** Every value of the multi-valued keys (FW_MSG_SEARCH …). */
  multi: Map<string, string[]>;
  diagnostics: Diagnostic[];
}

/**
 * Lex psad.conf syntax: `KEY  value;` (everything after `;` is a comment, `#` lines skipped).
 * The first definition of a key wins. Never throws; bad lines become diagnostics.
 */
export function parsePsadConfText(text: string, file = "psad.conf"): PsadConfText {
  const values = new Map<string, { value: string; line: number; file: string }>();
  const multi = new Map<string, string[]>();
  const diagnostics: Diagnostic[] = [];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n] as string;
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(\S+)\s+(.*?);/.exec(line);
    if (!m) {
      diagnostics.push({
        code: "PSAD_CONFIG_INVALID",
        severity: "warning",
        line: n + 1,
        message: `${file}:${n + 1}: expected "KEY value;"`,
      });
      continue;
    }
    const key = m[1] as string;
    const value = (m[2] as string).trim();
    if (MULTI_KEYS.has(key)) {
      const arr = multi.get(key) ?? [];
      arr.push(value);
      multi.set(key, arr);
    }
    if (!values.has(key)) values.set(key, { value, line: n + 1, file });
  }
  return { values, multi, diagnostics };
}

const yn = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(["Y", "N", "YES", "NO"]))
  .transform((s) => s.startsWith("Y"));
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a non-negative integer")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
const str = z.string();

/** Defaults (psad 3.0 psad.conf) for every key the port reads. */
const DEFAULTS: Record<string, string> = {
  HOME_NET: "any",
  EXTERNAL_NET: "any",
  HOSTNAME: "_CHANGEME_",
  EMAIL_ADDRESSES: "root@localhost",
  FW_SEARCH_ALL: "Y",
  SNORT_SID_STR: "SID",
  DANGER_LEVEL1: "5",
  DANGER_LEVEL2: "15",
  DANGER_LEVEL3: "150",
  DANGER_LEVEL4: "1500",
  DANGER_LEVEL5: "10000",
  DL1_UNIQUE_HOSTS: "10",
  DL2_UNIQUE_HOSTS: "20",
  DL3_UNIQUE_HOSTS: "50",
  DL4_UNIQUE_HOSTS: "100",
  DL5_UNIQUE_HOSTS: "500",
  PORT_RANGE_SCAN_THRESHOLD: "1",
  PORT_RANGE_SWEEP_THRESHOLD: "0",
  PROTOCOL_SCAN_THRESHOLD: "5",
  CHECK_INTERVAL: "5",
  ENABLE_PERSISTENCE: "N",
  SCAN_TIMEOUT: "3600",
  MAX_SCAN_IP_PAIRS: "0",
  SHOW_ALL_SIGNATURES: "N",
  ALERTING_METHODS: "ALL",
  ALERT_ALL: "Y",
  MIN_DANGER_LEVEL: "1",
  EMAIL_ALERT_DANGER_LEVEL: "1",
  IGNORE_CONNTRACK_BUG_PKTS: "Y",
  IGNORE_PORTS: "NONE",
  IGNORE_PROTOCOLS: "NONE",
  IGNORE_INTERFACES: "NONE",
  IGNORE_LOG_PREFIXES: "NONE",
  IGNORE_KERNEL_TIMESTAMP: "Y",
  ENABLE_IPV6_DETECTION: "Y",
  EXPECT_TCP_OPTIONS: "Y",
  MAX_HOPS: "20",
  ENABLE_SNORT_SIG_STRICT: "Y",
  ENABLE_SIG_MSG_SYSLOG: "Y",
  SIG_MSG_SYSLOG_THRESHOLD: "10",
  SIG_SID_SYSLOG_THRESHOLD: "10",
  STATUS_PORTS_THRESHOLD: "20",
  STATUS_SIGS_THRESHOLD: "50",
  STATUS_IP_THRESHOLD: "25",
  ENABLE_AUTO_IDS: "N",
  AUTO_IDS_DANGER_LEVEL: "5",
  AUTO_BLOCK_TIMEOUT: "3600",
  AUTO_BLOCK_DL1_TIMEOUT: "$AUTO_BLOCK_TIMEOUT",
  AUTO_BLOCK_DL2_TIMEOUT: "$AUTO_BLOCK_TIMEOUT",
  AUTO_BLOCK_DL3_TIMEOUT: "$AUTO_BLOCK_TIMEOUT",
  AUTO_BLOCK_DL4_TIMEOUT: "$AUTO_BLOCK_TIMEOUT",
  AUTO_BLOCK_DL5_TIMEOUT: "0",
  ENABLE_AUTO_IDS_REGEX: "N",
  AUTO_BLOCK_REGEX: "ESTAB",
  ENABLE_MAC_ADDR_REPORTING: "N",
  DSHIELD_USER_ID: "0",
  DSHIELD_DL_THRESHOLD: "0",
  ENABLE_CUSTOM_SYSLOG_TS_RE: "N",
  SYSLOG_IDENTITY: "psad",
  SYSLOG_FACILITY: "LOG_LOCAL7",
  SYSLOG_PRIORITY: "LOG_INFO",
};

const schema = z.object({
  HOME_NET: str,
  EXTERNAL_NET: str,
  HOSTNAME: str,
  EMAIL_ADDRESSES: str.refine((s) => s.includes("@"), "must contain an e-mail address"),
  FW_SEARCH_ALL: yn,
  SNORT_SID_STR: str.min(1),
  DANGER_LEVEL1: int(0, 1e9),
  DANGER_LEVEL2: int(0, 1e9),
  DANGER_LEVEL3: int(0, 1e9),
  DANGER_LEVEL4: int(0, 1e9),
  DANGER_LEVEL5: int(0, 1e9),
  DL1_UNIQUE_HOSTS: int(0, 1e9),
  DL2_UNIQUE_HOSTS: int(0, 1e9),
  DL3_UNIQUE_HOSTS: int(0, 1e9),
  DL4_UNIQUE_HOSTS: int(0, 1e9),
  DL5_UNIQUE_HOSTS: int(0, 1e9),
  PORT_RANGE_SCAN_THRESHOLD: int(0, 65535),
  PORT_RANGE_SWEEP_THRESHOLD: int(0, 65535),
  PROTOCOL_SCAN_THRESHOLD: int(0, 256),
  CHECK_INTERVAL: int(1, 86400),
  ENABLE_PERSISTENCE: yn,
  SCAN_TIMEOUT: int(1, 1e9),
  MAX_SCAN_IP_PAIRS: int(0, 1e9),
  SHOW_ALL_SIGNATURES: yn,
  ALERTING_METHODS: str,
  ALERT_ALL: yn,
  MIN_DANGER_LEVEL: int(0, 5),
  EMAIL_ALERT_DANGER_LEVEL: int(0, 5),
  IGNORE_CONNTRACK_BUG_PKTS: yn,
  IGNORE_PORTS: str,
  IGNORE_PROTOCOLS: str,
  IGNORE_INTERFACES: str,
  IGNORE_LOG_PREFIXES: str,
  IGNORE_KERNEL_TIMESTAMP: yn,
  ENABLE_IPV6_DETECTION: yn,
  EXPECT_TCP_OPTIONS: yn,
  MAX_HOPS: int(0, 255),
  ENABLE_SNORT_SIG_STRICT: yn,
  ENABLE_SIG_MSG_SYSLOG: yn,
  SIG_MSG_SYSLOG_THRESHOLD: int(0, 1e6),
  SIG_SID_SYSLOG_THRESHOLD: int(0, 1e6),
  STATUS_PORTS_THRESHOLD: int(0, 1e6),
  STATUS_SIGS_THRESHOLD: int(0, 1e6),
  STATUS_IP_THRESHOLD: int(0, 1e6),
  ENABLE_AUTO_IDS: yn,
  AUTO_IDS_DANGER_LEVEL: int(1, 5),
  AUTO_BLOCK_TIMEOUT: int(0, 1e9),
  AUTO_BLOCK_DL1_TIMEOUT: int(0, 1e9),
  AUTO_BLOCK_DL2_TIMEOUT: int(0, 1e9),
  AUTO_BLOCK_DL3_TIMEOUT: int(0, 1e9),
  AUTO_BLOCK_DL4_TIMEOUT: int(0, 1e9),
  AUTO_BLOCK_DL5_TIMEOUT: int(0, 1e9),
  ENABLE_AUTO_IDS_REGEX: yn,
  AUTO_BLOCK_REGEX: str,
  ENABLE_MAC_ADDR_REPORTING: yn,
  DSHIELD_USER_ID: int(0, 1e12),
  DSHIELD_DL_THRESHOLD: int(0, 5),
  ENABLE_CUSTOM_SYSLOG_TS_RE: yn,
  SYSLOG_IDENTITY: str,
  SYSLOG_FACILITY: z.string().regex(/^LOG_LOCAL[0-7]$/, "must be LOG_LOCAL0..7"),
  SYSLOG_PRIORITY: z.enum([
    "LOG_EMERG",
    "LOG_ALERT",
    "LOG_CRIT",
    "LOG_ERR",
    "LOG_WARNING",
    "LOG_NOTICE",
    "LOG_INFO",
    "LOG_DEBUG",
  ]),
});

type Parsed = z.output<typeof schema>;

/** Validated psad configuration: typed values of the keys the port honours, plus every raw value. */
export interface PsadConfig extends Parsed {
  /** All values of FW_MSG_SEARCH (psad reads it multi-valued). */
  FW_MSG_SEARCH: string[];
  /** Every key after `$VAR` expansion (including keys the port does not interpret). */
  raw: Record<string, string>;
}

const VAR_RE = /\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * Merge and validate psad.conf text.
 * @example
 * const r = parsePsadConfig(readFileSync("/etc/psad/psad.conf", "utf8"), { overrides: [{ text: "DANGER_LEVEL1 3;" }] });
 * if (!r.ok) throw r.error; // PsadError PSAD_CONFIG_INVALID, details { key, file, line, issues } `overrides` (psad's `-O` files) are read first, and the first
 * definition of a key wins, as in psad. `$VAR` references are expanded (20 rounds at most).
 * Returns PSAD_CONFIG_INVALID (with key, file and line in `details`) or PSAD_CONFIG_VAR_UNDEFINED.
 */
export function parsePsadConfig(
  text: string,
  options: { file?: string; overrides?: { text: string; file?: string }[] } = {},
): Result<PsadConfig, PsadError> {
  const sources = [...(options.overrides ?? []), { text, file: options.file ?? "psad.conf" }];
  const merged = new Map<string, { value: string; line: number; file: string }>();
  const multi = new Map<string, string[]>();
  for (const s of sources) {
    const lexed = parsePsadConfText(s.text, s.file ?? "override.conf");
    for (const [k, v] of lexed.values) if (!merged.has(k)) merged.set(k, v);
    for (const [k, vs] of lexed.multi) if (!multi.has(k)) multi.set(k, vs);
  }
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(DEFAULTS)) raw[k] = v;
  for (const [k, v] of merged) raw[k] = v.value;
  // $VAR expansion
  for (const key of Object.keys(raw)) {
    let val = raw[key] as string;
    for (let round = 0; round < 20 && val.includes("$"); round++) {
      let undefinedVar: string | undefined;
      const next = val.replace(VAR_RE, (whole, name: string) => {
        if (name === key) {
          undefinedVar = name;
          return whole;
        }
        const sub = raw[name];
        if (sub === undefined) {
          // signature variables like $HOME_NET inside SHELLCODE_PORTS etc. are fine; unknown ones are left
          return whole;
        }
        return name === "INSTALL_ROOT" && sub === "/" ? "" : sub;
      });
      if (undefinedVar) {
        const at = merged.get(key);
        return {
          ok: false,
          error: new PsadError("PSAD_CONFIG_VAR_UNDEFINED", `${key} refers to itself`, {
            key,
            file: at?.file,
            line: at?.line,
          }),
        };
      }
      if (next === val) break;
      val = next;
    }
    raw[key] = val;
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => {
      const key = String(i.path[0] ?? "");
      const at = merged.get(key);
      return { key, file: at?.file, line: at?.line, value: raw[key], message: i.message };
    });
    const first = issues[0];
    return {
      ok: false,
      error: new PsadError(
        "PSAD_CONFIG_INVALID",
        `invalid psad config: ${issues.map((i) => `${i.key}${i.line ? ` (${i.file}:${i.line})` : ""}: ${i.message}`).join("; ")}`,
        { key: first?.key, line: first?.line, file: first?.file, issues },
      ),
    };
  }
  return { ok: true, value: { ...r.data, FW_MSG_SEARCH: multi.get("FW_MSG_SEARCH") ?? ["DROP"], raw } };
}

/** The built-in default configuration (psad 3.0 defaults). */
export function defaultPsadConfig(): PsadConfig {
  const r = parsePsadConfig("");
  if (!r.ok) throw r.error;
  return r.value;
}
