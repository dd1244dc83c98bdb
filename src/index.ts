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
// sockets (src/sockets)
export { AccessList, type AccessOptions } from "./sockets/access_list.js";
export type { SocketEventName } from "./sockets/events.js";
export { type ExecOptions, execHandler } from "./sockets/exec_handler.js";
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
export { literalFamily, type ResolvedHost, resolveHost } from "./sockets/resolve_host.js";
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
  startUnixDgramServer,
  UnixDgramClient,
  type UnixDgramClientOptions,
  type UnixDgramReply,
  UnixDgramServer,
  type UnixDgramServerOptions,
  type UnixDgramServerStats,
  unixDgramRequest,
} from "./sockets/unix_dgram.js";
