/**
 * Routes: the kernel's routing tables (`netkit route`), the kernel's answer for one destination
 * (`netkit route get`, RTM_GETROUTE — so local addresses and policy routing are right) and the
 * default gateways. Records use `ip -j route`'s key names and, like `ip`, leave out keys that have
 * their default value (`type` unicast, `protocol` boot, `scope` global, `table` main).
 *
 * @example
 * const r = await routeGet(parseAddr("127.0.0.1"));
 * r.type; // "local"
 * r.dev;  // "lo"
 */
import { NetkitError, UsageError } from "../errors.js";
import type { Addr } from "../ip/addr.js";
import type { RouteRecord } from "../native/rtnetlink.js";
import {
  cacheFlagNames,
  nextHopFlagNames,
  prefName,
  protocolName,
  routeTypeName,
  scopeName,
  tableName,
} from "./names.js";

/** One route in `ip -j route` form. Optional keys are absent when `ip` would leave them out. */
export interface Route {
  type?: string;
  /** `default`, a prefix (`10.0.0.0/8`) or, for a host route or a lookup, an address. */
  dst: string;
  from?: string;
  gateway?: string;
  dev?: string;
  table?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  metric?: number;
  flags: string[];
  mark?: number;
  uid?: number;
  /** IPv4 lookups: the route cache flags (`local`, `brd`, …). */
  cache?: string[];
  iif?: string;
  nexthops?: { gateway?: string; dev?: string; weight: number; flags: string[] }[];
  pref?: string;
}

const RTM_F_CLONED = 0x200;

/** Convert a kernel route record to `ip -j`'s form (pure). `devName` maps interface indexes. */
export function routeFromRecord(r: RouteRecord, devName: (index: number) => string): Route {
  const hostLen = r.family === 4 ? 32 : 128;
  const out = {} as Route;
  if (r.type !== 1) out.type = routeTypeName(r.type);
  out.dst =
    r.dst !== null
      ? r.dstLength === hostLen
        ? r.dst.toString()
        : `${r.dst.toString()}/${r.dstLength}`
      : r.dstLength
        ? `0/${r.dstLength}`
        : "default";
  if (r.src !== null)
    out.from = r.srcLength === hostLen ? r.src.toString() : `${r.src.toString()}/${r.srcLength}`;
  if (r.gateway !== null) out.gateway = r.gateway.toString();
  if (r.oif !== null) out.dev = devName(r.oif);
  if (r.table !== 254 && r.table !== 0) out.table = tableName(r.table);
  if (!(r.flags & RTM_F_CLONED)) {
    if (r.protocol !== 3) out.protocol = protocolName(r.protocol);
    if (r.scope !== 0) out.scope = scopeName(r.scope);
  }
  if (r.prefsrc !== null) out.prefsrc = r.prefsrc.toString();
  if (r.priority !== null) out.metric = r.priority;
  out.flags = nextHopFlagNames(r.flags & 0xff);
  if (r.mark !== null) out.mark = r.mark;
  if (r.uid !== null) out.uid = r.uid;
  if (r.family === 4 && r.flags & RTM_F_CLONED) out.cache = cacheFlagNames(r.flags);
  if (r.iif !== null) out.iif = devName(r.iif);
  if (r.nexthops.length > 0) {
    out.nexthops = r.nexthops.map((nh) => ({
      ...(nh.gateway !== null ? { gateway: nh.gateway.toString() } : {}),
      dev: devName(nh.oif),
      weight: nh.weight,
      flags: nextHopFlagNames(nh.flags),
    }));
  }
  if (r.pref !== null) out.pref = prefName(r.pref);
  return out;
}

async function deviceNames(): Promise<(index: number) => string> {
  const { dumpLinks } = await import("../native/rtnetlink.js");
  const names = new Map((await dumpLinks()).map((l) => [l.index, l.name]));
  return (i) => names.get(i) ?? `if${i}`;
}

function ioError(what: string, e: unknown): NetkitError {
  return new NetkitError("ERR_IO", `cannot ${what}: ${(e as Error).message}`, { cause: e });
}

/** Options of {@link listRoutes}. */
export interface ListRoutesOptions {
  /** 4, 6, or both (default). */
  family?: 4 | 6;
  /** Table number (254 main, the default; 255 local), or "all". */
  table?: number | "all";
}

/** A route with the family and table it came from (for text rendering and filters). */
export interface TableRoute extends Route {
  family: 4 | 6;
  tableId: number;
}

/**
 * The routes of the main table (or `table`), IPv4 then IPv6, in kernel order — what `ip route` and
 * `ip -6 route` list. Cloned (cache) entries are left out, as `ip` does.
 * @throws {NetkitError} ERR_IO when netlink fails
 */
