import { ChainMgrError } from "./errors.ts";
import { isDefined, type RuleExt, SEARCH_KEYS } from "./rule-ext.ts";

/** What {@link buildIptMatches} produces: argv pieces, never a shell string. */
export interface IptMatches {
  /** Match options in a fixed order: `-s -d -p -i -o --sport --dport -m mac -m state -m conntrack -m length -m string -m comment`. */
  args: string[];
  /** Target options that go after `-j TARGET` (NAT `--to-destination` / `--to-source` / `--to-ports`). */
  targetArgs: string[];
  /** Perl's second return value (always `''` with IPTables::Parse ≥ 1.2). */
  msg: string;
}

function str(v: unknown): string {
  return String(v);
}

/** `["!", opt, value]` for a negated `!value`, else `[opt, value]`. */
function neg(opt: readonly string[], value: string): string[] {
  if (value.startsWith("!")) {
    const rest = value.slice(1).trimStart();
    if (!rest) throw new ChainMgrError("CHAINMGR_BAD_RULESPEC", `[*] Empty negated value for ${opt.join(" ")}.`);
    return ["!", ...opt, rest];
  }
  if (!value) throw new ChainMgrError("CHAINMGR_BAD_RULESPEC", `[*] Empty value for ${opt.join(" ")}.`);
  return [...opt, value];
}

/** Like {@link neg} but the `!` goes between the `-m module` and the option (`-m mac ! --mac-source X`). */
function modNeg(module: readonly string[], opt: readonly string[], value: string): string[] {
  return [...module, ...neg(opt, value)];
}

function onlyOne(ext: RuleExt, a: keyof RuleExt, b: keyof RuleExt): string | undefined {
  const va = ext[a];
  const vb = ext[b];
  if (isDefined(va) && isDefined(vb) && str(va) !== str(vb)) {
    throw new ChainMgrError("CHAINMGR_BAD_RULESPEC", `[*] Conflicting values for '${a}' and '${b}'.`, {
      [a]: va,
      [b]: vb,
    });
  }
  const v = isDefined(va) ? va : vb;
  return isDefined(v) ? str(v) : undefined;
}

/** A port value counts only when "true" in Perl (`0`, `'0'` and `''` mean any port and are not emitted). */
function portValue(v: string | undefined): string | undefined {
  return v === undefined || v === "" || v === "0" ? undefined : v;
}

const NAT_TO_DESTINATION = new Set(["DNAT"]);
const NAT_TO_SOURCE = new Set(["SNAT"]);
const NAT_TO_PORTS = new Set(["REDIRECT", "MASQUERADE"]);

/**
 * IPTables::ChainMgr's `build_ipt_matches`, fixed: deterministic option order, `--sport` for `s_port`
 * (Perl's `s_dport` typo dropped it), `-d` whenever `dst` is given (Perl tested `src`), one `-p` for
 * `protocol`/`proto`, values as separate argv items (no shell quoting needed), inline `!` turned into
 * iptables negation, and NAT targets (`to_ip`/`to_port` → `--to-destination` / `--to-source` / `--to-ports`).
 * Keys that cannot become a match (`packets`, `bytes`, `target`, and `src`/`dst` inside ext that conflict
 * with the arguments) are rejected instead of producing a broken command.
 * @param ext - match keys
 * @param src - normalised source (`''` = none)
 * @param dst - normalised destination (`''` = none)
 * @param target - the rule's target, needed only for `to_ip`/`to_port`
 * @returns argv pieces
 * @throws {ChainMgrError} CHAINMGR_UNSUPPORTED_KEY for keys outside the 21 search keys or unusable for building;
 *   CHAINMGR_BAD_RULESPEC for conflicting or empty values
 * @example buildIptMatches({ protocol: "tcp", s_port: 1024, d_port: 80 }, "10.1.2.0/24", "192.168.1.2").args
 * // ["-s","10.1.2.0/24","-d","192.168.1.2","-p","tcp","--sport","1024","--dport","80"]
 */
