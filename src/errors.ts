/**
 * Every error netkit throws on purpose is a {@link NetkitError} with a stable `code`.
 * The codes are API: scripts and tests may match on them; messages may improve.
 *
 * @example
 * import { parseAddr, NetkitError } from "netkit";
 * try { parseAddr("010.0.0.1"); } catch (e) { if (e instanceof NetkitError) console.log(e.code); }
 * // → ERR_ADDR_SYNTAX
 */

/** The stable error codes, with what each one means (documented in docs/errors.md). */
export const ERROR_CODES = {
  ERR_ADDR_SYNTAX: "the text is not an IPv4 or IPv6 address",
  ERR_ZONE: "the IPv6 zone (scope id) is empty, misplaced or has forbidden characters",
  ERR_PREFIX_LENGTH: "the prefix length is not a decimal number within 0–32 (IPv4) or 0–128 (IPv6)",
  ERR_NETMASK: "the netmask is not a valid contiguous netmask or hostmask",
  ERR_VERSION_MISMATCH: "IPv4 and IPv6 values were mixed in one operation",
  ERR_HOST_BITS: "a network was expected but the address has host bits set",
  ERR_RANGE: "a value is outside the range the operation accepts",
  ERR_TOO_LARGE: "the result would be larger than the limit the operation allows",
  ERR_INPUT_TOO_LONG: "an input line or argument is longer than the command reads (4096 characters)",
  ERR_USAGE: "the command line is not valid (exit code 2)",
  ERR_IO: "an operating-system call failed",
  // sockets (src/sockets, netkit udp|tcp|unix|nc)
  ERR_ADDR_IN_USE: "the address and port are already in use by another socket (EADDRINUSE)",
  ERR_ADDR_NOT_AVAILABLE: "the local address does not belong to this machine (EADDRNOTAVAIL)",
  ERR_CONN_REFUSED: "the peer refused: nothing listens there (TCP RST or ICMP port unreachable)",
  ERR_CONN_RESET: "the peer reset the connection",
  ERR_SOCKET_TIMEOUT: "no connection or no answer within the time limit",
  ERR_HOST_NOT_FOUND: "the host name could not be resolved",
  ERR_HANDLER: "a processing handler could not be loaded, or it failed",
  ERR_NOT_IMPLEMENTED: "the feature is not available in this version",
  // ports and sockets (src/ports, src/native)
  ERR_PORT_SPEC: "the text is not a port spec (80, 2000/udp, tcp:22, ssh)",
  ERR_UNKNOWN_SERVICE: "no IANA service of that name uses TCP or UDP",
  ERR_PROC_FORMAT: "a /proc file has a line netkit cannot read",
  ERR_NETLINK: "the netlink sock_diag request failed or was refused",
  ERR_BPF:
    "the kernel's BPF task-file iterator is not available or not permitted (needs root and kernel BTF)",
  ERR_PERMISSION: "the operation is not permitted (a process of another user, pid 1, netkit itself)",
  ERR_PORT_BUSY: "the port is still in use after the release attempt",
  ERR_NO_FREE_PORT: "no port in the range is free for the chosen transports",
  // diagnostics (src/diag: interfaces, routes, ping)
  ERR_NO_INTERFACE: "no interface has the given name",
  ERR_NO_ROUTE: "the kernel has no route to the destination (network or host unreachable)",
  ERR_PING_PERMISSION:
    "no ICMP socket may be opened: neither net.ipv4.ping_group_range allows an ICMP socket nor is CAP_NET_RAW held",
  // bench / impair (src/bench, src/impair)
  ERR_BENCH_PROTOCOL: "the bench peer broke the iperf3 protocol or closed the connection early",
  ERR_BENCH_BUSY: "the bench server is running another test (iperf3 ACCESS_DENIED)",
  ERR_BENCH_PEER: "the bench peer reported an error (iperf3 SERVER_ERROR)",
  ERR_BENCH_TIMEOUT: "the bench or impair peer did not answer in time",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Base class of every error netkit throws on purpose. */
export class NetkitError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NetkitError";
    this.code = code;
  }
  /** A plain object for JSON output: `{ code, message, … }`. */
  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message };
  }
}

/**
 * A text could not be parsed. Carries the whole `input`, the `reason`, and `at`, the 0-based
 * character position where parsing failed (or -1 when the whole input is at fault).
 */
export class ParseError extends NetkitError {
  readonly input: string;
  readonly reason: string;
  readonly at: number;
  constructor(code: ErrorCode, what: string, input: string, reason: string, at: number) {
    super(code, `Cannot parse ${what} ${JSON.stringify(input)}: ${reason}${at >= 0 ? ` (at ${at})` : ""}`);
    this.name = "ParseError";
    this.input = input;
    this.reason = reason;
    this.at = at;
  }
  override toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, input: this.input, reason: this.reason, at: this.at };
  }
}

/** A command line that cannot run: unknown flag, missing argument, flags that contradict. Exit 2. */
export class UsageError extends NetkitError {
  constructor(message: string) {
    super("ERR_USAGE", message);
    this.name = "UsageError";
  }
}

/** True when `e` is a netkit error with the given code. */
export function isNetkitError(e: unknown, code?: ErrorCode): e is NetkitError {
  return e instanceof NetkitError && (code === undefined || e.code === code);
}
