import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ARTEFACT_MODES, nodeArtefactFs, readRuleFiles, writeArtefacts } from "../src/io.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fwsnort-io-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (p: string) => statSync(p).mode & 0o777;

describe("writeArtefacts", () => {
  it("writes fwsnort.save 0600 and the scripts 0500 (the original left fwsnort_iptcmds.sh 0755)", async () => {
    const out = join(dir, "out");
    const fs = nodeArtefactFs();
    await writeArtefacts(fs, [
      { path: join(out, "fwsnort.save"), content: "*filter\nCOMMIT\n", mode: ARTEFACT_MODES.save },
      { path: join(out, "fwsnort.sh"), content: "#!/bin/sh\n", mode: ARTEFACT_MODES.script },
      { path: join(out, "fwsnort_iptcmds.sh"), content: "#!/bin/sh\n", mode: ARTEFACT_MODES.script },
    ]);
    expect(mode(join(out, "fwsnort.save"))).toBe(0o600);
    expect(mode(join(out, "fwsnort.sh"))).toBe(0o500);
    expect(mode(join(out, "fwsnort_iptcmds.sh"))).toBe(0o500);
    expect(mode(out)).toBe(0o700);
    expect(readFileSync(join(out, "fwsnort.save"), "utf8")).toBe("*filter\nCOMMIT\n");
  });

  it("rotates previous copies into the archive: .old, .old2 … .old5, the oldest dropped", async () => {
    const fs = nodeArtefactFs();
    const path = join(dir, "fwsnort.sh");
    const archive = join(dir, "archive");
    for (let i = 1; i <= 7; i++) {
      const r = await writeArtefacts(fs, [{ path, content: `v${i}\n`, mode: 0o500 }], { archiveDir: archive });
      expect(r.archived).toEqual(i === 1 ? [] : [join(archive, "fwsnort.sh.old")]);
    }
    expect(readFileSync(path, "utf8")).toBe("v7\n");
    const names = ["old", "old2", "old3", "old4", "old5"].map((s) =>
      readFileSync(join(archive, `fwsnort.sh.${s}`), "utf8"),
    );
    expect(names).toEqual(["v6\n", "v5\n", "v4\n", "v3\n", "v2\n"]);
    expect(() => statSync(join(archive, "fwsnort.sh.old6"))).toThrow();
  });
});

describe("readRuleFiles", () => {
  it("sorted *.rules from the dirs, type filters, deleted.rules skipped unless asked, unknown types reported", async () => {
    const r = join(dir, "rules");
    mkdirSync(r);
    for (const f of ["web-misc.rules", "dns.rules", "deleted.rules", "README", "x.rules.bak"])
      writeFileSync(join(r, f), `# ${f}\n`);
    const fs = nodeArtefactFs();
    const all = await readRuleFiles(fs, { rdirs: [r] });
    expect(all.files.map((f) => f.name)).toEqual(["dns.rules", "web-misc.rules"]);
    expect(all.files[0]?.text).toBe("# dns.rules\n");
    expect(all.validTypes).toEqual(["deleted", "dns", "web-misc"]);
    const del = await readRuleFiles(fs, { rdirs: [r], addDeleted: true });
    expect(del.files.map((f) => f.type)).toEqual(["deleted", "dns", "web-misc"]);
    const inc = await readRuleFiles(fs, { rdirs: [r], includeTypes: ["web-misc", "nope"] });
    expect(inc.files.map((f) => f.type)).toEqual(["web-misc"]);
    expect(inc.unknownTypes).toEqual(["nope"]);
    expect((await readRuleFiles(fs, { rdirs: [r], excludeTypes: ["dns"] })).files.map((f) => f.type)).toEqual([
      "web-misc",
    ]);
    const rf = await readRuleFiles(fs, { rfiles: ["rules/web-misc.rules"], rdirs: ["/nonexistent"], cwd: dir });
    expect(rf.files.map((f) => f.path)).toEqual([join(r, "web-misc.rules")]);
  });
});
