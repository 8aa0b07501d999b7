import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type PsadConfig, parsePsadConfig } from "./config.ts";
import { PsadError } from "./errors.ts";
import { buildDetectorSetup, type DetectorOptions, type DetectorSetup, type PsadDataFiles } from "./setup.ts";

async function readOpt(path: string | undefined): Promise<string | undefined> {
  if (!path) return undefined;
  try {
    return await readFile(path, "latin1");
  } catch {
    return undefined;
  }
}

/**
 * Read and validate psad.conf plus `-O` override files (thin IO over {@link parsePsadConfig}).
 * @example
 * const config = await loadPsadConfig("/etc/psad/psad.conf", ["/etc/psad/local.conf"]);
 * @throws {PsadError} PSAD_CONFIG_INVALID when a file cannot be read or a value is invalid.
 */
export async function loadPsadConfig(configFile: string, overrideFiles: readonly string[] = []): Promise<PsadConfig> {
  const read = async (f: string) => {
    try {
      return await readFile(f, "utf8");
    } catch (e) {
      throw new PsadError("PSAD_CONFIG_INVALID", `cannot read ${f}`, { file: f }, { cause: e });
    }
  };
  const overrides = [];
  for (const f of overrideFiles) overrides.push({ text: await read(f), file: f });
  const r = parsePsadConfig(await read(configFile), { file: configFile, overrides });
  if (!r.ok) throw r.error;
  return r.value;
}

/** Paths of psad's data files; unset entries come from the config keys (SIGS_FILE, P0F_FILE …) or `dataDir`. */
export interface DataFilePaths {
  dataDir?: string;
  signatures?: string;
  autoDl?: string;
  snortRulesDirs?: string[];
}

/** Read psad's data files named by the config (missing files are simply absent). */
export async function loadPsadDataFiles(config: PsadConfig, paths: DataFilePaths = {}): Promise<PsadDataFiles> {
  const raw = config.raw;
  const pick = (key: string, name: string) => (paths.dataDir ? join(paths.dataDir, name) : raw[key]);
  const snortRules: string[] = [];
  const dirs =
    paths.snortRulesDirs ??
    [paths.dataDir ? join(paths.dataDir, "snort_rules") : raw.SNORT_RULES_DIR, raw.FWSNORT_RULES_DIR].filter(
      (d): d is string => typeof d === "string",
    );
  for (const d of dirs) {
    let names: string[] = [];
    try {
      names = (await readdir(d)).filter((n) => n.endsWith(".rules")).sort();
    } catch {
      continue;
    }
    for (const n of names) {
      const t = await readOpt(join(d, n));
      if (t) snortRules.push(t);
    }
  }
  const files: PsadDataFiles = { snortRules };
  const set = async <K extends keyof PsadDataFiles>(k: K, p: string | undefined) => {
    const t = await readOpt(p);
    if (t !== undefined) (files as Record<string, unknown>)[k] = t;
  };
  await set("signatures", paths.signatures ?? pick("SIGS_FILE", "signatures"));
  await set("autoDl", paths.autoDl ?? pick("AUTO_DL_FILE", "auto_dl"));
  await set("icmpTypes", pick("ICMP_TYPES_FILE", "icmp_types"));
  await set("icmp6Types", pick("ICMP6_TYPES_FILE", "icmp6_types"));
  await set("ipOptions", pick("IP_OPTS_FILE", "ip_options"));
  await set("posf", pick("POSF_FILE", "posf"));
  await set("pfOs", pick("P0F_FILE", "pf.os"));
  await set("protocols", pick("PROTOCOLS_FILE", "protocols"));
  await set("snortRuleDl", pick("SNORT_RULE_DL_FILE", "snort_rule_dl"));
  return files;
}

/** Load config, overrides and data files and compile them (what `fwkit psad -c … -O …` needs). */
export async function loadDetectorSetup(args: {
  configFile: string;
  overrideFiles?: readonly string[];
  paths?: DataFilePaths;
  options?: DetectorOptions;
}): Promise<DetectorSetup> {
  const config = await loadPsadConfig(args.configFile, args.overrideFiles ?? []);
  const files = await loadPsadDataFiles(config, args.paths ?? {});
  return buildDetectorSetup(config, files, args.options ?? {});
}
