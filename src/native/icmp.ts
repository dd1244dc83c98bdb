/**
 * ICMP sockets through koffi: an unprivileged ICMP ("ping") socket (SOCK_DGRAM, allowed by
 * `net.ipv4.ping_group_range`) or a raw socket (SOCK_RAW, needs CAP_NET_RAW). Non-blocking, watched
 * on the libuv loop; every received message carries the kernel's receive timestamp (SO_TIMESTAMPNS,
 * CLOCK_REALTIME), its TTL / hop limit, and — for ping sockets — errors from the error queue.
 *
 * @example
 * const s = IcmpSocket.open(4, "auto");
 * s.start((m) => console.log(m.data, m.ttl));
 * const sentAt = s.send(addrBytes, packet);
 * s.close();
 */
import {
  AF_INET,
  AF_INET6,
  IP_RECVERR,
  IP_RECVTTL,
  IP_TTL,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPV6_HOPLIMIT,
  IPV6_RECVERR,
  IPV6_RECVHOPLIMIT,
  IPV6_UNICAST_HOPS,
  MSG_ERRQUEUE,
  parseCmsgs,
  RecvBuffers,
  realtimeNs,
  recvMsg,
  SO_TIMESTAMPNS,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOL_IP,
  SOL_IPV6,
  SOL_SOCKET,
  SyscallError,
  setBytesOption,
  setIntOption,
  sockaddr,
  sockaddrAddress,
  sysClose,
  sysSendto,
  sysSocket,
  watchReadable,
} from "./diag_libc.js";

export type IcmpSocketKind = "dgram" | "raw";

/** An error from the socket's error queue (ping sockets): sock_extended_err and the offender. */
export interface QueuedError {
  /** SO_EE_ORIGIN_*: 1 local, 2 ICMP, 3 ICMPv6. */
  origin: number;
  type: number;
  code: number;
  info: number;
  errno: number;
  /** Who sent the error (address bytes), when known. */
  offender: Uint8Array | null;
}

/** One message received on an ICMP socket. */
export interface IcmpMessage {
  /** The bytes as the kernel delivered them (raw IPv4: with the IP header). */
  data: Uint8Array;
  /** Sender address bytes (4 or 16), or null. */
  from: Uint8Array | null;
  /** TTL / hop limit from a control message (null when not given; raw IPv4 has it in the header). */
  ttl: number | null;
  /** Kernel receive time, CLOCK_REALTIME nanoseconds (null when the kernel gave none). */
  stampNs: bigint | null;
  /** Set when the message came from the error queue: `data` is then our original request. */
  queuedError: QueuedError | null;
}

const SOL_RAW = 255;
const ICMP_FILTER = 1;
const SOL_ICMPV6 = 58;
const ICMPV6_FILTER = 1;

/** An open ICMP socket. */
export class IcmpSocket {
  readonly version: 4 | 6;
  readonly kind: IcmpSocketKind;
  private fd: number;
  private watch: { stop(): void } | null = null;
  private readonly bufs = new RecvBuffers(65536);

  private constructor(version: 4 | 6, kind: IcmpSocketKind, fd: number) {
    this.version = version;
    this.kind = kind;
    this.fd = fd;
  }

  /**
   * Open an ICMP socket: "dgram" (ping socket), "raw", or "auto" (ping socket, else raw).
   * @throws SyscallError — EACCES (ping socket not allowed by ping_group_range) or EPERM (raw
   * socket without CAP_NET_RAW); with "auto", the raw socket's error after the ping socket's.
   */
  static open(version: 4 | 6, kind: IcmpSocketKind | "auto"): IcmpSocket {
    const domain = version === 4 ? AF_INET : AF_INET6;
    const proto = version === 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
    const flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
    let fd = -1;
    let got: IcmpSocketKind = "dgram";
    if (kind === "dgram" || kind === "auto") {
      try {
        fd = sysSocket(domain, SOCK_DGRAM | flags, proto);
      } catch (e) {
        if (kind === "dgram" || !(e instanceof SyscallError)) throw e;
      }
    }
    if (fd < 0) {
      fd = sysSocket(domain, SOCK_RAW | flags, proto);
      got = "raw";
    }
    const s = new IcmpSocket(version, got, fd);
    try {
      s.configure();
    } catch (e) {
      sysClose(fd);
      throw e;
    }
    return s;
  }

