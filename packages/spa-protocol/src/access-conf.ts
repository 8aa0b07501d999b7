import ipaddr from "ipaddr.js";
import { z } from "zod";
import { b64Decode } from "./base64.ts";
import { lexConf, parseYesNo } from "./conf-lines.ts";
import { parseDigestType } from "./digest.ts";
import { SpaError } from "./errors.ts";
import { type ProtoPort, parseProtoPort } from "./message.ts";
import { parseEncryptionMode } from "./rijndael.ts";
import type { Diagnostic, DigestType, EncryptionMode } from "./types.ts";

/** A parsed address list (`SOURCE` / `DESTINATION`): ANY or CIDRs (bare IPs are /32 or /128). */
export type AddressList = "ANY" | Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;

/** One validated access.conf stanza. Contains key material: never log it. */
export interface AccessStanza {
  /** 1-based stanza number as fwknopd logs it (`(stanza #N)`). */
  index: number;
  file?: string;
  line: number;
  source: AddressList;
  /** Raw SOURCE text (for logs). */
  sourceText: string;
  destination: AddressList;
  openPorts?: ProtoPort[];
  restrictPorts?: ProtoPort[];
  key?: Buffer;
  hmacKey?: Buffer;
  hmacDigestType: DigestType;
  encryptionMode: EncryptionMode;
  fwAccessTimeout: number;
  maxFwTimeout: number;
  requireUsername?: string;
  requireSourceAddress: boolean;
  enableCmdExec: boolean;
  enableCmdSudoExec: boolean;
  cmdSudoExecUser?: string;
  cmdSudoExecGroup?: string;
  cmdExecUser?: string;
  cmdExecGroup?: string;
  cmdCycleOpen?: string;
  cmdCycleClose?: string;
  cmdCycleTimer?: number;
  /** Expiry as Unix seconds (ACCESS_EXPIRE is taken as 00:00 UTC of that day). */
  accessExpire?: number;
  forceNat?: { ip: string; port: number };
  forceSnat?: string;
  forceMasquerade: boolean;
  disableDnat: boolean;
  forwardAll: boolean;
  gpgDecryptId?: string;
  gpgDecryptPw?: string;
  gpgAllowNoPw: boolean;
  gpgRequireSig: boolean;
  gpgDisableSig: boolean;
  gpgIgnoreSigVerifyError: boolean;
  gpgRemoteId?: string[];
  gpgFingerprintId?: string[];
  gpgHomeDir?: string;
  gpgExe?: string;
}

/** Every stanza key fwknopd 2.6.10 understands. */
export const ACCESS_KEYS: readonly string[] = [
  "SOURCE",
  "DESTINATION",
  "OPEN_PORTS",
  "RESTRICT_PORTS",
  "KEY",
  "KEY_BASE64",
  "HMAC_KEY",
  "HMAC_KEY_BASE64",
  "HMAC_DIGEST_TYPE",
  "ENCRYPTION_MODE",
  "FW_ACCESS_TIMEOUT",
  "MAX_FW_TIMEOUT",
  "REQUIRE_USERNAME",
  "REQUIRE_SOURCE_ADDRESS",
  "REQUIRE_SOURCE",
  "ENABLE_CMD_EXEC",
  "ENABLE_CMD_SUDO_EXEC",
  "CMD_SUDO_EXEC_USER",
  "CMD_SUDO_EXEC_GROUP",
  "CMD_EXEC_USER",
  "CMD_EXEC_GROUP",
  "CMD_CYCLE_OPEN",
  "CMD_CYCLE_CLOSE",
  "CMD_CYCLE_TIMER",
  "ACCESS_EXPIRE",
  "ACCESS_EXPIRE_EPOCH",
  "FORCE_NAT",
  "FORCE_SNAT",
  "FORCE_MASQUERADE",
  "DISABLE_DNAT",
  "FORWARD_ALL",
  "GPG_DECRYPT_ID",
  "GPG_DECRYPT_PW",
  "GPG_ALLOW_NO_PW",
  "GPG_REQUIRE_SIG",
  "GPG_DISABLE_SIG",
  "GPG_IGNORE_SIG_VERIFY_ERROR",
  "GPG_REMOTE_ID",
  "GPG_FINGERPRINT_ID",
  "GPG_HOME_DIR",
  "GPG_EXE",
];

