/**
 * netkit: the library. Re-exports only; see docs/api.md.
 */
export * from "./errors.js";
export { Addr, type IPVersion, parseAddr } from "./ip/addr.js";
export { type AddressInfo, analyze, analyzePrefix } from "./ip/analyze.js";
export { type AddrFlags, type ClassInfo, classOf, flagsOf } from "./ip/classify.js";
// Network operations (netkit ip split|supernet|summarize|collapse|exclude|contains|overlaps|list).
export { collapse } from "./ip/collapse.js";
export { exclude } from "./ip/exclude.js";
export { hosts, usableHostCount } from "./ip/hosts.js";
export { DEFAULT_SPLIT_LIMIT, MAX_HOST_REQUESTS } from "./ip/op_limits.js";
export {
  type MaskForm,
  type ParsedInterface,
  Prefix,
  parseInterface,
  parseNetwork,
  parsePrefix,
} from "./ip/prefix.js";
export { networkContains, networksOverlap } from "./ip/relations.js";
export { SPECIAL_RANGES, type SpecialRange, specialRangesOf } from "./ip/special_ranges.js";
export { type HostAllocation, prefixForHosts, type SplitHostsResult, splitHosts } from "./ip/split_hosts.js";
export {
  checkSplitLimit,
  type SplitCountResult,
  type SplitOptions,
  splitCount,
  splitPrefix,
  subnetCount,
  subnets,
} from "./ip/subnets.js";
export { summarizeRange } from "./ip/summarize.js";
export { type SupernetOptions, supernet } from "./ip/supernet.js";
