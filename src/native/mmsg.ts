/**
 * Batched UDP I/O through libc (`sendmmsg` / `recvmmsg`), the fast path Node's `dgram` lacks:
 * one system call moves up to 64 datagrams. This file is the only one that knows `struct iovec`,
 * `struct msghdr` and `struct mmsghdr`; it exposes raw IPv4/IPv6 UDP sockets (numbers: file
 * descriptors) and a {@link MmsgBatch} of slots in native memory. Blocking calls belong in a worker
 * thread (see src/bench/udp_fast_worker.ts); on the main thread use the non-blocking forms.
 *
 * @example
 * const fd = udpSocket(4, { nonBlocking: false });
 * udpConnect(fd, "127.0.0.1", port);
 * const b = new MmsgBatch(64, 1460);
 * b.view(0).fill(1); b.setLen(0, 100);
 * b.send(fd, 1); // → 1 datagram sent
 * closeFd(fd); b.free();
 */
import { parseAddr } from "../ip/addr.js";
import { SO_TIMESTAMPNS } from "./cmsg_timestamp.js";
import { lastErrno as ffiErrno, type KoffiModule, koffiModule, libcFunction } from "./ffi.js";

type Ptr = unknown;

const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const SO_SNDBUF = 7;
const SO_RCVBUF = 8;
const SO_RCVTIMEO = 20;
/** recvmmsg: return as soon as one datagram is there. */
export const MSG_WAITFORONE = 0x10000;
export const MSG_DONTWAIT = 0x40;

export const EAGAIN = 11;
export const EINTR = 4;
export const ENOBUFS = 105;
export const ECONNREFUSED = 111;

interface Libc {
  koffi: KoffiModule;
  socket: (d: number, t: number, p: number) => number;
  bind: (fd: number, a: Buffer, l: number) => number;
  connect: (fd: number, a: Buffer, l: number) => number;
  getsockname: (fd: number, a: Buffer, l: number[]) => number;
  setsockopt: (fd: number, level: number, name: number, v: Buffer, l: number) => number;
  send: (fd: number, b: Buffer, l: number, f: number) => number;
  recv: (fd: number, b: Buffer, l: number, f: number) => number;
  sendmmsg: (fd: number, v: Ptr, n: number, f: number) => number;
  recvmmsg: (fd: number, v: Ptr, n: number, f: number, t: null) => number;
  close: (fd: number) => number;
  poll: (fds: Buffer, n: number, timeout: number) => number;
}

let libc: Libc | undefined;

/** The libc functions this file uses, declared once through src/native/ffi.ts. */
function load(): Libc {
  libc ??= {
    koffi: koffiModule(),
    socket: libcFunction("int socket(int, int, int)"),
    bind: libcFunction("int bind(int, const void *, uint32_t)"),
    connect: libcFunction("int connect(int, const void *, uint32_t)"),
    getsockname: libcFunction("int getsockname(int, _Out_ void *, _Inout_ uint32_t *)"),
    setsockopt: libcFunction("int setsockopt(int, int, int, const void *, uint32_t)"),
    send: libcFunction("intptr_t send(int, const void *, size_t, int)"),
    recv: libcFunction("intptr_t recv(int, _Out_ void *, size_t, int)"),
    sendmmsg: libcFunction("int sendmmsg(int, void *, unsigned int, int)"),
    recvmmsg: libcFunction("int recvmmsg(int, void *, unsigned int, int, void *)"),
    close: libcFunction("int close(int)"),
    poll: libcFunction("int poll(_Inout_ void *, unsigned long, int)"),
  };
  return libc;
}

/** A failed libc call: `syscall` and the raw `errno`. */
export class MmsgError extends Error {
  constructor(
    readonly syscall: string,
    readonly errno: number,
  ) {
    super(`${syscall} failed (errno ${errno})`);
    this.name = "MmsgError";
  }
}

function check(name: string, r: number): number {
  if (r < 0) throw new MmsgError(name, ffiErrno());
  return r;
}

/** True when the FFI layer loads here (koffi build and glibc present). */
export function mmsgAvailable(): boolean {
  try {
    load();
    return true;
  } catch {
    return false; // no koffi for this platform or no glibc: callers fall back to dgram
  }
}

/** errno of the last failed call on this thread. */
export function lastErrno(): number {
  return ffiErrno();
}

