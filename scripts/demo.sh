#!/usr/bin/env bash
# The main job (`npm start`): run the built fwkit on the bundled sample data in examples/.
# Each package adds its step here. Outputs go to out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
fwkit() { node packages/cli/dist/bin.js "$@"; }
out=out/demo
mkdir -p "$out"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "fwkit ipt parse examples/sample-policy.v4.save   (IPTables::Parse on an iptables-save file)"
fwkit ipt parse examples/sample-policy.v4.save | head -30
fwkit ipt parse examples/sample-policy.v4.save --json > "$out/sample-policy.v4.json"

step "fwkit ipt parse examples/sample-policy.v4.list   (the same policy as 'iptables -v -n -L --line-numbers')"
fwkit ipt parse examples/sample-policy.v4.list --json > "$out/sample-policy.v4.list.json"
node -e '
const a = require("./'"$out"'/sample-policy.v4.json"), b = require("./'"$out"'/sample-policy.v4.list.json");
const n = (p) => p.tables.filter((t) => t.name === "filter").flatMap((t) => t.chains).reduce((s, c) => s + c.rules.length, 0);
console.log(`filter rules: ${n(a)} from iptables-save, ${n(b)} from the -L listing`);'

step "fwkit ipt check -f examples/sample-policy.v4.save   (psad's fwcheck: default LOG + DROP?)"
fwkit ipt check -f examples/sample-policy.v4.save | tee "$out/fw_check.v4.txt"

step "fwkit ipt check -6 -f examples/sample-policy.v6.save   (this sample's IPv6 FORWARD chain has no LOG rule)"
set +e
fwkit ipt check -6 -f examples/sample-policy.v6.save > "$out/fw_check.v6.txt"
rc=$?
set -e
cat "$out/fw_check.v6.txt"
echo "(exit status $rc: 1 = problems found)"

step "fwkit snort check examples/sample.rules   (Snort rule parser: counts and diagnostics)"
fwkit snort check examples/sample.rules | tee "$out/snort-check.txt"
fwkit snort show --sid 1000009 examples/sample.rules --json > "$out/snort-sid-1000009.json"

step "fwkit demo --no-lab   (fwsnort → iptables-save, psad analysis + HTML report of the lab's capture, SPA round trip)"
fwkit demo --no-lab --output-dir "$out/fwkit-demo"

step "outputs"
ls -l "$out" "$out/fwkit-demo"
echo "(as root, \`sudo node packages/cli/dist/bin.js demo --lab\` runs the live lab in network namespaces)"
