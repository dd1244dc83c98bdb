/**
 * netkit: the library. Re-exports only; see docs/api.md.
 */

// bench: measurement (src/bench) and impaired paths (src/impair)
export { type BenchClientOptions, runBenchClient } from "./bench/client.js";
export {
  COOKIE_SIZE,
  decodeParams,
  decodeResults,
  decodeUdpHeader,
  encodeParams,
  encodeResults,
  encodeUdpHeader,
  type IperfParams,
  State as IperfState,
  type UdpHeader,
} from "./bench/iperf_protocol.js";
export { type PingPongOptions, type PingPongResult, pingPong } from "./bench/latency.js";
export { histogram, type LatencySummary, percentile, summarize } from "./bench/latency_stats.js";
export { plotBench, plotHistogram } from "./bench/plot_svg.js";
export { summaryLines, toIperfJson } from "./bench/report.js";
export type { BenchResult, Interval, StreamSummary, UdpFigures } from "./bench/result.js";
export { type BenchServer, type BenchServerOptions, startBenchServer } from "./bench/server.js";
export { type UdpReceiverSnapshot, UdpReceiverStats } from "./bench/stats.js";
export {
  formatBitsPerSecond,
  formatBytes,
  formatPacketsPerSecond,
  parseRate,
  parseSize,
} from "./bench/units.js";
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
export {
  type TraceEvent,
  type TraceMethod,
  type TraceOptions,
  type TraceResult,
  trace,
} from "./diag/trace.js";
export { type Hop, icmpErrorMeaning, type ProbeResult, TraceProbes } from "./diag/trace_probes.js";
export * from "./errors.js";
export { createRng } from "./impair/rng.js";
export { startTcpRelay, type TcpRelayOptions } from "./impair/tcp_relay.js";
export { type UdpImpairCounts, type UdpImpairment, UdpPipeline } from "./impair/udp_pipeline.js";
export { startUdpRelay, type UdpRelayOptions } from "./impair/udp_relay.js";
export { Addr, type IPVersion, parseAddr } from "./ip/addr.js";
export { type AddressInfo, analyze, analyzePrefix } from "./ip/analyze.js";
export { type AddrFlags, type ClassInfo, classOf, flagsOf } from "./ip/classify.js";
// Network operations (netkit ip split|supernet|summarize|collapse|exclude|contains|overlaps|list).
export { collapse } from "./ip/collapse.js";
export { exclude } from "./ip/exclude.js";
export { type HostText, isAddressLike, parseHostText } from "./ip/host_text.js";
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
export { portInUseHint } from "./ports/in_use_hint.js";
// ports and sockets (src/ports)
export { type KernelPorts, type PortRange, readKernelPorts } from "./ports/kernel_ports.js";
export {
  type ListSocketsOptions,
  listSockets,
  listSocketsAsync,
  type SocketSource,
  type SocketTable,
} from "./ports/list_sockets.js";
export { type OwnerMethod, type OwnerScan, scanSocketOwners } from "./ports/owners.js";
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
// sockets (src/sockets)
export { AccessList, type AccessOptions } from "./sockets/access_list.js";
export type { SocketEventName } from "./sockets/events.js";
export { type ExecOptions, execHandler } from "./sockets/exec_handler.js";
export { findProgram } from "./sockets/exec_program.js";
export {
  BUILTIN_HANDLERS,
  type BuiltinHandlerName,
  type Framing,
  functionHandler,
  type Handler,
  type HandlerContext,
  type HandlerSession,
  type HandlerSpec,
  loadHandlerModule,
  type PeerInfo,
  type ProcessData,
  resolveHandler,
} from "./sockets/handlers.js";
export {
  checkHost,
  literalFamily,
  type ResolvedHost,
  resolveHost,
  resolveHostAddr,
} from "./sockets/resolve_host.js";
export { errnoOf, hostPort, socketError } from "./sockets/socket_error.js";
export { type TcpConnectOptions, tcpConnect, tcpRequest } from "./sockets/tcp_client.js";
export {
  type ConnectionCloseEvent,
  type ConnectionEvent,
  startTcpServer,
  startUnixServer,
  TcpServer,
  type TcpServerOptions,
  type TcpServerStats,
} from "./sockets/tcp_server.js";
export {
  type Datagram,
  type RequestOptions,
  UdpClient,
  type UdpClientOptions,
  udpRequest,
} from "./sockets/udp_client.js";
export {
  type DatagramEvent,
  type MulticastOptions,
  startUdpServer,
  UdpServer,
  type UdpServerOptions,
  type UdpServerStats,
} from "./sockets/udp_server.js";
export {
  UnixDgramClient,
  type UnixDgramClientOptions,
  type UnixDgramReply,
  unixDgramRequest,
} from "./sockets/unix_dgram_client.js";
export {
  startUnixDgramServer,
  type UnixDatagramEvent,
  UnixDgramServer,
  type UnixDgramServerOptions,
  type UnixDgramServerStats,
} from "./sockets/unix_dgram_server.js";
