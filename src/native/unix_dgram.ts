/**
 * Unix datagram sockets (AF_UNIX, SOCK_DGRAM) through libc, because Node's `dgram` has no AF_UNIX.
 * This file is the only place that knows the C calls and `struct sockaddr_un`; it exposes a small
 * typed, non-blocking socket. Readiness comes from koffi's libuv poll (wrapped here, once).
 *
 * @example
 * import { openUnixDgram } from "./unix_dgram.js";
 * const s = openUnixDgram();
 * s.bind("/tmp/x.sock");
 * const got = s.recv(65536); // null when nothing is waiting (EAGAIN)
 * s.close();
 */
import { errnoName, ffiAvailable, type KoffiModule, koffiModule, libcFunction, watchFd } from "./ffi.js";

type Koffi = KoffiModule;

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const MSG_TRUNC = 0x20;
const MSG_DONTWAIT = 0x40;
const SUN_PATH = 108;
const SOCKADDR_UN = 2 + SUN_PATH;

interface Libc {
  koffi: Koffi;
  socket: (domain: number, type: number, proto: number) => number;
  bind: (fd: number, addr: Buffer, len: number) => number;
  connect: (fd: number, addr: Buffer, len: number) => number;
  sendto: (fd: number, buf: Buffer, len: number, flags: number, addr: Buffer | null, alen: number) => number;
  recvfrom: (fd: number, buf: Buffer, len: number, flags: number, addr: Buffer, alen: number[]) => number;
  getsockname: (fd: number, addr: Buffer, alen: number[]) => number;
  close: (fd: number) => number;
}

let libc: Libc | undefined;

/** An OS error from a libc call, shaped like Node's (code, errno, syscall, path). */
export class NativeError extends Error {
  constructor(
    readonly syscall: string,
    readonly errno: number,
    readonly path?: string,
  ) {
    const code = errnoName(errno);
    super(`${syscall} ${code}${path ? ` ${path}` : ""}`);
    this.code = code;
  }
  readonly code: string;
}

/** Load the libc functions once. @throws Error when koffi or libc is not available here. */
function load(): Libc {
  if (libc) return libc;
  const f = libcFunction;
  libc = {
    koffi: koffiModule(),
    socket: f("int socket(int, int, int)"),
    bind: f("int bind(int, const void *, uint32_t)"),
    connect: f("int connect(int, const void *, uint32_t)"),
    sendto: f("intptr_t sendto(int, const void *, size_t, int, const void *, uint32_t)"),
    recvfrom: f("intptr_t recvfrom(int, _Out_ void *, size_t, int, _Out_ void *, _Inout_ uint32_t *)"),
    getsockname: f("int getsockname(int, _Out_ void *, _Inout_ uint32_t *)"),
    close: f("int close(int)"),
  };
  return libc;
}

/** True when the FFI layer loads on this machine. */
export function unixDgramAvailable(): boolean {
  return ffiAvailable();
}

/** Encode a path (`@name` = Linux abstract) as struct sockaddr_un; returns the buffer and length. */
export function sockaddrUn(path: string): [Buffer, number] {
  const b = Buffer.alloc(SOCKADDR_UN);
  b.writeUInt16LE(AF_UNIX, 0);
  const abstract = path.startsWith("@") || path.startsWith("\0");
  const name = Buffer.from(abstract ? path.slice(1) : path, "utf8");
  const max = abstract ? SUN_PATH - 1 : SUN_PATH - 1;
  if (name.length > max) throw new NativeError("bind", 36, path);
  name.copy(b, abstract ? 3 : 2);
  return [b, abstract ? 3 + name.length : 2 + name.length + 1];
}

/** Decode struct sockaddr_un of `len` bytes: a path, `@name` (abstract), or null (unnamed). */
export function decodeSockaddrUn(b: Buffer, len: number): string | null {
  if (len <= 2) return null;
  if (b[2] === 0) return `@${b.subarray(3, len).toString("utf8")}`;
  const end = b.indexOf(0, 2);
  return b.subarray(2, end < 0 || end > len ? len : end).toString("utf8");
}

