/**
 * netlink sock_diag (`SOCK_DIAG_BY_FAMILY` dumps, what `ss` uses): builds `inet_diag_req_v2`
 * and `unix_diag_req`, sends them over an AF_NETLINK socket through libc.ts and parses the
 * replies. The kernel filters by state (a bitmask of TCP state numbers) before it answers.
 * Nothing outside src/native knows these layouts: callers get plain records.
 *
 * @example
 * const listeners = dumpInet({ family: AF_INET, protocol: IPPROTO_TCP, states: 1 << 10 });
 * listeners[0]; // { family: 2, state: 10, localAddress: "127.0.0.1", localPort: 8080, … }
 */
import { Addr } from "../ip/addr.js";
import {
  AF_NETLINK,
  close,
  LibcError,
  MSG_DONTWAIT,
  MSG_TRUNC,
  NETLINK_SOCK_DIAG,
  recv,
  SOCK_CLOEXEC,
  SOCK_RAW,
  sendto,
  sendtoAsync,
  socket,
} from "./libc.js";
import { MmsgBatch } from "./mmsg.js";

export { AF_INET, AF_INET6, AF_UNIX } from "./libc.js";
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_RAW = 255;

const SOCK_DIAG_BY_FAMILY = 20;
/** The legacy TCP dump (inet_diag_req): replies carry this type and the same inet_diag_msg. */
const TCPDIAG_GETSOCK = 18;
export const AF_UNSPEC = 0;
const NLM_F_REQUEST = 1;
const NLM_F_DUMP = 0x300;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const INET_DIAG_PROTOCOL = 17; // attribute: the socket's protocol (raw sockets)
const UNIX_DIAG_NAME = 0;
const UNIX_DIAG_PEER = 2;
const UNIX_DIAG_RQLEN = 4;
const UNIX_DIAG_UID = 7;
const UDIAG_SHOW = 0x01 | 0x04 | 0x10 | 0x40; // NAME | PEER | RQLEN | UID

/** One inet socket from an inet_diag dump. */
export interface InetDiagRecord {
  family: number;
  /** Kernel TCP state number (1 ESTABLISHED … 10 LISTEN, 12 NEW_SYN_RECV). */
  state: number;
  localAddress: string;
  localPort: number;
  peerAddress: string;
  peerPort: number;
  recvQ: number;
  sendQ: number;
  uid: number;
  inode: number;
}

/** One Unix socket from a unix_diag dump. */
export interface UnixDiagRecord {
  /** SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_SEQPACKET 5. */
  type: number;
  state: number;
  inode: number;
  /** Path, "@name" for abstract names, "" when unnamed. */
  path: string;
  recvQ: number;
  sendQ: number;
  uid: number | null;
  /** The inode of the connected peer socket (UNIX_DIAG_PEER), 0 when there is none. */
  peerInode: number;
}

/** A netlink failure: `errno` is the kernel's (or libc's) error code name. */
export class NetlinkError extends Error {
  readonly code: string;
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NetlinkError";
    this.code = code;
  }
}

/** Port conditions for the kernel to apply (OR-ed): local port in `local` or peer port in `peer`. */
export interface PortCondition {
  local?: readonly number[];
  peer?: readonly number[];
}

const INET_DIAG_REQ_BYTECODE = 1;
const INET_DIAG_BC_JMP = 1;
const INET_DIAG_BC_S_EQ = 11;
const INET_DIAG_BC_D_EQ = 12;

/**
 * inet_diag bytecode accepting a socket when any condition holds, laid out as ss does for OR:
 * `cond JMP cond JMP … cond`. A condition is two 4-byte ops, {S_EQ|D_EQ, yes, no} then
 * {0, 0, port}: "yes" steps to its JMP (or, for the last, to the end: accept), "no" skips the
 * JMP to the next condition (or, for the last, past the end: reject). A JMP always takes its
 * "no" jump, to the end. The kernel requires every jump target to be reachable by "yes" steps.
 */
