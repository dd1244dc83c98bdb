/**
 * A TCP socket's retransmission count from the kernel: `getsockopt(fd, IPPROTO_TCP, TCP_INFO)`
 * and `tcpi_total_retrans` of `struct tcp_info` (linux/tcp.h: a __u32 at byte 100, after 8 bytes
 * of __u8 fields and 23 __u32 fields) — what iperf3 reports as `retransmits`.
 *
 * @example
 * const n = tcpTotalRetrans(fd); // 0 on a quiet loopback connection, null if not readable
 */
import { libcFunction } from "./ffi.js";

const IPPROTO_TCP = 6;
const TCP_INFO = 11;
/** Offset of tcpi_total_retrans in struct tcp_info. */
const TOTAL_RETRANS = 100;

type GetSockOpt = (fd: number, level: number, name: number, v: Buffer, len: number[]) => number;
let getsockopt: GetSockOpt | undefined;

/** tcpi_total_retrans from a struct tcp_info of `len` valid bytes (pure), or null if too short. */
export function totalRetransFromTcpInfo(info: Uint8Array, len = info.byteLength): number | null {
  if (len < TOTAL_RETRANS + 4 || info.byteLength < TOTAL_RETRANS + 4) return null;
  return new DataView(info.buffer, info.byteOffset, info.byteLength).getUint32(TOTAL_RETRANS, true);
}

/** Segments the kernel retransmitted on TCP socket `fd` so far, or null when it cannot be read. */
export function tcpTotalRetrans(fd: number): number | null {
  try {
    getsockopt ??= libcFunction<GetSockOpt>(
      "int getsockopt(int, int, int, _Out_ void *, _Inout_ uint32_t *)",
    );
  } catch {
    return null; // no koffi / glibc here: the count stays unknown, as without TCP_INFO
  }
  const buf = Buffer.alloc(256);
  const len = [buf.length];
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, buf, len) < 0) return null;
  return totalRetransFromTcpInfo(buf, len[0]);
}
