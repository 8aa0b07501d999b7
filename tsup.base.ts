import type { Options } from "tsup";

/** Shared tsup settings: ESM only, Node 20, declarations, `node:` imports kept. */
export const base: Options = {
  format: ["esm"],
  target: "node20",
  platform: "node",
  dts: true,
  sourcemap: true,
  clean: true,
  removeNodeProtocol: false,
};