  private configure(): void {
    setIntOption(this.fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
    if (this.version === 4) {
      if (this.kind === "dgram") {
        setIntOption(this.fd, SOL_IP, IP_RECVTTL, 1);
        setIntOption(this.fd, SOL_IP, IP_RECVERR, 1);
      } else {
        // Let only echo replies and errors through (a bit set = type blocked).
        const pass = (1 << 0) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 11) | (1 << 12);
        setIntOption(this.fd, SOL_RAW, ICMP_FILTER, ~pass);
      }
    } else {
      setIntOption(this.fd, SOL_IPV6, IPV6_RECVHOPLIMIT, 1);
      if (this.kind === "dgram") setIntOption(this.fd, SOL_IPV6, IPV6_RECVERR, 1);
      else {
        const filter = new Uint32Array(8).fill(0xffffffff);
        for (const t of [1, 2, 3, 4, 129]) filter[t >> 5]! &= ~(1 << (t & 31));
        setBytesOption(this.fd, SOL_ICMPV6, ICMPV6_FILTER, new Uint8Array(filter.buffer));
      }
    }
  }

  /** Set the TTL (IPv4) or unicast hop limit (IPv6) of outgoing packets. @throws SyscallError */
  setTtl(ttl: number): void {
    if (this.version === 4) setIntOption(this.fd, SOL_IP, IP_TTL, ttl);
    else setIntOption(this.fd, SOL_IPV6, IPV6_UNICAST_HOPS, ttl);
  }

  /**
   * Send `packet` to `addr` (4 or 16 bytes); returns the CLOCK_REALTIME nanoseconds taken just
   * before the send. @throws SyscallError (ENETUNREACH, EHOSTUNREACH, EAGAIN, …)
   */
  send(addr: Uint8Array, packet: Uint8Array, scopeId = 0): bigint {
    const to = sockaddr(addr, 0, scopeId);
    const t = realtimeNs();
    sysSendto(this.fd, packet, to);
    return t;
  }

  /** Deliver every received message to `onMessage` until {@link close}. */
  start(onMessage: (m: IcmpMessage) => void): void {
    if (this.watch !== null) return;
    this.watch = watchReadable(this.fd, () => this.drain(onMessage));
  }

  /**
   * Deliver what is already queued on the socket now, without waiting for the event loop's poll
   * phase: a timer that ends a run reads first, so an answer that arrived in time is never lost
   * to a late event loop (timers run before poll callbacks).
   */
  drainNow(onMessage: (m: IcmpMessage) => void): void {
    if (this.fd >= 0) this.drain(onMessage);
  }

  private drain(onMessage: (m: IcmpMessage) => void): void {
    // Errors first (ping sockets queue ICMP errors separately), then ordinary messages.
    for (let i = 0; i < 64 && this.fd >= 0; i++) {
      const m = this.receive(MSG_ERRQUEUE) ?? this.receive(0);
      if (m === null) return;
      onMessage(m);
    }
  }

  private receive(flags: number): IcmpMessage | null {
    if (flags === MSG_ERRQUEUE && this.kind === "raw") return null;
    let r: ReturnType<typeof recvMsg>;
    try {
      r = recvMsg(this.fd, this.bufs, flags);
    } catch (e) {
      // An error queued on a socket without IP_RECVERR surfaces as a failed read: skip it.
      if (e instanceof SyscallError && flags === 0) return null;
      throw e;
    }
    if (r === null) return null;
    const b = this.bufs;
    let ttl: number | null = null;
    let stampNs: bigint | null = null;
    let queuedError: QueuedError | null = null;
    for (const c of parseCmsgs(b.control, r.controlLength)) {
      const dv = new DataView(c.data.buffer, c.data.byteOffset, c.data.byteLength);
      if (c.level === SOL_SOCKET && c.type === SO_TIMESTAMPNS && c.data.byteLength >= 16) {
        stampNs = dv.getBigInt64(0, true) * 1_000_000_000n + dv.getBigInt64(8, true);
      } else if (
        ((c.level === SOL_IP && c.type === IP_TTL) || (c.level === SOL_IPV6 && c.type === IPV6_HOPLIMIT)) &&
        c.data.byteLength >= 4
      ) {
        ttl = dv.getInt32(0, true);
      } else if (
        ((c.level === SOL_IP && c.type === IP_RECVERR) ||
          (c.level === SOL_IPV6 && c.type === IPV6_RECVERR)) &&
        c.data.byteLength >= 16
      ) {
        queuedError = {
          errno: dv.getUint32(0, true),
          origin: c.data[4]!,
          type: c.data[5]!,
          code: c.data[6]!,
          info: dv.getUint32(8, true),
          offender: sockaddrAddress(c.data.subarray(16), c.data.byteLength - 16),
        };
      }
    }
    if (flags === MSG_ERRQUEUE && queuedError === null) return null;
    return {
      data: b.data.slice(0, Math.min(r.bytes, b.data.byteLength)),
      from: sockaddrAddress(b.name, r.nameLength),
      ttl,
      stampNs,
      queuedError,
    };
  }

  /** Stop watching and close the socket. Idempotent. */
  close(): void {
    if (this.fd < 0) return;
    this.watch?.stop();
    this.watch = null;
    sysClose(this.fd);
    this.fd = -1;
  }
}

/** CLOCK_REALTIME in nanoseconds (the clock of receive timestamps). */
export { realtimeNs };
