/**
 * Who holds a socket: scans /proc/PID/fd/* links for `socket:[INODE]` (the slow part of
 * `ss -p`, `netstat -p` and `lsof -i`). A process whose fds cannot be read (EACCES: /proc/1/fd
 * even as root, or another user's process) is listed in `unreadable`, never a crash; a process
 * that exits during the scan is skipped.
 *
 * @example
 * const { owners } = scanSocketOwners({ inodes: new Set([8906]) });
 * owners.get(8906); // [{ pid: 5904, command: "python3", fd: 3 }]
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { NetkitError } from "../errors.js";
import { BpfUnavailable, type TaskSockets, taskSocketFds, taskSocketFdsAsync } from "../native/bpf.js";
import { closeRaw, libcAvailable, openDirectoryRaw, readlinkAtRaw, readlinkRaw } from "../native/libc.js";
import { OwnerIndex } from "./owner_index.js";
import type { SocketProcess, SocketRow } from "./socket_row.js";

export interface OwnerScanOptions {
  /** Only these inodes (default: every socket). */
  inodes?: ReadonlySet<number>;
  /** Stop as soon as every wanted inode has one owner (needs `inodes`). Default false. */
  stopWhenFound?: boolean;
  /** Only these processes (default: all). */
  pids?: ReadonlySet<number>;
  /** Default "/proc". */
  procRoot?: string;
  /** Read links through the FFI (readlinkat) when koffi loads. Default true; false: node:fs only. */
  ffi?: boolean;
  /** Only every n-th fd of each process, starting at k (to split one scan over n workers). */
  interleave?: { k: number; n: number };
  /**
   * "auto" (default): one BPF iterator pass over every process's files when permitted (root,
   * kernel BTF, the initial pid namespace, procRoot "/proc"), else the /proc/PID/fd walk;
   * "bpf": only the iterator (throws BpfUnavailable); "proc": only the walk.
   */
  method?: OwnerMethod;
}

export type OwnerMethod = "auto" | "bpf" | "proc";

export interface OwnerScan {
  /** inode → the processes holding it, sorted by pid then fd. */
  owners: ReadonlyMap<number, SocketProcess[]>;
  /** Pids whose fd table could not be read (EACCES/EPERM). */
  unreadable: number[];
  /** True when the scan stopped early because every wanted inode was found. */
  stoppedEarly: boolean;
  /** How the owners were found: the BPF task-file iterator or the /proc/PID/fd walk. */
  method?: "bpf" | "proc";
  /** Why "auto" did not use the BPF iterator (absent when it did, or when not asked). */
  bpfFallback?: string;
}

function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

/** Why the BPF iterator cannot be used with these options here, or undefined when it can be tried. */
function bpfBlocker(opts: OwnerScanOptions): string | undefined {
  if ((opts.procRoot ?? "/proc") !== "/proc") return "procRoot is not /proc";
  if (opts.interleave !== undefined || opts.ffi === false) return "FFI not wanted";
  let status: string;
  try {
    status = readFileSync("/proc/self/status", "latin1");
  } catch (e) {
    return `cannot read /proc/self/status: ${(e as Error).message}`;
  }
  // NSpid lists one pid per nested pid namespace: one value means the initial namespace,
  // where the kernel's pids (what the iterator reports) are the pids this process sees.
  const ns = /\nNSpid:\t([^\n]*)/.exec(status);
  if (ns !== null && ns[1]!.includes("\t"))
    return "inside a pid namespace (the iterator reports the kernel's pids)";
  const cap = /\nCapEff:\t([0-9a-f]+)/.exec(status);
  if (cap !== null) {
    const eff = BigInt(`0x${cap[1]}`);
    const has = (bit: number) => (eff >> BigInt(bit)) & 1n;
    // CAP_SYS_ADMIN (21), or CAP_PERFMON (38) with CAP_BPF (39)
    if (has(21) === 0n && (has(38) === 0n || has(39) === 0n)) return "no CAP_BPF and CAP_PERFMON (not root)";
  }
  return undefined;
}

/**
 * Every socket's owners from the kernel's BPF task-file iterator (src/native/bpf.ts): one pass,
 * every process (including those whose /proc/PID/fd is unreadable), no early stop needed.
 * @throws BpfUnavailable
 */