export function buildIptMatches(ext: RuleExt, src: string, dst: string, target = ""): IptMatches {
  const e = ext as Record<string, unknown>;
  for (const k of Object.keys(e)) {
    if (k === "normalize" || !isDefined(e[k])) continue;
    if (!SEARCH_KEYS.includes(k)) {
      throw new ChainMgrError(
        "CHAINMGR_UNSUPPORTED_KEY",
        `[*] Extended hash search key '${k}' not supported by IPTables::Parse`,
        { key: k },
      );
    }
    if (k === "packets" || k === "bytes" || k === "target") {
      throw new ChainMgrError(
        "CHAINMGR_UNSUPPORTED_KEY",
        `[*] Key '${k}' can be searched for but not used to build a rule.`,
        { key: k },
      );
    }
  }
  const args: string[] = [];
  if (isDefined(ext.src) && src && str(ext.src) !== src) {
    throw new ChainMgrError("CHAINMGR_BAD_RULESPEC", "[*] Conflicting values for the source and ext 'src'.", {
      src,
      ext: ext.src,
    });
  }
  if (isDefined(ext.dst) && dst && str(ext.dst) !== dst) {
    throw new ChainMgrError("CHAINMGR_BAD_RULESPEC", "[*] Conflicting values for the destination and ext 'dst'.", {
      dst,
      ext: ext.dst,
    });
  }
  const srcV = src || (isDefined(ext.src) ? str(ext.src) : "");
  const dstV = dst || (isDefined(ext.dst) ? str(ext.dst) : "");
  if (srcV) args.push(...neg(["-s"], srcV));
  if (dstV) args.push(...neg(["-d"], dstV));
  const proto = onlyOne(ext, "protocol", "proto");
  if (proto !== undefined) args.push(...neg(["-p"], proto));
  if (isDefined(ext.intf_in)) args.push(...neg(["-i"], str(ext.intf_in)));
  if (isDefined(ext.intf_out)) args.push(...neg(["-o"], str(ext.intf_out)));
  const sport = portValue(onlyOne(ext, "s_port", "sport"));
  if (sport !== undefined) args.push(...neg(["--sport"], sport));
  const dport = portValue(onlyOne(ext, "d_port", "dport"));
  if (dport !== undefined) args.push(...neg(["--dport"], dport));
  if (isDefined(ext.mac_source)) args.push(...modNeg(["-m", "mac"], ["--mac-source"], str(ext.mac_source)));
  if (isDefined(ext.state)) args.push(...modNeg(["-m", "state"], ["--state"], str(ext.state)));
  if (isDefined(ext.ctstate)) args.push(...modNeg(["-m", "conntrack"], ["--ctstate"], str(ext.ctstate)));
  if (isDefined(ext.length)) args.push(...modNeg(["-m", "length"], ["--length"], str(ext.length)));
  if (isDefined(ext.string)) args.push(...modNeg(["-m", "string", "--algo", "bm"], ["--string"], str(ext.string)));
  if (isDefined(ext.comment)) args.push("-m", "comment", "--comment", str(ext.comment));

  const targetArgs: string[] = [];
  const toIp = isDefined(ext.to_ip) ? str(ext.to_ip) : undefined;
  const toPort = isDefined(ext.to_port) && str(ext.to_port) !== "" ? str(ext.to_port) : undefined;
  if (toIp !== undefined || toPort !== undefined) {
    if (NAT_TO_DESTINATION.has(target) || NAT_TO_SOURCE.has(target)) {
      if (toIp === undefined) {
        throw new ChainMgrError("CHAINMGR_BAD_RULESPEC", `[*] ${target} needs 'to_ip'.`, { target });
      }
      const host = toIp.includes(":") && toPort !== undefined ? `[${toIp}]` : toIp;
      const to = toPort === undefined ? host : `${host}:${toPort}`;
      targetArgs.push(NAT_TO_DESTINATION.has(target) ? "--to-destination" : "--to-source", to);
    } else if (NAT_TO_PORTS.has(target) && toIp === undefined && toPort !== undefined) {
      targetArgs.push("--to-ports", toPort);
    } else {
      throw new ChainMgrError(
        "CHAINMGR_UNSUPPORTED_KEY",
        `[*] 'to_ip'/'to_port' need a DNAT or SNAT target ('to_port' alone: REDIRECT/MASQUERADE), not '${target}'.`,
        { target },
      );
    }
  }
  return { args, targetArgs, msg: "" };
}
