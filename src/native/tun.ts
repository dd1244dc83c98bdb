/**
 * TUN devices through libc (root): open `/dev/net/tun`, attach a named layer-3 device with
 * `ioctl(TUNSETIFF)` (IFF_TUN | IFF_NO_PI: each read is one IP packet), and move packets with
 * non-blocking `read`/`write` and `poll`. This file is the only one that knows `struct ifreq`.
 * Blocking waits (poll with a timeout) belong in a worker thread.
 *
 * @example
 * const fd = openTun("nk0");           // then: ip link set nk0 netns …; ip addr …
 * const n = tunRead(fd, buf);          // -1 (EAGAIN) when no packet waits
 * closeTun(fd);
 */
import { lastErrno, libcFunction } from "./ffi.js";

const O_RDWR = 2;
const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;
const TUNSETIFF = 0x400454ca;
const IFF_TUN = 0x0001;
const IFF_NO_PI = 0x1000;
const IFREQ = 40;

interface Libc {
  open: (path: string, flags: number) => number;
  ioctl: (fd: number, req: number, arg: Buffer) => number;
  read: (fd: number, b: Buffer, n: number) => number;
  write: (fd: number, b: Buffer, n: number) => number;
  poll: (fds: Buffer, n: number, timeout: number) => number;
  close: (fd: number) => number;
}

let libc: Libc | undefined;

/** The libc functions this file uses, declared once through src/native/ffi.ts. */
function load(): Libc {
  libc ??= {
    open: libcFunction("int open(const char *, int)"),
    ioctl: libcFunction("int ioctl(int, unsigned long, _Inout_ void *)"),
    read: libcFunction("intptr_t read(int, _Out_ void *, size_t)"),
    write: libcFunction("intptr_t write(int, const void *, size_t)"),
    poll: libcFunction("int poll(_Inout_ void *, unsigned long, int)"),
    close: libcFunction("int close(int)"),
  };
  return libc;
}

/** A failed call with its errno. */
export class TunError extends Error {
  constructor(
    readonly syscall: string,
    readonly errno: number,
  ) {
    super(`${syscall} failed (errno ${errno}${errno === 1 ? ": needs root" : ""})`);
    this.name = "TunError";
  }
}

/** True when /dev/net/tun can be opened here (root, device present). */
export function tunAvailable(): boolean {
  try {
    const c = load();
    const fd = c.open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) return false;
    c.close(fd);
    return true;
  } catch {
    return false; // no koffi build or no glibc here: callers skip with a reason
  }
}

/** Create (or attach to) TUN device `name` (≤ 15 bytes); returns a non-blocking fd. */
export function openTun(name: string): number {
  const c = load();
  const fd = c.open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw new TunError("open(/dev/net/tun)", lastErrno());
  const req = Buffer.alloc(IFREQ);
  const n = Buffer.from(name, "ascii");
  if (n.length > 15) {
    c.close(fd);
    throw new TunError("TUNSETIFF (name too long)", 22);
  }
  n.copy(req, 0);
  req.writeUInt16LE(IFF_TUN | IFF_NO_PI, 16);
  if (c.ioctl(fd, TUNSETIFF, req) < 0) {
    const e = lastErrno();
    c.close(fd);
    throw new TunError("ioctl(TUNSETIFF)", e);
  }
  return fd;
}

/** Read one packet into `b`: its length, or -1 (errno EAGAIN when none waits). */
export function tunRead(fd: number, b: Buffer): number {
  return load().read(fd, b, b.length);
}

/** Write one packet. */
export function tunWrite(fd: number, b: Buffer): number {
  return load().write(fd, b, b.length);
}

/** poll(2) for readability on several fds; returns the fds that are readable (blocks: workers only). */
export function tunPoll(fds: number[], timeoutMs: number): number[] {
  const b = Buffer.alloc(8 * fds.length);
  fds.forEach((fd, i) => {
    b.writeInt32LE(fd, 8 * i);
    b.writeInt16LE(1, 8 * i + 4); // POLLIN
  });
  const r = load().poll(b, fds.length, Math.max(0, Math.round(timeoutMs)));
  if (r <= 0) return [];
  return fds.filter((_, i) => (b.readInt16LE(8 * i + 6) & 1) !== 0);
}

export function closeTun(fd: number): void {
  load().close(fd);
}
