/**
 * Who holds a port: the sockets whose local port it is (listeners, bound UDP sockets, the
 * server side of accepted connections, TIME-WAIT leftovers), and with `all` also the clients
 * connected to it. The fd scan stops as soon as every socket's inode has an owner.
 *
 * @example
 * const rows = whoHolds(parsePortSpec("tcp:8080").entries);
 * rows.map((r) => r.processes[0]?.pid); // [4242]
 */
import { listSockets, type SocketTable } from "./list_sockets.js";
import { attachOwners, scanSocketOwners } from "./owners.js";
import type { PortTransport } from "./port_spec.js";
import type { SocketRow } from "./socket_row.js";

export interface WhoOptions {
  /** Add sockets whose peer port is the port (clients connected to it). Default false. */
  all?: boolean;
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
  const protocols = [...new Set(entries.map((e) => e.transport))];
  const table = listSockets({
    protocols,
    owners: false,
    ...(opts.source !== undefined ? { source: opts.source } : {}),
    ...(opts.procRoot !== undefined ? { procRoot: opts.procRoot } : {}),
  });
  const rows = table.rows.filter((r) =>
    entries.some(
      (e) =>
        e.transport === r.protocol &&
        (r.localPort === e.port || (opts.all === true && r.peerPort === e.port)),
    ),
  );
  const inodes = new Set<number>();
  for (const r of rows) if (r.inode !== 0) inodes.add(r.inode);
  const scan = scanSocketOwners({
    inodes,
    stopWhenFound: opts.everyOwner !== true,
    ...(opts.procRoot !== undefined ? { procRoot: opts.procRoot } : {}),
  });
  attachOwners(rows, scan);
  return { ...table, rows, unreadablePids: scan.unreadable, stoppedEarly: scan.stoppedEarly };
}
