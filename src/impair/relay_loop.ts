/**
 * Would a relay send to itself? A relay whose target is its own listening socket (the same
 * address and port, or a wildcard listener and a local target on the same port) feeds every
 * datagram or connection back into itself, without end. Pure: the caller passes the target's
 * addresses and the machine's local addresses.
 *
 * @example
 * relayLoop({ host: "0.0.0.0", port: 5000 }, ["127.0.0.1"], 5000, ["127.0.0.1", "10.0.0.5"]);
 * // → "0.0.0.0 port 5000 receives what is sent to 127.0.0.1 port 5000"
 */

/** Strip an IPv4-mapped IPv6 prefix and a zone; lower-case. */
function norm(a: string): string {
  const s = a.toLowerCase().replace(/%.*$/, "");
  return s.startsWith("::ffff:") && s.includes(".") ? s.slice(7) : s;
}

/** True for an address of the host itself: loopback (127/8, ::1) or one in `local`. */
function isLocal(a: string, local: readonly string[]): boolean {
  const n = norm(a);
  return n.startsWith("127.") || n === "::1" || local.some((l) => norm(l) === n);
}

/**
 * Why the relay listening on `listen` would receive what it sends to `targetAddrs`:`targetPort`,
 * or undefined when it would not.
 */
export function relayLoop(
  listen: { host: string; port: number },
  targetAddrs: readonly string[],
  targetPort: number,
  local: readonly string[],
): string | undefined {
  if (listen.port !== targetPort || listen.port === 0) return undefined;
  const l = norm(listen.host);
  for (const t of targetAddrs) {
    const n = norm(t);
    const v4 = n.includes(".");
    const hit =
      n === l ||
      (l === "0.0.0.0" && v4 && isLocal(n, local)) ||
      (l === "::" && isLocal(n, local)) ||
      // 127.0.0.1 and ::ffff:127.0.0.1 are one socket address for a dual-stack listener
      (n === "0.0.0.0" && isLocal(l, local)) ||
      (n === "::" && isLocal(l, local));
    if (hit) return `${listen.host} port ${listen.port} receives what is sent to ${t} port ${targetPort}`;
  }
  return undefined;
}
