import { defineConfig } from "tsup";
import { base } from "../../tsup.base.ts";

export default defineConfig({
  ...base,
  entry: { index: "src/index.ts", bin: "src/bin.ts" },
  dts: { entry: { index: "src/index.ts" } },
});
