/**
 * One traceroute UDP probe socket through koffi: an unprivileged UDP socket with IP_RECVERR /
 * IPV6_RECVERR, so the ICMP errors its datagram provokes (time exceeded, port unreachable, …) come
 * back on the socket's error queue with the offender's address and the kernel's receive timestamp
 * (SO_TIMESTAMPNS). One socket per probe, as traceroute does: a pending error on a shared socket
 * would make the next send fail.
 *
 * @example
 * const s = UdpProbeSocket.open(4);
 * s.setTtl(1);
 * s.start((e) => console.log(e.type, e.code, e.offender));
 * const sentNs = s.send(addrBytes, 33434, new Uint8Array(32));
 * s.close();
 */
import {
  AF_INET,
  AF_INET6,
  IP_RECVERR,
  IP_TTL,
  IPV6_RECVERR,
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
  SOL_IP,
  SOL_IPV6,
  SOL_SOCKET,
  SyscallError,
  setIntOption,
  sockaddr,
  sockaddrAddress,
  sysClose,
  sysSendto,
  sysSocket,
  watchReadable,
} from "./diag_libc.js";

const IPPROTO_UDP = 17;

/** An error the probe provoked (struct sock_extended_err and the offender's address). */
export interface ProbeError {
  /** SO_EE_ORIGIN_*: 1 local, 2 ICMP, 3 ICMPv6. */
  origin: number;
  type: number;
  code: number;
  errno: number;
  /** Address bytes (4 or 16) of whoever sent the ICMP error; null for local errors. */
  offender: Uint8Array | null;
  /** Kernel receive time of the error, CLOCK_REALTIME nanoseconds (null when not given). */
  stampNs: bigint | null;
}

/** A UDP socket that sends one probe and reports the errors queued for it. */
export class UdpProbeSocket {
  readonly version: 4 | 6;
  private fd: number;
  private watch: { stop(): void } | null = null;
  private readonly bufs = new RecvBuffers(2048);

  private constructor(version: 4 | 6, fd: number) {
    this.version = version;
    this.fd = fd;
  }

  /** Open a probe socket for IPv4 or IPv6. @throws SyscallError */
  static open(version: 4 | 6): UdpProbeSocket {
    const fd = sysSocket(
      version === 4 ? AF_INET : AF_INET6,
      SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
      IPPROTO_UDP,
    );
    try {
      setIntOption(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
      if (version === 4) setIntOption(fd, SOL_IP, IP_RECVERR, 1);
      else setIntOption(fd, SOL_IPV6, IPV6_RECVERR, 1);
    } catch (e) {
      sysClose(fd);
      throw e;
    }
    return new UdpProbeSocket(version, fd);
  }

  /** The TTL (IPv4) or unicast hop limit (IPv6) of the probe. @throws SyscallError */
  setTtl(ttl: number): void {
    if (this.version === 4) setIntOption(this.fd, SOL_IP, IP_TTL, ttl);
    else setIntOption(this.fd, SOL_IPV6, IPV6_UNICAST_HOPS, ttl);
  }

  /**
   * Send `payload` to `addr`:`port`; returns CLOCK_REALTIME nanoseconds taken just before.
   * @throws SyscallError (ENETUNREACH, EHOSTUNREACH, EMSGSIZE, …)
   */
  send(addr: Uint8Array, port: number, payload: Uint8Array, scopeId = 0): bigint {
    const to = sockaddr(addr, port, scopeId);
    const t = realtimeNs();
    sysSendto(this.fd, payload, to);
    return t;
  }

  /** Report every queued error to `onError` until {@link close}. */
  start(onError: (e: ProbeError) => void): void {
    if (this.watch !== null) return;
    this.watch = watchReadable(this.fd, () => {
      for (let i = 0; i < 16 && this.fd >= 0; i++) {
        const e = this.receiveError();
        if (e === null) {
          this.discardData();
          return;
        }
        onError(e);
      }
    });
  }

  /** A datagram answered the probe (rare: a UDP service on the port): read and drop it. */
  private discardData(): void {
    if (this.fd < 0) return;
    try {
      recvMsg(this.fd, this.bufs, 0);
    } catch (e) {
      // A pending socket error surfaces here once; the error queue already reported it.
      if (!(e instanceof SyscallError)) throw e;
    }
  }

  private receiveError(): ProbeError | null {
    const r = recvMsg(this.fd, this.bufs, MSG_ERRQUEUE);
    if (r === null) return null;
    let stampNs: bigint | null = null;
    let err: ProbeError | null = null;
    for (const c of parseCmsgs(this.bufs.control, r.controlLength)) {
      const dv = new DataView(c.data.buffer, c.data.byteOffset, c.data.byteLength);
      if (c.level === SOL_SOCKET && c.type === SO_TIMESTAMPNS && c.data.byteLength >= 16) {
        stampNs = dv.getBigInt64(0, true) * 1_000_000_000n + dv.getBigInt64(8, true);
      } else if (
        ((c.level === SOL_IP && c.type === IP_RECVERR) ||
          (c.level === SOL_IPV6 && c.type === IPV6_RECVERR)) &&
        c.data.byteLength >= 16
      ) {
        err = {
          errno: dv.getUint32(0, true),
          origin: c.data[4]!,
          type: c.data[5]!,
          code: c.data[6]!,
          offender: sockaddrAddress(c.data.subarray(16), c.data.byteLength - 16),
          stampNs: null,
        };
      }
    }
    if (err === null) return null;
    err.stampNs = stampNs;
    return err;
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