const KEY_LINES = new Set(["KEY", "KEY_BASE64", "HMAC_KEY", "HMAC_KEY_BASE64", "GPG_DECRYPT_ID", "GPG_DECRYPT_PW"]);

/**
 * Parse `SOURCE`/`DESTINATION` text: `ANY` or a comma list of IPv4/IPv6 addresses and CIDRs.
 * @returns the list, or undefined when any element is invalid
 */
export function parseAddressList(text: string): AddressList | undefined {
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0) return undefined;
  if (items.some((s) => s.toUpperCase() === "ANY")) return "ANY";
  const out: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [];
  for (const it of items) {
    try {
      if (it.includes("/")) {
        const [addr, bits] = it.split("/") as [string, string];
        if (!/^\d{1,3}$/.test(bits)) return undefined;
        const a = ipaddr.parse(addr);
        const n = Number(bits);
        if (n > (a.kind() === "ipv4" ? 32 : 128)) return undefined;
        if (a.kind() === "ipv4" && !ipaddr.IPv4.isValidFourPartDecimal(addr)) return undefined;
        out.push([a, n]);
      } else {
        if (ipaddr.IPv4.isValid(it) && !ipaddr.IPv4.isValidFourPartDecimal(it)) return undefined;
        const a = ipaddr.parse(it);
        out.push([a, a.kind() === "ipv4" ? 32 : 128]);
      }
    } catch {
      return undefined;
    }
  }
  return out;
}

/** True when `ip` (textual) is inside the address list. */
export function addressListMatches(list: AddressList, ip: string): boolean {
  if (list === "ANY") return true;
  let a: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    a = ipaddr.process(ip);
  } catch {
    return false;
  }
  for (const [net, bits] of list) {
    if (net.kind() !== a.kind()) continue;
    if ((a as ipaddr.IPv4).match(net as ipaddr.IPv4, bits)) return true;
  }
  return false;
}

/** Parse `proto/port, proto/port` (OPEN_PORTS / RESTRICT_PORTS). */
export function parsePortList(text: string): ProtoPort[] | undefined {
  const out: ProtoPort[] = [];
  for (const s of text.split(",").map((x) => x.trim())) {
    if (s === "") continue;
    const pp = parseProtoPort(s.toLowerCase());
    if (!pp) return undefined;
    out.push(pp);
  }
  return out.length ? out : undefined;
}

/** ACCESS_EXPIRE `MM/DD/YYYY` → Unix seconds at 00:00 UTC; undefined when malformed. */
export function parseAccessExpire(text: string): number | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{1,4})$/.exec(text.trim());
  if (!m) return undefined;
  const [mo, d, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  const dt = new Date(0);
  dt.setUTCFullYear(y, mo - 1, d);
  return Math.floor(dt.getTime() / 1000);
}

const yn = (def: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return def;
      const b = parseYesNo(v);
      if (b === undefined) ctx.addIssue({ code: "custom", message: "expected Y or N" });
      return b ?? def;
    });
const posInt = z.coerce.number().int().min(1).max(2147483647);
const key64 = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined) return undefined;
    const b = b64Decode(v);
    if (!b || b.length === 0) ctx.addIssue({ code: "custom", message: "not valid base64" });
    return b;
  });
const idList = z
  .string()
  .optional()
  .transform((v) =>
    v
      ?.split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );

