import type { TestProjectConfiguration } from "vitest/config";

/** The packages that have tests; each gets a unit project and an `-it` integration project. */
export const packages = [
  "iptables-parse",
  "iptables-chainmgr",
  "snort-rules",
  "spa-protocol",
  "psad-core",
  "fwsnort",
  "cli",
] as const;

const unit: TestProjectConfiguration[] = packages.map((name) => ({
  extends: true,
  root: `packages/${name}`,
  test: { name, include: ["test/**/*.test.ts"], exclude: ["test/**/*.it.test.ts"] },
}));

const integration: TestProjectConfiguration[] = packages.map((name) => ({
  extends: true,
  root: `packages/${name}`,
  test: {
    name: `${name}-it`,
    include: ["test/**/*.it.test.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // benches belong to the unit project; without this every bench would run twice
    benchmark: { include: [] },
  },
}));

/** Every test project: unit first, then integration. */
export const projects: TestProjectConfiguration[] = [...unit, ...integration];
export default projects;
