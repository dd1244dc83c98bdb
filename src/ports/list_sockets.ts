/**
 * The socket table (`ss -tuwxanp`): rows from netlink sock_diag (kernel-side state filtering),
 * or from /proc/net when netlink is refused, with owners from /proc/PID/fd. The I/O shell over
 * src/native/netlink.ts, proc_net.ts and owners.ts.
 *
 * @example
 * const { rows } = listSockets({ protocols: ["tcp"], states: ["LISTEN"] });
 * rows[0]; // { protocol: "tcp", state: "LISTEN", localAddress: "0.0.0.0", localPort: 22, processes: [{ pid, command: "sshd", fd }], … }
 */
import { readFileSync } from "node:fs";
import { endianness } from "node:os";
import { NetkitError } from "../errors.js";
import {
  AF_INET,
  AF_INET6,
  dumpInetEach,
  dumpUnix,
  IPPROTO_RAW,
  IPPROTO_TCP,
  IPPROTO_UDP,
  NetlinkError,
  type PortCondition,
} from "../native/netlink.js";
import { attachOwners, type OwnerMethod, scanSocketOwners } from "./owners.js";
import { scanSocketOwnersParallel } from "./owners_parallel.js";
import { parseProcNetInet, parseProcNetUnix } from "./proc_net.js";
import { ALL_STATES, needsOwners, type RowFilter, rowMatcher, stateMask } from "./socket_filter.js";
import {
  type SocketProtocol,
  type SocketRow,
  type SocketState,
  type SocketType,
  stateName,
} from "./socket_row.js";

export type SocketSource = "netlink" | "proc";

export interface ListSocketsOptions {
  /** Default: tcp, udp, raw, unix. */
  protocols?: readonly SocketProtocol[];
  /** IP versions for tcp/udp/raw. Default: both. */
  families?: readonly (4 | 6)[];
  /** Default: every state. */
  states?: readonly SocketState[];
  /** Row filter (ports, pid, process, peer network). */
  filter?: RowFilter;
  /** Find owning processes. Default true (forced on when the filter needs them). */
  owners?: boolean;
  /** "auto" (default): netlink, /proc/net for what netlink refuses. */
  source?: "auto" | SocketSource;
  /** Default "/proc" (used for /proc/net and /proc/PID/fd). */
  procRoot?: string;
  /** How owners are found: "auto" (default; the BPF iterator where permitted, else /proc), "bpf", "proc". */
  ownerMethod?: OwnerMethod;
}

export interface SocketTable {
  rows: SocketRow[];
  /** Where each protocol's rows came from. */
  sources: Partial<Record<SocketProtocol, SocketSource>>;
  /** Why a protocol fell back to /proc (e.g. "raw: netlink ENOENT (no raw_diag in this kernel)"). */
  fallbacks: string[];
  /** Pids whose fds could not be read: their sockets have `ownerUnknown`. */
  unreadablePids: number[];
  /** How the owners were found (absent when they were not looked up). */
  ownerMethod?: "bpf" | "proc";
  /** Why the BPF iterator was not used when "auto" asked for it. */
  ownerFallback?: string;
}

const PROTO_NUM = { tcp: IPPROTO_TCP, udp: IPPROTO_UDP, raw: IPPROTO_RAW } as const;
const INET_TYPE: Record<string, SocketType> = { tcp: "stream", udp: "dgram", raw: "raw" };
const UNIX_TYPES: Record<number, SocketType> = { 1: "stream", 2: "dgram", 5: "seqpacket" };

function fromNetlink(
  protocol: SocketProtocol,
  families: readonly (4 | 6)[],
  mask: number,
  ports: PortCondition | undefined,
): SocketRow[] {
  const rows: SocketRow[] = [];
  if (protocol === "unix") {
    for (const r of dumpUnix(mask)) {
      rows.push({
        protocol: "unix",
        family: "unix",
        type: UNIX_TYPES[r.type] ?? "stream",
        state: stateName(r.state),
        localAddress: r.path,
        localPort: null,
        peerAddress: "",
        peerPort: null,
        recvQ: r.recvQ,
        sendQ: r.sendQ,
        uid: r.uid,
        inode: r.inode,
        processes: [],
        ownerUnknown: false,
      });
    }
    return rows;
  }
  for (const fam of families) {
    const req = { family: fam === 4 ? AF_INET : AF_INET6, protocol: PROTO_NUM[protocol], states: mask };
    const family = fam === 4 ? "inet" : "inet6";
    const type = INET_TYPE[protocol]!;
    dumpInetEach(ports !== undefined ? { ...req, ports } : req, (r) => {
      rows.push({
        protocol,
        family,
        type,
        state: stateName(r.state),
        localAddress: r.localAddress,
        localPort: r.localPort,
        peerAddress: r.peerAddress,
        peerPort: r.peerPort,
        recvQ: r.recvQ,
        sendQ: r.sendQ,
        uid: r.uid,
        inode: r.inode,
        processes: [],
        ownerUnknown: false,
      });
    });
  }
  return rows;
}

