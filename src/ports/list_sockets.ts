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
  AF_UNSPEC,
  dumpInetBatchesAsync,
  dumpInetEach,
  dumpInetManyAsync,
  dumpUnix,
  dumpUnixAsync,
  type InetDiagRecord,
  IPPROTO_RAW,
  IPPROTO_TCP,
  IPPROTO_UDP,
  NetlinkError,
  type PortCondition,
  type UnixDiagRecord,
} from "../native/netlink.js";

type InetRequest = { family: number; protocol: number; states: number; ports?: PortCondition };

import { InetRecords } from "./inet_records.js";
import { OwnerIndex } from "./owner_index.js";
import {
  attachOwners,
  type OwnerMethod,
  type OwnerScan,
  type OwnerVisitor,
  ownerVisitor,
  scanSocketOwners,
  scanSocketOwnersAsync,
} from "./owners.js";
import { parseProcNetInet, parseProcNetUnix } from "./proc_net.js";
import {
  ALL_STATES,
  needsOwners,
  portsMatch,
  type RowFilter,
  rowMatcher,
  stateMask,
} from "./socket_filter.js";
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

const TCPF_CLOSE = 1 << 7;
const TCPF_BOUND_INACTIVE = 1 << 13;
const PROTO_NUM = { tcp: IPPROTO_TCP, udp: IPPROTO_UDP, raw: IPPROTO_RAW } as const;
const INET_TYPE: Record<string, SocketType> = { tcp: "stream", udp: "dgram", raw: "raw" };
const UNIX_TYPES: Record<number, SocketType> = { 1: "stream", 2: "dgram", 5: "seqpacket" };

function unixRow(r: UnixDiagRecord): SocketRow {
  return {
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
    peerInode: r.peerInode,
    processes: [],
    ownerUnknown: false,
  };
}

/** The dump requests of one inet protocol, and a row maker for each family's records. */
/** The dump requests of one inet protocol, one per family. */
function inetRequests(
  protocol: Exclude<SocketProtocol, "unix">,
  families: readonly (0 | 4 | 6)[],
  mask: number,
  ports: PortCondition | undefined,
): InetRequest[] {
  // TCP sockets that are bound but neither listening nor connected are in no table the kernel
  // walks for state CLOSE; since Linux 6.9 it dumps them on request of the pseudo-state
  // TCP_BOUND_INACTIVE (13) and reports them as CLOSE (UNCONN). Asking for CLOSE itself would
  // only make the kernel walk every connection for sockets that are not there.
  const states =
    protocol === "tcp" && (mask & TCPF_CLOSE) !== 0 ? (mask & ~TCPF_CLOSE) | TCPF_BOUND_INACTIVE : mask;
  return families.map((fam) => {
    const base = {
      family: fam === 4 ? AF_INET : fam === 6 ? AF_INET6 : AF_UNSPEC,
      protocol: PROTO_NUM[protocol],
      states,
    };
    return ports !== undefined ? { ...base, ports } : base;
  });
}

function inetDumps(
  protocol: Exclude<SocketProtocol, "unix">,
  families: readonly (4 | 6)[],
  mask: number,
  ports: PortCondition | undefined,
  rows: SocketRow[],
): { req: InetRequest; push: (r: Readonly<InetDiagRecord>) => void }[] {
  const type = INET_TYPE[protocol]!;
  return inetRequests(protocol, families, mask, ports).map((req) => {
    const family = req.family === AF_INET ? "inet" : "inet6";
    return {
      req,
      push: (r: Readonly<InetDiagRecord>) => {
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
      },
    };
  });
}

function fromNetlink(
  protocol: SocketProtocol,
  families: readonly (4 | 6)[],
  mask: number,
  ports: PortCondition | undefined,
): SocketRow[] {
  if (protocol === "unix") return dumpUnix(mask).map(unixRow);
  const rows: SocketRow[] = [];
  for (const d of inetDumps(protocol, families, mask, ports, rows)) dumpInetEach(d.req, d.push);
  return rows;
}

