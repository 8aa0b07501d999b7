/** fwsnort.conf (spec §3): `NAME value;` lines → a typed, validated configuration. Pure. */
import ipaddr from "ipaddr.js";
import { FwsnortError } from "./errors.ts";
import type { FwsnortWarning } from "./types.ts";

/** A blacklist entry: addresses and the action (`DROP` default, or `REJECT`). */
export interface BlacklistEntry {
  addrs: string[];
  action: "DROP" | "REJECT";
}

/** The validated contents of a fwsnort.conf. */
export interface FwsnortConfig {
  /** Every `NAME value` as written (first definition wins; `$VAR` references kept): the rule variables. */
  variables: ReadonlyMap<string, string>;
  /** Every value with `$VAR` references expanded (what fwsnort's `%config` holds). */
  expanded: ReadonlyMap<string, string>;
  homeNet: string;
  externalNet: string;
  avgIpHeaderLen: number;
  avgTcpHeaderLen: number;
  maxFrameLen: number;
  maxStringLen: number;
  /** WHITELIST addresses (all lines, in order; `NONE` lines contribute nothing). */
  whitelist: string[];
  /** BLACKLIST entries (processing stops at the first entry without an address, like fwsnort). */
  blacklist: BlacklistEntry[];
  jumpPositions: { INPUT: number; FORWARD: number; OUTPUT: number };
  /** Output and state paths (expanded). */
  paths: {
    confDir: string;
    rulesDir: string;
    logDir: string;
    libsDir: string;
    stateDir: string;
    queueRulesDir: string;
    archiveDir: string;
    logFile: string;
    script: string;
    saveExecFile: string;
    saveFile: string;
    backupSaveFile: string;
  };
  /** `xxxCmd` command paths (e.g. `iptablesCmd` → `/sbin/iptables`). */
  commands: Readonly<Record<string, string>>;
  updateRulesUrls: string[];
  /** Non-fatal notes (e.g. a whitelist entry that is not an address). */
  warnings: FwsnortWarning[];
}

/** Maximum `$VAR` expansion passes (fwsnort: 20). */
export const MAX_CONFIG_EXPANSION_PASSES = 20;

const MULTI = new Set(["WHITELIST", "BLACKLIST", "UPDATE_RULES_URL"]);

/** The values of the Debian fwsnort.conf (spec §3), used for names a config does not define. */
export const DEFAULT_FWSNORT_CONF = `HOME_NET any;
EXTERNAL_NET any;
HTTP_SERVERS $HOME_NET;
SMTP_SERVERS $HOME_NET;
DNS_SERVERS $HOME_NET;
SQL_SERVERS $HOME_NET;
TELNET_SERVERS $HOME_NET;
AIM_SERVERS [64.12.24.0/24, 64.12.25.0/24, 64.12.26.14/24, 64.12.28.0/24, 64.12.29.0/24, 64.12.161.0/24, 64.12.163.0/24, 205.188.5.0/24, 205.188.9.0/24];
SSH_PORTS 22;
HTTP_PORTS 80;
SHELLCODE_PORTS !80;
ORACLE_PORTS 1521;
UPDATE_RULES_URL http://rules.emergingthreats.net/open/snort-2.9.0/emerging-all.rules;
AVG_IP_HEADER_LEN 20;
AVG_TCP_HEADER_LEN 30;
MAX_FRAME_LEN 1500;
MAX_STRING_LEN 1024;
WHITELIST 96.43.137.99, 204.12.217.19;
BLACKLIST NONE;
FWSNORT_INPUT_JUMP 1;
FWSNORT_OUTPUT_JUMP 1;
FWSNORT_FORWARD_JUMP 1;
INSTALL_ROOT /;
CONF_DIR $INSTALL_ROOT/etc/fwsnort;
RULES_DIR $CONF_DIR/snort_rules;
LOG_DIR $INSTALL_ROOT/var/log/fwsnort;
LIBS_DIR $INSTALL_ROOT/usr/lib/fwsnort;
STATE_DIR $INSTALL_ROOT/var/lib/fwsnort;
QUEUE_RULES_DIR $STATE_DIR/snort_rules_queue;
ARCHIVE_DIR $STATE_DIR/archive;
CONF_FILE $CONF_DIR/fwsnort.conf;
LOG_FILE $LOG_DIR/fwsnort.log;
FWSNORT_SCRIPT $STATE_DIR/fwsnort_iptcmds.sh;
FWSNORT_SAVE_EXEC_FILE $STATE_DIR/fwsnort.sh;
FWSNORT_SAVE_FILE $STATE_DIR/fwsnort.save;
IPT_BACKUP_SAVE_FILE $STATE_DIR/iptables.save;
`;

interface Line {
  name: string;
  value: string;
  line: number;
}