export function scanSocketOwnersBpf(opts: Pick<OwnerScanOptions, "inodes" | "pids"> = {}): OwnerScan {
  return ownersFromTasks(taskSocketFds(), opts);
}

/**
 * {@link scanSocketOwnersBpf} with the iteration on libuv's thread pool.
 * @throws BpfUnavailable synchronously, when the iterators cannot run
 */
export function scanSocketOwnersBpfAsync(
  opts: Pick<OwnerScanOptions, "inodes" | "pids"> & { expectedSockets?: number } = {},
): Promise<OwnerScan> {
  return taskSocketFdsAsync(opts.expectedSockets ?? 1024).then((t) => ownersFromTasks(t, opts));
}

function ownersFromTasks(
  { records, visited }: TaskSockets,
  opts: Pick<OwnerScanOptions, "inodes" | "pids">,
): OwnerScan {
  const want = opts.inodes;
  const only = opts.pids;
  // Processes /proc shows but the iterators did not (started after the pass, or hidden from
  // them): walk their fds the /proc way, so that an owner is never silently missing.
  const seen = new Set(visited);
  const rest = new Set<number>();
  for (const name of readdirSync("/proc")) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    if (!seen.has(pid) && (only === undefined || only.has(pid))) rest.add(pid);
  }
  let unreadable: number[] = [];
  let extra: ReadonlyMap<number, SocketProcess[]> | undefined;
  if (rest.size > 0) {
    const walked = scanSocketOwnersProc({ pids: rest, ...(want !== undefined ? { inodes: want } : {}) });
    unreadable = walked.unreadable;
    extra = walked.owners;
  }
  const keep =
    want === undefined && only === undefined
      ? undefined
      : (pid: number, inode: number) =>
          (want === undefined || want.has(inode)) && (only === undefined || only.has(pid));
  const owners = new OwnerIndex(records, (pid) => readComm("/proc", pid), keep, extra);
  return { owners, unreadable, stoppedEarly: false, method: "bpf" };
}

/**
 * Scan processes' fds for sockets: the BPF iterator when permitted (see `method`), else the
 * /proc/PID/fd walk. Synchronous: many tiny reads are far faster without promises.
 */
export function scanSocketOwners(opts: OwnerScanOptions = {}): OwnerScan {
  const method = opts.method ?? "auto";
  let bpfFallback: string | undefined;
  // An early-stopping lookup (port who) usually ends within the first fds of the first
  // processes, cheaper than loading BTF and the iterators: auto tries that first.
  if (method === "auto" && opts.stopWhenFound === true && opts.inodes !== undefined && opts.ffi !== false) {
    const low = scanSocketOwnersProc(opts, true);
    if (low.stoppedEarly) return low;
  }
  if (method !== "proc") {
    bpfFallback = bpfBlocker(opts);
    if (bpfFallback === undefined) {
      try {
        return scanSocketOwnersBpf(opts);
      } catch (e) {
        if (!(e instanceof BpfUnavailable)) throw e;
        bpfFallback = e.message;
      }
    }
    if (method === "bpf") throw new NetkitError("ERR_BPF", `BPF task-file iterator: ${bpfFallback}`);
  }
  const scan = scanSocketOwnersProc(opts);
  return bpfFallback === undefined ? scan : { ...scan, bpfFallback };
}

/**
 * {@link scanSocketOwners} for a whole table (no early stop): the BPF iteration runs on libuv's
 * thread pool, so the caller's thread can work meanwhile; the /proc walk, where BPF cannot run,
 * is synchronous as ever.
 */
export async function scanSocketOwnersAsync(
  opts: Omit<OwnerScanOptions, "stopWhenFound"> & { expectedSockets?: number } = {},
): Promise<OwnerScan> {
  const method = opts.method ?? "auto";
  let bpfFallback: string | undefined;
  if (method !== "proc") {
    bpfFallback = bpfBlocker(opts);
    if (bpfFallback === undefined) {
      try {
        return await scanSocketOwnersBpfAsync(opts);
      } catch (e) {
        // refused at load (thrown at once) or while reading (a rejection): the /proc walk
        if (!(e instanceof BpfUnavailable)) throw e;
        bpfFallback = e.message;
      }
    }
    if (method === "bpf") throw new NetkitError("ERR_BPF", `BPF task-file iterator: ${bpfFallback}`);
  }
  const scan = scanSocketOwnersProc(opts);
  return bpfFallback === undefined ? scan : { ...scan, bpfFallback };
}

