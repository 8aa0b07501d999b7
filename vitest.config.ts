import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { projects } from "./vitest.workspace.ts";

export default defineConfig({
  ssr: { resolve: { conditions: ["@fwkit/source", "import", "default"] } },
  resolve: { conditions: ["@fwkit/source", "import", "default"] },
  test: {
    projects,
    restoreMocks: true,
    passWithNoTests: true,
    benchmark: { include: ["bench/**/*.bench.ts"] },
    setupFiles: [fileURLToPath(new URL("./scripts/no-console.ts", import.meta.url))],
  },
});
