/** fast-check arbitraries for rule ASTs (valid by construction, per dialect). */
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import {
  type AddrExpr,
  type ByteFlag,
  type ContentModifier,
  type ContentOption,
  createRule,
  type Dialect,
  encodeContent,
  type FlowFlag,
  type HttpModifierName,
  type PortExpr,
  type RangeExpr,
  type RangeKeyword,
  type Rule,
  type RuleOption,
} from "../src/index.ts";

const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
const varName = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,10}$/);

// ---------------------------------------------------------------- header

const ipv4Text = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }),
    fc.option(fc.integer({ min: 0, max: 32 })),
  )
  .map(([o, p]) => `${o.join(".")}${p === null ? "" : `/${p}`}`);
const ipv6Text = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
    fc.option(fc.integer({ min: 0, max: 128 })),
  )
  .map(([parts, p]) => `${new ipaddr.IPv6(parts).toRFC5952String()}${p === null ? "" : `/${p}`}`);

/** Address expressions (nested lists up to depth 3). */
export const addrExpr: fc.Arbitrary<AddrExpr> = fc.letrec<{ addr: AddrExpr }>((tie) => ({
  addr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant<AddrExpr>({ kind: "any" }),
    fc.record({ kind: fc.constant("ip" as const), negated: fc.boolean(), text: fc.oneof(ipv4Text, ipv6Text) }),
    fc.record({ kind: fc.constant("var" as const), negated: fc.boolean(), name: varName }),
    fc.record({
      kind: fc.constant("list" as const),
      negated: fc.boolean(),
      items: fc.array(tie("addr"), { minLength: 1, maxLength: 3 }),
    }),
  ),
})).addr;

const portNum = fc.integer({ min: 0, max: 65535 });
/** Port expressions (nested lists up to depth 3). */
export const portExpr: fc.Arbitrary<PortExpr> = fc.letrec<{ port: PortExpr }>((tie) => ({
  port: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant<PortExpr>({ kind: "any" }),
    fc.record({ kind: fc.constant("port" as const), negated: fc.boolean(), port: portNum }),
    fc
      .tuple(fc.boolean(), fc.option(portNum), fc.option(portNum))
      .filter(([, a, b]) => !(a === null && b === null) && (a === null || b === null || a <= b))
      .map(([negated, min, max]): PortExpr => ({ kind: "range", negated, min, max })),
    fc.record({ kind: fc.constant("var" as const), negated: fc.boolean(), name: varName }),
    fc.record({
      kind: fc.constant("list" as const),
      negated: fc.boolean(),
      items: fc.array(tie("port"), { minLength: 1, maxLength: 3 }),
    }),
  ),
})).port;

// ---------------------------------------------------------------- options

const HTTP: HttpModifierName[] = [
  "http_uri",
  "http_header",
  "http_client_body",
  "http_method",
  "http_cookie",
  "http_raw_uri",
];
const numOrVar = (min: number, max: number) => fc.oneof(fc.integer({ min, max }), fc.constantFrom("len", "off_1", "x"));

