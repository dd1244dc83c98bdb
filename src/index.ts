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
