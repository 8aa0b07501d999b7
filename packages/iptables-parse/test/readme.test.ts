import { readFileSync } from "node:fs";
// The README's quick start, verbatim between the markers (the test below checks they stay the same).
// --- quick start ---
import { defaultDrop, defaultLog, fwCheck, parsePolicy } from "@fwkit/iptables-parse";
import { expect, it } from "vitest";

const text = `*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -s 192.168.10.0/24 -p tcp -m tcp --dport 22 -m comment --comment "ssh from lan" -j ACCEPT
-A INPUT -j LOG --log-prefix "DROP "
-A FORWARD -j LOG --log-prefix "DROP "
-A FORWARD -j DROP
COMMIT
`;
const policy = parsePolicy(text); // iptables-save, iptables -S, or iptables [-v] -n -L [--line-numbers]
const ssh = policy.tables[0]?.chains[0]?.rules[1];
// IPTables::Parse's rule hash: { target: "ACCEPT", protocol: "tcp", src: "192.168.10.0/24", d_port: "22", comment: "ssh from lan", … }
const [drop, dropOk] = defaultDrop(policy, "filter", "INPUT"); // [{ all: { DROP: 0, LOG: { prefix: "DROP", rulenum: 3 } } }, 1]
const [log, logOk] = defaultLog(policy, "filter", "FORWARD"); // [{ all: "" }, 1]
const check = fwCheck(policy); // psad's fwcheck: default LOG + DROP in INPUT and FORWARD
// --- end quick start ---

it("the README quick start runs and says what it claims", () => {
  expect(ssh).toMatchObject({
    target: "ACCEPT",
    protocol: "tcp",
    src: "192.168.10.0/24",
    d_port: "22",
    comment: "ssh from lan",
  });
  expect([drop, dropOk]).toEqual([{ all: { DROP: 0, LOG: { prefix: "DROP", rulenum: 3 } } }, 1]);
  expect([log, logOk]).toEqual([{ all: "" }, 1]);
  expect(check.ok).toBe(true);
});

it("the README shows exactly this quick start", () => {
  const src = readFileSync(new URL(import.meta.url), "utf8");
  const code = src.slice(src.indexOf("// --- quick start ---") + 23, src.indexOf("// --- end quick start ---")).trim();
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  expect(readme).toContain(code);
});