export async function listRoutes(opts: ListRoutesOptions = {}): Promise<TableRoute[]> {
  const { dumpRoutes } = await import("../native/rtnetlink.js");
  const table = opts.table ?? 254;
  try {
    const dev = await deviceNames();
    const out: TableRoute[] = [];
    for (const fam of opts.family === undefined ? ([4, 6] as const) : [opts.family]) {
      for (const r of await dumpRoutes(fam)) {
        if (r.flags & RTM_F_CLONED) continue;
        if (table !== "all" && r.table !== table) continue;
        const route = routeFromRecord(r, dev);
        // `ip route show table X` does not print the table it was asked for.
        if (table !== "all") delete route.table;
        else if (route.table === undefined) route.table = tableName(r.table);
        out.push({ ...route, family: fam, tableId: r.table });
      }
    }
    return out;
  } catch (e) {
    throw ioError("read routes from the kernel", e);
  }
}

/** Options of {@link routeGet}. */
export interface RouteGetOptions {
  /** Source address (`ip route get DST from SRC`). */
  from?: Addr;
  /** Output interface name (`oif`). */
  oif?: string;
  mark?: number;
}

/**
 * Ask the kernel which route a packet to `dst` would take, exactly as `ip route get` does. A zone
 * on `dst` (`fe80::1%eth0`, or a scope id `%2`) is the output interface, like `oif eth0`.
 * @throws {NetkitError} ERR_NO_ROUTE when the kernel answers "unreachable"; ERR_NO_INTERFACE for
 * an unknown `oif` or zone; ERR_USAGE when the zone and `oif` differ; ERR_IO for other failures
 */
export async function routeGet(dst: Addr, opts: RouteGetOptions = {}): Promise<Route> {
  const { dumpLinks, getRoute, NetlinkError } = await import("../native/rtnetlink.js");
  let links: Awaited<ReturnType<typeof dumpLinks>>;
  try {
    links = await dumpLinks();
  } catch (e) {
    throw ioError("read interfaces from the kernel", e);
  }
  const names = new Map(links.map((l) => [l.index, l.name]));
  let oif: number | undefined;
  if (opts.oif !== undefined) {
    oif = links.find((l) => l.name === opts.oif)?.index;
    if (oif === undefined) throw new NetkitError("ERR_NO_INTERFACE", `no interface named "${opts.oif}"`);
  }
  if (dst.zone !== "") {
    // The zone is the output interface (a name, or a scope id = interface index), as a socket
    // would use it: `ip route get` takes no zone, so this is `ip route get ADDR oif DEV`.
    const byZone = zoneInterface(dst.zone, links);
    if (byZone === undefined) {
      throw new NetkitError("ERR_NO_INTERFACE", `no interface "${dst.zone}" (the zone of ${dst.toString()})`);
    }
    if (oif !== undefined && oif !== byZone) {
      throw new UsageError(`the zone %${dst.zone} and --oif ${opts.oif} name different interfaces`);
    }
    oif = byZone;
  }
  const target = dst.withoutZone();
  try {
    const r = await getRoute(target, {
      ...(opts.from !== undefined ? { from: opts.from } : {}),
      ...(oif !== undefined ? { oif } : {}),
      ...(opts.mark !== undefined ? { mark: opts.mark } : {}),
    });
    return routeFromRecord(r, (i) => names.get(i) ?? `if${i}`);
  } catch (e) {
    if (e instanceof NetlinkError && (e.code === "ENETUNREACH" || e.code === "EHOSTUNREACH")) {
      const why = e.code === "ENETUNREACH" ? "Network is unreachable" : "No route to host";
      throw new NetkitError("ERR_NO_ROUTE", `no route to ${target.toString()}: ${why}`, { cause: e });
    }
    throw ioError(`look up the route to ${target.toString()}`, e);
  }
}

/** The index of the interface a zone names: a name, or an all-digit interface index. */
function zoneInterface(zone: string, links: readonly { index: number; name: string }[]): number | undefined {
  const byName = links.find((l) => l.name === zone);
  if (byName !== undefined) return byName.index;
  if (!/^[0-9]+$/.test(zone)) return undefined;
  const index = Number(zone);
  return links.find((l) => l.index === index)?.index;
}

/** A default gateway: the next hop of a default route in the main table. */
export interface Gateway {
  family: 4 | 6;
  gateway: string | null;
  dev: string | null;
  metric: number | null;
}

/**
 * The default gateways (IPv4 and IPv6) of the main table; a default route without a next hop
 * (a point-to-point device) has `gateway: null`.
 * @throws {NetkitError} ERR_IO when netlink fails
 */
export async function defaultGateways(): Promise<Gateway[]> {
  const out: Gateway[] = [];
  for (const r of await listRoutes()) {
    if (r.dst !== "default" || (r.type !== undefined && r.type !== "unicast")) continue;
    if (r.nexthops !== undefined) {
      for (const nh of r.nexthops) {
        out.push({
          family: r.family,
          gateway: nh.gateway ?? null,
          dev: nh.dev ?? null,
          metric: r.metric ?? null,
        });
      }
    } else {
      out.push({
        family: r.family,
        gateway: r.gateway ?? null,
        dev: r.dev ?? null,
        metric: r.metric ?? null,
      });
    }
  }
  return out;
}
