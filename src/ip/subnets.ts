/** Splitting a network into equal subnets: by prefix length, or into N parts. */
import { NetkitError } from "../errors.js";
import { Addr } from "./addr.js";
import { DEFAULT_SPLIT_LIMIT } from "./op_limits.js";
import { Prefix } from "./prefix.js";
import { summarizeRange } from "./summarize.js";
import { addPow2, wordsOf } from "./word_math.js";

/**
 * Every subnet of length `newBits` of `network`, in address order, lazily (stop whenever you
 * like: nothing is computed ahead). Like CPython's `subnets(new_prefix=…)`. Host bits of `network`
 * are ignored.
 *
 * @throws ERR_PREFIX_LENGTH when `newBits` is shorter than the network's or longer than 32/128.
 * @example
 * [...subnets(parsePrefix("10.0.0.0/24"), 26)].map(String);
 * // ["10.0.0.0/26", "10.0.0.64/26", "10.0.0.128/26", "10.0.0.192/26"]
 */
export function* subnets(network: Prefix, newBits: number): Generator<Prefix, void, undefined> {
  const net = network.masked();
  checkNewBits(net, newBits);
  const total = net.addr.bitLength;
  const version = net.version;
  const last = net.last();
  const w = wordsOf(net.addr);
  const step = total - newBits;
  while (true) {
    const p = new Prefix(Addr.fromWords(version, w), newBits);
    yield p;
    if (p.last().equals(last)) return;
    addPow2(w, step, total);
  }
}

function checkNewBits(net: Prefix, newBits: number): void {
  const total = net.addr.bitLength;
  if (!Number.isInteger(newBits) || newBits < net.bits || newBits > total) {
    throw new NetkitError(
      "ERR_PREFIX_LENGTH",
      `cannot split ${net} into /${newBits}: the new prefix length must be within ${net.bits}–${total}`,
    );
  }
}

/** Options of the bounded split functions. */
export interface SplitOptions {
  /** The most prefixes to return (default {@link DEFAULT_SPLIT_LIMIT}); more is ERR_TOO_LARGE. */
  limit?: number;
}

/** The number of /newBits subnets of a /bits network, as a BigInt. */
export function subnetCount(bits: number, newBits: number): bigint {
  return 1n << BigInt(newBits - bits);
}

/**
 * All subnets of length `newBits` of `network`, as an array bounded by `limit`. The count is
 * checked before any work, so a huge IPv6 split fails at once instead of hanging.
 *
 * @throws ERR_PREFIX_LENGTH for an impossible length; ERR_TOO_LARGE above the limit.
 * @example
 * splitPrefix(parsePrefix("192.168.0.0/24"), 25).map(String); // ["192.168.0.0/25", "192.168.0.128/25"]
 * splitPrefix(parsePrefix("2001:db8::/32"), 64);
 * // throws ERR_TOO_LARGE: split of 2001:db8::/32 into /64 gives 4294967296 prefixes, more than the limit 65536 …
 */
export function splitPrefix(network: Prefix, newBits: number, options: SplitOptions = {}): Prefix[] {
  const net = network.masked();
  checkNewBits(net, newBits);
  checkSplitLimit(net, newBits, options.limit ?? DEFAULT_SPLIT_LIMIT);
  return [...subnets(net, newBits)];
}

/**
 * Throw ERR_TOO_LARGE when splitting `network` into /`newBits` gives more than `limit` prefixes
 * (checked with BigInt, before any work). For callers that stream {@link subnets} with a bound.
 */
export function checkSplitLimit(network: Prefix, newBits: number, limit: number): void {
  const net = network.masked();
  checkNewBits(net, newBits);
  const count = subnetCount(net.bits, newBits);
  if (count > BigInt(limit)) {
    throw new NetkitError(
      "ERR_TOO_LARGE",
      `split of ${net} into /${newBits} gives ${count} prefixes, more than the limit ${limit}; use --limit or a longer prefix`,
    );
  }
}

/** The result of {@link splitCount}. */
export interface SplitCountResult {
  /** The network that was split (host bits cleared). */
  network: Prefix;
  /** The common prefix length of the parts. */
  prefixLength: number;
  /** The `count` parts, in address order. */
  subnets: Prefix[];
  /** The rest of the network when `count` is not a power of two, as a minimal prefix list. */
  unallocated: Prefix[];
}

/**
 * Split `network` into `count` equal parts: the largest equal size that gives `count` parts is
 * 2^⌈log2 count⌉ parts; the first `count` are returned and the rest is reported as `unallocated`.
 *
 * @throws ERR_RANGE when `count` < 1 or the network is too small; ERR_TOO_LARGE above the limit.
 * @example
 * const r = splitCount(parsePrefix("10.0.0.0/24"), 3);
 * r.subnets.map(String);     // ["10.0.0.0/26", "10.0.0.64/26", "10.0.0.128/26"]
 * r.unallocated.map(String); // ["10.0.0.192/26"]
 */
export function splitCount(network: Prefix, count: number, options: SplitOptions = {}): SplitCountResult {
  const net = network.masked();
  const limit = options.limit ?? DEFAULT_SPLIT_LIMIT;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new NetkitError("ERR_RANGE", `split into ${count} subnets: the count must be a whole number ≥ 1`);
  }
  if (count > limit) {
    throw new NetkitError(
      "ERR_TOO_LARGE",
      `split of ${net} into ${count} subnets is more than the limit ${limit}; use --limit`,
    );
  }
  let extra = 0; // ⌈log2 count⌉, exactly
  while (2 ** extra < count) extra++;
  const prefixLength = net.bits + extra;
  const total = net.addr.bitLength;
  if (prefixLength > total) {
    throw new NetkitError(
      "ERR_RANGE",
      `cannot split ${net} into ${count} subnets: that needs /${prefixLength}, longer than /${total}`,
    );
  }
  const parts: Prefix[] = [];
  for (const p of subnets(net, prefixLength)) {
    if (parts.length === count) {
      return {
        network: net,
        prefixLength,
        subnets: parts,
        unallocated: summarizeRange(p.first(), net.last()),
      };
    }
    parts.push(p);
  }
  return { network: net, prefixLength, subnets: parts, unallocated: [] };
}