/** struct sockaddr_in / sockaddr_in6 for an IP literal and port. */
function sockaddr(host: string, port: number): Buffer {
  const a = parseAddr(host);
  const bytes = a.toBytes();
  if (a.version === 4) {
    const b = Buffer.alloc(16);
    b.writeUInt16LE(AF_INET, 0);
    b.writeUInt16BE(port, 2);
    b.set(bytes, 4);
    return b;
  }
  const b = Buffer.alloc(28);
  b.writeUInt16LE(AF_INET6, 0);
  b.writeUInt16BE(port, 2);
  b.set(bytes, 8);
  return b;
}

/** A UDP socket (IPv4 or IPv6) as a raw file descriptor. */
export function udpSocket(family: 4 | 6, o: { nonBlocking: boolean }): number {
  const c = load();
  return check(
    "socket",
    c.socket(
      family === 4 ? AF_INET : AF_INET6,
      SOCK_DGRAM | SOCK_CLOEXEC | (o.nonBlocking ? SOCK_NONBLOCK : 0),
      0,
    ),
  );
}

function intOpt(fd: number, level: number, name: number, v: number, what: string): void {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v, 0);
  check(what, load().setsockopt(fd, level, name, b, 4));
}

/**
 * Ask the kernel to stamp each received datagram with its arrival time (SO_TIMESTAMPNS): read it
 * from a slot's control data (an {@link MmsgBatch} made with `control`) with `rxTimestamp`.
 */
export function udpRxTimestamps(fd: number): void {
  intOpt(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1, "setsockopt(SO_TIMESTAMPNS)");
}

/** SO_REUSEADDR on (before bind), so a connected socket can share a listening port (as iperf3 does). */
export function udpReuseAddr(fd: number): void {
  intOpt(fd, SOL_SOCKET, SO_REUSEADDR, 1, "setsockopt(SO_REUSEADDR)");
}

/** Ask for socket buffers of `bytes` (the kernel may cap them at net.core.*mem_max). */
export function udpBuffers(fd: number, bytes: number): void {
  intOpt(fd, SOL_SOCKET, SO_SNDBUF, bytes, "setsockopt(SO_SNDBUF)");
  intOpt(fd, SOL_SOCKET, SO_RCVBUF, bytes, "setsockopt(SO_RCVBUF)");
}

/** A receive timeout for blocking calls (so a worker loop can look at its stop flag). */
export function udpRecvTimeout(fd: number, ms: number): void {
  const b = Buffer.alloc(16);
  b.writeBigInt64LE(BigInt(Math.floor(ms / 1000)), 0);
  b.writeBigInt64LE(BigInt((ms % 1000) * 1000), 8);
  check("setsockopt(SO_RCVTIMEO)", load().setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, b, 16));
}

export function udpBind(fd: number, host: string, port: number): void {
  const a = sockaddr(host, port);
  check("bind", load().bind(fd, a, a.length));
}

export function udpConnect(fd: number, host: string, port: number): void {
  const a = sockaddr(host, port);
  check("connect", load().connect(fd, a, a.length));
}

/** The local address and port of a bound socket. */
export function udpLocalAddress(fd: number): { host: string; port: number } {
  const a = Buffer.alloc(28);
  check("getsockname", load().getsockname(fd, a, [28]));
  const port = a.readUInt16BE(2);
  if (a.readUInt16LE(0) === AF_INET) return { host: [...a.subarray(4, 8)].join("."), port };
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(a.readUInt16BE(8 + 2 * i));
  return {
    host: words
      .map((w) => w.toString(16))
      .join(":")
      .replace(/(^|:)0(:0)+(:|$)/, "::"),
    port,
  };
}

/** The local port of a bound socket. */
export function udpLocalPort(fd: number): number {
  return udpLocalAddress(fd).port;
}

/** send(2) one datagram on a connected socket; -1 with errno set when it failed (e.g. EAGAIN). */
export function udpSend(fd: number, b: Buffer, flags = 0): number {
  return load().send(fd, b, b.length, flags);
}

/** recv(2) one datagram; -1 with errno set (EAGAIN when nothing waits on a non-blocking socket). */
export function udpRecv(fd: number, b: Buffer, flags = 0): number {
  return load().recv(fd, b, b.length, flags);
}

export const POLLIN = 1;
export const POLLOUT = 4;

