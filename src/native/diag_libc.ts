/**
 * The C library calls the diagnostics need (netlink route sockets, ICMP sockets), through koffi.
 * Small typed functions over raw file descriptors; failures throw {@link SyscallError} carrying the
 * errno name. Sockets are opened non-blocking and watched with {@link watchReadable} (libuv poll),
 * so nothing here ever blocks the event loop. koffi is loaded lazily, on the first call.
 *
 * @example
 * const fd = sysSocket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
 * const w = watchReadable(fd, () => { … recvMsg(fd, bufs, 0) … });
 * w.stop(); sysClose(fd);
 */
import { checkCall, type KoffiModule, koffiModule, libcFunction, SyscallError, watchFd } from "./ffi.js";

export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const IPPROTO_ICMP = 1;
export const IPPROTO_ICMPV6 = 58;
export const NETLINK_ROUTE = 0;
export const MSG_DONTWAIT = 0x40;
export const MSG_TRUNC = 0x20;
export const MSG_ERRQUEUE = 0x2000;
export const SOL_SOCKET = 1;
export const SOL_IP = 0;
export const SOL_IPV6 = 41;
export const SO_RCVBUF = 8;
export const SO_TIMESTAMPNS = 35;
export const IP_TTL = 2;
export const IP_RECVERR = 11;
export const IP_RECVTTL = 12;
export const IPV6_UNICAST_HOPS = 16;
export const IPV6_RECVERR = 25;
export const IPV6_RECVHOPLIMIT = 51;
export const IPV6_HOPLIMIT = 52;
export const SOL_ICMPV6 = 58;
export const ICMPV6_FILTER = 1;

export { SyscallError } from "./ffi.js";
/** socket(2), bind(2), sendto(2), close(2): the shared wrappers of libc.ts. @throws SyscallError */
export { bind as sysBind, close as sysClose, sendto as sysSendto, socket as sysSocket } from "./libc.js";

type Fn = (...args: unknown[]) => number;

type Koffi = KoffiModule;

interface Libc {
  koffi: Koffi;
  recvfrom: Fn;
  recvmsg: Fn;
  setsockopt: Fn;
  clockGettime: Fn;
}

let libc: Libc | undefined;

function load(): Libc {
  if (libc !== undefined) return libc;
  const koffi = koffiModule();
  const lib = { func: (decl: string) => libcFunction<Fn>(decl) };
  libc = {
    koffi,
    recvfrom: lib.func(
      "long recvfrom(int fd, _Out_ void *buf, size_t len, int flags, _Out_ void *addr, _Inout_ uint32_t *alen)",
    ),
    recvmsg: lib.func("long recvmsg(int fd, void *msg, int flags)"),
    setsockopt: lib.func("int setsockopt(int fd, int level, int name, const void *val, uint32_t len)"),
    clockGettime: lib.func("int clock_gettime(int clk, _Out_ void *ts)"),
  };
  return libc;
}

function check(syscall: string, r: number): number {
  return checkCall(syscall, r);
}

/**
 * recvfrom(2) with MSG_DONTWAIT; returns the byte count, or -1 when nothing is queued (EAGAIN).
 * @throws SyscallError for any other failure
 */
export function sysRecvfrom(fd: number, buf: Uint8Array, from: Uint8Array, flags = 0): number {
  const alen = [from.byteLength];
  const l = load();
  const r = l.recvfrom(fd, buf, buf.byteLength, flags | MSG_DONTWAIT, from, alen);
  if (r < 0) {
    const e = l.koffi.errno();
    if (e === 11) return -1;
    throw new SyscallError("recvfrom", e);
  }
  return r;
}

/** setsockopt(2) with an int value. @throws SyscallError */
export function setIntOption(fd: number, level: number, name: number, value: number): void {
  const v = new Int32Array([value]);
  check("setsockopt", load().setsockopt(fd, level, name, v, 4));
}

/** setsockopt(2) with a byte-buffer value. @throws SyscallError */
export function setBytesOption(fd: number, level: number, name: number, value: Uint8Array): void {
  check("setsockopt", load().setsockopt(fd, level, name, value, value.byteLength));
}

const tsBuf = new BigInt64Array(2);
/** CLOCK_REALTIME in nanoseconds — the clock of SO_TIMESTAMPNS receive stamps. */
export function realtimeNs(): bigint {
  load().clockGettime(0, tsBuf);
  return tsBuf[0]! * 1_000_000_000n + tsBuf[1]!;
}

