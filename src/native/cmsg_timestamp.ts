/**
 * Pure parser of a received datagram's ancillary data (`msg_control`, a chain of `struct cmsghdr`)
 * for the kernel's receive timestamp: `SCM_TIMESTAMPNS` (a `struct timespec`, CLOCK_REALTIME),
 * asked for with `setsockopt(SOL_SOCKET, SO_TIMESTAMPNS)`. Layout on 64-bit Linux: `cmsg_len`
 * (size_t, 8 bytes, header included), `cmsg_level` (int), `cmsg_type` (int), then the data at
 * offset 16; each header starts at an 8-byte boundary (CMSG_ALIGN).
 *
 * @example
 * const t = rxTimestamp(batch.control(i)); // 1764088200.123456789 (seconds), or null
 */

export const SOL_SOCKET = 1;
/** SO_TIMESTAMPNS (the "old" 64-bit-time value on 64-bit Linux); SCM_TIMESTAMPNS has the same number. */
export const SO_TIMESTAMPNS = 35;
export const SCM_TIMESTAMPNS = SO_TIMESTAMPNS;
const CMSG_HDR = 16;
const TIMESPEC = 16;
/** Bytes of control buffer one SCM_TIMESTAMPNS needs: CMSG_SPACE(sizeof(struct timespec)). */
export const TIMESTAMP_CMSG_SPACE = CMSG_HDR + TIMESPEC;

/**
 * The SCM_TIMESTAMPNS receive time in `control` (the first `msg_controllen` bytes of a slot's
 * control buffer) as seconds since the epoch, or null when there is none or the chain is malformed.
 */
export function rxTimestamp(control: Uint8Array): number | null {
  const v = new DataView(control.buffer, control.byteOffset, control.byteLength);
  let off = 0;
  while (off + CMSG_HDR <= control.byteLength) {
    const len = Number(v.getBigUint64(off, true));
    if (len < CMSG_HDR || off + len > control.byteLength) return null;
    const level = v.getInt32(off + 8, true);
    const type = v.getInt32(off + 12, true);
    if (level === SOL_SOCKET && type === SCM_TIMESTAMPNS && len >= CMSG_HDR + TIMESPEC) {
      const sec = Number(v.getBigInt64(off + CMSG_HDR, true));
      const nsec = Number(v.getBigInt64(off + CMSG_HDR + 8, true));
      if (nsec < 0 || nsec >= 1e9) return null;
      return sec + nsec / 1e9;
    }
    off += (len + 7) & ~7;
  }
  return null;
}
