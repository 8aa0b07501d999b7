import { type Cidr, parseCidr } from "./cidr.ts";
import type { Diagnostic } from "./types.ts";

function dataDiag(file: string, line: number, message: string): Diagnostic {
  return {
    code: "PSAD_DATA_FILE_INVALID",
    severity: "warning",
    line,
    key: file,
    message: `${file}:${line}: ${message}`,
  };
}

function contentLines(text: string): { line: string; n: number }[] {
  const out: { line: string; n: number }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    const t = l.trim();
    if (t === "" || t.startsWith("#")) continue;
    out.push({ line: l, n: i + 1 });
  }
  return out;
}

/** One auto_dl entry. `protos` undefined means every protocol; a port list of undefined means all ports. */
export interface AutoDlEntry {
  net: Cidr;
  dl: number;
  protos: Map<string, { lo: number; hi: number }[] | undefined> | undefined;
}

/** Parse psad's auto_dl file (`<addr> <dl 0-5> [tcp|udp|icmp[/ports],…];`). Hostnames are diagnostics. */
export function parseAutoDl(text: string): { entries: AutoDlEntry[]; diagnostics: Diagnostic[] } {
  const entries: AutoDlEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const { line, n } of contentLines(text)) {
    const m = /^\s*(\S+)\s+(\d)\s*([^;]*);/.exec(line);
    if (!m) {
      diagnostics.push(dataDiag("auto_dl", n, 'expected "<addr> <dl> [criteria];"'));
      continue;
    }
    const net = parseCidr(m[1] as string);
    if (!net) {
      diagnostics.push(dataDiag("auto_dl", n, `not an IP address or network: ${m[1]} (hostnames are not resolved)`));
      continue;
    }
    const dl = Number(m[2]);
    if (dl > 5) {
      diagnostics.push(dataDiag("auto_dl", n, `danger level ${dl} out of range 0-5`));
      continue;
    }
    const crit = (m[3] as string).trim();
    let protos: AutoDlEntry["protos"];
    if (crit) {
      protos = new Map();
      for (const tok of crit.split(/[\s,]+/).filter(Boolean)) {
        const [p, ports] = tok.toLowerCase().split("/") as [string, string | undefined];
        if (!["tcp", "udp", "udplite", "icmp", "icmp6"].includes(p)) {
          diagnostics.push(dataDiag("auto_dl", n, `unknown protocol criterion ${tok}`));
          continue;
        }
        if (ports === undefined) protos.set(p, undefined);
        else {
          const list = protos.get(p) ?? [];
          const [lo, hi] = ports.split("-").map(Number) as [number, number | undefined];
          list.push({ lo, hi: hi ?? lo });
          protos.set(p, list);
        }
      }
    }
    entries.push({ net, dl, protos });
  }
  return { entries, diagnostics };
}

/** ICMP type table: type -> name and the valid codes. */
export type IcmpTypes = Map<number, { name: string; codes: Map<number, string> }>;

/** Parse psad's icmp_types / icmp6_types (type lines at column 0, indented code lines). */
export function parseIcmpTypes(text: string): { types: IcmpTypes; diagnostics: Diagnostic[] } {
  const types: IcmpTypes = new Map();
  const diagnostics: Diagnostic[] = [];
  let current: { name: string; codes: Map<number, string> } | undefined;
  for (const { line, n } of contentLines(text)) {
    const m = /^(\s*)(\d+)\s*(.*)$/.exec(line);
    if (!m) {
      diagnostics.push(dataDiag("icmp_types", n, "expected a type or code number"));
      continue;
    }
    if ((m[1] as string).length === 0) {
      current = { name: (m[3] as string).trim(), codes: new Map() };
      types.set(Number(m[2]), current);
    } else if (current) current.codes.set(Number(m[2]), (m[3] as string).trim());
    else diagnostics.push(dataDiag("icmp_types", n, "code line before any type line"));
  }
  return { types, diagnostics };
}

/** IP option table: option value -> length (-1 variable) and keyword. */
export type IpOptionTable = Map<number, { len: number; keyword: string; description: string }>;

/** Parse psad's ip_options file (`<value> <len|-1> <keyword> <description>`). */
export function parseIpOptions(text: string): { options: IpOptionTable; diagnostics: Diagnostic[] } {
  const options: IpOptionTable = new Map();
  const diagnostics: Diagnostic[] = [];
  for (const { line, n } of contentLines(text)) {
    const m = /^\s*(\d+)\s+(-?\d+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!m) {
      diagnostics.push(dataDiag("ip_options", n, "expected <value> <len> <keyword> <description>"));
      continue;
    }
    options.set(Number(m[1]), { len: Number(m[2]), keyword: m[3] as string, description: (m[4] as string).trim() });
  }
  return { options, diagnostics };
}

/** Protocol table (the `protocols` file): number -> name and description. */
export type ProtocolTable = Map<number, { name: string; description: string }>;

