/**
 * The owner scan split over worker threads: each worker reads every n-th fd of every process.
 * The kernel's readlink on /proc/PID/fd is the slow part of `ss -p`; on several cores the
 * workers run it side by side while the caller does other work (the netlink dump).
 *
 * @example
 * const scan = await scanSocketOwnersParallel({ workers: 2 });
 * scan.owners.get(8906); // [{ pid, command, fd }]
 */
import { Worker } from "node:worker_threads";
import type { OwnerScan } from "./owners.js";
import type { SocketProcess } from "./socket_row.js";

interface WorkerResult {
  triples: Float64Array;
  comms: [number, string][];
  unreadable: number[];
}

/** Scan every socket's owners with `workers` threads. Rejects if a worker fails. */
export async function scanSocketOwnersParallel(opts: {
  workers: number;
  procRoot?: string;
  pids?: ReadonlySet<number>;
}): Promise<OwnerScan> {
  const n = Math.max(1, opts.workers);
  const url = new URL("./owner_scan_worker.js", import.meta.url);
  const results = await Promise.all(
    Array.from(
      { length: n },
      (_, k) =>
        new Promise<WorkerResult>((resolve, reject) => {
          const w = new Worker(url, {
            workerData: { procRoot: opts.procRoot ?? "/proc", k, n, pids: opts.pids ? [...opts.pids] : null },
          });
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