/** {@link fromNetlink} with the kernel's work on the thread pool. */
async function fromNetlinkAsync(
  protocol: SocketProtocol,
  families: readonly (4 | 6)[],
  mask: number,
  ports: PortCondition | undefined,
): Promise<SocketRow[]> {
  if (protocol === "unix") return (await dumpUnixAsync(mask)).map(unixRow);
  const rows: SocketRow[] = [];
  const dumps = inetDumps(protocol, families, mask, ports, rows);
  await dumpInetManyAsync(
    dumps.map((d) => d.req),
    dumps.map((d) => d.push),
  );
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
  // A peer port of 0 is "no peer": asking the kernel for it would return every listener.
  if (f.port !== undefined) return f.port === 0 ? { local: [0] } : { local: [f.port], peer: [f.port] };
  if (f.sport !== undefined) return { local: [f.sport] };
  if (f.dport !== undefined) return { peer: [f.dport] };
  return undefined;
}

/**
 * List sockets. Rows are ordered tcp, udp, raw, unix; IPv4 before IPv6; then as the kernel
 * lists them.
 * @throws ERR_IO when /proc cannot be read; ERR_NETLINK when `source: "netlink"` is forced and refused.
 */
interface Plan {
  protocols: readonly SocketProtocol[];
  families: readonly (4 | 6)[];
  stateSet: ReadonlySet<SocketState>;
  procRoot: string;
  source: "auto" | SocketSource;
  mask: number;
  filter: RowFilter;
  ports: PortCondition | undefined;
}

function plan(opts: ListSocketsOptions): Plan {
  const states = opts.states ?? ALL_STATES;
  const filter = opts.filter ?? {};
  return {
    protocols: opts.protocols ?? ["tcp", "udp", "raw", "unix"],
    families: opts.families ?? [4, 6],
    stateSet: new Set(states),
    procRoot: opts.procRoot ?? "/proc",
    source: opts.source ?? "auto",
    mask: stateMask(states),
    filter,
    ports: kernelPorts(filter),
  };
}

/**
 * One protocol's rows into the table: netlink's (`got`, a result or its error) or, where netlink
 * refused, /proc's. @throws ERR_NETLINK when netlink is forced and refused
 */
function settle(
  p: SocketProtocol,
  pl: Plan,
  table: SocketTable,
  got: { rows: SocketRow[] } | { error: unknown } | undefined,
): void {
  let rows: SocketRow[] | undefined;
  if (got !== undefined && "rows" in got) {
    rows = got.rows;
    table.sources[p] = "netlink";
  } else if (got !== undefined) {
    const e = got.error;
    if (!(e instanceof NetlinkError)) throw e;
    if (pl.source === "netlink") throw new NetkitError("ERR_NETLINK", `${p}: ${e.message}`, { cause: e });
    table.fallbacks.push(
      `${p}: netlink ${e.code}${e.code === "ENOENT" ? ` (no ${p}_diag in this kernel)` : ""}`,
    );
  }
  if (rows === undefined) {
    rows = fromProc(p, pl.families, pl.stateSet, pl.procRoot);
    table.sources[p] = "proc";
  }
  for (const r of rows) table.rows.push(r);
}

const PROTOCOL_ORDER = ["tcp", "udp", "raw", "unix"] as const;

/** The rows of every asked protocol, filtered but without owners. */
function collect(pl: Plan): SocketTable {
  const table: SocketTable = { rows: [], sources: {}, fallbacks: [], unreadablePids: [] };
  for (const p of PROTOCOL_ORDER) {
    if (!pl.protocols.includes(p)) continue;
    let got: { rows: SocketRow[] } | { error: unknown } | undefined;
    if (pl.source !== "proc") {
      try {
        got = { rows: fromNetlink(p, pl.families, pl.mask, p === "unix" ? undefined : pl.ports) };
      } catch (error) {
        got = { error }; // settle() falls back to /proc or rethrows
      }
    }
    settle(p, pl, table, got);
  }
  table.rows = table.rows.filter(rowMatcher({ ...pl.filter, pid: undefined, process: undefined }));
  return table;
}

/** {@link collect} with the kernel's dump work on the thread pool. */
async function collectAsync(pl: Plan): Promise<SocketTable> {
  const table: SocketTable = { rows: [], sources: {}, fallbacks: [], unreadablePids: [] };
  for (const p of PROTOCOL_ORDER) {
    if (!pl.protocols.includes(p)) continue;
    let got: { rows: SocketRow[] } | { error: unknown } | undefined;
    if (pl.source !== "proc") {
      try {
        got = { rows: await fromNetlinkAsync(p, pl.families, pl.mask, p === "unix" ? undefined : pl.ports) };
      } catch (error) {
        got = { error }; // settle() falls back to /proc or rethrows
      }
    }
    settle(p, pl, table, got);
  }
  table.rows = table.rows.filter(rowMatcher({ ...pl.filter, pid: undefined, process: undefined }));
  return table;
}

