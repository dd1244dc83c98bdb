/**
 * netkit: the library. Re-exports only; see docs/api.md.
 */

// diagnostics (src/diag): interfaces, routes, ping
export { type Interface, type InterfaceAddress, listInterfaces } from "./diag/interfaces.js";
export { type PingEvent, type PingOptions, type PingResult, ping } from "./diag/ping.js";
export type { PingSummary, RttStats } from "./diag/ping_stats.js";
export {
  defaultGateways,
  type Gateway,
  listRoutes,
  type Route,
  type RouteGetOptions,
  routeGet,
} from "./diag/routes.js";
export { type TcpPingOptions, type TcpPingResult, tcpPing } from "./diag/tcp_ping.js";
export * from "./errors.js";
export { Addr, type IPVersion, parseAddr } from "./ip/addr.js";
export { type AddressInfo, analyze, analyzePrefix } from "./ip/analyze.js";
export { type AddrFlags, type ClassInfo, classOf, flagsOf } from "./ip/classify.js";
export {
  type MaskForm,
  type ParsedInterface,
  Prefix,
  parseInterface,
  parseNetwork,
  parsePrefix,
} from "./ip/prefix.js";
export { SPECIAL_RANGES, type SpecialRange, specialRangesOf } from "./ip/special_ranges.js";
