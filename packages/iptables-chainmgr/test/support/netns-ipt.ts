/** Throwaway-namespace iptables for the integration tests: wrapper scripts that run the real binary in the netns. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Netns } from "@fwkit/test-utils";

/** Backends under test. */
export type Backend = "nft" | "legacy";

/** Wrapper binaries for one namespace: `<dir>/iptables-nft` etc. run `ip netns exec NS /usr/sbin/iptables-nft "$@"`. */
export interface Wrappers {
  dir: string;
  /** Path of the wrapper for `ip(6)tables-<backend>[-save|-restore]`. */
  bin(family: "ipv4" | "ipv6", backend: Backend, tool?: "" | "save" | "restore"): string;
  cleanup(): void;
}

/** Create wrapper scripts for every family/backend/tool in a fresh temp dir. */
export function makeWrappers(ns: Netns): Wrappers {
  const dir = mkdtempSync(join(tmpdir(), "fwkit-ipt-"));
  const name = (family: "ipv4" | "ipv6", backend: Backend, tool: "" | "save" | "restore") =>
    `${family === "ipv6" ? "ip6tables" : "iptables"}-${backend}${tool ? `-${tool}` : ""}`;
  for (const family of ["ipv4", "ipv6"] as const) {
    for (const backend of ["nft", "legacy"] as const) {
      for (const tool of ["", "save", "restore"] as const) {
        const n = name(family, backend, tool);
        const p = join(dir, n);
        writeFileSync(p, `#!/bin/sh\nexec ip netns exec ${ns.name} /usr/sbin/${n} "$@"\n`);
        chmodSync(p, 0o755);
      }
    }
  }
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
