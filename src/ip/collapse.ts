/** Aggregate a list of networks into the minimal list of prefixes covering the same addresses. */
import { Prefix } from "./prefix.js";
import { requireSameVersion } from "./same_version.js";

/**
 * Collapse networks into the fewest prefixes that cover exactly the same addresses, sorted by
 * address, like CPython's `collapse_addresses`. Host bits are ignored (each prefix is masked, as
 * `ip_network(…, strict=False)` would), duplicates and contained prefixes disappear, adjacent
 * siblings merge. Runs in O(n log n) on words, no BigInt.
 *
 * @throws ERR_VERSION_MISMATCH when IPv4 and IPv6 are mixed.
 * @example
 * collapse(["192.168.0.0/25", "192.168.0.128/25", "192.168.1.0/24"].map(parsePrefix)).map(String);
 * // ["192.168.0.0/23"]
 */
export function collapse(prefixes: Iterable<Prefix>): Prefix[] {
  const list: Prefix[] = [];
  let version: Prefix | undefined;
  for (const p of prefixes) {
    if (version === undefined) version = p;
    else requireSameVersion("collapse", version, p);
    list.push(p.masked());
  }
  list.sort((a, b) => a.compare(b));
  const stack: Prefix[] = [];
  for (const p of list) {
    const top = stack[stack.length - 1];
    if (top?.contains(p)) continue;
    let cur = p;
    // Merge with the block below while the two are the halves of one parent.
    while (stack.length > 0) {
      const below = stack[stack.length - 1]!;
      if (below.bits !== cur.bits || cur.bits === 0) break;
      const parent = new Prefix(cur.addr, cur.bits - 1);
      if (!parent.contains(below.addr)) break;
      stack.pop();
      cur = parent.masked();
    }
    stack.push(cur);
  }
  return stack;
}
