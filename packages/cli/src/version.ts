import pkg from "../package.json" with { type: "json" };

/** The version of @fwkit/cli. */
export const VERSION: string = pkg.version;