function modifiersArb(dialect: Dialect, length: number): fc.Arbitrary<ContentModifier[]> {
  const snort3 = dialect === "snort3";
  const candidates: fc.Arbitrary<ContentModifier>[] = [
    fc.constant({ name: "nocase" } as ContentModifier),
    fc.constant({ name: "rawbytes" } as ContentModifier),
    numOrVar(-20, 500).map(
      (value): ContentModifier => ({ name: "offset", value: typeof value === "number" ? Math.abs(value) : value }),
    ),
    numOrVar(length, length + 500).map((value): ContentModifier => ({ name: "depth", value })),
    numOrVar(-20, 500).map((value): ContentModifier => ({ name: "distance", value })),
    numOrVar(length, length + 500).map((value): ContentModifier => ({ name: "within", value })),
    snort3
      ? fc.constant({ name: "fast_pattern" } as ContentModifier)
      : fc.oneof(
          fc.constant({ name: "fast_pattern" } as ContentModifier),
          fc.constant({ name: "fast_pattern", only: true } as ContentModifier),
          fc
            .tuple(fc.nat(100), fc.nat(100))
            .map(([offset, len]): ContentModifier => ({ name: "fast_pattern", offset, length: len })),
        ),
  ];
  if (snort3) {
    candidates.push(fc.nat(100).map((value): ContentModifier => ({ name: "fast_pattern_offset", value })));
  } else candidates.push(fc.constantFrom(...HTTP).map((name): ContentModifier => ({ name })));
  const abs = (m: ContentModifier) => m.name === "offset" || m.name === "depth";
  const rel = (m: ContentModifier) => m.name === "distance" || m.name === "within";
  return fc
    .uniqueArray(fc.oneof(...candidates), {
      maxLength: 4,
      selector: (m) => (m.name.startsWith("http_") ? "http" : m.name),
    })
    .filter((ms) => !(ms.some(abs) && ms.some(rel)));
}

function contentArb(dialect: Dialect): fc.Arbitrary<ContentOption> {
  return fc
    .tuple(
      fc.uint8Array({ minLength: 1, maxLength: 16 }),
      fc.boolean(),
      fc.constantFrom("content", "uricontent") as fc.Arbitrary<"content" | "uricontent">,
    )
    .chain(([bytes, negated, keyword]) =>
      modifiersArb(dialect, bytes.length).map(
        (modifiers): ContentOption => ({
          kind: "content",
          keyword: dialect === "snort2" ? keyword : "content",
          negated,
          text: encodeContent(bytes),
          bytes,
          modifiers,
        }),
      ),
    );
}

/** Regex bodies: literals and escape pairs, never ending in a lone backslash, never `\;` / `\"`. */
const pcrePattern = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "a",
        "b",
        ".",
        "*",
        "+",
        "?",
        "(",
        ")",
        "[",
        "]",
        "|",
        "^",
        "$",
        "{2}",
        ";",
        '"',
        "/",
        "#",
        " ",
        ",",
      ),
      fc.constantFrom("\\x3a", "\\s", "\\d", "\\/", "\\(", "\\\\", "\\n", "\\:", "\\|"),
    ),
    { minLength: 1, maxLength: 12 },
  )
  .map((xs) => xs.join(""));

const pcreArb = fc
  .record({
    negated: fc.boolean(),
    m: fc.boolean(),
    delim: fc.constantFrom("#", "|", "!", "@", "%", "/"),
    pattern: pcrePattern,
    flags: fc.uniqueArray(fc.constantFrom(..."ismxRUBOAEGH"), { maxLength: 4 }).map((f) => f.join("")),
  })
  .map(
    (p): RuleOption => ({
      kind: "pcre",
      negated: p.negated,
      m: p.m,
      delimiter: p.m ? p.delim : "/",
      pattern: p.pattern,
      flags: p.flags,
    }),
  );

const FLOW_GROUPS: FlowFlag[][] = [
  ["established", "not_established", "stateless"],
  ["to_server", "to_client", "from_client", "from_server"],
  ["no_stream", "only_stream"],
  ["no_frag", "only_frag"],
];
const flowArb = fc
  .tuple(...FLOW_GROUPS.map((g) => fc.option(fc.constantFrom(...g))))
  .chain((picked) => fc.shuffledSubarray(picked.filter((x): x is FlowFlag => x !== null)))
  .filter((f) => f.length > 0)
  .map((flags): RuleOption => ({ kind: "flow", flags }));

const letters = (set: string) => fc.shuffledSubarray([...set], { minLength: 1 }).map((xs) => xs.join(""));
const flagsArb = fc
  .record({
    modifier: fc.option(fc.constantFrom("+", "*", "!") as fc.Arbitrary<"+" | "*" | "!">),
    flags: fc.oneof(letters("FSRPAUCE"), fc.constant("0")),
    mask: fc.option(letters("FSRPAUCE")),
  })
  .map((r): RuleOption => {
    const o: RuleOption = { kind: "flags", flags: r.flags };
    if (r.modifier) o.modifier = r.modifier;
    if (r.mask) o.mask = r.mask;
    return o;
  });

