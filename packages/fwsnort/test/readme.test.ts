/** The README quick start, verbatim (keep both in sync). */
import { expect, it } from "vitest";
import { parseFwsnortConfig, renderSave, translateRuleset } from "../src/index.ts";

it("README quick start", () => {
  const config = parseFwsnortConfig("HOME_NET 192.168.10.0/24;\nEXTERNAL_NET !$HOME_NET;\nWHITELIST NONE;");
  const files = [
    {
      path: "/etc/fwsnort/snort_rules/web-misc.rules",
      text: [
        'alert tcp $EXTERNAL_NET any -> $HOME_NET 80 (msg:"WEB-MISC nmap"; flow:to_server,established; content:"nmap%20"; nocase; sid:1361; rev:5;)',
        'alert tcp $EXTERNAL_NET any -> $HOME_NET 80 (msg:"needs byte_test"; content:"x"; byte_test:4,>,1000,0,relative; sid:2;)',
      ].join("\n"),
    },
  ];
  const t = translateRuleset(files, { config, target: "drop" });
  // t.translated[0].sid === 1361; t.skipped[0].code === "FWSNORT_UNSUPPORTED_KEYWORD"
  const save = renderSave(t); // a complete `*filter … COMMIT` file for iptables-restore
  // -A FWSNORT_INPUT_ESTAB ! -s 192.168.10.0/24 -d 192.168.10.0/24 -p tcp -m tcp --dport 80
  //    -m conntrack --ctdir ORIGINAL -m string --hex-string "|6e6d6170253230|" --algo bm --icase
  //    -m comment --comment "sid:1361; msg:WEB-MISC nmap; rev:5; FWS:1.6.8;"
  //    -j LOG --log-ip-options --log-tcp-options --log-prefix "[1] DRP SID1361 ESTAB "
  // (followed by the same match with -j DROP)

  expect(t.translated.map((r) => r.sid)).toEqual([1361]);
  expect(t.skipped.map((s) => s.code)).toEqual(["FWSNORT_UNSUPPORTED_KEYWORD"]);
  expect(save).toContain(
    '-A FWSNORT_INPUT_ESTAB ! -s 192.168.10.0/24 -d 192.168.10.0/24 -p tcp -m tcp --dport 80 -m conntrack --ctdir ORIGINAL -m string --hex-string "|6e6d6170253230|" --algo bm --icase -m comment --comment "sid:1361; msg:WEB-MISC nmap; rev:5; FWS:1.6.8;" -j LOG --log-ip-options --log-tcp-options --log-prefix "[1] DRP SID1361 ESTAB " \n',
  );
  expect(save).toMatch(/--icase -j DROP \n/);
  expect(save.startsWith("*filter\n")).toBe(true);
});
