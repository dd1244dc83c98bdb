/** VLSM: carve subnets sized for host counts out of a network. */
import { NetkitError } from "../errors.js";
import { Addr } from "./addr.js";
import { usableHostCount } from "./hosts.js";
import { MAX_HOST_REQUESTS } from "./op_limits.js";
import { Prefix } from "./prefix.js";
import { summarizeRange } from "./summarize.js";

/** One subnet given to a host-count request. */
export interface HostAllocation {
  /** The number of hosts asked for. */
  hosts: number;
  /** The position of the request in the input (0-based). */
  index: number;
  prefix: Prefix;
  /** Usable hosts of the prefix (≥ hosts). */
  usable: bigint;
}

/** The result of {@link splitHosts}. */
export interface SplitHostsResult {
  network: Prefix;
  /** Allocations in address order (which is largest request first). */
  allocations: HostAllocation[];
  /** The requests that did not fit, largest first. */
  unfit: { hosts: number; index: number }[];
  /** The space left over, as a minimal prefix list. */
  unallocated: Prefix[];
}

/**
 * The shortest-host-part prefix length with at least `hosts` usable hosts, by the
 * {@link usableHostCount} rule (1 host → /32 or /128, 2 hosts → /31 or /127), or -1 when even the
 * whole address space is too small.
 *
 * @example
 * prefixForHosts(4, 100); // 25  (126 usable)
 * prefixForHosts(4, 2);   // 31  (RFC 3021 point-to-point)
 */
export function prefixForHosts(version: 4 | 6, hosts: number): number {
  const total = version === 4 ? 32 : 128;
  const want = BigInt(hosts);
  for (let bits = total; bits >= 0; bits--) {
    if (usableHostCount(version, bits) >= want) return bits;
  }
  return -1;
}

/**
 * VLSM allocation: requests are sorted by size, largest first (ties keep input order), and each
 * gets the smallest prefix with enough usable hosts ({@link prefixForHosts}), placed at the lowest
 * free address. Largest-first placement keeps every block aligned without gaps, so the space left
 * is one contiguous range at the end. A request that does not fit is reported in `unfit`; smaller
 * ones after it are still tried. Host bits of `network` are ignored.
 *
 * @throws ERR_RANGE when a count is not a whole number ≥ 1; ERR_TOO_LARGE for more than 65536 requests.
 * @example
 * splitHosts(parsePrefix("192.168.0.0/24"), [20, 100, 50]).allocations.map((a) => `${a.prefix}`);
 * // ["192.168.0.0/25", "192.168.0.128/26", "192.168.0.192/27"]
 */
export function splitHosts(network: Prefix, requests: readonly number[]): SplitHostsResult {
  const net = network.masked();
  const version = net.version;
  const total = net.addr.bitLength;
  if (requests.length > MAX_HOST_REQUESTS) {
    throw new NetkitError(
      "ERR_TOO_LARGE",
      `split by hosts: ${requests.length} requests, more than the limit ${MAX_HOST_REQUESTS}`,
    );
  }
  const order = requests.map((hosts, index) => {
    if (!Number.isSafeInteger(hosts) || hosts < 1) {
      throw new NetkitError("ERR_RANGE", `split by hosts: ${hosts} is not a host count (a whole number ≥ 1)`);
    }
    return { hosts, index, bits: prefixForHosts(version, hosts) };
  });
  order.sort((a, b) => b.hosts - a.hosts || a.index - b.index);
  const end = net.last().toBigInt() + 1n;
  let cursor = net.first().toBigInt();
  const allocations: HostAllocation[] = [];
  const unfit: { hosts: number; index: number }[] = [];
  for (const r of order) {
    if (r.bits < net.bits) {
      unfit.push({ hosts: r.hosts, index: r.index });
      continue;
    }
    const size = 1n << BigInt(total - r.bits);
    if (cursor + size > end) {
      unfit.push({ hosts: r.hosts, index: r.index });
      continue;
    }
    allocations.push({
      hosts: r.hosts,
      index: r.index,
      prefix: new Prefix(Addr.fromBigInt(version, cursor), r.bits),
      usable: usableHostCount(version, r.bits),
    });
    cursor += size;
  }
  const unallocated = cursor < end ? summarizeRange(Addr.fromBigInt(version, cursor), net.last()) : [];
  return { network: net, allocations, unfit, unallocated };
}
