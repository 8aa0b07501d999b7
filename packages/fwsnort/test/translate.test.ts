/**
 * Default (correct) mode: each deviation from fwsnort 1.6.8 (spec §16.1) that the README's "Differences from
 * fwsnort" table lists is shown here, next to the compat output it replaces.
 */
import { describe, expect, it } from "vitest";
import { parseFwsnortConfig } from "../src/config.ts";
import { renderSave } from "../src/render-save.ts";
import { type TranslateOptions, translateRuleset } from "../src/translate.ts";

const HDR = "alert tcp $EXTERNAL_NET any -> $HOME_NET 80";

function tr(rules: string, o: TranslateOptions = {}) {
  return translateRuleset([{ path: "/r/test.rules", text: rules }], o);
}

/** `-A` signature lines of the save file, trailing blank and `[N] ` counters removed. */
function lines(rules: string, o: TranslateOptions = {}): string[] {
  return renderSave(tr(rules, o))
    .split("\n")
    .filter(
      (l) => /^-A FWSNORT_/.test(l) && !/^-A \S+ -[sd] \S+ -j RETURN\s*$/.test(l) && !/-j FWSNORT_\w+\s*$/.test(l),
    )
    .map((l) => l.trimEnd().replace(/"\[\d+\] /, '"'));
}

const fwd = (ls: string[]) => ls.filter((l) => l.startsWith("-A FWSNORT_FORWARD"));

describe("B1 offsets relative to the IP header with the header-length range", () => {
  const rule = `${HDR} (msg:"o"; flow:established; content:"GET"; offset:2; depth:10; sid:1; rev:1;)`;
  it("compat: MAC header + 30-byte TCP header guess", () => {
    expect(fwd(lines(rule, { compat: true }))[0]).toContain('--string "GET" --algo bm --from 66 --to 76 ');
  });
  it("default: from = min headers (40) + offset, to = max headers (120) + offset + depth", () => {
    const l = fwd(lines(rule))[0] as string;
    expect(l).toContain('--string "GET" --algo bm --from 42 --to 132 ');
    expect(tr(rule).translated[0]?.warnings.map((w) => w.code)).toContain("FWSNORT_APPROXIMATE");
  });
  it("default: a real Linux packet (32-byte TCP header, GET at payload 0) lies inside the window", () => {
    // IP 20 + TCP 32 = 52: "GET" occupies [52, 55); fwsnort's --from 64 misses it (spec §7.4)
    const t = tr(`${HDR} (msg:"g"; flow:established; content:"GET"; offset:0; depth:3; sid:2;)`).translated[0];
    const args = t?.rules[0]?.args ?? [];
    const from = Number(args[args.indexOf("--from") + 1]);
    const to = Number(args[args.indexOf("--to") + 1]);
    expect(from).toBeLessThanOrEqual(52);
    expect(to).toBeGreaterThanOrEqual(55);
    const c = tr(`${HDR} (msg:"g"; flow:established; content:"GET"; offset:0; depth:3; sid:2;)`, { compat: true });
    const ca = c.translated[0]?.rules[0]?.args ?? [];
    expect(Number(ca[ca.indexOf("--from") + 1])).toBeGreaterThan(52);
  });
  it("default: relative contents chain their bounds; within counts after distance", () => {
    const r = `alert udp any any -> any 500 (msg:"r"; content:"|10 05|"; offset:17; depth:2; content:"|00 00 00 01 01 00 00 18|"; distance:13; within:8; sid:3;)`;
    const l = fwd(lines(r))[0] as string;
    // min start: 28 + 17 + 2 + 13 = 60; max end: (60 IP + 8 UDP) + 19 + 13 + 8 = 108
    expect(l).toContain('--hex-string "|0000000101000018|" --algo bm --from 60 --to 108 ');
  });
  it("default: a negated content with a position constraint is dropped (superset), not mis-windowed", () => {
    const r = `${HDR} (msg:"n"; flow:established; content:"1"; depth:1; offset:10; content:!"000"; depth:3; offset:11; sid:4;)`;
    expect(fwd(lines(r))[0]).not.toContain('"000"');
  });
});

describe("B2 dsize", () => {
  it("compat: guessed header (50) and MAX_FRAME_LEN cap", () => {
    expect(fwd(lines(`${HDR} (msg:"d"; dsize:>1; sid:5;)`, { compat: true }))[0]).toContain("--length 51:1550 ");
  });
  it("default: payload > 1 → IP length 42..65535 (min headers, no frame cap)", () => {
    expect(fwd(lines(`${HDR} (msg:"d"; dsize:>1; sid:5;)`))[0]).toContain("-m length --length 42:65535 ");
  });
  it("default: dsize:<5 is strict (0..4) over the header range", () => {
    expect(fwd(lines(`${HDR} (msg:"d"; dsize:<5; sid:6;)`))[0]).toContain("--length 40:124 ");
  });
  it("default: dsize:>1500 keeps its constraint (fwsnort drops it)", () => {
    expect(fwd(lines(`${HDR} (msg:"d"; dsize:>1500; content:"big"; sid:7;)`))[0]).toContain("--length 1541:65535");
    expect(fwd(lines(`${HDR} (msg:"d"; dsize:>1500; content:"big"; sid:7;)`, { compat: true }))[0]).not.toContain(
      "--length",
    );
  });
});

describe("B3 outputs iptables-restore rejects", () => {
  it("flags:0 → --tcp-flags ALL NONE (compat: the invalid 'ALL ' with no value)", () => {
    const r = `${HDR} (msg:"f"; flow:stateless; flags:0; sid:8;)`;
    expect(fwd(lines(r))[0]).toContain("--tcp-flags ALL NONE ");
    expect(fwd(lines(r, { compat: true }))[0]).toContain("--tcp-flags ALL  -m comment");
  });
  it("ttl:10-20 → two ttl matches (compat: invalid --ttl-eq 10-20)", () => {
    const r = `alert ip any any -> any any (msg:"t"; ttl:10-20; sid:9;)`;
    expect(fwd(lines(r))[0]).toContain("-m ttl --ttl-gt 9 -m ttl --ttl-lt 21 ");
    expect(fwd(lines(r, { compat: true }))[0]).toContain("--ttl-eq 10-20");
  });
  it("alert http → -p tcp (compat: invalid -p http -m http)", () => {
    const r = `alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"h"; flow:established,to_server; http.uri; content:"/gate.php"; sid:10;)`;
    expect(fwd(lines(r))[0]).toContain("-p tcp -m tcp ");
    expect(fwd(lines(r, { compat: true }))[0]).toContain("-p http -m http ");
  });
  it("log action / --Ulog → NFLOG (ULOG is gone since Linux 3.17)", () => {
    const r = `log tcp any any -> any 80 (msg:"l"; content:"logme"; sid:11;)`;
    expect(fwd(lines(r))[0]).toMatch(/-j NFLOG --nflog-group 1 --nflog-prefix "SID11 "$/);
    expect(fwd(lines(r, { compat: true }))[0]).toContain("-j ULOG --ulog-nlgroup 1");
  });
  it("odd-length hex |0| is rejected with a parse diagnostic instead of an invalid --hex-string", () => {
    const t = tr(`${HDR} (msg:"x"; content:"|0|"; sid:12;)`);
    expect(t.translated).toEqual([]);
    expect(t.skipped[0]?.code).toBe("FWSNORT_PARSE_ERROR");
  });
  it("[!445,!1500] → one rule with the complement, never 'multiport ! --dports 445,!1500'", () => {
    const r = `alert tcp any any -> any [!445,!1500] (msg:"p"; content:"xyz123"; sid:13;)`;
    expect(fwd(lines(r))[0]).toContain("-m multiport ! --dports 445,1500 ");
    expect(fwd(lines(r, { compat: true }))[0]).toContain("-m multiport ! --dports 445,!1500 ");
  });
});

describe("B4 flags modifiers", () => {
  const f = (v: string, compat = false) =>
    fwd(lines(`${HDR} (msg:"f"; flow:stateless; flags:${v}; sid:14;)`, { compat }))[0] ?? "";
  it("!A → not exactly ACK (compat: exactly ACK)", () => {
    expect(f("!A")).toContain("! --tcp-flags ALL ACK ");
    expect(f("!A", true)).toContain("--tcp-flags ALL ACK ");
    expect(f("!A", true)).not.toContain("! --tcp-flags");
  });
  it("SF* → any of SYN/FIN (compat: exactly SYN,FIN)", () => {
    expect(f("SF*")).toContain("! --tcp-flags SYN,FIN NONE ");
    expect(f("SF*", true)).toContain("--tcp-flags ALL SYN,FIN ");
  });
  it("S,A mask → ACK not examined", () => {
    expect(f("S,A")).toContain("--tcp-flags URG,PSH,RST,SYN,FIN SYN ");
  });
  it("SA+ → SYN and ACK set", () => expect(f("SA+")).toContain("--tcp-flags ACK,SYN ACK,SYN "));
});

describe("B5 flow", () => {
  it("to_server,established → ESTAB chain + conntrack ORIGINAL direction", () => {
    const l = fwd(lines(`${HDR} (msg:"f"; flow:to_server,established; content:"x"; sid:15;)`))[0];
    expect(l).toMatch(/^-A FWSNORT_FORWARD_ESTAB .*-m conntrack --ctdir ORIGINAL /);
  });
  it("not_established → non-ESTAB chain with ! --ctstate ESTABLISHED (compat: ESTAB chain)", () => {
    const r = `${HDR} (msg:"n"; flow:not_established; content:"ne"; sid:16;)`;
    expect(fwd(lines(r))[0]).toMatch(/^-A FWSNORT_FORWARD .*-m conntrack ! --ctstate ESTABLISHED /);
    expect(fwd(lines(r, { compat: true }))[0]).toMatch(/^-A FWSNORT_FORWARD_ESTAB /);
  });
  it("udp flow:established → inline --ctstate ESTABLISHED (compat: ignored)", () => {
    const r = `alert udp any any -> any 53 (msg:"u"; flow:established; content:"udpest"; sid:17;)`;
    expect(fwd(lines(r))[0]).toContain("-m conntrack --ctstate ESTABLISHED ");
    expect(fwd(lines(r, { compat: true }))[0]).not.toContain("conntrack");
  });
});

describe("B6 bidirectional <>", () => {
  it("emits both directions (compat: only ->)", () => {
    const r = `alert tcp $EXTERNAL_NET any <> $HOME_NET 0 (msg:"b"; flow:stateless; sid:524;)`;
    const l = fwd(lines(r));
    expect(l.some((x) => x.includes("--dport 0 "))).toBe(true);
    expect(l.some((x) => x.includes("--sport 0 "))).toBe(true);
    expect(fwd(lines(r, { compat: true }))).toHaveLength(1);
  });
});

describe("B7 address lists and negation", () => {
  it("[10.0.0.0/8,!10.1.0.0/16] → the exact set as CIDR blocks (compat: two negated rules = wrong set)", () => {
    const r = `alert tcp [10.0.0.0/8,!10.1.0.0/16] any -> $HOME_NET 80 (msg:"a"; content:"w-evil"; sid:18;)`;
    const l = fwd(lines(r));
    expect(l.map((x) => /-s (\S+)/.exec(x)?.[1])).toEqual([
      "10.0.0.0/16",
      "10.2.0.0/15",
      "10.4.0.0/14",
      "10.8.0.0/13",
      "10.16.0.0/12",
      "10.32.0.0/11",
      "10.64.0.0/10",
      "10.128.0.0/9",
    ]);
    expect(fwd(lines(r, { compat: true })).every((x) => x.includes("! -s"))).toBe(true);
  });
  it("EXTERNAL_NET = !$HOME_NET keeps its negation through the variable", () => {
    const config = parseFwsnortConfig("HOME_NET 192.168.10.0/24;\nEXTERNAL_NET !$HOME_NET;");
    const l = fwd(lines(`${HDR} (msg:"v"; content:"x"; sid:19;)`, { config }));
    expect(l[0]).toContain("! -s 192.168.10.0/24 -d 192.168.10.0/24 ");
  });
  it("IPv6 literals translate in -6 mode; IPv4-only rules are reported, not silently dropped", () => {
    const t = tr(
      `alert tcp 2001:db8::/32 any -> any 80 (msg:"6"; content:"x"; sid:20;)\nalert tcp 10.0.0.0/8 any -> any 80 (msg:"4"; content:"x"; sid:21;)`,
      {
        family: 6,
      },
    );
    expect(t.translated.map((x) => x.sid)).toEqual([20]);
    expect(t.translated[0]?.rules[0]?.args.slice(0, 2)).toEqual(["-s", "2001:db8::/32"]);
    expect(t.skipped.find((s) => s.sid === 21)?.code).toBe("FWSNORT_FAMILY_MISMATCH");
  });
});

describe("B8 port lists longer than 15", () => {
  it("are split into several multiport rules (compat: truncated to 14 ports)", () => {
    const ports = Array.from({ length: 18 }, (_, i) => (i + 1) * 2).join(",");
    const r = `alert tcp any any -> any [${ports}] (msg:"p"; content:"y-evil"; sid:22;)`;
    const l = fwd(lines(r));
    expect(l).toHaveLength(2);
    expect(l[0]).toContain("--dports 2,4,6,8,10,12,14,16,18,20,22,24,26,28,30 ");
    expect(l[1]).toContain("--dports 32,34,36 ");
    expect(fwd(lines(r, { compat: true }))[0]).toContain("--dports 2,4,6,8,10,12,14,16,18,20,22,24,26,28 ");
  });
  it("contiguous ports collapse into a range", () => {
    const r = `alert tcp any any -> any [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18] (msg:"p"; content:"y"; sid:23;)`;
    expect(fwd(lines(r))[0]).toContain("--dport 1:18 ");
  });
});

describe("B9 chain choice", () => {
  it("$HTTP_SERVERS $HTTP_PORTS -> $EXTERNAL_NET (server response) → OUTPUT (compat: INPUT)", () => {
    const r = `alert tcp $HTTP_SERVERS $HTTP_PORTS -> $EXTERNAL_NET any (msg:"c"; flow:established; content:"Command completed"; sid:494;)`;
    expect(lines(r).map((l) => l.split(" ")[1])).toEqual(["FWSNORT_FORWARD_ESTAB", "FWSNORT_OUTPUT_ESTAB"]);
    expect(lines(r, { compat: true }).map((l) => l.split(" ")[1])).toEqual([
      "FWSNORT_FORWARD_ESTAB",
      "FWSNORT_INPUT_ESTAB",
    ]);
  });
});

describe("B10 pcre", () => {
  it("extracts required literals soundly and honours /i (compat: case-sensitive, \\: as a backslash byte)", () => {
    const r = `${HDR} (msg:"u"; flow:to_server,established; content:"User-Agent"; pcre:"/User-Agent\\:[^\\n]+spyaxe/i"; sid:24;)`;
    const l = fwd(lines(r))[0] as string;
    expect(l).toContain('--hex-string "|557365722d4167656e743a|" --algo bm --icase');
    expect(l).toContain('--string "spyaxe" --algo bm --icase');
    expect(fwd(lines(r, { compat: true }))[0]).toContain("|557365722d4167656e745c3a|");
  });
  it("alternation is not translated", () => {
    const t = tr(`${HDR} (msg:"a"; pcre:"/(foo|bar)baz/"; sid:25;)`);
    expect(t.skipped[0]?.code).toBe("FWSNORT_PCRE_UNTRANSLATABLE");
  });
});

describe("B11/B12 icmp type, pass, resp", () => {
  it("icmp without itype → --icmp-type any (compat --no-ipt-test: 8 = echo-request only)", () => {
    const r = `alert icmp any any -> any any (msg:"i"; content:"ABCD"; sid:26;)`;
    expect(fwd(lines(r))[0]).toContain("--icmp-type any ");
    expect(fwd(lines(r, { compat: true }))[0]).toContain("--icmp-type 8 ");
  });
  it("pass → RETURN from the fwsnort chain (compat: ACCEPT for the whole filter table)", () => {
    const r = `pass tcp any any -> any 80 (msg:"p"; content:"goodguy"; sid:27;)`;
    expect(fwd(lines(r))[0]).toMatch(/ -j RETURN$/);
    expect(fwd(lines(r, { compat: true }))[0]).toMatch(/ -j ACCEPT$/);
  });
  it("resp:icmp_port on tcp → REJECT icmp-port-unreachable (compat: nothing)", () => {
    const r = `${HDR} (msg:"r"; content:"rit"; resp:icmp_port; sid:28;)`;
    expect(fwd(lines(r))[1]).toMatch(/-j REJECT --reject-with icmp-port-unreachable$/);
    expect(fwd(lines(r, { compat: true }))).toHaveLength(1);
  });
});

describe("B15 IPv6 whitelist", () => {
  it("IPv4 whitelist entries stay out of the ip6tables save (compat: emitted, restore fails)", () => {
    const r = `${HDR} (msg:"w"; content:"x"; sid:29;)`;
    expect(renderSave(tr(r, { family: 6 }))).not.toContain("96.43.137.99");
    expect(renderSave(tr(r, { family: 6, compat: true }))).toContain("96.43.137.99");
  });
});

describe("B18/B22 tokenizer", () => {
  it("escaped ; in content is translated (compat: silently failed)", () => {
    const r = `${HDR} (msg:"s"; content:"a\\;b"; sid:30;)`;
    expect(fwd(lines(r))[0]).toContain('--hex-string "|613b62|"');
    expect(tr(r, { compat: true }).files[0]).toMatchObject({ success: 0, fail: 1 });
  });
  it("a modifier before the first content is a per-rule diagnostic, not a crash of the whole run", () => {
    const t = tr(`${HDR} (msg:"m"; nocase; content:"x"; sid:31;)\n${HDR} (msg:"ok"; content:"y"; sid:32;)`);
    expect(t.translated.map((x) => x.sid)).toContain(32);
  });
});

describe("selection, counts and targets", () => {
  const two = `${HDR} (msg:"one"; content:"a1"; sid:40;)\n${HDR} (msg:"two"; content:"b2"; byte_test:1,>,2,0; sid:41;)\ndrop tcp any any -> any 1 (msg:"d"; sid:42;)`;
  it("counts Success / Fail / Total like fwsnort (drop lines are not counted)", () => {
    const t = tr(two);
    expect(t.files).toEqual([{ file: "test.rules", success: 1, fail: 1, total: 2, iptRules: 2 }]);
    expect(t.skipped[0]).toMatchObject({ sid: 41, code: "FWSNORT_UNSUPPORTED_KEYWORD", line: 2 });
    expect(t.skipped[0]?.message).toBe("SID: 41  Unsupported option(s): 'byte_test' at line: 2, skipping.");
    expect(t.skipCounts).toEqual({ FWSNORT_UNSUPPORTED_KEYWORD: 1 });
  });
  it("sid / regex / type selection", () => {
    expect(tr(two, { selection: { sids: [41] } }).translated).toEqual([]);
    expect(tr(two, { selection: { excludeRegex: /one/ } }).files[0]?.total).toBe(1);
    expect(tr(two, { selection: { includeTypes: ["web-cgi"] } }).files).toEqual([]);
  });
  it("--Home-net override takes effect (compat's original ignores it)", () => {
    const l = lines(`alert tcp $EXTERNAL_NET any -> $HOME_NET 80 (msg:"h"; content:"x"; sid:43;)`, {
      homeNet: "10.9.0.0/16",
    });
    expect(fwd(l)[0]).toContain("-d 10.9.0.0/16 ");
  });
  it("reject mode: udp → icmp-port-unreachable, icmp → DROP; NFQUEUE keeps the comment", () => {
    const u = lines(`alert udp any any -> any 69 (msg:"u"; content:"|00 01|"; sid:44;)`, { target: "reject" });
    expect(fwd(u)[1]).toMatch(/-j REJECT --reject-with icmp-port-unreachable$/);
    expect(fwd(u)[0]).toContain('--log-prefix "REJ SID44 "');
    const i = lines(`alert icmp any any -> any any (msg:"i"; itype:8; sid:45;)`, { target: "reject" });
    expect(fwd(i)[1]).toMatch(/-j DROP$/);
    const q = lines(`${HDR} (msg:"q"; content:"x"; pcre:"/(a|b)/"; sid:46;)`, { target: "nfqueue", queueNum: 3 });
    expect(fwd(q)[0]).toMatch(/--comment "sid:46; msg:q; FWS:1\.6\.8;" -j NFQUEUE --queue-num 3$/);
  });
  it("Snort 3 bufferlen is ignored with an FWSNORT_APPROXIMATE warning (compat: bad option)", () => {
    const r = `${HDR} (msg:"b"; http_uri; content:"/x"; bufferlen:>100; sid:47;)`;
    expect(tr(r).translated[0]?.warnings.map((w) => w.message)).toContain(
      "buffer length constraint (bufferlen/bsize/urilen) not expressible: ignored",
    );
    expect(tr(r, { compat: true }).skipped[0]?.code).toBe("FWSNORT_UNKNOWN_KEYWORD");
  });
});