export interface UnixDatagram {
  data: Buffer;
  /** The real size (larger than data.length when it did not fit). */
  size: number;
  /** Sender's address, or null when the sender is not bound (it cannot get a reply). */
  from: string | null;
}

export interface UnixDgramSocket {
  readonly fd: number;
  /** Bind to a path or @abstract name; with no argument, autobind to a fresh abstract name. */
  bind(path?: string): void;
  connect(path: string): void;
  /** Send; false when the receiver's queue is full (EAGAIN: try again when writable). */
  send(data: Uint8Array, to?: string): boolean;
  /** One datagram of at most `max` bytes, or null when none is waiting. */
  recv(max: number): UnixDatagram | null;
  /** Our bound address (a path, @name, or null). */
  localAddress(): string | null;
  /** Call `cb` whenever the socket becomes readable / writable. Returns a stop function. */
  watch(cb: (ev: { readable: boolean; writable: boolean }) => void, writable?: boolean): () => void;
  close(): void;
}

/** Create a non-blocking AF_UNIX SOCK_DGRAM socket. @throws NativeError, or Error without koffi. */
export function openUnixDgram(): UnixDgramSocket {
  const c = load();
  const fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new NativeError("socket", c.koffi.errno());
  let closed = false;
  let poller: ReturnType<Koffi["node"]["poll"]> | undefined;
  const check = (r: number, syscall: string, path?: string) => {
    if (r < 0) throw new NativeError(syscall, c.koffi.errno(), path);
    return r;
  };
  return {
    fd,
    bind(path) {
      if (path === undefined) {
        const b = Buffer.alloc(2);
        b.writeUInt16LE(AF_UNIX, 0);
        check(c.bind(fd, b, 2), "bind");
        return;
      }
      const [addr, len] = sockaddrUn(path);
      check(c.bind(fd, addr, len), "bind", path);
    },
    connect(path) {
      const [addr, len] = sockaddrUn(path);
      check(c.connect(fd, addr, len), "connect", path);
    },
    send(data, to) {
      const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      let r: number;
      if (to === undefined) r = c.sendto(fd, buf, buf.length, MSG_DONTWAIT, null, 0);
      else {
        const [addr, len] = sockaddrUn(to);
        r = c.sendto(fd, buf, buf.length, MSG_DONTWAIT, addr, len);
      }
      if (r >= 0) return true;
      const e = c.koffi.errno();
      if (e === 11) return false;
      throw new NativeError("sendto", e, to);
    },
    recv(max) {
      const buf = Buffer.alloc(max);
      const addr = Buffer.alloc(SOCKADDR_UN);
      const alen = [SOCKADDR_UN];
      const r = c.recvfrom(fd, buf, max, MSG_TRUNC | MSG_DONTWAIT, addr, alen);
      if (r < 0) {
        const e = c.koffi.errno();
        if (e === 11) return null;
        throw new NativeError("recvfrom", e);
      }
      return { data: buf.subarray(0, Math.min(r, max)), size: r, from: decodeSockaddrUn(addr, alen[0]!) };
    },
    localAddress() {
      const addr = Buffer.alloc(SOCKADDR_UN);
      const alen = [SOCKADDR_UN];
      check(c.getsockname(fd, addr, alen), "getsockname");
      return decodeSockaddrUn(addr, alen[0]!);
    },
    watch(cb, writable = false) {
      poller?.close();
      const p = watchFd(fd, { readable: true, writable }, cb);
      poller = p;
      return () => {
        if (poller === p) poller = undefined;
        p.close();
      };
    },
    close() {
      if (closed) return;
      closed = true;
      poller?.close();
      poller = undefined;
      c.close(fd);
    },
  };
}