/** poll(2) one descriptor: the returned events (0 on timeout, -1 on error). Blocks: workers only. */
export function udpPoll(fd: number, events: number, timeoutMs: number): number {
  const b = Buffer.alloc(8);
  b.writeInt32LE(fd, 0);
  b.writeInt16LE(events, 4);
  const r = load().poll(b, 1, timeoutMs);
  return r <= 0 ? r : b.readInt16LE(6);
}

export function closeFd(fd: number): void {
  load().close(fd);
}

const IOVEC = 16;
const MMSGHDR = 64;

/**
 * `count` datagram slots of `slotSize` bytes in native memory, with the iovec and mmsghdr arrays
 * pointing at them. `view(i)` is a Buffer over slot i (no copy); `setLen(i, n)` sets how many bytes
 * of slot i a send uses; after `recv`, `len(i)` is the size of datagram i.
 */
export class MmsgBatch {
  private readonly mem: Ptr;
  private readonly bytes: Buffer;
  private readonly hdrOff: number;
  private readonly iovOff: number;
  private readonly ctlOff: number;
  private readonly views: Buffer[];

  /**
   * @param control bytes of ancillary-data buffer per slot (msg_control), 0 for none; e.g.
   *   TIMESTAMP_CMSG_SPACE for SO_TIMESTAMPNS receive times, read back with `control(i)`.
   */
  constructor(
    readonly count: number,
    readonly slotSize: number,
    readonly controlSize = 0,
  ) {
    const c = load();
    const data = count * slotSize;
    this.iovOff = Math.ceil(data / 64) * 64;
    this.hdrOff = this.iovOff + count * IOVEC;
    this.ctlOff = this.hdrOff + count * MMSGHDR;
    const ctl = Math.ceil(controlSize / 8) * 8;
    const total = this.ctlOff + count * ctl;
    this.mem = c.koffi.alloc("uint8_t", total);
    const base = c.koffi.address(this.mem) as bigint;
    this.bytes = Buffer.from(c.koffi.view(this.mem, total));
    // the headers must start zeroed; the data slots are written before they are read
    this.bytes.fill(0, this.iovOff);
    this.views = [];
    this.ctlStride = ctl;
    // 64-bit fields written as two 32-bit words (little-endian; addresses are below 2^53):
    // thousands of BigInt writes cost milliseconds in a fresh process
    const words = new Uint32Array(this.bytes.buffer, this.bytes.byteOffset, total >>> 2);
    const put64 = (off: number, v: number) => {
      words[off >>> 2] = v >>> 0;
      words[(off >>> 2) + 1] = Math.floor(v / 0x1_0000_0000);
    };
    const b = Number(base);
    for (let i = 0; i < count; i++) {
      const iov = this.iovOff + i * IOVEC;
      put64(iov, b + i * slotSize);
      put64(iov + 8, slotSize);
      const h = this.hdrOff + i * MMSGHDR;
      // struct msghdr: name(8) namelen(4)+pad(4) iov(8) iovlen(8) control(8) controllen(8) flags(4)+pad; msg_len(4)+pad
      put64(h + 16, b + iov);
      put64(h + 24, 1);
      if (ctl > 0) put64(h + 32, b + this.ctlOff + i * ctl);
      this.views.push(this.bytes.subarray(i * slotSize, (i + 1) * slotSize));
    }
    this.hdrPtr = base + BigInt(this.hdrOff);
  }
  private readonly hdrPtr: bigint;
  private readonly ctlStride: number;

  /**
   * Slot i's ancillary data from the last recv (the first msg_controllen bytes of its control
   * buffer; empty without one). Parse it with `rxTimestamp` from src/native/cmsg_timestamp.ts.
   */
  control(i: number): Buffer {
    if (this.ctlStride === 0) return this.bytes.subarray(0, 0);
    const len = Math.min(Number(this.bytes.readBigUInt64LE(this.hdrOff + i * MMSGHDR + 40)), this.ctlStride);
    const off = this.ctlOff + i * this.ctlStride;
    return this.bytes.subarray(off, off + len);
  }

  view(i: number): Buffer {
    return this.views[i]!;
  }

  /** Bytes of slot i to send. */
  setLen(i: number, n: number): void {
    this.bytes.writeBigUInt64LE(BigInt(n), this.iovOff + i * IOVEC + 8);
    this.shortened ||= n !== this.slotSize;
  }
  /** Some slot's iov_len is not the full slot (set for a send): a receive must restore them. */
  private shortened = false;

