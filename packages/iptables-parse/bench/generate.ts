/** Deterministic generator of a large `iptables -v -n -L INPUT --line-numbers` listing (iptables 1.8.9 layout). */

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function counter(n: number): string {
  if (n < 100000) return String(n);
  if (n < 100000 * 1000) return `${Math.floor(n / 1000)}K`;
  return `${Math.floor(n / 1000000)}M`;
}

/** A listing of `n` rules in chain INPUT, printed with iptables' column widths. */
export function generateListing(n: number, seed = 42): string {
  const rnd = lcg(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const lines = [
    "Chain INPUT (policy DROP 0 packets, 0 bytes)",
    "num   pkts bytes target     prot opt in     out     source               destination         ",
  ];
  for (let i = 1; i <= n; i++) {
    const proto = pick(["0", "6", "17", "1"]);
    const target = pick(["ACCEPT", "DROP", "REJECT", "LOG", "CUSTOM"]);
    const src = rnd() < 0.5 ? "0.0.0.0/0" : `10.${i & 255}.${(i >> 8) & 255}.0/24`;
    const dst = rnd() < 0.7 ? "0.0.0.0/0" : `192.168.${i & 255}.${(i * 7) & 255}`;
    const inIf = rnd() < 0.8 ? "*" : "eth0";
    let ext = "";
    if (proto === "6" || proto === "17") {
      const p = proto === "6" ? "tcp" : "udp";
      ext = rnd() < 0.5 ? `${p} dpt:${1 + (i % 65000)}` : `${p} spts:1024:65535 dpt:${1 + (i % 1000)}`;
      if (rnd() < 0.2) ext += ` /* rule ${i} from generator */`;
      if (rnd() < 0.1) ext = `multiport dports 80,443,${8000 + (i % 100)}`;
    } else if (proto === "1") {
      ext = "icmptype 8 limit: avg 5/sec burst 5";
    } else {
      ext = pick(["ctstate RELATED,ESTABLISHED", "state NEW", "", "MAC 00:11:22:33:44:55", "length 10:100"]);
    }
    if (target === "LOG") ext = `${ext} LOG flags 0 level 4 prefix "DROP ${i} "`.trimStart();
    if (target === "REJECT") ext = `${ext} reject-with icmp-port-unreachable`.trimStart();
    const pk = counter(Math.floor(rnd() * 1e7));
    const by = counter(Math.floor(rnd() * 1e9));
    const line =
      `${String(i).padEnd(4)} ${pk.padStart(5)} ${by.padStart(5)} ${target.padEnd(9)}  ${proto.padEnd(5)}-- ` +
      ` ${inIf.padEnd(6)}  ${"*".padEnd(6)}  ${src.padEnd(20)} ${dst.padEnd(20)}${ext === "" ? "" : ` ${ext}`}`;
    lines.push(line);
  }
  return `${lines.join("\n")}\n`;
}
