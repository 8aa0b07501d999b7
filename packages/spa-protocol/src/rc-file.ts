import { z } from "zod";
import type { ClientOptions, ServerProto } from "./client.ts";
import { lexConf, parseYesNo } from "./conf-lines.ts";
import { parseDigestType } from "./digest.ts";
import { SpaError } from "./errors.ts";
import { parseEncryptionMode } from "./rijndael.ts";
import type { Diagnostic, Result } from "./types.ts";

/** One `[name]` stanza of `~/.fwknoprc`. */
export interface RcStanza {
  name: string;
  line: number;
  /** Upper-cased keys → raw values. */
  values: Record<string, string>;
}

/** Every key fwknop 2.6.10 understands in `~/.fwknoprc`. */
export const RC_KEYS: readonly string[] = [
  "SPA_SERVER",
  "SPA_SERVER_PORT",
  "SPA_SERVER_PROTO",
  "SPA_SOURCE_PORT",
  "ACCESS",
  "ALLOW_IP",
  "KEY",
  "KEY_BASE64",
  "KEY_FILE",
  "USE_HMAC",
  "HMAC_KEY",
  "HMAC_KEY_BASE64",
  "HMAC_KEY_FILE",
  "HMAC_DIGEST_TYPE",
  "DIGEST_TYPE",
  "ENCRYPTION_MODE",
  "FW_TIMEOUT",
  "SPOOF_USER",
  "SPOOF_SOURCE_IP",
  "NAT_ACCESS",
  "NAT_LOCAL",
  "NAT_PORT",
  "NAT_RAND_PORT",
  "RAND_PORT",
  "TIME_OFFSET",
  "USE_GPG",
  "USE_GPG_AGENT",
  "GPG_RECIPIENT",
  "GPG_SIGNER",
  "GPG_HOMEDIR",
  "GPG_EXE",
  "GPG_SIGNING_PW",
  "GPG_SIGNING_PW_BASE64",
  "GPG_NO_SIGNING_PW",
  "HTTP_USER_AGENT",
  "RESOLVE_URL",
  "RESOLVE_IP_HTTP",
  "RESOLVE_IP_HTTPS",
  "RESOLVE_HTTP_ONLY",
  "SERVER_RESOLVE_IPV4",
  "VERBOSE",
  "WGET_CMD",
  "NO_SAVE_ARGS",
  "NO_RC_FILE",
  "HTTP_PROXY",
  "SPA_SERVER_CMD",
];

/**
 * Read `~/.fwknoprc` text into stanzas. Never throws on bad content: unknown keys and lines outside a stanza
 * become diagnostics (`SPA_CONFIG_INVALID`).
 * @param text - file contents
 * @param file - name used in diagnostics
 */
export function parseFwknoprc(text: string, file?: string): { stanzas: RcStanza[]; diagnostics: Diagnostic[] } {
  const stanzas: RcStanza[] = [];
  const diagnostics: Diagnostic[] = [];
  let cur: RcStanza | undefined;
  const diag = (line: number, severity: "error" | "warning", message: string) =>
    diagnostics.push({ code: "SPA_CONFIG_INVALID", severity, line, message, ...(file ? { file } : {}) });
  for (const l of lexConf(text, true)) {
    if ("section" in l) {
      if (!l.section) diag(l.line, "error", "empty stanza name");
      cur = { name: l.section, line: l.line, values: {} };
      stanzas.push(cur);
      continue;
    }
    if (!cur) {
      diag(l.line, "warning", `${l.key} outside of any [stanza]; ignored`);
      continue;
    }
    const key = l.key.toUpperCase();
    if (!RC_KEYS.includes(key)) diag(l.line, "warning", `unknown rc key ${l.key}`);
    cur.values[key] = l.value;
  }
  return { stanzas, diagnostics };
}

const yn = z.string().transform((v, ctx) => {
  const b = parseYesNo(v);
  if (b === undefined) ctx.addIssue({ code: "custom", message: "expected Y or N" });
  return b ?? false;
});
const port = z.coerce.number().int().min(1).max(65535);
const digest = z.string().transform((v, ctx) => {
  const d = parseDigestType(v);
  if (!d) ctx.addIssue({ code: "custom", message: `unknown digest type ${v}` });
  return d ?? "sha256";
});

