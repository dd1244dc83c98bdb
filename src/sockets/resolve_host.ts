/**
 * Name resolution for every host argument (sockets, nc, ping, trace, bench, impair): address-like
 * text goes through netkit's strict parser and is never given to the resolver (`127.1`,
 * `0177.0.0.1`, `1.2.3` are refused exactly as `netkit ip` refuses them); `[v6]` is the address in
 * the brackets; a name goes through the system resolver (`localhost` → 127.0.0.1 via /etc/hosts),
 * except names under `.invalid`, which fail at once without a lookup (RFC 6761 §6.4).
 *
 * @example
 * import { resolveHost } from "netkit";
 * await resolveHost("::1");        // → { address: "::1", family: 6 }
 * await resolveHost("localhost", 4); // → { address: "127.0.0.1", family: 4 }
 */
import { lookup } from "node:dns/promises";
import { NetkitError } from "../errors.js";
import { type Addr, parseAddr } from "../ip/addr.js";
import { parseHostText } from "../ip/host_text.js";

export interface ResolvedHost {
  address: string;
  family: 4 | 6;
}

/**
 * The IP version of a literal address usable as is (no brackets), or undefined when `host` is not
 * one (a name, `[::1]`, or address-like text that is not an address).
 */
export function literalFamily(host: string): 4 | 6 | undefined {
  if (host.startsWith("[")) return undefined;
  try {
    const h = parseHostText(host);
    return h.kind === "addr" ? h.addr.version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Check a host argument's syntax without any lookup (for validating flags before I/O).
 * @throws {ParseError} ERR_ADDR_SYNTAX / ERR_ZONE (address-like text that is not an address),
 * ERR_HOST_NOT_FOUND (not a host name).
 */
export function checkHost(host: string): void {
  parseHostText(host);
}

/** True for names RFC 6761 reserves as never resolving (`invalid` and names under it). */
function isInvalidTld(name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, "");
  return n === "invalid" || n.endsWith(".invalid");
}

/**
 * Resolve `host` to one address, preferring `family` when given.
 * @throws ERR_ADDR_SYNTAX / ERR_ZONE for address-like text that is not an address (as `netkit ip`);
 * ERR_VERSION_MISMATCH when a literal address is not of `family`; ERR_HOST_NOT_FOUND when a name
 * does not resolve, is not a valid host name, or (with `numericOnly`, netcat's -n) is a name at all.
 */
export async function resolveHostAddr(host: string, family?: 4 | 6, numericOnly = false): Promise<Addr> {
  const h = parseHostText(host);
  if (h.kind === "addr") {
    if (family !== undefined && family !== h.addr.version)
      throw new NetkitError("ERR_VERSION_MISMATCH", `${host} is not an IPv${family} address`);
    return h.addr;
  }
  if (numericOnly) throw new NetkitError("ERR_HOST_NOT_FOUND", `${host}: not a numeric address (-n given)`);
  if (isInvalidTld(host))
    throw new NetkitError(
      "ERR_HOST_NOT_FOUND",
      `${host}: host not found (.invalid never resolves, RFC 6761)`,
    );
  let r: { address: string };
  try {
    r = await lookup(host, family === undefined ? {} : { family });
  } catch (e) {
    const errno = (e as { code?: unknown }).code;
    const why = family === undefined ? "host not found" : `no IPv${family} address`;
    throw new NetkitError(
      "ERR_HOST_NOT_FOUND",
      `${host}: ${why}${typeof errno === "string" ? ` (${errno})` : ""}`,
      {
        cause: e,
      },
    );
  }
  return parseAddr(r.address);
}

/** {@link resolveHostAddr} as `{ address, family }` (the address as text, zone included). */
export async function resolveHost(host: string, family?: 4 | 6, numericOnly = false): Promise<ResolvedHost> {
  const a = await resolveHostAddr(host, family, numericOnly);
  return { address: a.toString(), family: a.version };
}