/** Parse psad's protocols file (`name number ALIAS # description`). */
export function parseProtocols(text: string): ProtocolTable {
  const t: ProtocolTable = new Map();
  for (const { line } of contentLines(text)) {
    const m = /^\s*(\S+)\s+(\d+)\s*(?:\S+)?\s*(?:#\s*(.*))?$/.exec(line);
    if (m && !t.has(Number(m[2]))) t.set(Number(m[2]), { name: m[1] as string, description: (m[3] ?? "").trim() });
  }
  return t;
}

/** A posf (TOS-based passive OS fingerprinting) signature. */
export interface PosfSig {
  os: string;
  numPkts: number;
  tos: number;
  len: number;
  ttl: number;
  id: "RANDOM" | "SMALLINCR";
  win: number;
}

/** Parse psad's posf file; blocks missing a field are dropped with a diagnostic. */
export function parsePosf(text: string): { sigs: PosfSig[]; diagnostics: Diagnostic[] } {
  const sigs: PosfSig[] = [];
  const diagnostics: Diagnostic[] = [];
  let cur: Record<string, string> = {};
  let start = 0;
  const flush = () => {
    if (cur.OS === undefined) return;
    const ok = ["NUMPKTS", "TOS", "LEN", "TTL", "ID", "WINDOW"].every((k) => cur[k] !== undefined);
    if (ok && (cur.ID === "RANDOM" || cur.ID === "SMALLINCR")) {
      sigs.push({
        os: cur.OS,
        numPkts: Number(cur.NUMPKTS),
        tos: Number.parseInt(cur.TOS as string, 16),
        len: Number(cur.LEN),
        ttl: Number(cur.TTL),
        id: cur.ID,
        win: Number(cur.WINDOW),
      });
    } else diagnostics.push(dataDiag("posf", start, `incomplete posf block for ${cur.OS}`));
    cur = {};
  };
  // tolerant: psad's own file has blocks like "OS  HPUX 10.x NUMPKTS 3;" and "TTL 64 ID SMALLINCR;"
  const re = /\b(OS|NUMPKTS|TOS|LEN|TTL|ID|WINDOW)\s+(.*?)\s*(?=\s(?:NUMPKTS|TOS|LEN|TTL|ID|WINDOW)\s|;|$)/g;
  for (const { line, n } of contentLines(text)) {
    for (let m = re.exec(line); m; m = re.exec(line)) {
      if (m[1] === "OS") {
        flush();
        start = n;
      }
      cur[m[1] as string] = (m[2] as string).trim();
    }
  }
  flush();
  return { sigs, diagnostics };
}

/** A p0f v1 (OpenBSD pf.os) SYN signature. */
export interface P0fSig {
  win: string;
  ttl: number;
  df: string;
  len: string;
  opts: string[];
  os: string;
}

/** Parse pf.os (`wwww:ttt:D:ss:OOO:OS…`); window fields containing T are dropped, as in psad. */
export function parsePfOs(text: string): { sigs: P0fSig[]; diagnostics: Diagnostic[] } {
  const sigs: P0fSig[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const { line, n } of contentLines(text)) {
    const m = /^(\S+?):(\d+):([01*]):([^:]+):([^:]*):\s*(.*)$/.exec(line.trim());
    if (!m) {
      diagnostics.push(dataDiag("pf.os", n, "expected wwww:ttt:D:ss:OOO:OS"));
      continue;
    }
    if ((m[1] as string).includes("T")) continue;
    const o = m[5] as string;
    sigs.push({
      win: m[1] as string,
      ttl: Number(m[2]),
      df: m[3] as string,
      len: m[4] as string,
      opts: o === "." || o === "" ? [] : o.split(","),
      os: (m[6] as string).trim(),
    });
  }
  return { sigs, diagnostics };
}

/** Parse snort_rule_dl (`<sid> <dl 0-5>`). */
export function parseSnortRuleDl(text: string): Map<number, number> {
  const m = new Map<number, number>();
  for (const { line } of contentLines(text)) {
    const r = /^\s*(\d+)\s+([0-5])\b/.exec(line);
    if (r) m.set(Number(r[1]), Number(r[2]));
  }
  return m;
}

/** What psad keeps of a Snort rule (for messages, fwsnort SIDs and alert content). */
export interface SnortRuleInfo {
  sid: number;
  msg: string;
  proto: string;
  classtype: string;
  contents: string[];
}

/**
 * Extract sid, msg, proto, classtype and contents from Snort rule files (a small scanner; the full
 * grammar lives in @fwkit/snort-rules).
 */
export function extractSnortRuleInfo(text: string): Map<number, SnortRuleInfo> {
  const out = new Map<number, SnortRuleInfo>();
  for (const { line } of contentLines(text)) {
    const t = line.trim();
    if (!/^(alert|log|pass|drop|reject|sdrop)\s/.test(t)) continue;
    const sid = /[(;\s]sid\s*:\s*(\d+)\s*;/.exec(t);
    const msg = /msg\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(t);
    if (!sid || !msg) continue;
    const proto = (t.split(/\s+/)[1] ?? "").toLowerCase();
    const ct = /classtype\s*:\s*([^;\s]+)/.exec(t);
    const contents: string[] = [];
    const re = /content\s*:\s*(!?\s*"(?:[^"\\]|\\.)*")/g;
    for (let c = re.exec(t); c; c = re.exec(t)) contents.push(c[1] as string);
    out.set(Number(sid[1]), { sid: Number(sid[1]), msg: msg[1] as string, proto, classtype: ct?.[1] ?? "", contents });
  }
  return out;
}

/** Parse Snort's classification.config into classtype -> priority. */
export function parseClassificationConfig(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const { line } of contentLines(text)) {
    const r = /^config\s+classification:\s*([^,]+),[^,]*,\s*(\d+)/.exec(line.trim());
    if (r) m.set((r[1] as string).trim(), Number(r[2]));
  }
  return m;
}
