/**
 * The C library calls netkit needs, through koffi (the only FFI entry point with netlink.ts).
 * Small typed functions over raw fds; errors come back as `LibcError` with the errno name.
 * Loaded lazily: importing this module does not load koffi until the first call.
 *
 * @example
 * const fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
 * try { sendto(fd, request, netlinkKernelAddress()); recv(fd, buf, MSG_DONTWAIT); } finally { close(fd); }
 */
import { checkCall, ffiAvailable, koffiModule, libcFunction } from "./ffi.js";

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;
export const SOCK_RAW = 3;
export const SOCK_CLOEXEC = 0o2000000;
export const NETLINK_SOCK_DIAG = 4;
export const MSG_DONTWAIT = 0x40;
export const MSG_TRUNC = 0x20;

/** An errno from a libc call: `code` is the name (EACCES), `errno` the number. */
export { SyscallError as LibcError } from "./ffi.js";

type Fn = (...args: unknown[]) => number;

interface Libc {
  socket: Fn;
  sendto: Fn;
  recv: Fn;
  close: Fn;
  bind: Fn;
  readlink: Fn;
  readlinkat: Fn;
  open: Fn;
  errno: () => number;
}

let libc: Libc | undefined;

function load(): Libc {
  if (libc !== undefined) return libc;
  const koffi = koffiModule();
  const f = (decl: string) => libcFunction<Fn>(decl);
  libc = {
    socket: f("int socket(int domain, int type, int protocol)"),
    bind: f("int bind(int fd, const void *addr, uint32_t len)"),
    sendto: f("long sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t alen)"),
    recv: f("long recv(int fd, _Out_ void *buf, size_t len, int flags)"),
    close: f("int close(int fd)"),
    readlink: f("long readlink(const char *path, _Out_ uint8_t *buf, size_t len)"),
    readlinkat: f("long readlinkat(int dirfd, const char *path, _Out_ uint8_t *buf, size_t len)"),
    open: f("int open(const char *path, int flags)"),
    errno: () => koffi.errno(),
  };
  return libc;
}

function check(syscall: string, r: number): number {
  return checkCall(syscall, r);
}

/** socket(2). @throws LibcError (SyscallError) */
export function socket(domain: number, type: number, protocol: number): number {
  return check("socket", load().socket(domain, type, protocol));
}

/** bind(2) with a raw sockaddr. @throws LibcError (SyscallError) */
export function bind(fd: number, addr: Uint8Array): void {
  check("bind", load().bind(fd, addr, addr.byteLength));
}

/** sendto(2): returns the bytes sent. @throws LibcError (SyscallError) */
export function sendto(fd: number, data: Uint8Array, addr: Uint8Array, flags = 0): number {
  return check("sendto", load().sendto(fd, data, data.byteLength, flags, addr, addr.byteLength));
}

/**
 * sendto(2) on libuv's thread pool (for a netlink dump request, whose first batch the kernel
 * builds inside sendto). Resolves with the bytes sent, or -1: errno stays on the pool thread,
 * so a caller that needs it repeats the call with {@link sendto}.
 */
export function sendtoAsync(fd: number, data: Uint8Array, addr: Uint8Array, flags = 0): Promise<number> {
  const fn = load().sendto as unknown as {
    async(
      ...args: [number, Uint8Array, number, number, Uint8Array, number, (err: unknown, n: number) => void]
    ): void;
  };
  return new Promise((resolve, reject) => {
    fn.async(fd, data, data.byteLength, flags, addr, addr.byteLength, (err, n) =>
      err ? reject(err) : resolve(n),
    );
  });
}

/** recv(2) into `buf`: returns the byte count (with MSG_TRUNC: the real datagram length). @throws LibcError (SyscallError) */
export function recv(fd: number, buf: Uint8Array, flags = 0): number {
  return check("recv", load().recv(fd, buf, buf.byteLength, flags));
}

/** close(2). @throws LibcError (SyscallError) */
export function close(fd: number): void {
  check("close", load().close(fd));
}

/**
 * readlink(2) without exceptions, for hot loops: the link's length in `buf`, or -errno
 * (e.g. -2 ENOENT for a closed fd). Text is ASCII for /proc fd links ("socket:[123]").
 */
export function readlinkRaw(path: string, buf: Uint8Array): number {
  const l = load();
  const n = l.readlink(path, buf, buf.byteLength);
  return n < 0 ? -l.errno() : n;
}

const O_RDONLY_DIRECTORY_CLOEXEC = 0o200000 | 0o2000000;

/** open(2) a directory for *at() calls: the fd, or -errno. */
export function openDirectoryRaw(path: string): number {
  const l = load();
  const fd = l.open(path, O_RDONLY_DIRECTORY_CLOEXEC);
  return fd < 0 ? -l.errno() : fd;
}

/** readlinkat(2) without exceptions: the length in `buf`, or -errno. */
export function readlinkAtRaw(dirfd: number, name: string, buf: Uint8Array): number {
  const l = load();
  const n = l.readlinkat(dirfd, name, buf, buf.byteLength);
  return n < 0 ? -l.errno() : n;
}

/** close(2) without exceptions (for fds opened by the *Raw functions). */
export function closeRaw(fd: number): void {
  load().close(fd);
}

/** True when the C library can be called (koffi loads). */
export function libcAvailable(): boolean {
  return ffiAvailable();
}
