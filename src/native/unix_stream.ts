/**
 * Linux abstract Unix stream sockets with the exact name given. Node's `net` (libuv) pads an
 * abstract name to the full 108 bytes of `sun_path`, so `\0name` from Node is a different socket
 * from `\0name` of socat, Python or ss. Here the socket is made, bound or connected through libc
 * with the address length of the name itself; the caller hands the fd to `net` (a Server's
 * `listen({ fd })`, a Socket's `{ fd }`), which does all the I/O from then on.
 *
 * @example
 * const fd = listenAbstractStream("@demo");        // ss -xl shows "@demo"
 * server.listen({ fd });
 */
import { koffiModule, libcFunction } from "./ffi.js";
import { NativeError, sockaddrUn } from "./unix_dgram.js";

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const EAGAIN = 11;

interface Calls {
  socket: (domain: number, type: number, proto: number) => number;
  bind: (fd: number, addr: Buffer, len: number) => number;
  listen: (fd: number, backlog: number) => number;
  connect: (fd: number, addr: Buffer, len: number) => number;
  close: (fd: number) => number;
}
let calls: Calls | undefined;
function load(): Calls {
  calls ??= {
    socket: libcFunction("int socket(int, int, int)"),
    bind: libcFunction("int bind(int, const void *, uint32_t)"),
    listen: libcFunction("int listen(int, int)"),
    connect: libcFunction("int connect(int, const void *, uint32_t)"),
    close: libcFunction("int close(int)"),
  };
  return calls;
}

/** True for a Linux abstract socket name: `@name` (as ss prints it) or `\0name` (as Node spells it). */
export function isAbstractName(path: string): boolean {
  return path.startsWith("@") || path.startsWith("\0");
}

/** `@name` for display, whichever spelling came in. */
export function abstractDisplay(path: string): string {
  return `@${path.slice(1)}`;
}

function fail(c: Calls, fd: number, syscall: string, name: string): never {
  const errno = koffiModule().errno();
  c.close(fd);
  throw new NativeError(syscall, errno, abstractDisplay(name));
}

/**
 * A listening abstract stream socket named exactly `name` (`@x` or `\0x`), for `listen({ fd })`.
 * @throws NativeError (EADDRINUSE when the name is taken, ENAMETOOLONG past 107 bytes).
 */
export function listenAbstractStream(name: string, backlog = 511): number {
  const c = load();
  const [addr, len] = sockaddrUn(name);
  const fd = c.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new NativeError("socket", koffiModule().errno());
  if (c.bind(fd, addr, len) < 0) fail(c, fd, "bind", name);
  if (c.listen(fd, backlog) < 0) fail(c, fd, "listen", name);
  return fd;
}

/**
 * A stream socket connected to the abstract name `name`, for `new net.Socket({ fd })`. A full
 * backlog (EAGAIN) is retried every 10 ms until `timeoutMs` (default 10 s).
 * @throws NativeError (ECONNREFUSED when nothing listens on the name).
 */
export async function connectAbstractStream(name: string, timeoutMs = 10_000): Promise<number> {
  const c = load();
  const [addr, len] = sockaddrUn(name);
  const fd = c.socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new NativeError("socket", koffiModule().errno());
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (c.connect(fd, addr, len) === 0) return fd;
    if (koffiModule().errno() !== EAGAIN || Date.now() >= until) fail(c, fd, "connect", name);
    await new Promise((r) => setTimeout(r, 10));
  }
}