function lex(text: string, file: string | undefined): Line[] {
  const out: Line[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = (lines[i] as string).trim();
    if (l === "" || l.startsWith("#")) continue;
    const m = /^(\S+)\s+([^;]*);/.exec(l);
    if (!m || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(m[1] as string)) {
      throw new FwsnortError("FWSNORT_CONFIG_INVALID", `${file ?? "fwsnort.conf"}:${i + 1}: expected 'NAME value;'`, {
        line: i + 1,
        file,
      });
    }
    out.push({ name: m[1] as string, value: (m[2] as string).trim(), line: i + 1 });
  }
  return out;
}

function expandAll(vars: Map<string, string>, lineOf: Map<string, number>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of vars) {
    let v = value;
    for (let pass = 0; /\$\w+/.test(v); pass++) {
      if (pass >= MAX_CONFIG_EXPANSION_PASSES) {
        throw new FwsnortError("FWSNORT_CONFIG_VARIABLE_CYCLE", `${name}: more than ${pass} nested $VAR expansions`, {
          name,
          line: lineOf.get(name),
        });
      }
      v = v.replace(/\$(\w+)/g, (_m, ref: string) => {
        if (ref === name) {
          throw new FwsnortError("FWSNORT_CONFIG_VARIABLE_CYCLE", `${name} references itself`, {
            name,
            line: lineOf.get(name),
          });
        }
        const r = vars.get(ref);
        if (r === undefined) {
          throw new FwsnortError("FWSNORT_CONFIG_UNDEFINED_VARIABLE", `${name}: undefined variable $${ref}`, {
            name,
            variable: ref,
            line: lineOf.get(name),
          });
        }
        return ref === "INSTALL_ROOT" && r === "/" ? "" : r;
      });
      if (v.length > 65536) {
        throw new FwsnortError("FWSNORT_CONFIG_VARIABLE_CYCLE", `${name}: expansion too large`, { name });
      }
    }
    out.set(name, v);
  }
  return out;
}

function validAddr(a: string): boolean {
  if (a === "any") return true;
  const slash = a.indexOf("/");
  const addr = slash < 0 ? a : a.slice(0, slash);
  if (!ipaddr.isValid(addr)) return false;
  if (slash < 0) return true;
  const m = a.slice(slash + 1);
  const bits = ipaddr.parse(addr).kind() === "ipv4" ? 32 : 128;
  if (/^\d+$/.test(m)) return Number(m) <= bits;
  return bits === 32 && ipaddr.IPv4.isValidFourPartDecimal(m);
}

function int(name: string, v: string | undefined, line: number | undefined, min = 0): number {
  if (v === undefined || !/^\d+$/.test(v) || Number(v) < min || Number(v) > 1_000_000) {
    throw new FwsnortError("FWSNORT_CONFIG_INVALID", `${name} must be an integer >= ${min}, got '${v ?? ""}'`, {
      name,
      line,
    });
  }
  return Number(v);
}

/**
 * Parse and validate a fwsnort.conf. Names the text does not define take the Debian defaults
 * ({@link DEFAULT_FWSNORT_CONF}); WHITELIST / BLACKLIST / UPDATE_RULES_URL may repeat, for other names the first
 * definition wins; `$NAME` references are expanded (max 20 passes; `$INSTALL_ROOT` = `/` expands to nothing).
 * @param text - the file contents
 * @param file - file name for messages
 * @returns the typed configuration
 * @throws {FwsnortError} FWSNORT_CONFIG_INVALID for a malformed line or value, FWSNORT_CONFIG_CHANGEME for a
 *   `_CHANGEME_` value, FWSNORT_CONFIG_VARIABLE_CYCLE / FWSNORT_CONFIG_UNDEFINED_VARIABLE for bad references
 * @example parseFwsnortConfig("HOME_NET 192.168.10.0/24;").homeNet // "192.168.10.0/24"
 */
