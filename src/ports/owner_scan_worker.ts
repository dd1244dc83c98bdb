/**
 * Worker thread body for {@link scanSocketOwnersParallel}: scans the fds of its share of the
 * processes and posts back flat triples (inode, pid, fd), the command names and the unreadable pids.
 */
import { parentPort, workerData } from "node:worker_threads";
import { scanSocketOwners } from "./owners.js";

interface Job {
  procRoot: string;
  pids: number[];
}

const job = workerData as Job;
const scan = scanSocketOwners({ procRoot: job.procRoot, pids: new Set(job.pids) });
let count = 0;
for (const list of scan.owners.values()) count += list.length;
const triples = new Float64Array(count * 3);
const comms: [number, string][] = [];
const seen = new Set<number>();
let i = 0;
for (const [inode, list] of scan.owners) {
  for (const p of list) {
    triples[i++] = inode;
    triples[i++] = p.pid;
    triples[i++] = p.fd;
    if (!seen.has(p.pid)) {
      seen.add(p.pid);
      comms.push([p.pid, p.command]);
    }
  }
}
parentPort!.postMessage({ triples, comms, unreadable: scan.unreadable }, [triples.buffer]);
