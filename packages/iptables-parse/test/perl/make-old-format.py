#!/usr/bin/env python3
"""Rewrite an iptables 1.8.9 `-L` listing into the pre-1.8.9 style (spec §7.9): protocol numbers -> names,
and for ip6tables the `--` opt column -> blanks. Usage: make-old-format.py ipv4|ipv6 < in > out"""
import re, sys
NAMES = {"0": "all", "1": "icmp", "6": "tcp", "17": "udp", "58": "ipv6-icmp", "132": "sctp", "47": "gre"}
fam = sys.argv[1]
prefix = 0
for line in sys.stdin.read().split("\n")[:-1] if True else []:
    s = line.strip()
    if s.startswith("Chain ") or s == "":
        print(line); continue
    w = s.split()
    if w[0] in ("num", "pkts", "target") and "prot" in w:
        prefix = w.index("target")
        print(line); continue
    toks = [(m.start(), m.end()) for m in re.finditer(r"\S+", line)]
    pi = prefix + 1
    if line[toks[pi][0]:toks[pi][1]] in ("--", "-f", "!f"):
        pi = prefix  # blank target: the protocol is the first word after the counters
    a, b = toks[pi]
    tok = line[a:b]
    neg = tok.startswith("!")
    num = tok[1:] if neg else tok
    name = ("!" if neg else "") + NAMES.get(num, num)
    c, d = toks[pi + 1]
    gap = line[b:c]
    width = (c - a)
    newtok = name + " " * max(1, width - len(name))
    rest = line[c:]
    if fam == "ipv6" and rest.startswith("--"):
        rest = "  " + rest[2:]
    print(line[:a] + newtok + rest)
