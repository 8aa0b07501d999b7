/** Property tests: parse(format(x)) deep-equals x for generated ASTs, and set semantics against a reference. */
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import {
  type AddrExpr,
  addressSet,
  formatAddressExpr,
  formatPortExpr,
  formatRule,
  type PortExpr,
  parseAddressExpr,
  parsePortExpr,
  parseRuleWithDiagnostics,
  portSet,
} from "../src/index.ts";
import { addrExpr, portExpr, ruleArb } from "./arbitraries.ts";

describe("formatRule is the inverse of parseRule", () => {
  for (const dialect of ["snort2", "snort3", "suricata"] as const) {
    test.prop([ruleArb(dialect)])(`${dialect}: parse(format(rule)) deep-equals rule`, (rule) => {
      const text = formatRule(rule);
      const back = parseRuleWithDiagnostics(text.replace(/^# /, ""), { dialect, disabled: rule.disabled });
      expect(back.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(back.rule).toEqual(rule);
    });
  }
});

describe("header expressions", () => {
  test.prop([addrExpr])("parseAddressExpr(formatAddressExpr(e)) = e (unless it contains !any)", (e) => {
    const r = parseAddressExpr(formatAddressExpr(e));
    expect(r).toEqual({ ok: true, value: e });
  });
  test.prop([portExpr])("parsePortExpr(formatPortExpr(e)) = e", (e) => {
    expect(parsePortExpr(formatPortExpr(e))).toEqual({ ok: true, value: e });
  });

  /** Reference semantics, written independently of sets.ts: membership by recursion. */
  function portMember(e: PortExpr, p: number): boolean {
    switch (e.kind) {
      case "any":
        return true;
      case "var":
        throw new Error("var");
      case "port":
        return (p === e.port) !== e.negated;
      case "range":
        return (p >= (e.min ?? 0) && p <= (e.max ?? 65535)) !== e.negated;
      case "list": {
        const pos = e.items.filter((i) => i.kind === "any" || !i.negated);
        const neg = e.items.filter((i) => i.kind !== "any" && i.negated);
        const inPos = pos.length === 0 || pos.some((i) => portMember(i, p));
        const inNeg = neg.some((i) => portMember({ ...i, negated: false } as PortExpr, p));
        return (inPos && !inNeg) !== e.negated;
      }
    }
  }
  const noVars = (e: PortExpr): boolean => e.kind !== "var" && (e.kind !== "list" || e.items.every(noVars));
  test.prop([portExpr.filter(noVars), fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 20 })])(
    "portSet agrees with membership semantics",
    (e, probes) => {
      const r = portSet(e);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      for (const p of [...probes, 0, 65535]) {
        expect(r.value.some(([lo, hi]) => lo <= p && p <= hi)).toBe(portMember(e, p));
      }
    },
  );

  const noAddrVars = (e: AddrExpr): boolean => e.kind !== "var" && (e.kind !== "list" || e.items.every(noAddrVars));
  test.prop([addrExpr.filter(noAddrVars)])("addressSet returns sorted disjoint intervals", (e) => {
    const r = addressSet(e);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    for (const fam of [r.value.v4, r.value.v6]) {
      for (let i = 0; i < fam.length; i++) {
        const [lo, hi] = fam[i] as [bigint, bigint];
        expect(lo <= hi).toBe(true);
        if (i > 0) expect((fam[i - 1] as [bigint, bigint])[1] + 1n < lo).toBe(true);
      }
    }
  });
});
