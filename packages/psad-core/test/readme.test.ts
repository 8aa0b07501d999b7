// Mirrors the README quick start; edit both together.
import { expect, it } from "vitest";
import { analysisToJson, analyzeLog, buildDetectorSetup, parsePsadConfig, renderSyslogMsgs } from "../src/index.ts";

it("README quick start", async () => {
  const config = parsePsadConfig("DANGER_LEVEL1 5;\nFW_MSG_SEARCH DROP;");
  if (!config.ok) throw config.error;
  const setup = buildDetectorSetup(config.value /* , { signatures, pfOs, … } data-file texts */);
  const lines = Array.from(
    { length: 20 },
    (_, i) =>
      `Mar 11 20:35:11 fw kernel: DROP IN=eth0 OUT= SRC=192.0.2.7 DST=198.51.100.1 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=1 PROTO=TCP SPT=40000 DPT=${1000 + i} WINDOW=1024 RES=0x00 SYN URGP=0 `,
  );
  // any (async) iterable of text or bytes works: fs.createReadStream(file), process.stdin, an array …
  const result = await analyzeLog([lines.join("\n")], setup, { now: () => Date.parse("2026-11-22T00:00:00Z") / 1000 });

  expect(renderSyslogMsgs(result)).toEqual([
    "scan detected (Nmap -sT or -sS scan): 192.0.2.7 -> 198.51.100.1 tcp: [1000-1019] flags: SYN tcp pkts: 20 DL: 2 total scan dsts: 1",
  ]);
  expect(analysisToJson(result).sources[0]).toMatchObject({ src: "192.0.2.7", dl: 2, packets: 20 });
});