export function portBytecode(c: PortCondition): Uint8Array {
  const conds: [number, number][] = [
    ...(c.local ?? []).map((p): [number, number] => [INET_DIAG_BC_S_EQ, p]),
    ...(c.peer ?? []).map((p): [number, number] => [INET_DIAG_BC_D_EQ, p]),
  ];
  const len = conds.length * 12 - 4;
  const b = new Uint8Array(Math.max(0, len));
  const v = new DataView(b.buffer);
  conds.forEach(([code, port], i) => {
    const off = i * 12;
    const last = i === conds.length - 1;
    b[off] = code;
    b[off + 1] = 8; // yes
    v.setUint16(off + 2, 12, true); // no
    v.setUint16(off + 6, port, true);
    if (!last) {
      b[off + 8] = INET_DIAG_BC_JMP;
      b[off + 9] = 4;
      v.setUint16(off + 10, len - (off + 8), true);
    }
  });
  return b;
}

/**
 * Build nlmsghdr + inet_diag_req_v2 (72 bytes) for a dump, with an optional bytecode filter.
 * With family AF_UNSPEC (TCP only): the legacy TCPDIAG_GETSOCK request (nlmsghdr +
 * inet_diag_req, 76 bytes), whose dump the kernel runs for both families in one walk of its
 * tables (inet_diag_dump_compat sets AF_UNSPEC) — half the work of one dump per family.
 */
export function inetDiagRequest(
  family: number,
  protocol: number,
  states: number,
  seq = 1,
  bytecode?: Uint8Array,
): Uint8Array {
  const extra = bytecode !== undefined && bytecode.byteLength > 0 ? 4 + bytecode.byteLength : 0;
  if (family === AF_UNSPEC) {
    if (protocol !== IPPROTO_TCP) throw new RangeError("a dump of both families at once exists for TCP only");
    const total = 76 + extra;
    const b = new Uint8Array(total);
    const v = new DataView(b.buffer);
    v.setUint32(0, total, true);
    v.setUint16(4, TCPDIAG_GETSOCK, true);
    v.setUint16(6, NLM_F_REQUEST | NLM_F_DUMP, true);
    v.setUint32(8, seq, true);
    // inet_diag_req: family, src_len, dst_len, ext (zero), sockid (48 bytes, zero), states, dbs
    v.setUint32(16 + 52, states >>> 0, true);
    if (extra > 0) {
      v.setUint16(76, extra, true);
      v.setUint16(78, INET_DIAG_REQ_BYTECODE, true);
      b.set(bytecode!, 80);
    }
    return b;
  }
  const total = 72 + extra;
  const b = new Uint8Array(total);
  const v = new DataView(b.buffer);
  v.setUint32(0, total, true);
  v.setUint16(4, SOCK_DIAG_BY_FAMILY, true);
  v.setUint16(6, NLM_F_REQUEST | NLM_F_DUMP, true);
  v.setUint32(8, seq, true);
  b[16] = family;
  b[17] = protocol;
  b[18] = 0; // idiag_ext: no extensions
  b[19] = protocol === IPPROTO_RAW ? IPPROTO_RAW : 0; // raw: sdiag_raw_protocol, 255 = every protocol
  v.setUint32(20, states >>> 0, true);
  // inet_diag_sockid (48 bytes) stays zero: a dump ignores it
  if (extra > 0) {
    v.setUint16(72, extra, true);
    v.setUint16(74, INET_DIAG_REQ_BYTECODE, true);
    b.set(bytecode!, 76);
  }
  return b;
}

/** Build the 40-byte nlmsghdr + unix_diag_req for a dump. */
export function unixDiagRequest(states: number, seq = 1): Uint8Array {
  const b = new Uint8Array(40);
  const v = new DataView(b.buffer);
  v.setUint32(0, 40, true);
  v.setUint16(4, SOCK_DIAG_BY_FAMILY, true);
  v.setUint16(6, NLM_F_REQUEST | NLM_F_DUMP, true);
  v.setUint32(8, seq, true);
  b[16] = 1; // AF_UNIX
  v.setUint32(20, states >>> 0, true);
  v.setUint32(28, UDIAG_SHOW, true);
  v.setUint32(32, 0xffffffff, true); // cookie: INET_DIAG_NOCOOKIE
  v.setUint32(36, 0xffffffff, true);
  return b;
}

const v4Text = new Map<number, string>();
let l0 = -1;
let l1 = -1;
let l2 = -1;
let l3 = -1;
let lText = "";

