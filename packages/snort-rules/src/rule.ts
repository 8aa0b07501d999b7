/** Building a {@link Rule} from header + options, keeping the derived fields in sync. */
import type { AddrExpr, Dialect, Direction, PortExpr, Reference, Rule, RuleOption } from "./types.ts";

/** Input of {@link createRule}: header fields and options; derived fields are computed. */
export interface RuleInit {
  dialect?: Dialect;
  disabled?: boolean;
  action: string;
  protocol: string;
  src?: AddrExpr;
  srcPort?: PortExpr;
  direction?: Direction;
  dst?: AddrExpr;
  dstPort?: PortExpr;
  options: RuleOption[];
}

/**
 * Build a rule and compute `sid`, `gid` (default 1), `rev`, `msg`, `classtype`, `priority`, `references` and
 * `metadata` from its options (first occurrence wins for single-valued options).
 * @param init - header and options
 * @returns the rule
 * @example
 * createRule({ action: "alert", protocol: "tcp", options: [{ kind: "sid", value: 1 }] }).gid // 1
 */
export function createRule(init: RuleInit): Rule {
  const refs: Reference[] = [];
  const rule: Rule = {
    dialect: init.dialect ?? "snort2",
    disabled: init.disabled ?? false,
    action: init.action,
    protocol: init.protocol,
    options: init.options,
    gid: 1,
    references: refs,
    metadata: [],
  };
  if (init.src) rule.src = init.src;
  if (init.srcPort) rule.srcPort = init.srcPort;
  if (init.direction) rule.direction = init.direction;
  if (init.dst) rule.dst = init.dst;
  if (init.dstPort) rule.dstPort = init.dstPort;
  let gidSeen = false;
  for (const o of init.options) {
    switch (o.kind) {
      case "sid":
        if (rule.sid === undefined) rule.sid = o.value;
        break;
      case "gid":
        if (!gidSeen) {
          rule.gid = o.value;
          gidSeen = true;
        }
        break;
      case "rev":
        if (rule.rev === undefined) rule.rev = o.value;
        break;
      case "priority":
        if (rule.priority === undefined) rule.priority = o.value;
        break;
      case "msg":
        if (rule.msg === undefined) rule.msg = o.value;
        break;
      case "classtype":
        if (rule.classtype === undefined) rule.classtype = o.value;
        break;
      case "reference":
        refs.push({ system: o.system, id: o.id });
        break;
      case "metadata":
        for (const e of o.entries) rule.metadata.push([e[0], e[1]]);
        break;
      default:
        break;
    }
  }
  return rule;
}