const rcSchema = z.object({
  SPA_SERVER: z.string().min(1).optional(),
  SPA_SERVER_PORT: port.optional(),
  SPA_SERVER_PROTO: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(["udp", "tcp", "http"]))
    .optional(),
  ACCESS: z.string().min(1).optional(),
  ALLOW_IP: z.string().min(1).optional(),
  KEY: z.string().min(1).optional(),
  KEY_BASE64: z.string().min(1).optional(),
  USE_HMAC: yn.optional(),
  HMAC_KEY: z.string().min(1).optional(),
  HMAC_KEY_BASE64: z.string().min(1).optional(),
  HMAC_DIGEST_TYPE: digest.optional(),
  DIGEST_TYPE: digest.optional(),
  ENCRYPTION_MODE: z
    .string()
    .transform((v, ctx) => {
      const m = parseEncryptionMode(v);
      if (!m) ctx.addIssue({ code: "custom", message: `unsupported encryption mode ${v}` });
      return m ?? "CBC";
    })
    .optional(),
  FW_TIMEOUT: z.coerce.number().int().min(0).max(65536).optional(),
  SPOOF_USER: z.string().min(1).optional(),
  NAT_ACCESS: z.string().min(1).optional(),
  NAT_LOCAL: yn.optional(),
  NAT_PORT: port.optional(),
  NAT_RAND_PORT: yn.optional(),
  RAND_PORT: yn.optional(),
  TIME_OFFSET: z.string().min(1).optional(),
  HTTP_USER_AGENT: z.string().min(1).optional(),
});

/**
 * Validate an rc stanza (zod, at the boundary) and map it to {@link ClientOptions}. `ALLOW_IP source` maps to
 * `-s`; `ALLOW_IP resolve` is not supported (no public-IP lookup) and is reported.
 * @returns a Result whose error is an SpaError with code SPA_CONFIG_INVALID and `details.issues`
 */
