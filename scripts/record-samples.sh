#!/usr/bin/env bash
# Regenerates examples/sample-scan.log — the kernel log the non-root `fwkit demo` analyses — from a REAL capture of
# fwkit's own lab: two throwaway network namespaces (target with LOG+DROP and fwsnort rules, attacker with nmap and a
# web attack). Only the lab's addresses (198.18.0.1/.2) are kept; interface, MACs and the log prefix are made stable.
# The host's own firewall is never touched. Usage (root, after `pnpm build`): bash scripts/record-samples.sh [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "record-samples.sh: the lab needs root (ip netns, iptables in the namespaces, /dev/kmsg)" >&2
  exit 2
fi
node packages/cli/dist/bin.js demo --lab --record examples --output-dir "${1:-out/lab}"
echo "wrote examples/sample-scan.log ($(wc -l < examples/sample-scan.log) lines)"
