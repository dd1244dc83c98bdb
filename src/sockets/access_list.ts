/**
 * Allow/deny lists of CIDR prefixes for servers. Deny wins; an empty allow list allows everyone.
 * IPv4-mapped IPv6 peers (`::ffff:10.0.0.1`, what a dual-stack socket reports) are unmapped first,
 * so `10.0.0.0/8` matches them.
 *
 * @example
 * import { AccessList } from "netkit";
 * const acl = AccessList.from({ allow: ["127.0.0.0/8", "::1/128"], deny: ["127.0.0.2/32"] });
 * acl.permits("::ffff:127.0.0.1"); // → true
 * acl.permits("127.0.0.2");        // → false
 */
import { type Addr, parseAddr } from "../ip/addr.js";
import { type Prefix, parseNetwork } from "../ip/prefix.js";

export interface AccessOptions {
  /** Prefixes allowed to talk to the server (`10.0.0.0/8`, `::1`, `192.168.1.7`). Empty: all. */
  allow?: readonly string[];
  /** Prefixes refused even when allowed. */
  deny?: readonly string[];
}

export class AccessList {
  private constructor(
    readonly allow: readonly Prefix[],
    readonly deny: readonly Prefix[],
  ) {}

  /**
   * Parse the lists. A bare address means that one host.
   * @throws ParseError (ERR_ADDR_SYNTAX, ERR_PREFIX_LENGTH …) for an entry that does not parse.
   */
  static from(opts: AccessOptions = {}): AccessList {
    return new AccessList(
      (opts.allow ?? []).map((s) => parseNetwork(s)),
      (opts.deny ?? []).map((s) => parseNetwork(s)),
    );
  }

  /** True when there is nothing to check. */
  get open(): boolean {
    return this.allow.length === 0 && this.deny.length === 0;
  }

  /** Whether a peer address (as Node reports it) may talk to the server. Unparsable → false. */
  permits(address: string | undefined): boolean {
    if (this.open) return true;
    if (address === undefined) return false;
    let a: ReturnType<typeof parseAddr>;
    try {
      a = parseAddr(address).withoutZone().unmap();
    } catch {
      return false; // not an IP peer we can judge: refuse rather than guess
    }
    return this.permitsAddr(a);
  }

  /** The same check for an address value (unmapped first); no parsing, for per-datagram use. */
  permitsAddr(addr: Addr): boolean {
    if (this.open) return true;
    const a = addr.withoutZone().unmap();
    if (this.deny.some((p) => p.contains(a))) return false;
    return this.allow.length === 0 || this.allow.some((p) => p.contains(a));
  }
}