/** Address text at `off` (network order); IPv4 texts are cached, IPv6 remembers the last one. */
function addrAt(v: DataView, off: number, family: number): string {
  if (family === 2) {
    const n = v.getUint32(off, false);
    let t = v4Text.get(n);
    if (t === undefined) {
      t = Addr.v4(n).toString();
      if (v4Text.size < 65536) v4Text.set(n, t);
    }
    return t;
  }
  const w0 = v.getUint32(off, false);
  const w1 = v.getUint32(off + 4, false);
  const w2 = v.getUint32(off + 8, false);
  const w3 = v.getUint32(off + 12, false);
  if (w0 !== l0 || w1 !== l1 || w2 !== l2 || w3 !== l3) {
    lText = Addr.v6(w0, w1, w2, w3).toString();
    l0 = w0;
    l1 = w1;
    l2 = w2;
    l3 = w3;
  }
  return lText;
}

/**
 * Walk the netlink messages in `buf[0..len)`, calling `each(view, offset, length)` for every
 * SOCK_DIAG_BY_FAMILY (or TCPDIAG_GETSOCK) payload. Returns true when NLMSG_DONE was seen.
 * @throws NetlinkError for NLMSG_ERROR or a malformed message.
 */
export function walkMessages(
  buf: Uint8Array,
  len: number,
  each: (v: DataView, off: number, end: number) => void,
): boolean {
  const v = new DataView(buf.buffer, buf.byteOffset, len);
  let off = 0;
  while (off + 16 <= len) {
    const mlen = v.getUint32(off, true);
    const type = v.getUint16(off + 4, true);
    if (mlen < 16 || off + mlen > len)
      throw new NetlinkError(`malformed netlink message (length ${mlen})`, "EPROTO");
    if (type === NLMSG_DONE) {
      // NLMSG_DONE carries the dump's status: negative when the kernel could not run it
      // (e.g. -ENOENT when no sock_diag handler exists for the protocol).
      const status = mlen >= 20 ? v.getInt32(off + 16, true) : 0;
      if (status < 0) throw new NetlinkError(`sock_diag dump failed (errno ${-status})`, errnoText(-status));
      return true;
    }
    if (type === NLMSG_ERROR) {
      const err = -v.getInt32(off + 16, true);
      if (err === 0) return true;
      throw new NetlinkError(`sock_diag request refused by the kernel (errno ${err})`, errnoText(err));
    }
    if (type === SOCK_DIAG_BY_FAMILY || type === TCPDIAG_GETSOCK) each(v, off + 16, off + mlen);
    off += (mlen + 3) & ~3;
  }
  return false;
}

const ERRNO: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  13: "EACCES",
  22: "EINVAL",
  93: "EPROTONOSUPPORT",
  95: "EOPNOTSUPP",
};
function errnoText(n: number): string {
  return ERRNO[n] ?? `errno ${n}`;
}

/** Parse one inet_diag_msg payload (pure). */
export function parseInetDiag(
  v: DataView,
  off: number,
  end: number,
): InetDiagRecord & { protocol: number | null } {
  const r = { ...EMPTY_INET, protocol: null as number | null };
  parseInetDiagInto(v, off, end, r);
  return r;
}

const EMPTY_INET: InetDiagRecord = {
  family: 0,
  state: 0,
  localPort: 0,
  peerPort: 0,
  localAddress: "",
  peerAddress: "",
  recvQ: 0,
  sendQ: 0,
  uid: 0,
  inode: 0,
};

/** Parse one inet_diag_msg payload into `r` (no allocation but the address texts). */
function parseInetDiagInto(
  v: DataView,
  off: number,
  end: number,
  r: InetDiagRecord & { protocol: number | null },
): void {
  const family = v.getUint8(off);
  let protocol: number | null = null;
  // attributes after the 72-byte message
  let a = off + 72;
  while (a + 4 <= end) {
    const alen = v.getUint16(a, true);
    const atype = v.getUint16(a + 2, true);
    if (alen < 4) break;
    if (atype === INET_DIAG_PROTOCOL) protocol = v.getUint8(a + 4);
    a += (alen + 3) & ~3;
  }
  r.family = family;
  r.state = v.getUint8(off + 1);
  r.localPort = v.getUint16(off + 4, false);
  r.peerPort = v.getUint16(off + 6, false);
  r.localAddress = addrAt(v, off + 8, family);
  r.peerAddress = addrAt(v, off + 24, family);
  r.recvQ = v.getUint32(off + 56, true);
  r.sendQ = v.getUint32(off + 60, true);
  r.uid = v.getUint32(off + 64, true);
  r.inode = v.getUint32(off + 68, true);
  r.protocol = protocol;
}

