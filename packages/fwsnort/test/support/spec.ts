/** Golden data recorded in the fwsnort spec (§15 G01–G20, §15.1, §15.2, Appendix A), read from the markdown. */
import { readFileSync } from "node:fs";
import { specPath } from "@fwkit/test-utils";

/** One golden example: the rule and the exact save lines (without trailing blanks). */
export interface Golden {
  id: string;
  sid: number;
  rule: string;
  lines: string[];
}

/** The spec text, or undefined when the spec is not next to the repo. */
export function specText(): string | undefined {
  const p = specPath("fwsnort.md");
  return p ? readFileSync(p, "utf8") : undefined;
}

function blocks(s: string): string[] {
  const out: string[] = [];
  const re = /```text\n([\s\S]*?)```/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(m[1] as string);
  return out;
}

/** G01–G20 of spec §15. */
export function goldens(spec: string): Golden[] {
  const out: Golden[] = [];
  const parts = spec.split(/^#### /m).slice(1);
  for (const p of parts) {
    const h = /^(G\d+) — sid (\d+)/.exec(p);
    if (!h) continue;
    const [rule, lines] = blocks(p.split(/^###? /m)[0] as string);
    out.push({
      id: h[1] as string,
      sid: Number(h[2]),
      rule: (rule as string).trim(),
      lines: (lines as string)
        .split("\n")
        .filter(Boolean)
        .map((l) => l.trimEnd()),
    });
  }
  return out;
}

/** The §15.1 bullet examples (FORWARD lines only). */
export function synthExamples(spec: string): Golden[] {
  const start = spec.indexOf("### 15.1");
  const end = spec.indexOf("### 15.2");
  const sec = spec.slice(start, end);
  const bs = blocks(sec);
  const out: Golden[] = [];
  for (let i = 0; i + 1 < bs.length; i += 2) {
    const rule = (bs[i] as string).trim();
    const sid = Number(/sid:(\d+)/.exec(rule)?.[1]);
    out.push({
      id: `S${sid}`,
      sid,
      rule,
      lines: (bs[i + 1] as string)
        .split("\n")
        .filter(Boolean)
        .map((l) => l.trimEnd()),
    });
  }
  return out;
}

/** An Appendix A input file (`synth.rules`, `mini.rules`, …) by name. */
export function appendixFile(spec: string, name: string): string {
  const i = spec.indexOf(`\`${name}\``, spec.indexOf("## Appendix A"));
  const b = /```text\n([\s\S]*?)```/.exec(spec.slice(i));
  return b ? (b[1] as string) : "";
}

/** The §15.2 table rows: option → emitted text (with `\|` unescaped). */
export function modeRows(spec: string): Map<string, string> {
  const sec = spec.slice(spec.indexOf("### 15.2"), spec.indexOf("## 16."));
  const out = new Map<string, string>();
  for (const l of sec.split("\n")) {
    const m = /^\| (.+?) \| (.+) \|$/.exec(l.replace(/\\\|/g, "\u0001"));
    if (!m || m[1] === "Option" || /^-+$/.test(m[1] as string)) continue;
    out.set((m[1] as string).replace(/\u0001/g, "|"), (m[2] as string).replace(/\u0001/g, "|"));
  }
  return out;
}
