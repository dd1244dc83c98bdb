/**
 * Who holds a port: its listening and bound sockets (or, by scope, every socket with that local
 * port, or with the port on either side), found with a kernel-side port filter, and their
 * owners. The fd scan stops as soon as every socket's inode has an owner.
 *
 * @example
 * const rows = whoHolds(parsePortSpec("tcp:8080").entries);
 * rows.map((r) => r.processes[0]?.pid); // [4242]
 */
import { listSockets, type SocketTable } from "./list_sockets.js";
import { attachOwners, scanSocketOwners } from "./owners.js";
import type { PortTransport } from "./port_spec.js";
import { LISTENING_STATES } from "./socket_filter.js";
import type { SocketRow } from "./socket_row.js";

export interface WhoOptions {
  /**
   * "listeners" (default): listening and bound sockets with the local port (LISTEN, UNCONN);
   * "local": every socket with the local port (also accepted connections and TIME-WAIT);
   * "all": every socket with the port on either side (adds the clients connected to it).
   */
  scope?: "listeners" | "local" | "all";
  /**
   * Scan every process, so that every process sharing a socket is listed (release needs this).
   * Default false: stop at the first owner of each socket, which is much faster.
   */
  everyOwner?: boolean;
  source?: "auto" | "netlink" | "proc";
  procRoot?: string;
}

export interface WhoResult extends Omit<SocketTable, "rows"> {
  rows: SocketRow[];
  /** True when the fd scan stopped early (some sharing processes may be missing). */
  stoppedEarly: boolean;
}

/** The sockets holding the given port/transport pairs, with their owners. */
export function whoHolds(
  entries: readonly { port: number; transport: PortTransport }[],
  opts: WhoOptions = {},
): WhoResult {
  const scope = opts.scope ?? "listeners";
  const rows: SocketRow[] = [];
  let base: SocketTable | undefined;
  // one kernel-filtered dump per port and transport (a spec names one port, rarely a few)
  for (const e of entries) {
    const t = listSockets({
      protocols: [e.transport],
      owners: false,
      ...(scope === "listeners" ? { states: LISTENING_STATES } : {}),
      filter: scope === "all" ? { port: e.port } : { sport: e.port },
      ...(opts.source !== undefined ? { source: opts.source } : {}),
      ...(opts.procRoot !== undefined ? { procRoot: opts.procRoot } : {}),
    });
    base ??= t;
    Object.assign(base.sources, t.sources);
    for (const f of t.fallbacks) if (!base.fallbacks.includes(f)) base.fallbacks.push(f);
    for (const r of t.rows) rows.push(r);
  }
  const inodes = new Set<number>();
  for (const r of rows) if (r.inode !== 0) inodes.add(r.inode);
  const scan = scanSocketOwners({
    inodes,
    stopWhenFound: opts.everyOwner !== true,
    ...(opts.procRoot !== undefined ? { procRoot: opts.procRoot } : {}),
  });
  attachOwners(rows, scan);
  return {
    sources: base?.sources ?? {},
    fallbacks: base?.fallbacks ?? [],
    rows,
    unreadablePids: scan.unreadable,
    stoppedEarly: scan.stoppedEarly,
  };
}
