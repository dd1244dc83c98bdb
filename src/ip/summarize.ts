/** The minimal list of CIDR prefixes that covers an address range exactly. */
import { NetkitError } from "../errors.js";
import { Addr } from "./addr.js";
import { Prefix } from "./prefix.js";
import { requireSameVersion } from "./same_version.js";
import { trailingZeros } from "./word_math.js";

/**
 * The minimal list of prefixes covering exactly `first`…`last` (inclusive), in address order,
 * like CPython's `summarize_address_range`. The list has at most 2 × bits − 2 entries (62 for
 * IPv4, 254 for IPv6), so it is always small. Zones are dropped.
 *
 * @throws ERR_VERSION_MISMATCH when the versions differ; ERR_RANGE when `first` > `last`.
 * @example
 * summarizeRange(parseAddr("192.168.0.5"), parseAddr("192.168.0.20")).map(String);
 * // ["192.168.0.5/32", "192.168.0.6/31", "192.168.0.8/29", "192.168.0.16/30", "192.168.0.20/32"]
 */
export function summarizeRange(first: Addr, last: Addr): Prefix[] {
  requireSameVersion("summarize", first, last);
  const end = last.toBigInt();
  let cur = first.toBigInt();
  if (cur > end) {
    throw new NetkitError(
      "ERR_RANGE",
      `summarize: the first address ${first.toCompressed()} is after the last ${last.toCompressed()}`,
    );
  }
  const version = first.version;
  const total = first.bitLength;
  let curAddr = first.withoutZone();
  const out: Prefix[] = [];
  while (true) {
    const span = end - cur + 1n;
    const spanLog = span.toString(2).length - 1; // floor(log2(span))
    const n = Math.min(trailingZeros(curAddr), spanLog);
    out.push(new Prefix(curAddr, total - n));
    cur += 1n << BigInt(n);
    if (cur > end) return out;
    curAddr = Addr.fromBigInt(version, cur);
  }
}
