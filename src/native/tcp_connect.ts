/**
 * One timed TCP connect through koffi, for `ping --tcp`: a non-blocking socket, the clock read
 * right before `connect(2)` and right when the connection is complete (or refused). Node's
 * `net.connect` cannot be timed this closely: it builds the socket object and calls connect(2) on
 * a later tick, and reports completion one event-loop turn after the kernel did (0.3–1.5 ms on
 * loopback, where the handshake itself takes about 0.02 ms; see docs/ping.md).
 *
 * On loopback the handshake is done before connect(2) returns; a `poll(2)` with timeout 0 right
 * after sees it, so nothing of the event loop is measured. Otherwise the socket is watched for
 * writability on the libuv loop and the clock is read in the callback.
 *
 * @example
 * const r = await timedConnect(new Uint8Array([127, 0, 0, 1]), 8080, 0, 10_000);
 * r.status; // "open" | "closed" | "timeout" | "error"
 */
import { AF_INET, AF_INET6, SOCK_CLOEXEC, SOCK_NONBLOCK, sockaddr } from "./diag_libc.js";
import { errnoName, lastErrno, libcFunction, watchFd } from "./ffi.js";

const SOCK_STREAM = 1;
const SOL_SOCKET = 1;
const SO_ERROR = 4;
const POLLOUT = 4;
const EINPROGRESS = 115;
const ECONNREFUSED = 111;

type Fn = (...args: unknown[]) => number;
interface Calls {
  socket: Fn;
  connect: Fn;
  poll: Fn;
  getsockopt: Fn;
  close: Fn;
  ifNameToIndex: (name: string) => number;
}
let calls: Calls | undefined;

function load(): Calls {
  calls ??= {
    socket: libcFunction<Fn>("int socket(int domain, int type, int protocol)"),
    connect: libcFunction<Fn>("int connect(int fd, const void *addr, uint32_t len)"),
    poll: libcFunction<Fn>("int poll(_Inout_ void *fds, unsigned long n, int timeout)"),
    getsockopt: libcFunction<Fn>("int getsockopt(int, int, int, _Out_ void *, _Inout_ uint32_t *)"),
    close: libcFunction<Fn>("int close(int fd)"),
    ifNameToIndex: libcFunction<(name: string) => number>("unsigned int if_nametoindex(const char *name)"),
  };
  return calls;
}

/** The outcome of one connect: `ns` from just before connect(2) to completion (null on timeout). */
export interface TimedConnect {
  status: "open" | "closed" | "timeout" | "error";
  ns: bigint | null;
  /** The errno name when `status` is "error" (EHOSTUNREACH, ENETUNREACH, …). */
  error: string | null;
}

/** The interface index of an IPv6 zone (a name, or a number already); 0 when there is none. */
export function zoneIndex(zone: string): number {
  if (zone === "") return 0;
  if (/^[0-9]+$/.test(zone)) return Number(zone);
  return load().ifNameToIndex(zone) >>> 0;
}

function socketError(fd: number): number {
  const v = new Int32Array(1);
  const len = [4];
  if (load().getsockopt(fd, SOL_SOCKET, SO_ERROR, v, len) < 0) return lastErrno();
  return v[0]!;
}

function outcome(err: number, ns: bigint): TimedConnect {
  if (err === 0) return { status: "open", ns, error: null };
  if (err === ECONNREFUSED) return { status: "closed", ns, error: null };
  return { status: "error", ns, error: errnoName(err) };
}

/**
 * Connect to `addr` (4 or 16 bytes) port `port` and time it; the socket is closed at once (no
 * data sent). Resolves, never rejects, except when no socket can be made at all.
 * @throws {SyscallError}-like Error when socket(2) fails (EMFILE, …)
 */
export function timedConnect(
  addr: Uint8Array,
  port: number,
  scopeId: number,
  timeoutMs: number,
): Promise<TimedConnect> {
  const c = load();
  const v6 = addr.byteLength === 16;
  const fd = c.socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Promise.reject(new Error(`socket: ${errnoName(lastErrno())}`));
  const sa = sockaddr(addr, port, scopeId);
  const t0 = process.hrtime.bigint();
  const r = c.connect(fd, sa, sa.byteLength);
  const errno = r < 0 ? lastErrno() : 0;
  if (r === 0 || errno !== EINPROGRESS) {
    const ns = process.hrtime.bigint() - t0;
    c.close(fd);
    return Promise.resolve(outcome(errno, ns));
  }
  // struct pollfd { int fd; short events; short revents; }
  const pfd = new Int16Array(4);
  new Int32Array(pfd.buffer, 0, 1)[0] = fd;
  pfd[2] = POLLOUT;
  if (c.poll(pfd, 1, 0) === 1) {
    const ns = process.hrtime.bigint() - t0;
    const res = outcome(socketError(fd), ns);
    c.close(fd);
    return Promise.resolve(res);
  }
  return new Promise((resolve) => {
    let done = false;
    const finish = (res: TimedConnect) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      h.stop();
      h.close();
      c.close(fd);
      resolve(res);
    };
    const h = watchFd(fd, { readable: false, writable: true }, (ev) => {
      if (!ev.writable && !ev.readable) return;
      const ns = process.hrtime.bigint() - t0;
      finish(outcome(socketError(fd), ns));
    });
    const timer = setTimeout(() => finish({ status: "timeout", ns: null, error: null }), timeoutMs);
  });
}
