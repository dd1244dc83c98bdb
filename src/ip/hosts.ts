/** The usable host addresses of a network, as CPython's `hosts()` defines them. */
import { Addr } from "./addr.js";
import type { Prefix } from "./prefix.js";
import { addPow2, wordsOf } from "./word_math.js";

/**
 * The number of usable hosts of a prefix of length `bits` (CPython `hosts()` rule):
 * IPv4 2^h − 2 (network and broadcast excluded), IPv6 2^h − 1 (the Subnet-Router anycast
 * address excluded), where h is the number of host bits; /31 and /127 have 2, /32 and /128 have 1.
 *
 * @example
 * usableHostCount(4, 24); // 254n
 * usableHostCount(4, 31); // 2n
 */
export function usableHostCount(version: 4 | 6, bits: number): bigint {
  const h = (version === 4 ? 32 : 128) - bits;
  if (h === 0) return 1n;
  if (h === 1) return 2n;
  return (1n << BigInt(h)) - (version === 4 ? 2n : 1n);
}

/**
 * The usable hosts of `network`, lazily, in address order (see {@link usableHostCount} for which
 * addresses count). Host bits of `network` are ignored; for /32 and /128 the one address is
 * yielded. Stop iterating whenever you like: an IPv6 /64 is fine to start.
 *
 * @example
 * [...hosts(parsePrefix("192.168.1.0/30"))].map(String); // ["192.168.1.1", "192.168.1.2"]
 */
export function* hosts(network: Prefix): Generator<Addr, void, undefined> {
  const version = network.version;
  const h = network.addr.bitLength - network.bits;
  if (h === 0) {
    yield network.addr.withoutZone();
    return;
  }
  const first = network.first();
  const last = network.last();
  if (h === 1) {
    yield first;
    yield last;
    return;
  }
  if (version === 4) {
    const end = last.w3 - 1;
    for (let v = first.w3 + 1; v <= end; v++) yield Addr.v4(v);
    return;
  }
  const w = wordsOf(first);
  const [e0, e1, e2, e3] = wordsOf(last);
  do {
    addPow2(w, 0, 128);
    yield Addr.v6(w[0], w[1], w[2], w[3]);
  } while (w[3] !== e3 || w[2] !== e2 || w[1] !== e1 || w[0] !== e0);
}