/** A table whose rows are not given their owners: visit them through `owners` instead. */
export interface DetachedTable {
  table: SocketTable;
  owners: OwnerVisitor;
  /** The index behind `owners` when the BPF iterator found them (read directly by the renderer). */
  ownerIndex?: OwnerIndex;
}

/**
 * {@link listSocketsAsync} for a renderer that looks owners up itself: rows keep
 * `processes: []` and `ownerUnknown: false`, and `owners` visits each inode's owners (what
 * `netkit sockets` prints; with 40,000 sockets, attaching a list per row cost ~20 ms).
 * Owner filters (pid, process) need attached rows: use listSocketsAsync for those.
 */
export async function listSocketsDetached(opts: ListSocketsOptions = {}): Promise<DetachedTable> {
  const pl = plan(opts);
  if (needsOwners(pl.filter))
    throw new RangeError("listSocketsDetached: owner filters need listSocketsAsync");
  const dumping = collectAsync(pl);
  dumping.catch(() => undefined); // awaited below; must not go unhandled meanwhile
  const scan = await scanSocketOwnersAsync({
    procRoot: pl.procRoot,
    expectedSockets: socketsInUse(pl.procRoot),
    ...(opts.ownerMethod !== undefined ? { method: opts.ownerMethod } : {}),
  });
  const table = await dumping;
  table.unreadablePids = scan.unreadable;
  if (scan.method !== undefined) table.ownerMethod = scan.method;
  if (scan.bpfFallback !== undefined) table.ownerFallback = scan.bpfFallback;
  return { table, owners: ownerVisitor(scan) };
}

/** A table for the text renderer: TCP/UDP sockets as raw records, other protocols as rows. */
export interface TextTable extends DetachedTable {
  /** TCP then UDP sockets from netlink (printed before `table.rows`). */
  inet: InetRecords;
}

/**
 * {@link listSocketsDetached} with the TCP and UDP sockets kept as the kernel's records
 * ({@link InetRecords}) instead of row objects — what `netkit sockets` prints from. Falls back
 * to rows when netlink refuses TCP or UDP. Only kernel-side filters (ports, states, families):
 * `dst` and owner filters need rows.
 */
export async function listSocketsText(opts: ListSocketsOptions = {}): Promise<TextTable> {
  const pl = plan(opts);
  const f = pl.filter;
  if (needsOwners(f) || f.dst !== undefined) throw new RangeError("listSocketsText: only port filters");
  const inetProtocols: SocketProtocol[] =
    pl.source === "proc" ? [] : pl.protocols.filter((p) => p === "tcp" || p === "udp");
  const keep =
    f.port === undefined && f.sport === undefined && f.dport === undefined
      ? undefined
      : (sport: number, dport: number) => portsMatch(f, sport, dport);
  const inet = new InetRecords(keep);
  const reqs: { req: InetRequest; protocol: "tcp" | "udp" }[] = [];
  for (const p of PROTOCOL_ORDER) {
    if (p !== "tcp" && p !== "udp") continue;
    if (!inetProtocols.includes(p)) continue;
    const both = p === "tcp" && pl.families.includes(4) && pl.families.includes(6);
    // TCP of both families: one walk of the kernel's tables (the renderer puts IPv4 first)
    for (const req of inetRequests(p, both ? [0] : pl.families, pl.mask, pl.ports))
      reqs.push({ req, protocol: p });
  }
  const inetDumping = dumpInetBatchesAsync(
    reqs.map((r) => r.req),
    (i, bytes) => inet.addBatch(reqs[i]!.protocol, bytes),
  );
  inetDumping.catch(() => undefined); // awaited below; must not go unhandled meanwhile
  const restDumping = collectAsync({
    ...pl,
    protocols: pl.protocols.filter((p) => !inetProtocols.includes(p)),
  });
  restDumping.catch(() => undefined);
  const scan = await scanSocketOwnersAsync({
    procRoot: pl.procRoot,
    expectedSockets: socketsInUse(pl.procRoot),
    ...(opts.ownerMethod !== undefined ? { method: opts.ownerMethod } : {}),
  });
  try {
    await inetDumping;
  } catch (e) {
    if (!(e instanceof NetlinkError)) throw e;
    await restDumping.catch(() => undefined);
    const rows = await listSocketsDetached(opts); // netlink refused: the row path, with its fallbacks
    return { ...rows, inet: new InetRecords() };
  }
  const table = await restDumping;
  for (const p of inetProtocols) table.sources[p] = "netlink";
  table.unreadablePids = scan.unreadable;
  if (scan.method !== undefined) table.ownerMethod = scan.method;
  if (scan.bpfFallback !== undefined) table.ownerFallback = scan.bpfFallback;
  return {
    table,
    owners: ownerVisitor(scan),
    inet,
    ...(scan.owners instanceof OwnerIndex ? { ownerIndex: scan.owners } : {}),
  };
}

