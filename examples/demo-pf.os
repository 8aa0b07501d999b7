# fwkit demo: passive OS fingerprints in pf.os (p0f v1) format, read by psad-core for the OS guesses of the demo.
# Written for fwkit (MIT) from SYN packets captured by its own lab (`fwkit demo --lab`), not taken from p0f/psad.
#
# window:ttl:df:size:options:os:version:subtype:description
#   window  S44 = 44 x MSS (64240 with MSS 1460); ttl = initial TTL; df = DF bit; size = IP length of the SYN
#   options M = MSS, S = SACK permitted, T = timestamp, N = NOP, W = window scale (* = any value)
#
# Linux 5.x/6.x connect(): MSS, SACK, TS, NOP, WS; window 64240; TTL 64; DF (the lab's attacker, kernel 6.18)
S44:64:1:60:M*,S,T,N,W*:	Linux:5-6::Linux 5.x-6.x
# nmap -sS probes: window 1024, MSS only, no DF, 44-byte SYN (nmap randomises the TTL)
1024:64:0:44:M*:	NMAP:SYN scan::nmap -sS probe