/**
 * The /proc/PID/fd walk (what `ss -p` does). With `lowFdsOnly` and an early-stopping lookup,
 * only its first phase (fds 0–63 of each process): `stoppedEarly` says whether that found all.
 */
export function scanSocketOwnersProc(opts: OwnerScanOptions = {}, lowFdsOnly = false): OwnerScan {
  const root = opts.procRoot ?? "/proc";
  const want = opts.inodes;
  const owners = new Map<number, SocketProcess[]>();
  const unreadable: number[] = [];
  let missing = want?.size ?? -1;
  const stop = opts.stopWhenFound === true && want !== undefined;
  if (stop && missing === 0) return { owners, unreadable, stoppedEarly: true, method: "proc" };
  const pids: number[] = [];
  for (const name of readdirSync(root)) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    if (opts.pids === undefined || opts.pids.has(pid)) pids.push(pid);
  }
  pids.sort((a, b) => a - b);
  if (stop && opts.ffi !== false) {
    // Listeners usually sit at low fd numbers: try fds 0–63 of every process first, by direct
    // readlink (no directory listing), and only then list the fd tables in full.
    const found = probeLowFds(root, pids, want!, owners);
    missing -= found;
    if (missing <= 0) {
      sortOwners(owners);
      return { owners, unreadable, stoppedEarly: true, method: "proc" };
    }
    if (lowFdsOnly) return { owners, unreadable, stoppedEarly: false, method: "proc" };
  }
  const ffi = opts.ffi !== false && libcAvailable();
  const buf = new Uint8Array(64);
  for (const pid of pids) {
    const dir = `${root}/${pid}/fd`;
    let fds: string[];
    try {
      fds = readdirSync(dir);
    } catch (e) {
      const code = errCode(e);
      if (code === "EACCES" || code === "EPERM") unreadable.push(pid);
      else if (code !== "ENOENT" && code !== "ESRCH") throw e;
      continue;
    }
    // readlinkat through the FFI: no path string per fd, no exception per closed fd
    const dfd = ffi ? openDirectoryRaw(dir) : -1;
    let command: string | undefined;
    const step = opts.interleave?.n ?? 1;
    try {
      for (let i = opts.interleave?.k ?? 0; i < fds.length; i += step) {
        const fd = fds[i]!;
        let inode: number;
        if (dfd >= 0) {
          const n = readlinkAtRaw(dfd, fd, buf);
          if (n < 0) {
            if (n === -2 || n === -3) continue; // ENOENT, ESRCH: closed meanwhile
            if (n === -13 || n === -1) {
              if (!unreadable.includes(pid)) unreadable.push(pid);
              break;
            }
            throw new Error(`readlinkat ${dir}/${fd} failed: errno ${-n}`);
          }
          // "socket:[" is 115 111 99 107 101 116 58 91
          if (n < 10 || buf[0] !== 115 || buf[6] !== 58 || buf[7] !== 91) continue;
          inode = 0;
          for (let j = 8; j < n - 1; j++) inode = inode * 10 + (buf[j]! - 48);
        } else {
          let link: string;
          try {
            link = readlinkSync(`${dir}/${fd}`);
          } catch (e) {
            const code = errCode(e);
            if (code === "ENOENT" || code === "ESRCH") continue; // closed meanwhile
            if (code === "EACCES" || code === "EPERM") {
              if (!unreadable.includes(pid)) unreadable.push(pid);
              break;
            }
            throw e;
          }
          if (link.length < 10 || link.charCodeAt(0) !== 115 || !link.startsWith("socket:[")) continue;
          inode = Number(link.slice(8, -1));
        }
        if (want !== undefined && !want.has(inode)) continue;
        command ??= readComm(root, pid);
        let list = owners.get(inode);
        if (list === undefined) {
          list = [];
          owners.set(inode, list);
          missing--;
        }
        const fdn = Number(fd);
        if (!stop || !list.some((p) => p.pid === pid && p.fd === fdn)) list.push({ pid, command, fd: fdn });
      }
    } finally {
      if (dfd >= 0) closeRaw(dfd);
    }
    if (stop && missing <= 0) {
      sortOwners(owners);
      return { owners, unreadable, stoppedEarly: true, method: "proc" };
    }
  }
  sortOwners(owners);
  return { owners, unreadable, stoppedEarly: false, method: "proc" };
}