/** Owners into the table's rows, then the owner filters (--pid, --process). */
function finish(table: SocketTable, scan: OwnerScan, filter: RowFilter): SocketTable {
  attachOwners(table.rows, scan);
  table.unreadablePids = scan.unreadable;
  if (scan.method !== undefined) table.ownerMethod = scan.method;
  if (scan.bpfFallback !== undefined) table.ownerFallback = scan.bpfFallback;
  if (needsOwners(filter))
    table.rows = table.rows.filter(rowMatcher({ pid: filter.pid, process: filter.process }));
  return table;
}

/**
 * List sockets. Rows are ordered tcp, udp, raw, unix; IPv4 before IPv6; then as the kernel
 * lists them.
 * @throws ERR_IO when /proc cannot be read; ERR_NETLINK when `source: "netlink"` is forced and refused.
 */
export function listSockets(opts: ListSocketsOptions = {}): SocketTable {
  const pl = plan(opts);
  const table = collect(pl);
  if (opts.owners === false && !needsOwners(pl.filter)) return table;
  const wanted = new Set<number>();
  for (const r of table.rows) if (r.inode !== 0) wanted.add(r.inode);
  const scan = scanSocketOwners({
    inodes: wanted,
    procRoot: pl.procRoot,
    ...(opts.ownerMethod !== undefined ? { method: opts.ownerMethod } : {}),
    ...(pl.filter.pid !== undefined ? { pids: new Set([pl.filter.pid]) } : {}),
  });
  return finish(table, scan, pl.filter);
}

/**
 * {@link listSockets}, overlapping the two kernel-heavy parts on two cores: the table dumps run
 * on libuv's thread pool while this thread finds the owners (the BPF iterator or the /proc walk).
 * With `workers` ≥ 1 the /proc walk runs on that many worker threads instead (no BPF).
 */
export async function listSocketsAsync(
  opts: ListSocketsOptions & { workers?: number } = {},
): Promise<SocketTable> {
  const pl = plan(opts);
  const filter = pl.filter;
  if (opts.owners === false && !needsOwners(filter)) return listSockets(opts);
  const workers = opts.workers ?? 0;
  const pids = filter.pid !== undefined ? { pids: new Set([filter.pid]) } : {};
  if (workers < 1) {
    const dumping = collectAsync(pl);
    // a failed dump must not go unhandled while the owners are found
    dumping.catch(() => undefined);
    const scan = await scanSocketOwnersAsync({
      procRoot: pl.procRoot,
      expectedSockets: socketsInUse(pl.procRoot),
      ...(opts.ownerMethod !== undefined ? { method: opts.ownerMethod } : {}),
      ...pids,
    });
    return finish(await dumping, scan, filter);
  }
  // loaded only here: worker_threads costs start-up time the other paths do not need
  const { scanSocketOwnersParallel } = await import("./owners_parallel.js");
  const scanning = scanSocketOwnersParallel({
    workers,
    ...(opts.procRoot !== undefined ? { procRoot: opts.procRoot } : {}),
    ...pids,
  });
  // a rejected scan must not go unhandled while the dump runs
  scanning.catch(() => undefined);
  const table = collect(pl);
  const scan = { ...(await scanning), method: "proc" as const };
  return finish(table, scan, filter);
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
