/**
 * Name resolution for sockets: a literal address is used as is (never a DNS query); a name goes
 * through the system resolver (`localhost` → 127.0.0.1 via /etc/hosts).
 *
 * @example
 * import { resolveHost } from "netkit";
 * await resolveHost("::1");        // → { address: "::1", family: 6 }
 * await resolveHost("localhost", 4); // → { address: "127.0.0.1", family: 4 }
 */
import { lookup } from "node:dns/promises";
import { NetkitError } from "../errors.js";
import { parseAddr } from "../ip/addr.js";
import { socketError } from "./socket_error.js";

export interface ResolvedHost {
  address: string;
  family: 4 | 6;
}

/** The IP version of a literal address, or undefined when `host` is not one. */
export function literalFamily(host: string): 4 | 6 | undefined {
  try {
    return parseAddr(host).version;
  } catch {
    return undefined; // a name, not an address literal
  }
}

/**
 * Resolve `host` to one address, preferring `family` when given.
 * @throws ERR_HOST_NOT_FOUND when the name does not resolve; ERR_USAGE-free: with `numericOnly`
 * (netcat's -n) a name is refused with ERR_HOST_NOT_FOUND without any lookup.
 */
export async function resolveHost(host: string, family?: 4 | 6, numericOnly = false): Promise<ResolvedHost> {
  const lit = literalFamily(host);
  if (lit !== undefined) {
    if (family !== undefined && family !== lit)
      throw new NetkitError("ERR_HOST_NOT_FOUND", `${host} is not an IPv${family} address`);
    return { address: host, family: lit };
  }
  if (numericOnly) throw new NetkitError("ERR_HOST_NOT_FOUND", `${host}: not a numeric address (-n given)`);
  try {
    const r = await lookup(host, family === undefined ? {} : { family });
    return { address: r.address, family: r.family === 6 ? 6 : 4 };
  } catch (e) {
    throw socketError(e, "resolve", host);
  }
}
