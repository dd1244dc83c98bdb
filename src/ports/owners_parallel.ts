/**
 * The owner scan split over worker threads: the processes are shared out by the size of their
 * fd tables (`FDSize` in /proc/PID/status, largest first, to the least loaded worker), and each
 * worker reads its processes' fds. The kernel's readlink on /proc/PID/fd is the slow part of
 * `ss -p`; two workers on two processes do not contend (splitting one process's fds between
 * workers does: they share its lock), and the caller dumps the tables meanwhile.
 *
 * @example
 * const scan = await scanSocketOwnersParallel({ workers: 2 });
 * scan.owners.get(8906); // [{ pid, command, fd }]
 */
import { readdirSync, readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import type { OwnerScan } from "./owners.js";
import type { SocketProcess } from "./socket_row.js";

interface WorkerResult {
  triples: Float64Array;
  comms: [number, string][];
  unreadable: number[];
}

/** Share the pids out to `n` bins of about equal fd-table size (greedy, largest first). */
export function partitionPids(root: string, n: number, only?: ReadonlySet<number>): number[][] {
  const sized: [number, number][] = [];
  for (const name of readdirSync(root)) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    if (only !== undefined && !only.has(pid)) continue;
    let size = 0;
    try {
      const m = /FDSize:\s+(\d+)/.exec(readFileSync(`${root}/${pid}/status`, "utf8"));
      size = m ? Number(m[1]) : 0;
    } catch {
      size = 0; // exited meanwhile: the worker will skip it
    }
    sized.push([pid, size]);
  }
  sized.sort((a, b) => b[1] - a[1]);
  const bins = Array.from({ length: n }, () => ({ load: 0, pids: [] as number[] }));
  for (const [pid, size] of sized) {
    let best = bins[0]!;
    for (const b of bins) if (b.load < best.load) best = b;
    best.pids.push(pid);
    best.load += size + 16; // +16: every process costs a directory listing
  }
  return bins.map((b) => b.pids);
}

/** Scan every socket's owners with `workers` threads. Rejects if a worker fails. */
export async function scanSocketOwnersParallel(opts: {
  workers: number;
  procRoot?: string;
  pids?: ReadonlySet<number>;
}): Promise<OwnerScan> {
  const n = Math.max(1, opts.workers);
  const root = opts.procRoot ?? "/proc";
  const bins = partitionPids(root, n, opts.pids);
  const url = new URL("./owner_scan_worker.js", import.meta.url);
  const results = await Promise.all(
    bins.map(
      (pids) =>
        new Promise<WorkerResult>((resolve, reject) => {
          const w = new Worker(url, { workerData: { procRoot: root, pids } });
          w.once("message", (m: WorkerResult) => {
            resolve(m);
            void w.terminate();
          });
          w.once("error", reject);
          w.once("exit", (code) => {
            if (code !== 0) reject(new Error(`owner scan worker exited with code ${code}`));
          });
        }),
    ),
  );
  const owners = new Map<number, SocketProcess[]>();
  const unreadable = new Set<number>();
  for (const r of results) {
    const comm = new Map(r.comms);
    const t = r.triples;
    for (let i = 0; i < t.length; i += 3) {
      const inode = t[i]!;
      const pid = t[i + 1]!;
      let list = owners.get(inode);
      if (list === undefined) {
        list = [];
        owners.set(inode, list);
      }
      list.push({ pid, command: comm.get(pid) ?? "?", fd: t[i + 2]! });
    }
    for (const p of r.unreadable) unreadable.add(p);
  }
  for (const list of owners.values()) if (list.length > 1) list.sort((a, b) => a.pid - b.pid || a.fd - b.fd);
  return { owners, unreadable: [...unreadable].sort((a, b) => a - b), stoppedEarly: false };
}
