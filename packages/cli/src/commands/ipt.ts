/**
 * `fwkit ipt list | parse | check` — IPTables::Parse from the command line (live policy, offline files, and the
 * psad fwcheck). Composition only: the work is done by @fwkit/iptables-parse.
 */
import type { Family, ParsedPolicy, ParsedRule } from "@fwkit/iptables-parse";
import { Command, Option } from "commander";
import { z } from "zod";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";
import { readText, validateOptions } from "../options.ts";
import type { CommandResult } from "../output.ts";
import { type CommandContext, handle } from "../run.ts";

const tableNames = ["filter", "nat", "mangle", "raw", "security"] as const;

const liveSchema = z.strictObject({
  table: z.enum(tableNames).default("filter"),
  chain: z.string().min(1).max(64).optional(),
  ipv6: z.boolean().default(false),
  iptables: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

const parseSchema = z.strictObject({
  table: z.enum(tableNames).default("filter"),
  ipv6: z.boolean().default(false),
  json: z.boolean().default(false),
});

const checkSchema = z.strictObject({
  file: z.string().min(1).optional(),
  ipv6: z.boolean().default(false),
  iptables: z.string().min(1).optional(),
  chains: z
    .string()
    .regex(/^[^\s,]+(,[^\s,]+)*$/, "a comma-separated list of chain names")
    .default("INPUT,FORWARD"),
  fwSearchAll: z.enum(["Y", "N", "y", "n"]).default("Y"),
  fwMsgSearch: z.array(z.string().min(1)).default(["DROP"]),
  hostname: z.string().min(1).default("localhost"),
  json: z.boolean().default(false),
});

/** `-6` forces IPv6; without it the parser infers the family from the addresses in the file. */
function familyOption(ipv6: boolean): { family?: Family } {
  return ipv6 ? { family: "ipv6" } : {};
}

function ruleLine(r: ParsedRule): string {
  const cols = [
    String(r.rule_num).padEnd(4),
    r.target.padEnd(12),
    (r.protocol || "-").padEnd(10),
    (r.intf_in || "*").padEnd(8),
    (r.intf_out || "*").padEnd(8),
    (r.src || "-").padEnd(20),
    (r.dst || "-").padEnd(20),
  ];
  const ext = r.details.rulespec ?? r.extended;
  return `${cols.join(" ")} ${ext}`.trimEnd();
}

/** Human rendering of a parsed policy: one block per chain, one line per rule. */
export function renderPolicy(policy: ParsedPolicy, onlyChain?: string): string {
  const out: string[] = [];
  for (const table of policy.tables) {
    out.push(`# table ${table.name} (${policy.family}, from ${policy.format})`);
    for (const chain of table.chains) {
      if (onlyChain && chain.name !== onlyChain) continue;
      const head = chain.policy ? `policy ${chain.policy}` : `${chain.references ?? "user"} references`;
      out.push(`Chain ${chain.name} (${head}, ${chain.rules.length} rules)`);
      out.push(
        `${"num".padEnd(4)} ${"target".padEnd(12)} ${"prot".padEnd(10)} ${"in".padEnd(8)} ${"out".padEnd(8)} ${"source".padEnd(20)} ${"destination".padEnd(20)} rule`,
      );
      for (const r of chain.rules) out.push(ruleLine(r));
      out.push("");
    }
  }
  for (const d of policy.diagnostics) out.push(`line ${d.line}: ${d.severity} ${d.code}: ${d.message}`);
  return out.join("\n");
}

function policyData(policy: ParsedPolicy, onlyChain?: string): unknown {
  return {
    format: policy.format,
    family: policy.family,
    tables: policy.tables.map((t) => ({
      name: t.name,
      chains: t.chains.filter((c) => !onlyChain || c.name === onlyChain),
    })),
    diagnostics: policy.diagnostics,
  };
}

async function livePolicy(table: string, ipv6: boolean, iptables: string | undefined): Promise<ParsedPolicy> {
  const { IptablesParse } = await import("@fwkit/iptables-parse");
  const ipt = await IptablesParse.create({ useIpv6: ipv6, ...(iptables ? { iptables } : {}) });
  return ipt.policy(table);
}

async function listLive(rawOpts: unknown): Promise<CommandResult> {
  const opts = validateOptions(liveSchema, rawOpts);
  const policy = await livePolicy(opts.table, opts.ipv6, opts.iptables);
  if (opts.chain && !policy.tables.some((t) => t.chains.some((c) => c.name === opts.chain))) {
    throw new CliError("CLI_USAGE", `no chain ${opts.chain} in table ${opts.table}`, { chain: opts.chain });
  }
  return { data: policyData(policy, opts.chain), text: renderPolicy(policy, opts.chain) };
}

async function parseFile(io: Io, file: string, rawOpts: unknown): Promise<CommandResult> {
  const opts = validateOptions(parseSchema, rawOpts);
  const { parsePolicy } = await import("@fwkit/iptables-parse");
  const policy = parsePolicy(await readText(io, file), { ...familyOption(opts.ipv6), table: opts.table });
  const errors = policy.diagnostics.filter((d) => d.severity === "error").length;
  return {
    data: { file, ...(policyData(policy) as object) },
    text: renderPolicy(policy),
    exitCode: errors > 0 ? ExitCode.Failure : ExitCode.Ok,
  };
}

async function check(io: Io, rawOpts: unknown): Promise<CommandResult> {
  const opts = validateOptions(checkSchema, rawOpts);
  const { fwCheck, parsePolicy } = await import("@fwkit/iptables-parse");
  const policy = opts.file
    ? parsePolicy(await readText(io, opts.file), familyOption(opts.ipv6))
    : await livePolicy("filter", opts.ipv6, opts.iptables);
  const result = fwCheck(policy, {
    chains: opts.chains.split(","),
    fwSearchAll: opts.fwSearchAll.toUpperCase() === "Y",
    fwMsgSearch: opts.fwMsgSearch,
    hostname: opts.hostname,
  });
  const lines = result.chains.map((c) => `[+] Parsing ${c.chain} chain rules.`);
  lines.push(result.ok ? "[+] Firewall config looks good." : "[-] Errors found in firewall config.", "");
  return {
    data: { source: opts.file ?? "live", family: policy.family, ...result },
    text: `${lines.join("\n")}${result.report}`,
    exitCode: result.ok ? ExitCode.Ok : ExitCode.Failure,
  };
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** The `ipt` command group. */
export function iptCommand(ctx: CommandContext): Command {
  const ipt = new Command("ipt").description("read and check iptables/ip6tables policies (IPTables::Parse)");
  const json = () => new Option("--json", "print one JSON document on stdout");

  const list = new Command("list")
    .description("list the live policy of a table (needs root), parsed into IPTables::Parse rule objects")
    .option("-t, --table <table>", "table: filter, nat, mangle, raw, security", "filter")
    .option("-c, --chain <chain>", "only this chain")
    .option("-6, --ipv6", "use ip6tables")
    .option("--iptables <path>", "path of the iptables/ip6tables binary")
    .addOption(json())
    .addHelpText("after", "\nExamples:\n  sudo fwkit ipt list\n  sudo fwkit ipt list -t nat -c POSTROUTING --json\n");
  handle(list, ctx, (_args, opts) => listLive(opts));

  const parse = new Command("parse")
    .description("parse a saved policy file (iptables-save, iptables -S, or iptables [-v] -n -L [--line-numbers])")
    .argument("<file>", "policy file")
    .option("-t, --table <table>", "table name for -L listings, which do not name their table", "filter")
    .option("-6, --ipv6", "the file is an ip6tables policy")
    .addOption(json())
    .addHelpText(
      "after",
      "\nExamples:\n  fwkit ipt parse examples/sample-policy.v4.save\n  iptables -v -n -L --line-numbers | fwkit ipt parse /dev/stdin --json\n",
    );
  handle(parse, ctx, (args, opts) => parseFile(ctx.io, args[0] ?? "", opts));

  const chk = new Command("check")
    .description("check for a default LOG and DROP in INPUT and FORWARD, as psad's fwcheck does (exit 1 on problems)")
    .option("-f, --file <file>", "check a saved policy file instead of the live policy")
    .option("-6, --ipv6", "check the ip6tables policy")
    .option("--iptables <path>", "path of the iptables/ip6tables binary")
    .option("--chains <list>", "comma-separated chains to check", "INPUT,FORWARD")
    .option("--fw-search-all <Y|N>", "psad FW_SEARCH_ALL: Y = any default LOG rule will do", "Y")
    .option(
      "--fw-msg-search <regex>",
      "psad FW_MSG_SEARCH log prefix (repeatable; used with --fw-search-all N)",
      collect,
    )
    .option("--hostname <name>", "psad HOSTNAME for the report", "localhost")
    .addOption(json())
    .addHelpText(
      "after",
      "\nExamples:\n  sudo fwkit ipt check\n  fwkit ipt check -f examples/sample-policy.v6.save -6 --json\n",
    );
  handle(chk, ctx, (_args, opts) => check(ctx.io, opts));

  return ipt.addCommand(list).addCommand(parse).addCommand(chk);
}