const stanzaSchema = z.object({
  SOURCE: z.string().transform((v, ctx) => {
    const l = parseAddressList(v);
    if (!l) ctx.addIssue({ code: "custom", message: "invalid SOURCE" });
    return l ?? "ANY";
  }),
  DESTINATION: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return "ANY" as const;
      const l = parseAddressList(v);
      if (!l) ctx.addIssue({ code: "custom", message: "invalid DESTINATION" });
      return l ?? "ANY";
    }),
  OPEN_PORTS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const l = parsePortList(v);
      if (!l) ctx.addIssue({ code: "custom", message: "invalid proto/port list" });
      return l;
    }),
  RESTRICT_PORTS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const l = parsePortList(v);
      if (!l) ctx.addIssue({ code: "custom", message: "invalid proto/port list" });
      return l;
    }),
  KEY: z.string().min(1).optional(),
  KEY_BASE64: key64,
  HMAC_KEY: z.string().min(1).optional(),
  HMAC_KEY_BASE64: key64,
  HMAC_DIGEST_TYPE: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return "sha256" as DigestType;
      const d = parseDigestType(v);
      if (!d) ctx.addIssue({ code: "custom", message: `unknown HMAC digest type ${v}` });
      return d ?? "sha256";
    }),
  ENCRYPTION_MODE: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return "CBC" as EncryptionMode;
      const m = parseEncryptionMode(v);
      if (!m) ctx.addIssue({ code: "custom", message: `unsupported encryption mode ${v}` });
      return m ?? "CBC";
    }),
  FW_ACCESS_TIMEOUT: posInt.optional(),
  MAX_FW_TIMEOUT: posInt.optional(),
  REQUIRE_USERNAME: z.string().min(1).optional(),
  REQUIRE_SOURCE_ADDRESS: yn(false),
  ENABLE_CMD_EXEC: yn(false),
  ENABLE_CMD_SUDO_EXEC: yn(false),
  CMD_SUDO_EXEC_USER: z.string().min(1).optional(),
  CMD_SUDO_EXEC_GROUP: z.string().min(1).optional(),
  CMD_EXEC_USER: z.string().min(1).optional(),
  CMD_EXEC_GROUP: z.string().min(1).optional(),
  CMD_CYCLE_OPEN: z.string().min(1).optional(),
  CMD_CYCLE_CLOSE: z.string().min(1).optional(),
  CMD_CYCLE_TIMER: posInt.optional(),
  ACCESS_EXPIRE: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const e = parseAccessExpire(v);
      if (e === undefined) ctx.addIssue({ code: "custom", message: "ACCESS_EXPIRE must be MM/DD/YYYY" });
      return e;
    }),
  ACCESS_EXPIRE_EPOCH: z.coerce.number().int().min(0).optional(),
  FORCE_NAT: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const m = /^(\S+)\s+(\d{1,5})$/.exec(v.trim());
      const p = m ? Number(m[2]) : 0;
      if (!m || !ipaddr.IPv4.isValidFourPartDecimal(m[1] as string) || p < 1 || p > 65535) {
        ctx.addIssue({ code: "custom", message: "FORCE_NAT must be '<ip> <port>'" });
        return undefined;
      }
      return { ip: m[1] as string, port: p };
    }),
  FORCE_SNAT: z
    .string()
    .optional()
    .refine((v) => v === undefined || ipaddr.IPv4.isValidFourPartDecimal(v), "FORCE_SNAT must be an IPv4 address"),
  FORCE_MASQUERADE: yn(false),
  DISABLE_DNAT: yn(false),
  FORWARD_ALL: yn(false),
  GPG_DECRYPT_ID: z.string().min(1).optional(),
  GPG_DECRYPT_PW: z.string().min(1).optional(),
  GPG_ALLOW_NO_PW: yn(false),
  GPG_REQUIRE_SIG: yn(true),
  GPG_DISABLE_SIG: yn(false),
  GPG_IGNORE_SIG_VERIFY_ERROR: yn(false),
  GPG_REMOTE_ID: idList,
  GPG_FINGERPRINT_ID: idList,
  GPG_HOME_DIR: z.string().min(1).optional(),
  GPG_EXE: z.string().min(1).optional(),
});

