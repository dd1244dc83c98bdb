/**
 * The machine's network interfaces — every link, with or without addresses — joined with the
 * address analysis of `src/ip`: the record behind `netkit if`. `listInterfaces` asks the kernel
 * (rtnetlink); `interfacesFrom` is the pure join, testable on its own.
 *
 * @example
 * const lo = (await listInterfaces({ name: "lo" }))[0];
 * lo.addresses[0]; // { family: "inet", address: "127.0.0.1", prefixLength: 8, scope: "host", network: "127.0.0.0/8", … }
 */
import { NetkitError } from "../errors.js";
import { analyzePrefix } from "../ip/analyze.js";
import { Prefix } from "../ip/prefix.js";
import type { AddrRecord, LinkRecord } from "../native/rtnetlink.js";
import { addrFlagNames, hwTypeName, linkFlagNames, macText, operstateName, scopeName } from "./names.js";

/** One address of an interface, with its network computed by `src/ip`. */
export interface InterfaceAddress {
  /** `inet` (IPv4) or `inet6`, as `ip -j` says. */
  family: "inet" | "inet6";
  address: string;
  prefixLength: number;
  /** `global`, `link`, `host`, `site` (or the number). */
  scope: string;
  /** The remote end of a point-to-point address, when the kernel has one. */
  peer: string | null;
  label: string | null;
  /** `secondary`, `nodad`, `noprefixroute`, `dynamic`, … */
  flags: string[];
  /** The network in CIDR form, e.g. `192.168.1.0/24`. */
  network: string;
  netmask: string;
  /** IPv4: the directed broadcast address of the network; null for IPv6. */
  broadcast: string | null;
  /** The broadcast address the kernel has for this address (IFA_BROADCAST), when it has one. */
  kernelBroadcast: string | null;
  firstHost: string;
  lastHost: string;
  /** Usable host count, a decimal string (IPv6 counts are huge). */
  hostCount: string;
  /** Seconds; null for "forever". */
  validLifetime: number | null;
  preferredLifetime: number | null;
}

/** One interface. */
export interface Interface {
  name: string;
  index: number;
  /** Operational state: `UP`, `DOWN`, `UNKNOWN` (loopback), `LOWERLAYERDOWN`, … */
  state: string;
  /** `UP`, `BROADCAST`, `LOOPBACK`, `MULTICAST`, `LOWER_UP`, … in `ip`'s order. */
  flags: string[];
  mtu: number | null;
  /** Hardware (MAC) address, or null when the link has none. */
  mac: string | null;
  /** `ether`, `loopback`, `none`, … */
  linkType: string;
  /** Driver kind: `veth`, `bridge`, … (null for plain devices). */
  kind: string | null;
  /** Name of the bridge/bond this interface is a port of. */
  master: string | null;
  addresses: InterfaceAddress[];
}

const FOREVER = 0xffffffff;

function addressOf(a: AddrRecord): InterfaceAddress {
  const info = analyzePrefix(new Prefix(a.local, a.prefixLength));
  return {
    family: a.family === 4 ? "inet" : "inet6",
    address: a.local.toString(),
    prefixLength: a.prefixLength,
    scope: scopeName(a.scope),
    peer: a.peer === null ? null : a.peer.toString(),
    label: a.label,
    flags: addrFlagNames(a.flags, a.family),
    network: info.network,
    netmask: info.netmask,
    broadcast: info.broadcastAddress,
    kernelBroadcast: a.broadcast === null ? null : a.broadcast.toString(),
    firstHost: info.firstHost,
    lastHost: info.lastHost,
    hostCount: info.hostCount,
    validLifetime: a.validLifetime === null || a.validLifetime === FOREVER ? null : a.validLifetime,
    preferredLifetime:
      a.preferredLifetime === null || a.preferredLifetime === FOREVER ? null : a.preferredLifetime,
  };
}

/** `ip` adds M-DOWN when the link's peer (veth, vlan parent) is in this namespace and not UP. */
function peerDown(l: LinkRecord, flags: Map<number, number>): boolean {
  if (l.link === null || l.link === 0 || l.linkNetnsid !== null) return false;
  const f = flags.get(l.link);
  return f !== undefined && !(f & 1);
}

/** Join links and addresses into interfaces, in link order (pure). */
export function interfacesFrom(links: LinkRecord[], addrs: AddrRecord[]): Interface[] {
  const names = new Map(links.map((l) => [l.index, l.name]));
  const flags = new Map(links.map((l) => [l.index, l.flags]));
  return links.map((l) => ({
    name: l.name,
    index: l.index,
    state: operstateName(l.operstate),
    flags: linkFlagNames(l.flags, peerDown(l, flags)),
    mtu: l.mtu,
    mac: macText(l.address),
    linkType: hwTypeName(l.hwType),
    kind: l.kind,
    master: l.master === null ? null : (names.get(l.master) ?? String(l.master)),
    addresses: addrs.filter((a) => a.index === l.index).map(addressOf),
  }));
}

/** Options of {@link listInterfaces}. */
export interface ListInterfacesOptions {
  /** Only this interface; ERR_NO_INTERFACE when it does not exist. */
  name?: string;
}

/**
 * Every interface of this network namespace, including those without addresses.
 * @throws {NetkitError} ERR_NO_INTERFACE for an unknown `name`; ERR_IO when netlink fails
 */
export async function listInterfaces(opts: ListInterfacesOptions = {}): Promise<Interface[]> {
  const { dumpAddrs, dumpLinks } = await import("../native/rtnetlink.js");
  let all: Interface[];
  try {
    all = interfacesFrom(await dumpLinks(), await dumpAddrs());
  } catch (e) {
    throw new NetkitError("ERR_IO", `cannot read interfaces from the kernel: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (opts.name === undefined) return all;
  const one = all.filter((i) => i.name === opts.name);
  if (one.length === 0) throw new NetkitError("ERR_NO_INTERFACE", `no interface named "${opts.name}"`);
  return one;
}