  private fullSlots(): void {
    if (!this.shortened) return; // the kernel never writes iov_len back
    for (let i = 0; i < this.count; i++)
      this.bytes.writeBigUInt64LE(BigInt(this.slotSize), this.iovOff + i * IOVEC + 8);
    this.shortened = false;
  }

  /** Size of received datagram i. */
  len(i: number): number {
    return this.bytes.readUInt32LE(this.hdrOff + i * MMSGHDR + 56);
  }

  /** sendmmsg the first n slots on a connected socket: datagrams sent, or -1 (see lastErrno()). */
  send(fd: number, n: number, flags = 0): number {
    return load().sendmmsg(fd, this.ptr(), n, flags);
  }

  /** recvmmsg into all slots (resetting their lengths): datagrams received, or -1. */
  recv(fd: number, flags = MSG_WAITFORONE): number {
    for (let i = 0; i < this.count; i++) {
      this.setLen(i, this.slotSize);
      // The kernel shrinks msg_controllen to what it wrote: give each slot its full buffer again.
      if (this.ctlStride > 0)
        this.bytes.writeBigUInt64LE(BigInt(this.ctlStride), this.hdrOff + i * MMSGHDR + 40);
    }
    return load().recvmmsg(fd, this.ptr(), this.count, flags, null);
  }

  /**
   * recvmmsg into all slots on libuv's thread pool: the main thread runs on while the kernel
   * works (e.g. builds a netlink dump). Resolves with the count, or -1 on failure (errno is not
   * carried back from the pool thread: repeat the call synchronously to learn it).
   */
  recvAsync(fd: number, flags: number): Promise<number> {
    this.fullSlots();
    for (let i = 0; this.ctlStride > 0 && i < this.count; i++)
      this.bytes.writeBigUInt64LE(BigInt(this.ctlStride), this.hdrOff + i * MMSGHDR + 40);
    const fn = load().recvmmsg as unknown as {
      async(fd: number, v: Ptr, n: number, f: number, t: null, cb: (err: unknown, n: number) => void): void;
    };
    return new Promise((resolve, reject) => {
      fn.async(fd, this.ptr(), this.count, flags, null, (err, n) => (err ? reject(err) : resolve(n)));
    });
  }

  private ptr(): Ptr {
    return this.hdrPtr;
  }

  free(): void {
    load().koffi.free(this.mem);
  }
}

// ───────────────────────────────────────────────────────────────────────────────────────────────
// Server side (src/sockets/udp_fast_echo*.ts): batches that keep each datagram's sender address,
// so one recvmmsg fills 64 slots from any peers and one sendmmsg answers each to its sender.
// ───────────────────────────────────────────────────────────────────────────────────────────────

/** recv flag: report a datagram's real size even when it was longer than the buffer (UDP). */
export const MSG_TRUNC = 0x20;
export const EMSGSIZE = 90;
const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;
/** Room for a struct sockaddr_in6 (28 bytes), rounded up. */
const NAME = 32;

interface FcntlLib {
  fcntl: (fd: number, cmd: number, ...rest: unknown[]) => number;
}
let fcntlLib: FcntlLib | undefined;

/** Make a descriptor blocking (`true`) or non-blocking: O_NONBLOCK via fcntl(2). */
export function setBlocking(fd: number, blocking: boolean): void {
  fcntlLib ??= { fcntl: libcFunction<FcntlLib["fcntl"]>("int fcntl(int, int, ...)") };
  const flags = check("fcntl(F_GETFL)", fcntlLib.fcntl(fd, F_GETFL));
  const next = blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK;
  if (next !== flags) check("fcntl(F_SETFL)", fcntlLib.fcntl(fd, F_SETFL, "int", next));
}

/**
 * `count` slots of `slotSize` bytes, each with room for its peer's address. `recv` fills them
 * from any senders (at most `recvLen` bytes each; with MSG_TRUNC, `len(i)` is the datagram's real
 * size); `send` answers slots `[from, from + n)` to their senders with `setLen` bytes each.
 *
 * @example
 * const b = new MmsgPeerBatch(64, 65536);
 * const n = b.recv(fd, 1024, MSG_WAITFORONE | MSG_TRUNC);   // datagrams from anyone
 * for (let i = 0; i < n; i++) b.setLen(i, Math.min(b.len(i), 1024));
 * b.send(fd, 0, n);                                           // each back to its sender
 */