const decoder = new TextDecoder();

/** Parse one unix_diag_msg payload with its NAME, PEER, RQLEN and UID attributes (pure). */
export function parseUnixDiag(v: DataView, off: number, end: number): UnixDiagRecord {
  const r: UnixDiagRecord = {
    type: v.getUint8(off + 1),
    state: v.getUint8(off + 2),
    inode: v.getUint32(off + 4, true),
    path: "",
    recvQ: 0,
    sendQ: 0,
    uid: null,
    peerInode: 0,
  };
  let a = off + 16;
  while (a + 4 <= end) {
    const alen = v.getUint16(a, true);
    const atype = v.getUint16(a + 2, true);
    if (alen < 4) break;
    if (atype === UNIX_DIAG_NAME) {
      const bytes = new Uint8Array(v.buffer, v.byteOffset + a + 4, alen - 4);
      if (bytes[0] === 0) {
        // abstract names start with NUL; /proc/net/unix and ss print every NUL as "@"
        r.path = decoder.decode(bytes).replaceAll("\0", "@");
      } else {
        const nul = bytes.indexOf(0); // a path may come with its terminating NUL
        r.path = decoder.decode(nul < 0 ? bytes : bytes.subarray(0, nul));
      }
    } else if (atype === UNIX_DIAG_RQLEN) {
      r.recvQ = v.getUint32(a + 4, true);
      r.sendQ = v.getUint32(a + 8, true);
    } else if (atype === UNIX_DIAG_UID) {
      r.uid = v.getUint32(a + 4, true);
    } else if (atype === UNIX_DIAG_PEER) {
      r.peerInode = v.getUint32(a + 4, true);
    }
    a += (alen + 3) & ~3;
  }
  return r;
}

const KERNEL = new Uint8Array(12); // sockaddr_nl { AF_NETLINK, pad, pid 0, groups 0 }
new DataView(KERNEL.buffer).setUint16(0, AF_NETLINK, true);

let buffer: Uint8Array | undefined;

/** Send `request` and feed every reply message to `each` until NLMSG_DONE. @throws NetlinkError */
function dump(request: Uint8Array, each: (v: DataView, off: number, end: number) => void): void {
  let fd: number;
  try {
    fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  } catch (e) {
    throw wrap(e, "socket(AF_NETLINK, NETLINK_SOCK_DIAG)");
  }
  try {
    sendto(fd, request, KERNEL);
    buffer ??= new Uint8Array(256 * 1024);
    for (;;) {
      // The kernel builds each batch inside sendto/recv, so a dump never waits: MSG_DONTWAIT
      // keeps a misbehaving kernel from blocking the event loop (EAGAIN becomes an error).
      const n = recv(fd, buffer, MSG_DONTWAIT | MSG_TRUNC);
      if (n > buffer.byteLength)
        throw new NetlinkError(`netlink reply of ${n} bytes was truncated`, "EMSGSIZE");
      if (n === 0) throw new NetlinkError("netlink socket closed before the dump ended", "EPIPE");
      if (walkMessages(buffer, n, each)) return;
    }
  } catch (e) {
    throw wrap(e, "sock_diag dump");
  } finally {
    close(fd);
  }
}

/** Slots of one recvmmsg: the kernel's dump batches are at most 32 KiB (netlink caps them so). */
const BATCH_SLOTS = 64;
const BATCH_SLOT_SIZE = 32768;

/**
 * Like {@link dump}, but the kernel builds the dump on libuv's thread pool, so the caller's
 * thread is free meanwhile: the request is sent there, and recvmmsg takes up to 64 batches per
 * call. Yields the batches as they come (views, valid until the next step: parse them at once)
 * while the next call already runs, until NLMSG_DONE. @throws NetlinkError
 */
