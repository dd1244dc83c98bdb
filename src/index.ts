/**
 * netkit: the library. Re-exports only; see docs/api.md.
 */
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
export { portInUseHint } from "./ports/in_use_hint.js";
// ports and sockets (src/ports)
export { type KernelPorts, type PortRange, readKernelPorts } from "./ports/kernel_ports.js";
export {
  type ListSocketsOptions,
  listSockets,
  type SocketSource,
  type SocketTable,
} from "./ports/list_sockets.js";
export { type OwnerScan, scanSocketOwners } from "./ports/owners.js";
export { type PickOptions, type PickResult, pickPort } from "./ports/pick.js";
export { type PortInfo, type PortTransportInfo, portInfo } from "./ports/port_info.js";
export { type PortSpec, type PortTransport, parsePortSpec } from "./ports/port_spec.js";
export { parseProcNetInet, parseProcNetUnix } from "./ports/proc_net.js";
export {
  type PortCategory,
  portCategory,
  portsForName,
  type ServiceName,
  serviceNames,
} from "./ports/registry.js";
export { type ReleaseOptions, type ReleaseResult, releasePort } from "./ports/release.js";
export { parseStates, type RowFilter } from "./ports/socket_filter.js";
export type {
  SocketFamily,
  SocketProcess,
  SocketProtocol,
  SocketRow,
  SocketState,
} from "./ports/socket_row.js";
export { type WhoOptions, whoHolds } from "./ports/who.js";