export function parseFwsnortConfig(text: string, file?: string): FwsnortConfig {
  const given = lex(text, file);
  const defaults = lex(DEFAULT_FWSNORT_CONF, "defaults");
  const vars = new Map<string, string>();
  const lineOf = new Map<string, number>();
  const multi: Record<string, Line[]> = { WHITELIST: [], BLACKLIST: [], UPDATE_RULES_URL: [] };
  const givenNames = new Set<string>();
  for (const l of given) {
    if (l.value === "_CHANGEME_") {
      throw new FwsnortError("FWSNORT_CONFIG_CHANGEME", `${l.name} is set to _CHANGEME_ (line ${l.line})`, {
        name: l.name,
        line: l.line,
      });
    }
    givenNames.add(l.name);
    if (MULTI.has(l.name)) (multi[l.name] as Line[]).push(l);
    if (!vars.has(l.name)) {
      vars.set(l.name, l.value);
      lineOf.set(l.name, l.line);
    }
  }
  for (const l of defaults) {
    if (givenNames.has(l.name)) continue;
    if (MULTI.has(l.name)) (multi[l.name] as Line[]).push(l);
    if (!vars.has(l.name)) vars.set(l.name, l.value);
  }
  const expanded = expandAll(vars, lineOf);
  const warnings: FwsnortWarning[] = [];
  const warn = (message: string, line?: number) => {
    const w: FwsnortWarning = { code: "FWSNORT_CONFIG_WARNING", severity: "warning", message };
    if (line !== undefined) w.line = line;
    if (file !== undefined) w.file = file;
    warnings.push(w);
  };
  const xp = (v: string) => v.replace(/\$(\w+)/g, (_m, r: string) => expanded.get(r) ?? "");
  const whitelist: string[] = [];
  for (const l of multi.WHITELIST as Line[]) {
    for (const a of xp(l.value)
      .split(/[\s,]+/)
      .filter(Boolean)) {
      if (a === "NONE") continue;
      if (validAddr(a)) whitelist.push(a === "any" ? "0.0.0.0/0" : a);
      else warn(`WHITELIST: '${a}' is not an address; ignored`, l.line);
    }
  }
  const blacklist: BlacklistEntry[] = [];
  for (const l of multi.BLACKLIST as Line[]) {
    const words = xp(l.value)
      .split(/[\s,]+/)
      .filter(Boolean);
    let action: "DROP" | "REJECT" = "DROP";
    const last = words[words.length - 1];
    if (last !== undefined && /^(DROP|REJECT)$/i.test(last)) {
      action = last.toUpperCase() as "DROP" | "REJECT";
      words.pop();
    }
    const addrs = words.filter((a) => a !== "NONE" && validAddr(a)).map((a) => (a === "any" ? "0.0.0.0/0" : a));
    for (const a of words)
      if (a !== "NONE" && !validAddr(a)) warn(`BLACKLIST: '${a}' is not an address; ignored`, l.line);
    if (addrs.length === 0) break; // fwsnort stops at the first BLACKLIST line without addresses
    blacklist.push({ addrs, action });
  }
  const commands: Record<string, string> = {};
  for (const [k, v] of expanded) if (/Cmd$/.test(k)) commands[k] = v;
  const g = (n: string) => expanded.get(n) as string;
  return {
    variables: vars,
    expanded,
    homeNet: g("HOME_NET"),
    externalNet: g("EXTERNAL_NET"),
    avgIpHeaderLen: int("AVG_IP_HEADER_LEN", g("AVG_IP_HEADER_LEN"), lineOf.get("AVG_IP_HEADER_LEN")),
    avgTcpHeaderLen: int("AVG_TCP_HEADER_LEN", g("AVG_TCP_HEADER_LEN"), lineOf.get("AVG_TCP_HEADER_LEN")),
    maxFrameLen: int("MAX_FRAME_LEN", g("MAX_FRAME_LEN"), lineOf.get("MAX_FRAME_LEN"), 1),
    maxStringLen: int("MAX_STRING_LEN", g("MAX_STRING_LEN"), lineOf.get("MAX_STRING_LEN"), 1),
    whitelist,
    blacklist,
    jumpPositions: {
      INPUT: int("FWSNORT_INPUT_JUMP", g("FWSNORT_INPUT_JUMP"), lineOf.get("FWSNORT_INPUT_JUMP"), 1),
      FORWARD: int("FWSNORT_FORWARD_JUMP", g("FWSNORT_FORWARD_JUMP"), lineOf.get("FWSNORT_FORWARD_JUMP"), 1),
      OUTPUT: int("FWSNORT_OUTPUT_JUMP", g("FWSNORT_OUTPUT_JUMP"), lineOf.get("FWSNORT_OUTPUT_JUMP"), 1),
    },
    paths: {
      confDir: g("CONF_DIR"),
      rulesDir: g("RULES_DIR"),
      logDir: g("LOG_DIR"),
      libsDir: g("LIBS_DIR"),
      stateDir: g("STATE_DIR"),
      queueRulesDir: g("QUEUE_RULES_DIR"),
      archiveDir: g("ARCHIVE_DIR"),
      logFile: g("LOG_FILE"),
      script: g("FWSNORT_SCRIPT"),
      saveExecFile: g("FWSNORT_SAVE_EXEC_FILE"),
      saveFile: g("FWSNORT_SAVE_FILE"),
      backupSaveFile: g("IPT_BACKUP_SAVE_FILE"),
    },
    commands,
    updateRulesUrls: (multi.UPDATE_RULES_URL as Line[]).map((l) => xp(l.value)),
    warnings,
  };
}

/**
 * The Debian default configuration (spec §3) as a typed config.
 * @returns the config of an empty fwsnort.conf
 */
export function defaultFwsnortConfig(): FwsnortConfig {
  return parseFwsnortConfig("");
}

/**
 * {@link parseFwsnortConfig} without throwing.
 * @param text - the file contents
 * @param file - file name for messages
 * @returns `{ ok: true, value }` or `{ ok: false, error }` with a FwsnortError
 */
export function safeParseFwsnortConfig(
  text: string,
  file?: string,
): { ok: true; value: FwsnortConfig } | { ok: false; error: FwsnortError } {
  try {
    return { ok: true, value: parseFwsnortConfig(text, file) };
  } catch (e) {
    if (e instanceof FwsnortError) return { ok: false, error: e };
    return { ok: false, error: new FwsnortError("FWSNORT_CONFIG_INVALID", (e as Error).message, {}, { cause: e }) };
  }
}