export async function* dumpStream(request: Uint8Array): AsyncGenerator<Uint8Array[]> {
  let fd: number;
  try {
    fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  } catch (e) {
    throw wrap(e, "socket(AF_NETLINK, NETLINK_SOCK_DIAG)");
  }
  const batches = [new MmsgBatch(BATCH_SLOTS, BATCH_SLOT_SIZE), new MmsgBatch(BATCH_SLOTS, BATCH_SLOT_SIZE)];
  let pending: Promise<number> | undefined;
  const check = (n: number, max: number): void => {
    if (n > max) throw new NetlinkError(`netlink reply of ${n} bytes was truncated`, "EMSGSIZE");
    if (n === 0) throw new NetlinkError("netlink socket closed before the dump ended", "EPIPE");
  };
  try {
    // errno stays on the pool thread: a failed send is repeated here, which reports it
    if ((await sendtoAsync(fd, request, KERNEL)) < 0) sendto(fd, request, KERNEL);
    let cur = 0;
    let next: Promise<number> = batches[cur]!.recvAsync(fd, MSG_DONTWAIT | MSG_TRUNC);
    pending = next;
    for (;;) {
      const n = await next;
      pending = undefined;
      if (n <= 0) {
        // an error, or nothing queued: carry on synchronously, which reports the errno
        buffer ??= new Uint8Array(256 * 1024);
        for (;;) {
          const m = recv(fd, buffer, MSG_DONTWAIT | MSG_TRUNC);
          check(m, buffer.byteLength);
          const done = walkMessages(buffer, m, () => undefined);
          yield [buffer.subarray(0, m)];
          if (done) return;
        }
      }
      const b = batches[cur]!;
      const views: Uint8Array[] = [];
      let done = false;
      for (let i = 0; i < n && !done; i++) {
        const len = b.len(i);
        check(len, BATCH_SLOT_SIZE);
        const v = b.view(i).subarray(0, len);
        views.push(v);
        done = walkMessages(v, len, () => undefined);
      }
      // Each recvmsg inside recvmmsg makes the kernel queue the next batch before it returns,
      // so MSG_DONTWAIT ends a call only after NLMSG_DONE (or on an error). The next call fills
      // the other batch while the caller parses this one.
      if (!done) {
        cur ^= 1;
        next = batches[cur]!.recvAsync(fd, MSG_DONTWAIT | MSG_TRUNC);
        pending = next;
      }
      yield views;
      if (done) return;
    }
  } catch (e) {
    throw wrap(e, "sock_diag dump");
  } finally {
    // never free memory a pool thread is still writing into
    if (pending !== undefined) await pending.catch(() => -1);
    for (const b of batches) b.free();
    close(fd);
  }
}

const TCPF_LISTEN = 1 << 10;
const TCPF_BOUND_INACTIVE = 1 << 13;

/**
 * The state mask of one TCP request split by the kernel table each part walks: listeners
 * (lhash2), bound-only sockets (bhash2), the rest (ehash) — in the order the kernel dumps them.
 */
function tableParts(protocol: number, states: number): number[] {
  if (protocol !== IPPROTO_TCP) return [states];
  const parts = [
    states & TCPF_LISTEN,
    states & TCPF_BOUND_INACTIVE,
    states & ~(TCPF_LISTEN | TCPF_BOUND_INACTIVE),
  ];
  return parts.filter((m) => m !== 0);
}

/**
 * Several inet dumps at once, with the kernel's work on the thread pool (see {@link dumpStream}):
 * every request — and each TCP request split by kernel table — runs concurrently, so the
 * kernel's walks of its tables use the idle cores; records reach `each[i]` (one object reused,
 * copy what you keep) in the order one dump per request would give.
 */
export async function dumpInetManyAsync(
  reqs: readonly { family: number; protocol: number; states: number; ports?: PortCondition }[],
  each: readonly ((r: Readonly<InetDiagRecord>) => void)[],
): Promise<void> {
  const r = { ...EMPTY_INET, protocol: null as number | null };
  const parsers = reqs.map((req, i) => {
    const raw = req.protocol === IPPROTO_RAW;
    const cb = each[i]!;
    return (v: DataView, off: number, end: number) => {
      parseInetDiagInto(v, off, end, r);
      if (raw && r.protocol !== null) r.localPort = r.protocol;
      cb(r);
    };
  });
  await dumpInetBatchesAsync(reqs, (i, b) => walkMessages(b, b.byteLength, parsers[i]!));
}

