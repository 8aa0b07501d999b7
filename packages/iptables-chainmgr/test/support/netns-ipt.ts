/** Throwaway-namespace iptables for the integration tests: wrapper scripts that run the real binary in the netns. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeWrappers as makeBackendWrappers, type Netns, type Backend as TestUtilsBackend } from "@fwkit/test-utils";

/** Backends under test. */
export type Backend = TestUtilsBackend;

/** Wrapper binaries for one namespace: `<dir>/iptables-nft` etc. run `ip netns exec NS /usr/sbin/iptables-nft "$@"`. */
export interface Wrappers {
  dir: string;
  /** Path of the wrapper for `ip(6)tables-<backend>[-save|-restore]`. */
  bin(family: "ipv4" | "ipv6", backend: Backend, tool?: "" | "save" | "restore"): string;
  cleanup(): void;
}

/** Create wrapper scripts for every family/backend/tool in a fresh temp dir (via @fwkit/test-utils' makeWrappers). */
export function makeWrappers(ns: Netns): Wrappers {
  const dir = mkdtempSync(join(tmpdir(), "fwkit-ipt-"));
  for (const backend of ["nft", "legacy"] as const) makeBackendWrappers(ns, backend, dir);
  const name = (family: "ipv4" | "ipv6", backend: Backend, tool: "" | "save" | "restore") =>
    `${family === "ipv6" ? "ip6tables" : "iptables"}-${backend}${tool ? `-${tool}` : ""}`;
  return {
    dir,
    bin: (family, backend, tool = "") => join(dir, name(family, backend, tool)),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Rewrite a wrapper path to the plain system path (`<dir>/iptables-nft-save` → `/usr/sbin/iptables-save`), for goldens. */
export function canonicalPath(dir: string): (file: string) => string {
  return (file) =>
    file.startsWith(`${dir}/`) ? `/usr/sbin/${file.slice(dir.length + 1).replace(/-(nft|legacy)/, "")}` : file;
}