/** File access injected into {@link parseAccessConf} for `%include*` directives. */
export interface AccessConfIo {
  readFile(path: string): string;
  /** Names of entries in a directory (for `%include_folder`). */
  listDir(path: string): string[];
}

/** Options of {@link parseAccessConf}. */
export interface AccessConfOptions {
  file?: string;
  io?: AccessConfIo;
  /** Resolve relative include paths (default: as given). */
  resolvePath?: (p: string) => string;
}

interface RawStanza {
  file?: string;
  line: number;
  values: Record<string, string>;
  lines: Record<string, number>;
}

/**
 * Read access.conf text (and its `%include`, `%include_folder`, `%include_keys` files through `io`) into
 * validated stanzas, in file order. Bulk reader: never throws on content. Invalid stanzas are left out with an
 * error diagnostic (fwknopd would refuse to start); a key value of `__CHANGEME__` is an error.
 */
export function parseAccessConf(
  text: string,
  opts: AccessConfOptions = {},
): { stanzas: AccessStanza[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const raws: RawStanza[] = [];
  const resolve = opts.resolvePath ?? ((p: string) => p);
  const diag = (file: string | undefined, line: number, severity: "error" | "warning", message: string) =>
    diagnostics.push({ code: "SPA_CONFIG_INVALID", severity, line, message, ...(file ? { file } : {}) });
  const seen = new Set<string>();
  const read = (path: string, file: string | undefined, line: number): string | undefined => {
    if (!opts.io) {
      diag(file, line, "error", `cannot include ${path}: no file access given`);
      return undefined;
    }
    if (seen.has(path)) {
      diag(file, line, "error", `include loop on ${path}`);
      return undefined;
    }
    try {
      return opts.io.readFile(path);
    } catch (e) {
      diag(file, line, "error", `cannot read ${path}: ${(e as Error).message}`);
      return undefined;
    }
  };
  const walk = (t: string, file: string | undefined, depth: number): void => {
    if (depth > 10) {
      diag(file, 0, "error", "includes nested too deeply");
      return;
    }
    let cur: RawStanza | undefined;
    for (const l of lexConf(t)) {
      if ("section" in l) continue;
      const key = l.key.toUpperCase();
      if (key === "%INCLUDE" || key === "%INCLUDE_FOLDER") {
        const target = resolve(l.value);
        if (key === "%INCLUDE") {
          const inc = read(target, file, l.line);
          if (inc !== undefined) {
            seen.add(target);
            walk(inc, target, depth + 1);
            seen.delete(target);
          }
        } else {
          let names: string[] = [];
          try {
            names = opts.io
              ? opts.io
                  .listDir(target)
                  .filter((n) => n.endsWith(".conf"))
                  .sort()
              : [];
          } catch (e) {
            diag(file, l.line, "error", `cannot list ${target}: ${(e as Error).message}`);
          }
          for (const n of names) {
            const p = `${target.replace(/\/$/, "")}/${n}`;
            const inc = read(p, file, l.line);
            if (inc !== undefined) walk(inc, p, depth + 1);
          }
        }
        cur = undefined;
        continue;
      }
      if (key === "SOURCE") {
        cur = { line: l.line, values: {}, lines: {}, ...(file ? { file } : {}) };
        raws.push(cur);
      }
      if (!cur) {
        diag(file, l.line, "warning", `${l.key} outside of a SOURCE stanza; ignored`);
        continue;
      }
      if (key === "%INCLUDE_KEYS") {
        const target = resolve(l.value);
        const inc = read(target, file, l.line);
        if (inc !== undefined) {
          for (const kl of lexConf(inc)) {
            if ("section" in kl) continue;
            const k = kl.key.toUpperCase();
            if (KEY_LINES.has(k)) {
              cur.values[k] = kl.value;
              cur.lines[k] = l.line;
            }
          }
        }
        continue;
      }
      const canon = key === "REQUIRE_SOURCE" ? "REQUIRE_SOURCE_ADDRESS" : key;
      if (!ACCESS_KEYS.includes(key)) diag(file, l.line, "warning", `unknown access.conf key ${l.key}`);
      cur.values[canon] = l.value;
      cur.lines[canon] = l.line;
    }
  };
  if (opts.file) seen.add(opts.file);
  walk(text, opts.file, 0);

  const stanzas: AccessStanza[] = [];
  raws.forEach((raw, i) => {
    const index = i + 1;
    const err = (m: string, key?: string) =>
      diag(raw.file, key ? (raw.lines[key] ?? raw.line) : raw.line, "error", `stanza #${index}: ${m}`);
    for (const [k, v] of Object.entries(raw.values)) if (v === "__CHANGEME__") err(`${k} is __CHANGEME__`, k);
    const r = stanzaSchema.safeParse(raw.values);
    if (!r.success) {
      for (const is of r.error.issues) err(`${String(is.path[0] ?? "")}: ${is.message}`, String(is.path[0] ?? ""));
      return;
    }
    const v = r.data;
    const mode = v.ENCRYPTION_MODE;
    let key = v.KEY_BASE64 ?? (v.KEY !== undefined ? Buffer.from(v.KEY, "utf8") : undefined);
    const hmacKey = v.HMAC_KEY_BASE64 ?? (v.HMAC_KEY !== undefined ? Buffer.from(v.HMAC_KEY, "utf8") : undefined);
    let bad = false;
    if (key && mode === "legacy" && key.length > 16) {
      diag(raw.file, raw.lines.KEY ?? raw.line, "warning", `stanza #${index}: legacy mode truncates KEY to 16 bytes`);
      key = key.subarray(0, 16);
    }
    if (key && mode !== "legacy" && key.length > 32) {
      err("KEY longer than 32 bytes", "KEY");
      bad = true;
    }
    if (hmacKey && hmacKey.length > 128) {
      err("HMAC key longer than 128 bytes", "HMAC_KEY");
      bad = true;
    }
    if (key && hmacKey && key.equals(hmacKey)) {
      err("encryption key and HMAC key must differ");
      bad = true;
    }
    if (!key && !v.GPG_DECRYPT_ID) {
      err("no KEY / KEY_BASE64 / GPG_DECRYPT_ID");
      bad = true;
    }
    if (v.CMD_CYCLE_OPEN && !v.CMD_CYCLE_CLOSE) {
      err("CMD_CYCLE_OPEN requires CMD_CYCLE_CLOSE");
      bad = true;
    }
    if (v.CMD_CYCLE_OPEN && v.CMD_CYCLE_CLOSE !== "NONE" && v.CMD_CYCLE_TIMER === undefined) {
      err("CMD_CYCLE_OPEN requires CMD_CYCLE_TIMER unless CMD_CYCLE_CLOSE is NONE");
      bad = true;
    }
    if (v.GPG_DECRYPT_ID && v.GPG_REQUIRE_SIG && !v.GPG_DISABLE_SIG && !v.GPG_REMOTE_ID && !v.GPG_FINGERPRINT_ID) {
      err("GPG signatures required but neither GPG_REMOTE_ID nor GPG_FINGERPRINT_ID set");
      bad = true;
    }
    if ((v.FORCE_SNAT || v.FORCE_MASQUERADE) && !v.FORCE_NAT && !v.FORWARD_ALL) {
      err("FORCE_SNAT/FORCE_MASQUERADE requires either FORCE_NAT or FORWARD_ALL");
      bad = true;
    }
    if (!v.REQUIRE_SOURCE_ADDRESS) {
      diag(raw.file, raw.line, "warning", `stanza #${index}: REQUIRE_SOURCE_ADDRESS not enabled`);
    }
    if (bad) return;
    const s: AccessStanza = {
      index,
      line: raw.line,
      source: v.SOURCE,
      sourceText: raw.values.SOURCE ?? "",
      destination: v.DESTINATION,
      hmacDigestType: v.HMAC_DIGEST_TYPE,
      encryptionMode: mode,
      fwAccessTimeout: v.FW_ACCESS_TIMEOUT ?? 30,
      maxFwTimeout: v.MAX_FW_TIMEOUT ?? 300,
      requireSourceAddress: v.REQUIRE_SOURCE_ADDRESS,
      enableCmdExec: v.ENABLE_CMD_EXEC,
      enableCmdSudoExec: v.ENABLE_CMD_SUDO_EXEC,
      forceMasquerade: v.FORCE_MASQUERADE,
      disableDnat: v.DISABLE_DNAT,
      forwardAll: v.FORWARD_ALL,
      gpgAllowNoPw: v.GPG_ALLOW_NO_PW,
      gpgRequireSig: v.GPG_REQUIRE_SIG,
      gpgDisableSig: v.GPG_DISABLE_SIG,
      gpgIgnoreSigVerifyError: v.GPG_IGNORE_SIG_VERIFY_ERROR,
    };
    if (raw.file) s.file = raw.file;
    if (v.OPEN_PORTS) s.openPorts = v.OPEN_PORTS;
    if (v.RESTRICT_PORTS) s.restrictPorts = v.RESTRICT_PORTS;
    if (key) s.key = key;
    if (hmacKey) s.hmacKey = hmacKey;
    if (v.REQUIRE_USERNAME) s.requireUsername = v.REQUIRE_USERNAME;
    if (v.CMD_SUDO_EXEC_USER) s.cmdSudoExecUser = v.CMD_SUDO_EXEC_USER;
    if (v.CMD_SUDO_EXEC_GROUP) s.cmdSudoExecGroup = v.CMD_SUDO_EXEC_GROUP;
    if (v.CMD_EXEC_USER) s.cmdExecUser = v.CMD_EXEC_USER;
    if (v.CMD_EXEC_GROUP) s.cmdExecGroup = v.CMD_EXEC_GROUP;
    if (v.CMD_CYCLE_OPEN) s.cmdCycleOpen = v.CMD_CYCLE_OPEN;
    if (v.CMD_CYCLE_CLOSE) s.cmdCycleClose = v.CMD_CYCLE_CLOSE;
    if (v.CMD_CYCLE_TIMER !== undefined) s.cmdCycleTimer = v.CMD_CYCLE_TIMER;
    const exp = v.ACCESS_EXPIRE_EPOCH ?? v.ACCESS_EXPIRE;
    if (exp !== undefined) s.accessExpire = exp;
    if (v.FORCE_NAT) s.forceNat = v.FORCE_NAT;
    if (v.FORCE_SNAT) s.forceSnat = v.FORCE_SNAT;
    if (v.GPG_DECRYPT_ID) s.gpgDecryptId = v.GPG_DECRYPT_ID;
    if (v.GPG_DECRYPT_PW) s.gpgDecryptPw = v.GPG_DECRYPT_PW;
    if (v.GPG_REMOTE_ID) s.gpgRemoteId = v.GPG_REMOTE_ID;
    if (v.GPG_FINGERPRINT_ID) s.gpgFingerprintId = v.GPG_FINGERPRINT_ID;
    if (v.GPG_HOME_DIR) s.gpgHomeDir = v.GPG_HOME_DIR;
    if (v.GPG_EXE) s.gpgExe = v.GPG_EXE;
    stanzas.push(s);
  });
  return { stanzas, diagnostics };
}

/** Throwing form of {@link parseAccessConf}: fails like fwknopd on any error diagnostic. @throws {SpaError} SPA_CONFIG_INVALID */
export function loadAccessConf(text: string, opts: AccessConfOptions = {}): AccessStanza[] {
  const r = parseAccessConf(text, opts);
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) {
    throw new SpaError("SPA_CONFIG_INVALID", "invalid access.conf", {
      issues: errors.map((d) => `${d.file ?? ""}:${d.line}: ${d.message}`),
    });
  }
  return r.stanzas;
}