export class MmsgPeerBatch {
  private readonly mem: Ptr;
  private readonly bytes: Buffer;
  private readonly nameOff: number;
  private readonly iovOff: number;
  private readonly hdrOff: number;
  private readonly base: bigint;
  private readonly views: Buffer[] = [];
  private readonly names: Buffer[] = [];
  /** The same memory as 32-bit words (all offsets used are multiples of 4). */
  private readonly words: Uint32Array;
  private readonly hdrPtr: bigint;
  /** Slots [0, dirty) may have a changed iov_len or msg_namelen since the last recv. */
  private dirty: number;

  constructor(
    readonly count: number,
    readonly slotSize: number,
  ) {
    const c = load();
    this.nameOff = Math.ceil((count * slotSize) / 64) * 64;
    this.iovOff = this.nameOff + count * NAME;
    this.hdrOff = this.iovOff + count * IOVEC;
    const total = this.hdrOff + count * MMSGHDR;
    this.mem = c.koffi.alloc("uint8_t", total);
    this.base = c.koffi.address(this.mem) as bigint;
    this.bytes = Buffer.from(c.koffi.view(this.mem as never, total) as ArrayBuffer);
    this.bytes.fill(0, this.nameOff);
    this.words = new Uint32Array(this.bytes.buffer, this.bytes.byteOffset, total >>> 2);
    this.hdrPtr = this.base + BigInt(this.hdrOff);
    this.dirty = count;
    for (let i = 0; i < count; i++) {
      const iov = this.iovOff + i * IOVEC;
      this.bytes.writeBigUInt64LE(this.base + BigInt(i * slotSize), iov);
      this.bytes.writeBigUInt64LE(BigInt(slotSize), iov + 8);
      const h = this.hdrOff + i * MMSGHDR;
      this.bytes.writeBigUInt64LE(this.base + BigInt(this.nameOff + i * NAME), h);
      this.bytes.writeUInt32LE(28, h + 8);
      this.bytes.writeBigUInt64LE(this.base + BigInt(iov), h + 16);
      this.bytes.writeBigUInt64LE(1n, h + 24);
      this.views.push(this.bytes.subarray(i * slotSize, (i + 1) * slotSize));
      this.names.push(this.bytes.subarray(this.nameOff + i * NAME, this.nameOff + i * NAME + 28));
    }
  }

  /** Slot i's bytes (no copy). */
  view(i: number): Buffer {
    return this.views[i]!;
  }

  /** Slot i's peer as struct sockaddr_in / sockaddr_in6 bytes (family at 0, port at 2). */
  name(i: number): Buffer {
    return this.names[i]!;
  }

  /** Bytes of slot i to send. */
  setLen(i: number, n: number): void {
    this.words[(this.iovOff + i * IOVEC + 8) >>> 2] = n;
  }

  /** Size of received datagram i (its real size when received with MSG_TRUNC). */
  len(i: number): number {
    return this.words[(this.hdrOff + i * MMSGHDR + 56) >>> 2]!;
  }

  /** recvmmsg into all slots, at most `recvLen` bytes each: datagrams received, or -1 (lastErrno()). */
  recv(fd: number, recvLen: number, flags: number): number {
    const w = this.words;
    if (recvLen !== this.recvLen) {
      this.recvLen = recvLen;
      this.dirty = this.count;
    }
    // Only slots used since the last recv need their iov_len and msg_namelen reset.
    for (let i = 0; i < this.dirty; i++) {
      w[(this.iovOff + i * IOVEC + 8) >>> 2] = recvLen;
      w[(this.hdrOff + i * MMSGHDR + 8) >>> 2] = 28;
    }
    const n = load().recvmmsg(fd, this.hdrPtr, this.count, flags, null);
    this.dirty = Math.max(n, 0);
    return n;
  }

  private recvLen = -1;

  /** sendmmsg slots [from, from + n) to their senders: datagrams sent, or -1 (lastErrno()). */
  send(fd: number, from: number, n: number, flags = 0): number {
    if (from + n > this.dirty) this.dirty = from + n;
    return load().sendmmsg(fd, from === 0 ? this.hdrPtr : this.hdrPtr + BigInt(from * MMSGHDR), n, flags);
  }

  free(): void {
    load().koffi.free(this.mem as never);
  }
}
