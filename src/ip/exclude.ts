/** A network minus other networks, as the minimal list of prefixes. */
import { collapse } from "./collapse.js";
import type { Prefix } from "./prefix.js";
import { requireSameVersion } from "./same_version.js";
import { summarizeRange } from "./summarize.js";
import { nextAddr, prevAddr } from "./word_math.js";

/**
 * The addresses of `network` that are in none of `excluded`, as the minimal list of prefixes in
 * address order. With one excluded prefix inside the network this is the set CPython's
 * `address_exclude` yields (CPython yields it largest-first; netkit sorts by address). Unlike
 * CPython, excluded prefixes outside the network are allowed: they remove nothing (or everything,
 * when one contains the network). Host bits are ignored on every input. The result has at most
 * (k + 1) × 2 × bits prefixes for k excluded prefixes.
 *
 * @throws ERR_VERSION_MISMATCH when versions are mixed.
 * @example
 * exclude(parsePrefix("10.0.0.0/24"), [parsePrefix("10.0.0.64/26")]).map(String);
 * // ["10.0.0.0/26", "10.0.0.128/25"]
 */
export function exclude(network: Prefix, excluded: Iterable<Prefix>): Prefix[] {
  const net = network.masked();
  const inside: Prefix[] = [];
  for (const e of excluded) {
    requireSameVersion("exclude", net, e);
    if (e.contains(net)) return [];
    if (net.contains(e)) inside.push(e);
  }
  const out: Prefix[] = [];
  let cursor = net.first();
  for (const e of collapse(inside)) {
    const start = e.first();
    if (start.compare(cursor) > 0) out.push(...summarizeRange(cursor, prevAddr(start)!));
    const next = nextAddr(e.last());
    if (next === null) return out;
    cursor = next;
  }
  // After the last excluded block the cursor is past the network when that block ended it.
  if (cursor.compare(net.last()) <= 0) out.push(...summarizeRange(cursor, net.last()));
  return out;
}