const RANGE_SPECS: [RangeKeyword, number, string[]][] = [
  ["dsize", 65535, ["=", "!", "<", ">", "<=", ">=", "<>", "<=>"]],
  ["ttl", 255, ["=", "!", "<", ">", "<=", ">=", "<>", "-"]],
  ["tos", 255, ["=", "!"]],
  ["id", 65535, ["="]],
  ["itype", 255, ["=", "<", ">", "<>", "<=>"]],
  ["icode", 255, ["=", "<", ">", "<>"]],
  ["icmp_id", 65535, ["="]],
  ["icmp_seq", 65535, ["="]],
  ["seq", 4294967295, ["="]],
  ["ack", 4294967295, ["="]],
  ["window", 65535, ["=", "!"]],
  ["fragoffset", 8191, ["=", "!", "<", ">"]],
  ["bufferlen", 65535, ["=", "<", ">", "<>"]],
  ["urilen", 65535, ["=", "<", ">", "<>"]],
];
const rangeArb = fc.constantFrom(...RANGE_SPECS).chain(([keyword, max, ops]) =>
  fc
    .tuple(
      fc.constantFrom(...ops),
      fc.integer({ min: 0, max }),
      fc.integer({ min: 0, max }),
      fc.boolean(),
      fc.constantFrom("norm", "raw", "relative"),
    )
    .map(([op, a, b, openEnd, suffix]): RuleOption => {
      let range: RangeExpr;
      if (op === "<>" || op === "<=>") range = { op, min: Math.min(a, b), max: Math.max(a, b) };
      else if (op === "-")
        range = openEnd ? { op, min: null, max: b } : { op, min: Math.min(a, b), max: Math.max(a, b) };
      else range = { op: op as "=", value: a };
      return keyword === "urilen" || keyword === "bufferlen"
        ? { kind: "range", keyword, range, suffix }
        : { kind: "range", keyword, range };
    }),
);

const byteFlags = (allowed: ByteFlag[]) => fc.uniqueArray(fc.constantFrom(...allowed), { maxLength: 3 });
const BT_FLAGS: ByteFlag[] = ["relative", "big", "little", "string", "hex", "dec", "oct", "dce"];
const BJ_FLAGS: ByteFlag[] = [...BT_FLAGS, "align", "from_beginning", "from_end"];

const byteArb: fc.Arbitrary<RuleOption> = fc.oneof(
  fc
    .record({
      bytes: fc.integer({ min: 1, max: 10 }),
      negated: fc.boolean(),
      operator: fc.constantFrom("<", ">", "=", "&", "^", "<=", ">="),
      value: numOrVar(0, 100000),
      offset: numOrVar(-100, 1000),
      flags: byteFlags(BT_FLAGS),
      bitmask: fc.option(fc.integer({ min: 1, max: 0xffff })),
    })
    .map(
      ({ bitmask, ...r }): RuleOption =>
        bitmask === null ? { kind: "byte_test", ...r } : { kind: "byte_test", ...r, bitmask },
    ),
  fc
    .record({
      bytes: numOrVar(1, 10),
      offset: numOrVar(-100, 1000),
      flags: byteFlags(BJ_FLAGS),
      multiplier: fc.option(fc.integer({ min: 1, max: 100 })),
      postOffset: fc.option(numOrVar(-100, 100)),
    })
    .map(({ multiplier, postOffset, ...r }): RuleOption => {
      const o: RuleOption = { kind: "byte_jump", ...r };
      if (multiplier !== null) o.multiplier = multiplier;
      if (postOffset !== null) o.postOffset = postOffset;
      return o;
    }),
  fc
    .record({
      bytes: fc.integer({ min: 1, max: 10 }),
      offset: numOrVar(-100, 1000),
      name: word,
      flags: byteFlags(BT_FLAGS),
      alignTo: fc.option(fc.constantFrom(2, 4)),
    })
    .map(
      ({ alignTo, ...r }): RuleOption =>
        alignTo === null ? { kind: "byte_extract", ...r } : { kind: "byte_extract", ...r, alignTo },
    ),
  fc
    .record({ negated: fc.boolean(), value: numOrVar(0, 10000), relative: fc.boolean(), rawbytes: fc.boolean() })
    .map((r): RuleOption => ({ kind: "isdataat", ...r })),
);

