/** The enclosing network of a shorter prefix length. */
import { NetkitError } from "../errors.js";
import { Prefix } from "./prefix.js";

/** Which supernet: a new prefix length, or how many bits shorter (default 1). */
export interface SupernetOptions {
  /** The new prefix length (0 … the network's length). */
  prefix?: number;
  /** How many bits shorter than the network (default 1). */
  by?: number;
}

/**
 * The network that contains `network` with a shorter prefix, like CPython's
 * `supernet(prefixlen_diff=…, new_prefix=…)`. Host bits are ignored. As in CPython, the
 * supernet of a /0 is the /0 itself.
 *
 * @throws ERR_RANGE when both options are given, or the new length is longer than the network's
 *   or below 0.
 * @example
 * supernet(parsePrefix("192.168.1.0/24")).toString();              // "192.168.0.0/23"
 * supernet(parsePrefix("192.168.1.0/24"), { prefix: 16 }).toString(); // "192.168.0.0/16"
 */
export function supernet(network: Prefix, options: SupernetOptions = {}): Prefix {
  const net = network.masked();
  if (options.prefix !== undefined && options.by !== undefined) {
    throw new NetkitError("ERR_RANGE", "supernet: give either a new prefix length or a difference, not both");
  }
  if (net.bits === 0) return net;
  const newBits = options.prefix ?? net.bits - (options.by ?? 1);
  if (!Number.isInteger(newBits) || newBits > net.bits) {
    throw new NetkitError("ERR_RANGE", `supernet of ${net}: /${newBits} is not shorter than /${net.bits}`);
  }
  if (newBits < 0) {
    throw new NetkitError(
      "ERR_RANGE",
      `supernet of ${net}: ${options.by} bits shorter is below /0 (at most ${net.bits})`,
    );
  }
  return new Prefix(net.addr, newBits).masked();
}
