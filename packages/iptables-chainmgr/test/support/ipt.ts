/** The @fwkit/iptables-parse pieces the tests use. */
export { comparableRule, findChain, IptablesParse, nodeExecutor, parseListing, parseSave } from "@fwkit/iptables-parse";