function fromProc(
  protocol: SocketProtocol,
  families: readonly (4 | 6)[],
  states: ReadonlySet<SocketState>,
  procRoot: string,
): SocketRow[] {
  const read = (name: string): string | null => {
    try {
      return readFileSync(`${procRoot}/net/${name}`, "utf8");
    } catch (e) {
      // IPv6 disabled: no tcp6/udp6/raw6 files, so no such sockets
      if ((e as NodeJS.ErrnoException).code === "ENOENT" && name.endsWith("6")) return null;
      throw new NetkitError("ERR_IO", `cannot read ${procRoot}/net/${name}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  };
  let rows: SocketRow[] = [];
  if (protocol === "unix") {
    rows = parseProcNetUnix(read("unix") ?? "");
  } else {
    const le = endianness() === "LE";
    for (const fam of families) {
      const text = read(fam === 4 ? protocol : `${protocol}6`);
      if (text !== null) rows.push(...parseProcNetInet(protocol, text, le, fam === 6));
    }
  }
  return rows.filter((r) => states.has(r.state));
}

/** The port part of the filter as a kernel-side condition (the rows are still checked after). */
function kernelPorts(f: RowFilter): PortCondition | undefined {
  if (f.port !== undefined) return { local: [f.port], peer: [f.port] };
  if (f.sport !== undefined) return { local: [f.sport] };
  if (f.dport !== undefined) return { peer: [f.dport] };
  return undefined;
}

/**
 * List sockets. Rows are ordered tcp, udp, raw, unix; IPv4 before IPv6; then as the kernel
 * lists them.
 * @throws ERR_IO when /proc cannot be read; ERR_NETLINK when `source: "netlink"` is forced and refused.
 */
export function listSockets(opts: ListSocketsOptions = {}): SocketTable {
  const protocols = opts.protocols ?? ["tcp", "udp", "raw", "unix"];
  const families = opts.families ?? [4, 6];
  const states = opts.states ?? ALL_STATES;
  const stateSet = new Set(states);
  const procRoot = opts.procRoot ?? "/proc";
  const source = opts.source ?? "auto";
  const mask = stateMask(states);
  const table: SocketTable = { rows: [], sources: {}, fallbacks: [], unreadablePids: [] };
  const filter = opts.filter ?? {};
  const ports = kernelPorts(filter);
  for (const p of ["tcp", "udp", "raw", "unix"] as const) {
    if (!protocols.includes(p)) continue;
    let rows: SocketRow[] | undefined;
    if (source !== "proc") {
      try {
        rows = fromNetlink(p, families, mask, p === "unix" ? undefined : ports);
        table.sources[p] = "netlink";
      } catch (e) {
        if (!(e instanceof NetlinkError)) throw e;
        if (source === "netlink") {
          throw new NetkitError("ERR_NETLINK", `${p}: ${e.message}`, { cause: e });
        }
        table.fallbacks.push(
          `${p}: netlink ${e.code}${e.code === "ENOENT" ? ` (no ${p}_diag in this kernel)` : ""}`,
        );
      }
    }
    if (rows === undefined) {
      rows = fromProc(p, families, stateSet, procRoot);
      table.sources[p] = "proc";
    }
    for (const r of rows) table.rows.push(r);
  }
  const match = rowMatcher({ ...filter, pid: undefined, process: undefined });
  table.rows = table.rows.filter(match);
  if (opts.owners !== false || needsOwners(filter)) {
    const wanted = new Set<number>();
    for (const r of table.rows) if (r.inode !== 0) wanted.add(r.inode);
    const scan = scanSocketOwners({
      inodes: wanted,
      procRoot,
      ...(opts.ownerMethod !== undefined ? { method: opts.ownerMethod } : {}),
      ...(filter.pid !== undefined ? { pids: new Set([filter.pid]) } : {}),
    });
    attachOwners(table.rows, scan);
    table.unreadablePids = scan.unreadable;
    if (scan.method !== undefined) table.ownerMethod = scan.method;
    if (scan.bpfFallback !== undefined) table.ownerFallback = scan.bpfFallback;
    if (needsOwners(filter))
      table.rows = table.rows.filter(rowMatcher({ pid: filter.pid, process: filter.process }));
  }
  return table;
}

/**
 * {@link listSockets} with the /proc owner walk on `workers` threads, running while this thread
 * dumps the tables (the BPF iterator is not used then). With `workers` 0 it is listSockets.
 */
export async function listSocketsAsync(
  opts: ListSocketsOptions & { workers?: number } = {},
): Promise<SocketTable> {
  const filter = opts.filter ?? {};
  const workers = opts.workers ?? 0;
  if (workers < 1 || (opts.owners === false && !needsOwners(filter))) return listSockets(opts);
  const scanning = scanSocketOwnersParallel({
    workers,
    ...(opts.procRoot !== undefined ? { procRoot: opts.procRoot } : {}),
    ...(filter.pid !== undefined ? { pids: new Set([filter.pid]) } : {}),
  });
  // a rejected scan must not go unhandled while the dump runs
  scanning.catch(() => undefined);
  const table = listSockets({
    ...opts,
    owners: false,
    filter: { ...filter, pid: undefined, process: undefined },
  });
  const scan = await scanning;
  attachOwners(table.rows, scan);
  table.unreadablePids = scan.unreadable;
  table.ownerMethod = "proc";
  if (needsOwners(filter))
    table.rows = table.rows.filter(rowMatcher({ pid: filter.pid, process: filter.process }));
  return table;
}

/** The kernel's count of sockets in use (/proc/net/sockstat "sockets: used N"), or 0 if unknown. */
export function socketsInUse(procRoot = "/proc"): number {
  try {
    const m = /sockets: used (\d+)/.exec(readFileSync(`${procRoot}/net/sockstat`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // no sockstat (not Linux, or /proc not mounted): treat as few sockets
  }
}
