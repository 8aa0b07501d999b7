#!/bin/sh
# Regenerate test/fixtures/*.perl.golden.json by running the real IPTables::Parse 1.6 on the fixtures.
set -e
cd "$(dirname "$0")/../fixtures"
g() { perl ../perl/dump-parse.pl "$1" "$2" "$3" > "${1%.txt}.perl.golden.json"; }
g spec-basic_ipv4.rules.txt filter ipv4
g spec-filter-v4.vnL-ln.txt filter ipv4
g spec-nat-v4.vnL-ln.txt nat ipv4
g spec-mangle-v4.vnL-ln.txt mangle ipv4
g spec-filter-v6.vnL-ln.txt filter ipv6
g spec-nat-v6.vnL-ln.txt nat ipv6
g old-filter-v4.vnL-ln.txt filter ipv4
g old-nat-v4.vnL-ln.txt nat ipv4
g old-filter-v6.vnL-ln.txt filter ipv6
g old-nat-v6.vnL-ln.txt nat ipv6
g spec-filter-v4.nL.txt filter ipv4
g spec-filter-v6.nL.txt filter ipv6
g old-filter-v4.nL.txt filter ipv4
g old-filter-v6.nL.txt filter ipv6
g spec-save-c-v4.txt filter ipv4
