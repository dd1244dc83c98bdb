/**
 * The socket table's row: one socket as `ss -tuwxanp` shows it, from netlink or from /proc/net.
 * Pure types and the state names.
 *
 * @example
 * const row: SocketRow = {
 *   protocol: "tcp", family: "inet", type: "stream", state: "LISTEN",
 *   localAddress: "127.0.0.1", localPort: 8080, peerAddress: "0.0.0.0", peerPort: 0,
 *   recvQ: 0, sendQ: 128, uid: 0, inode: 8906, processes: [], ownerUnknown: false,
 * };
 */

export type SocketProtocol = "tcp" | "udp" | "raw" | "unix";
export type SocketFamily = "inet" | "inet6" | "unix";
export type SocketType = "stream" | "dgram" | "seqpacket" | "raw";

/** `ss`'s state names, indexed by the kernel's TCP state number (1 = ESTABLISHED … 11 = CLOSING). */
export const STATE_NAMES = [
  "UNKNOWN",
  "ESTAB",
  "SYN-SENT",
  "SYN-RECV",
  "FIN-WAIT-1",
  "FIN-WAIT-2",
  "TIME-WAIT",
  "UNCONN",
  "CLOSE-WAIT",
  "LAST-ACK",
  "LISTEN",
  "CLOSING",
] as const;

export type SocketState = (typeof STATE_NAMES)[number];

/** The kernel's state number for an ss state name, or -1. */
export function stateNumber(name: string): number {
  return (STATE_NAMES as readonly string[]).indexOf(name);
}

/** The ss name of a kernel TCP state number (12, NEW_SYN_RECV, is shown as SYN-RECV). */
export function stateName(n: number): SocketState {
  if (n === 12) return "SYN-RECV";
  return STATE_NAMES[n] ?? "UNKNOWN";
}

/** A process holding a socket through one of its file descriptors. */
export interface SocketProcess {
  pid: number;
  /** /proc/PID/comm: the command name (at most 15 characters). */
  command: string;
  fd: number;
}

/** One socket. */
export interface SocketRow {
  protocol: SocketProtocol;
  family: SocketFamily;
  type: SocketType;
  state: SocketState;
  /** IP address text, or for Unix sockets the path ("@name" when abstract, "" when unnamed). */
  localAddress: string;
  /** The port; for raw sockets the IP protocol number (as ss shows it); null for Unix sockets. */
  localPort: number | null;
  peerAddress: string;
  peerPort: number | null;
  /**
   * Receive and send queues as ss shows them (for listeners: accept queue and backlog).
   * null when the source does not know: /proc has no queues for Unix sockets and no backlog.
   */
  recvQ: number | null;
  sendQ: number | null;
  /** Owner uid; null when the source does not know (/proc/net/unix has no uid). */
  uid: number | null;
  /** The socket's inode (0 for TIME-WAIT and not-yet-accepted sockets: no file, no process). */
  inode: number;
  /**
   * Unix sockets only (absent on the others): the connected peer socket's inode, as ss -x shows it
   * in "Peer Address:Port" (`* 1234`); 0 when there is no peer; null when the source does not
   * know (/proc/net/unix has no peer).
   */
  peerInode?: number | null;
  /** Every process that holds the socket, sorted by pid then fd. */
  processes: SocketProcess[];
  /**
   * True when no owner was found and some process's fds could not be read (EACCES, as for
   * /proc/1/fd): the owner may be that process. False when the owner search was complete.
   */
  ownerUnknown: boolean;
}