const LOW_FDS = 64;

/** Phase one of an early-stopping scan: fds 0..LOW_FDS-1 of each pid. Returns inodes newly found. */
function probeLowFds(
  root: string,
  pids: number[],
  want: ReadonlySet<number>,
  owners: Map<number, SocketProcess[]>,
): number {
  const buf = new Uint8Array(64);
  let found = 0;
  let left = want.size - owners.size;
  for (const pid of pids) {
    const base = `${root}/${pid}/fd/`;
    let command: string | undefined;
    // Since Linux 6.2 the size of /proc/PID/fd is the number of open fds: stop probing once
    // that many were seen (0 fds: a kernel thread, nothing to probe). 0 on older kernels too,
    // so a size of 0 is only trusted when the kernel reports sizes at all.
    const open = openFdCount(root, pid);
    if (open === 0 && fdSizesReported(root)) continue;
    let seen = 0;
    for (let fd = 0; fd < LOW_FDS && (open <= 0 || seen < open); fd++) {
      let n: number;
      try {
        n = readlinkRaw(base + fd, buf);
      } catch {
        return found; // no FFI here: the full scan does the work
      }
      if (n > 0) seen++;
      // "socket:[" is 115 111 99 107 101 116 58 91
      if (n < 10 || buf[0] !== 115 || buf[6] !== 58 || buf[7] !== 91) {
        if (n === -13 || n === -1 || n === -3) break; // EACCES/EPERM/ESRCH: the full scan handles it
        continue;
      }
      let inode = 0;
      for (let i = 8; i < n - 1; i++) inode = inode * 10 + (buf[i]! - 48);
      if (!want.has(inode)) continue;
      command ??= readComm(root, pid);
      let list = owners.get(inode);
      if (list === undefined) {
        list = [];
        owners.set(inode, list);
        found++;
        left--;
      }
      list.push({ pid, command, fd });
    }
    if (left <= 0) break;
  }
  return found;
}

/** The number of open fds of `pid` from the size of /proc/PID/fd (0 when unknown or gone). */
function openFdCount(root: string, pid: number): number {
  return statSync(`${root}/${pid}/fd`, { throwIfNoEntry: false })?.size ?? 0;
}

let sizesReported: boolean | undefined;

/** Whether this kernel reports fd counts as the size of /proc/PID/fd (Linux ≥ 6.2): ours has fds. */
function fdSizesReported(root: string): boolean {
  sizesReported ??= (statSync(`${root}/self/fd`, { throwIfNoEntry: false })?.size ?? 0) > 0;
  return sizesReported;
}

function sortOwners(owners: Map<number, SocketProcess[]>): void {
  for (const list of owners.values()) if (list.length > 1) list.sort((a, b) => a.pid - b.pid || a.fd - b.fd);
}

function readComm(root: string, pid: number): string {
  try {
    return readFileSync(`${root}/${pid}/comm`, "utf8").replace(/\n$/, "");
  } catch {
    return "?"; // the process exited between its fd and its comm: its name is gone
  }
}

/** Calls `cb` for each owner of an inode; returns how many. */
export type OwnerVisitor = (inode: number, cb: (pid: number, command: string, fd: number) => void) => number;

/** A visitor over a scan's owners (allocation-free over the BPF index). */
export function ownerVisitor(scan: OwnerScan): OwnerVisitor {
  const o = scan.owners;
  if (o instanceof OwnerIndex) return (inode, cb) => o.forEachOwner(inode, cb);
  return (inode, cb) => {
    const list = o.get(inode);
    if (list === undefined) return 0;
    for (const p of list) cb(p.pid, p.command, p.fd);
    return list.length;
  };
}

/**
 * Attach owners to rows (in place): `processes` from the scan, and `ownerUnknown` for rows with
 * an inode, no owner found, and some process unreadable.
 */
export function attachOwners(rows: SocketRow[], scan: OwnerScan): SocketRow[] {
  const someUnreadable = scan.unreadable.length > 0;
  for (const r of rows) {
    const p = scan.owners.get(r.inode);
    if (r.inode !== 0 && p !== undefined) {
      r.processes = p;
      r.ownerUnknown = false;
    } else {
      r.processes = [];
      r.ownerUnknown = r.inode !== 0 && someUnreadable;
    }
  }
  return rows;
}