const bitName = fc.stringMatching(/^[A-Za-z0-9._-]{1,10}$/);
const flowbitsArb = fc.oneof(
  fc.constantFrom<RuleOption>(
    { kind: "flowbits", op: "noalert", names: [] },
    { kind: "flowbits", op: "reset", names: [] },
  ),
  fc
    .record({
      op: fc.constantFrom("set", "setx", "unset", "toggle", "isset", "isnotset"),
      names: fc.array(bitName, { minLength: 1, maxLength: 3 }),
      joiner: fc.constantFrom("&", "|") as fc.Arbitrary<"&" | "|">,
      group: fc.option(bitName),
    })
    .map(({ op, names, joiner, group }): RuleOption => {
      const o: RuleOption = { kind: "flowbits", op, names };
      if (names.length > 1) o.joiner = joiner;
      if (group !== null) o.group = group;
      return o;
    }),
);

const thresholdArb = fc
  .record({
    kind: fc.constantFrom("threshold", "detection_filter") as fc.Arbitrary<"threshold" | "detection_filter">,
    type: fc.constantFrom("limit", "threshold", "both") as fc.Arbitrary<"limit" | "threshold" | "both">,
    track: fc.constantFrom("by_src", "by_dst") as fc.Arbitrary<"by_src" | "by_dst">,
    count: fc.nat(1000),
    seconds: fc.nat(3600),
  })
  .map(({ kind, type, ...r }): RuleOption => (kind === "threshold" ? { kind, type, ...r } : { kind, ...r }));

const rawArb = fc
  .record({
    keyword: fc.constantFrom(
      "asn1",
      "rpc",
      "rem",
      "ssl_state",
      "dce_iface",
      "base64_decode",
      "byte_math",
      "stream_size",
      "flowint",
    ),
    value: fc.option(fc.stringMatching(/^[a-z0-9._-][a-z0-9 ,._-]{0,15}[a-z0-9._-]$/)),
  })
  .map(
    ({ keyword, value }): RuleOption => (value === null ? { kind: "raw", keyword } : { kind: "raw", keyword, value }),
  );

function bufferArb(dialect: Dialect): fc.Arbitrary<RuleOption> {
  const names =
    dialect === "snort3"
      ? ["http_uri", "http_header", "http_client_body", "file_data", "pkt_data", "js_data", "http_raw_uri"]
      : dialect === "suricata"
        ? ["http.uri", "http.header", "dns.query", "tls.sni", "file_data", "pkt_data"]
        : ["file_data", "pkt_data", "base64_data"];
  return fc.constantFrom(...names).map((name): RuleOption => ({ kind: "buffer", name }));
}

