/** Set relations between networks and addresses: containment and overlap. */
import type { Prefix } from "./prefix.js";
import { requireSameVersion } from "./same_version.js";

/**
 * True when every address of `inner` (a prefix; an address is a /32 or /128) lies in `outer`,
 * like CPython's `addr in net` and `subnet_of`. Host bits of both are ignored (strict=False).
 *
 * @throws ERR_VERSION_MISMATCH when the versions differ (CPython's `in` says False; netkit
 *   treats the mix as a mistake).
 * @example
 * networkContains(parsePrefix("10.0.0.0/8"), parsePrefix("10.1.2.3")); // true
 */
export function networkContains(outer: Prefix, inner: Prefix): boolean {
  requireSameVersion("contains", outer, inner);
  return outer.masked().contains(inner.masked());
}

/**
 * True when the two networks share at least one address, like CPython's `overlaps`.
 * Host bits are ignored.
 *
 * @throws ERR_VERSION_MISMATCH when the versions differ.
 * @example
 * networksOverlap(parsePrefix("10.0.0.0/8"), parsePrefix("10.1.0.0/16")); // true
 */
export function networksOverlap(a: Prefix, b: Prefix): boolean {
  requireSameVersion("overlaps", a, b);
  return a.masked().overlaps(b.masked());
}