/**
 * {@link dumpInetManyAsync} at the level of reply batches: `onBatch(i, bytes)` gets each batch
 * of request i (netlink messages; a view valid only during the call: copy what you keep).
 */
export async function dumpInetBatchesAsync(
  reqs: readonly { family: number; protocol: number; states: number; ports?: PortCondition }[],
  onBatch: (req: number, bytes: Uint8Array) => void,
): Promise<void> {
  const started: {
    gen: AsyncGenerator<Uint8Array[]>;
    first: Promise<IteratorResult<Uint8Array[]>>;
    req: number;
  }[] = [];
  reqs.forEach((req, i) => {
    const bc = req.ports !== undefined ? portBytecode(req.ports) : undefined;
    for (const states of tableParts(req.protocol, req.states)) {
      const gen = dumpStream(inetDiagRequest(req.family, req.protocol, states, 1, bc));
      const first = gen.next();
      first.catch(() => undefined); // handled when its turn comes, or by return() below
      started.push({ gen, first, req: i });
    }
  });
  try {
    for (const { gen, first, req } of started) {
      for (let step = await first; step.done !== true; step = await gen.next()) {
        for (const b of step.value) onBatch(req, b);
      }
    }
  } finally {
    // a failure leaves later dumps suspended: end them, which frees their memory safely
    for (const { gen } of started) await gen.return(undefined).catch(() => undefined);
  }
}

/** {@link dumpUnix} with the kernel's work on the thread pool. */
export async function dumpUnixAsync(states: number): Promise<UnixDiagRecord[]> {
  const out: UnixDiagRecord[] = [];
  for await (const views of dumpStream(unixDiagRequest(states))) {
    for (const b of views)
      walkMessages(b, b.byteLength, (v, off, end) => out.push(parseUnixDiag(v, off, end)));
  }
  return out;
}

function wrap(e: unknown, what: string): NetlinkError {
  if (e instanceof NetlinkError) return e;
  if (e instanceof LibcError) return new NetlinkError(`${what}: ${e.message}`, e.code, { cause: e });
  return new NetlinkError(`${what}: ${(e as Error).message}`, "EIO", { cause: e });
}

/**
 * Dump the inet sockets of one family and protocol whose state bit is set in `states`
 * (bit N = kernel state N; LISTEN is 1 << 10) and, with `ports`, whose local or peer port
 * matches (filtered in the kernel). For raw sockets the local port is the protocol.
 * @throws NetlinkError (e.g. code ENOENT when the raw_diag module is missing)
 */
export function dumpInet(req: {
  family: number;
  protocol: number;
  states: number;
  ports?: PortCondition;
}): InetDiagRecord[] {
  const out: InetDiagRecord[] = [];
  dumpInetEach(req, (r) => out.push({ ...r }));
  return out;
}

/**
 * Like {@link dumpInet}, calling `each` with one record object that is reused for every
 * socket (copy what you keep): no per-socket allocation besides the caller's own.
 */
export function dumpInetEach(
  req: { family: number; protocol: number; states: number; ports?: PortCondition },
  each: (r: Readonly<InetDiagRecord>) => void,
): void {
  const bc = req.ports !== undefined ? portBytecode(req.ports) : undefined;
  const r = { ...EMPTY_INET, protocol: null as number | null };
  dump(inetDiagRequest(req.family, req.protocol, req.states, 1, bc), (v, off, end) => {
    parseInetDiagInto(v, off, end, r);
    if (req.protocol === IPPROTO_RAW && r.protocol !== null) r.localPort = r.protocol;
    each(r);
  });
}

/** Dump the Unix sockets whose state bit is set in `states`. @throws NetlinkError */
export function dumpUnix(states: number): UnixDiagRecord[] {
  const out: UnixDiagRecord[] = [];
  dump(unixDiagRequest(states), (v, off, end) => out.push(parseUnixDiag(v, off, end)));
  return out;
}