/** Call `onReadable` whenever `fd` is readable (or has an error queued), on the libuv loop. */
export function watchReadable(fd: number, onReadable: () => void): { stop(): void } {
  // On a poll error watchFd reports readable: the read then reports the socket's error.
  const h = watchFd(fd, { readable: true }, (ev) => {
    if (ev.readable) onReadable();
  });
  return {
    stop: () => {
      h.stop();
      h.close();
    },
  };
}

/** A received message: byte count, sender address length, control data length and msg_flags. */
export interface RecvResult {
  bytes: number;
  nameLength: number;
  controlLength: number;
  flags: number;
}

/**
 * Buffers for {@link recvMsg}: payload, sender address and ancillary data, plus the `msghdr` and
 * `iovec` pointing at them (built once; the buffers must stay referenced, which this object does).
 */
export class RecvBuffers {
  readonly data: Uint8Array;
  readonly name = new Uint8Array(128);
  readonly control = new Uint8Array(512);
  private readonly iov = new BigUint64Array(2);
  private readonly msg = new DataView(new ArrayBuffer(56));
  private readonly msgBytes: Uint8Array;
  constructor(size = 65536) {
    this.data = new Uint8Array(size);
    this.msgBytes = new Uint8Array(this.msg.buffer);
    const k = load().koffi;
    this.iov[0] = k.address(this.data);
    this.iov[1] = BigInt(size);
    this.msg.setBigUint64(0, k.address(this.name), true);
    this.msg.setBigUint64(16, k.address(this.iov), true);
    this.msg.setBigUint64(24, 1n, true);
    this.msg.setBigUint64(32, k.address(this.control), true);
  }
  /** @internal prepare the header for a call and return it. */
  header(): Uint8Array {
    this.msg.setUint32(8, this.name.byteLength, true);
    this.msg.setBigUint64(40, BigInt(this.control.byteLength), true);
    this.msg.setInt32(48, 0, true);
    return this.msgBytes;
  }
  /** @internal read back the lengths the kernel wrote. */
  result(bytes: number): RecvResult {
    return {
      bytes,
      nameLength: this.msg.getUint32(8, true),
      controlLength: Number(this.msg.getBigUint64(40, true)),
      flags: this.msg.getInt32(48, true),
    };
  }
}

/**
 * recvmsg(2) with MSG_DONTWAIT into `bufs`; null when nothing is queued (EAGAIN).
 * @throws SyscallError for any other failure
 */
export function recvMsg(fd: number, bufs: RecvBuffers, flags = 0): RecvResult | null {
  const l = load();
  const r = l.recvmsg(fd, bufs.header(), flags | MSG_DONTWAIT);
  if (r < 0) {
    const e = l.koffi.errno();
    if (e === 11) return null;
    throw new SyscallError("recvmsg", e);
  }
  return bufs.result(r);
}

/** One ancillary-data item of a received message. */
export interface Cmsg {
  level: number;
  type: number;
  data: Uint8Array;
}

/** Split the control buffer of a received message into its items (struct cmsghdr, 64-bit). */
export function parseCmsgs(control: Uint8Array, length: number): Cmsg[] {
  const out: Cmsg[] = [];
  const dv = new DataView(control.buffer, control.byteOffset, control.byteLength);
  let off = 0;
  while (off + 16 <= length) {
    const len = Number(dv.getBigUint64(off, true));
    if (len < 16 || off + len > length) break;
    out.push({
      level: dv.getInt32(off + 8, true),
      type: dv.getInt32(off + 12, true),
      data: control.subarray(off + 16, off + len),
    });
    off += (len + 7) & ~7;
  }
  return out;
}

/** A sockaddr_in / sockaddr_in6 for `addr` (4 or 16 bytes, network order) and `port`. */
export function sockaddr(addr: Uint8Array, port = 0, scopeId = 0): Uint8Array {
  if (addr.byteLength === 4) {
    const s = new Uint8Array(16);
    s[0] = AF_INET;
    s[2] = port >> 8;
    s[3] = port & 0xff;
    s.set(addr, 4);
    return s;
  }
  const s = new Uint8Array(28);
  const dv = new DataView(s.buffer);
  dv.setUint16(0, AF_INET6, true);
  dv.setUint16(2, port);
  s.set(addr, 8);
  dv.setUint32(24, scopeId, true);
  return s;
}

/** The address bytes of a received sockaddr (4 or 16 bytes), or null for another family. */
export function sockaddrAddress(name: Uint8Array, length: number): Uint8Array | null {
  if (length >= 8 && name[0] === AF_INET && name[1] === 0) return name.slice(4, 8);
  if (length >= 24 && name[0] === AF_INET6 && name[1] === 0) return name.slice(8, 24);
  return null;
}