/** Any option valid in `dialect` (content modifiers are attached to contents, never standalone). */
export function optionArb(dialect: Dialect): fc.Arbitrary<RuleOption> {
  return fc.oneof(
    fc.string({ maxLength: 30 }).map((value): RuleOption => ({ kind: "msg", value })),
    fc
      .tuple(
        fc.constantFrom("sid", "rev", "gid", "priority") as fc.Arbitrary<"sid">,
        fc.integer({ min: 1, max: 4294967295 }),
      )
      .map(([kind, value]): RuleOption => ({ kind, value })),
    fc.stringMatching(/^[a-z][a-z-]{0,20}$/).map((value): RuleOption => ({ kind: "classtype", value })),
    fc
      .record({
        system: word,
        id: fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() === s && s.length > 0),
      })
      .map((r): RuleOption => ({ kind: "reference", ...r })),
    fc
      .array(fc.tuple(word, fc.oneof(fc.constant(""), fc.stringMatching(/^[a-z0-9][a-z0-9 ._-]{0,10}[a-z0-9]$/))), {
        minLength: 1,
        maxLength: 3,
      })
      .map((entries): RuleOption => ({ kind: "metadata", entries })),
    contentArb(dialect),
    pcreArb,
    flowArb,
    flagsArb,
    fc
      .record({ modifier: fc.option(fc.constantFrom("+", "*", "!") as fc.Arbitrary<"+">), bits: letters("MDR") })
      .map(
        ({ modifier, bits }): RuleOption =>
          modifier ? { kind: "fragbits", modifier, bits } : { kind: "fragbits", bits },
      ),
    rangeArb,
    fc
      .constantFrom("rr", "eol", "nop", "ts", "sec", "lsrr", "any")
      .map((value): RuleOption => ({ kind: "ipopts", value })),
    fc
      .tuple(
        fc.option(fc.constantFrom("!", "<", ">") as fc.Arbitrary<"!">),
        fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom("igmp", "gre", "esp")),
      )
      .map(([op, proto]): RuleOption => (op ? { kind: "ip_proto", op, proto } : { kind: "ip_proto", proto })),
    fc.constant<RuleOption>({ kind: "sameip" }),
    byteArb,
    flowbitsArb,
    thresholdArb,
    fc
      .tuple(
        fc.constantFrom("resp", "react", "tag") as fc.Arbitrary<"tag">,
        fc.array(fc.stringMatching(/^[a-z0-9_]{1,8}$/), { maxLength: 3 }),
      )
      .filter(([k, args]) => k !== "tag" || args.length > 0)
      .map(([kind, args]): RuleOption => ({ kind, args })),
    rawArb,
    ...(dialect === "snort3"
      ? [fc.array(word, { minLength: 1, maxLength: 3 }).map((services): RuleOption => ({ kind: "service", services }))]
      : []),
    bufferArb(dialect),
  );
}

const ACTIONS: Record<Dialect, string[]> = {
  snort2: ["alert", "log", "pass", "activate", "dynamic", "drop", "reject", "sdrop"],
  snort3: ["alert", "block", "drop", "log", "pass", "react", "reject", "rewrite"],
  suricata: ["alert", "pass", "drop", "reject", "rejectsrc", "rejectdst", "rejectboth"],
};

/** A whole valid rule AST in the given dialect. */
export function ruleArb(dialect: Dialect): fc.Arbitrary<Rule> {
  return fc
    .record({
      disabled: fc.boolean(),
      action: fc.constantFrom(...ACTIONS[dialect]),
      protocol: fc.constantFrom("tcp", "udp", "icmp", "ip"),
      elided: fc.boolean(),
      src: addrExpr,
      srcPort: portExpr,
      direction: fc.constantFrom("->", "<>") as fc.Arbitrary<"->" | "<>">,
      dst: addrExpr,
      dstPort: portExpr,
      options: fc.array(optionArb(dialect), { maxLength: 12 }),
      sid: fc.integer({ min: 1, max: 4294967295 }),
    })
    .map((r) =>
      createRule({
        dialect,
        disabled: r.disabled,
        action: r.action,
        protocol: dialect === "snort3" && r.elided ? "http" : r.protocol,
        ...(dialect === "snort3" && r.elided
          ? {}
          : { src: r.src, srcPort: r.srcPort, direction: r.direction, dst: r.dst, dstPort: r.dstPort }),
        options: [...r.options, { kind: "sid", value: r.sid }],
      }),
    );
}
