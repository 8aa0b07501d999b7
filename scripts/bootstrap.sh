#!/usr/bin/env bash
# Entry point for `npm start` and `npm test` on a machine that has only Node >= 20 and npm.
# pnpm is not assumed: it is fetched once through npx (corepack is not used; it fails on registry signatures here).
set -euo pipefail
cd "$(dirname "$0")/.."
pnpm_cmd() {
  if command -v pnpm >/dev/null 2>&1 && pnpm --version 2>/dev/null | grep -q '^10\.'; then pnpm "$@"; else npx -y pnpm@10 "$@"; fi
}
frozen=--frozen-lockfile
[ -f pnpm-lock.yaml ] || frozen=
pnpm_cmd install $frozen --reporter=silent
pnpm_cmd run build >/dev/null
case "${1:-}" in
  start) pnpm_cmd run demo ;;
  test) pnpm_cmd exec vitest run --reporter=default --reporter=./scripts/summary-reporter.ts ;;
  *) echo "usage: bootstrap.sh start|test" >&2; exit 2 ;;
esac