export function rcToClientOptions(values: Record<string, string>): Result<ClientOptions, SpaError> {
  const r = rcSchema.safeParse(values);
  if (!r.success) {
    return {
      ok: false,
      error: new SpaError("SPA_CONFIG_INVALID", z.prettifyError(r.error), {
        issues: r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`),
      }),
    };
  }
  const v = r.data;
  const o: ClientOptions = {};
  if (v.SPA_SERVER) o.destination = v.SPA_SERVER;
  if (v.SPA_SERVER_PORT) o.serverPort = v.SPA_SERVER_PORT;
  if (v.SPA_SERVER_PROTO) o.serverProto = v.SPA_SERVER_PROTO as ServerProto;
  if (v.ACCESS) o.access = v.ACCESS;
  if (v.ALLOW_IP) {
    const a = v.ALLOW_IP.toLowerCase();
    if (a === "source") o.sourceIp = true;
    else if (a === "resolve") {
      return {
        ok: false,
        error: new SpaError("SPA_CONFIG_INVALID", "ALLOW_IP resolve is not supported", { key: "ALLOW_IP" }),
      };
    } else o.allowIp = v.ALLOW_IP;
  }
  if (v.KEY) o.keyRijndael = v.KEY;
  if (v.KEY_BASE64) o.keyBase64Rijndael = v.KEY_BASE64;
  if (v.USE_HMAC !== undefined) o.useHmac = v.USE_HMAC;
  if (v.HMAC_KEY) o.keyHmac = v.HMAC_KEY;
  if (v.HMAC_KEY_BASE64) o.keyBase64Hmac = v.HMAC_KEY_BASE64;
  if (v.HMAC_DIGEST_TYPE) o.hmacDigestType = v.HMAC_DIGEST_TYPE;
  if (v.DIGEST_TYPE) o.digestType = v.DIGEST_TYPE;
  if (v.ENCRYPTION_MODE) o.encryptionMode = v.ENCRYPTION_MODE;
  if (v.FW_TIMEOUT !== undefined) o.fwTimeout = v.FW_TIMEOUT;
  if (v.SPOOF_USER) o.spoofUser = v.SPOOF_USER;
  if (v.NAT_ACCESS) o.natAccess = v.NAT_ACCESS;
  if (v.NAT_LOCAL !== undefined) o.natLocal = v.NAT_LOCAL;
  if (v.NAT_PORT) o.natPort = v.NAT_PORT;
  if (v.NAT_RAND_PORT !== undefined) o.natRandPort = v.NAT_RAND_PORT;
  if (v.RAND_PORT !== undefined) o.randPort = v.RAND_PORT;
  if (v.TIME_OFFSET) o.timeOffset = v.TIME_OFFSET;
  if (v.HTTP_USER_AGENT) o.httpUserAgent = v.HTTP_USER_AGENT;
  return { ok: true, value: o };
}

/**
 * Resolve the options of `fwknop [-n name]` from rc text: `[default]` first, then the named stanza on top
 * (command-line options should then be spread over the result by the caller).
 * @returns a Result: SPA_CONFIG_INVALID when the named stanza does not exist or a value is invalid
 */
export function resolveRcOptions(text: string, named?: string): Result<ClientOptions, SpaError> {
  const { stanzas } = parseFwknoprc(text);
  const def = stanzas.find((s) => s.name.toLowerCase() === "default");
  const values: Record<string, string> = { ...(def?.values ?? {}) };
  if (named !== undefined) {
    const st = stanzas.find((s) => s.name === named);
    if (!st)
      return { ok: false, error: new SpaError("SPA_CONFIG_INVALID", `named stanza [${named}] not found`, { named }) };
    Object.assign(values, st.values);
  }
  return rcToClientOptions(values);
}

/** rc keys written by {@link saveRcStanza} for each client option (`--save-rc-stanza`). */
const OPTION_TO_RC: Array<[keyof ClientOptions, string]> = [
  ["destination", "SPA_SERVER"],
  ["serverPort", "SPA_SERVER_PORT"],
  ["serverProto", "SPA_SERVER_PROTO"],
  ["access", "ACCESS"],
  ["allowIp", "ALLOW_IP"],
  ["keyRijndael", "KEY"],
  ["keyBase64Rijndael", "KEY_BASE64"],
  ["useHmac", "USE_HMAC"],
  ["keyHmac", "HMAC_KEY"],
  ["keyBase64Hmac", "HMAC_KEY_BASE64"],
  ["hmacDigestType", "HMAC_DIGEST_TYPE"],
  ["digestType", "DIGEST_TYPE"],
  ["encryptionMode", "ENCRYPTION_MODE"],
  ["fwTimeout", "FW_TIMEOUT"],
  ["spoofUser", "SPOOF_USER"],
  ["natAccess", "NAT_ACCESS"],
  ["natLocal", "NAT_LOCAL"],
  ["natPort", "NAT_PORT"],
  ["natRandPort", "NAT_RAND_PORT"],
  ["randPort", "RAND_PORT"],
  ["timeOffset", "TIME_OFFSET"],
  ["httpUserAgent", "HTTP_USER_AGENT"],
];

/**
 * `--save-rc-stanza`: return `rcText` with stanza `[name]` replaced (or appended) by the given options.
 * @param rcText - current rc file text ("" when none)
 */
export function saveRcStanza(rcText: string, name: string, o: ClientOptions): string {
  if (!/^[^\]\s]+$/.test(name)) throw new SpaError("SPA_INVALID_ARGUMENT", "invalid stanza name", { name });
  const body: string[] = [`[${name}]`];
  for (const [opt, key] of OPTION_TO_RC) {
    const v = o[opt];
    if (v === undefined) continue;
    const s = typeof v === "boolean" ? (v ? "Y" : "N") : String(v);
    body.push(`${key.padEnd(28)}${s}`);
  }
  if (o.sourceIp) body.push(`${"ALLOW_IP".padEnd(28)}source`);
  const lines = rcText.split("\n");
  const out: string[] = [];
  let skipping = false;
  for (const l of lines) {
    const m = /^\s*\[([^\]]*)\]/.exec(l);
    if (m) skipping = (m[1] as string).trim() === name;
    if (!skipping) out.push(l);
  }
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return `${out.join("\n")}${out.length ? "\n\n" : ""}${body.join("\n")}\n`;
}
