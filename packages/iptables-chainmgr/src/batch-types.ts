import type { Family } from "@fwkit/iptables-parse";

/** Where a jump into a managed chain goes in its `from` chain. */
export interface JumpSpec {
  /** Chain that jumps (a built-in or an unmanaged user chain of the same table). */
  from: string;
  /** 1-based insert position (default 1, clamped to the end like Perl's add_jump_rule), or `"append"`. */
  position?: number | "append";
  /** Extra match argv before `-j` (e.g. `["-i", "eth0"]`); default none. */
  matches?: readonly string[];
}

/** One chain that ChainMgr owns completely: its content is replaced atomically on apply. */
export interface ManagedChain {
  table: string;
  name: string;
  /** `present` (default) or `absent` (the chain and every reference to it in its table are removed). */
  state?: "present" | "absent";
  /** Rules in order, each an argv rulespec without `-A CHAIN` (e.g. `["-s", "10.0.0.0/8", "-j", "DROP"]`). */
  rules?: readonly (readonly string[])[];
  /** Rules in other chains that jump here. Existing jumps to this chain that are not wanted are removed. */
  jumps?: readonly JumpSpec[];
}

/** The desired state of the chains ChainMgr manages (nothing else is touched). */
export interface ManagedChains {
  chains: readonly ManagedChain[];
}

/** One step of a {@link Plan}, in iptables-restore order. */
export type PlanOp =
  | { op: "declare"; chain: string }
  | { op: "append"; chain: string; rule: readonly string[] }
  | { op: "insert"; chain: string; position: number; rule: readonly string[] }
  | { op: "delete"; chain: string; rulespec: string }
  | { op: "deleteNum"; chain: string; num: number }
  | { op: "flush"; chain: string }
  | { op: "deleteChain"; chain: string };

/** The operations for one table. */
export interface PlanTable {
  table: string;
  ops: PlanOp[];
}

/** What {@link plan} returns: pure data, rendered by {@link renderRestore}, run by `ChainMgr.apply`. */
export interface Plan {
  family: Family;
  tables: PlanTable[];
  /** `table/chain` of every chain the plan manages. */
  managed: string[];
}
