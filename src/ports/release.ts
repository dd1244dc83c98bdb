/**
 * Release a port: stop the processes that hold it. SIGTERM first, then — only if the port's
 * sockets are still open after the grace period — SIGKILL; then verify the port is free (socket
 * table and a test bind). Refuses pid 1 and netkit's own process; never touches a process that
 * only has a client connection to the port unless `all`. A port held only by TIME-WAIT entries
 * has no process to stop: that is reported, not "killed".
 *
 * @example
 * const r = await releasePort(parsePortSpec("tcp:8080").entries, { confirm: async () => true });
 * r.outcome; // "free"
 */
import { type ProbeResult, probeBind } from "./bind_probe.js";
import { listSockets } from "./list_sockets.js";
import { scanSocketOwners } from "./owners.js";
import type { PortTransport } from "./port_spec.js";
import type { SocketRow } from "./socket_row.js";
import { whoHolds } from "./who.js";

type Entry = { port: number; transport: PortTransport };

/** A process the release would signal, with the sockets it holds on the port. */
export interface ReleaseTarget {
  pid: number;
  command: string;
  sockets: { protocol: string; state: string; localAddress: string; localPort: number | null; fd: number }[];
}

export interface RefusedTarget extends ReleaseTarget {
  reason: "pid 1 (init) is never signalled" | "netkit's own process";
}

export interface ReleasePlan {
  entries: Entry[];
  rows: SocketRow[];
  targets: ReleaseTarget[];
  refused: RefusedTarget[];
  /** Sockets on the port with no process: TIME-WAIT and not-yet-accepted connections. */
  orphanRows: SocketRow[];
  /** Sockets whose owner could not be seen (unreadable /proc/PID/fd). */
  unknownOwnerRows: SocketRow[];
}

export type SignalResult = "sent" | "gone" | "permission-denied";

export interface SignalAction {
  pid: number;
  signal: "SIGTERM" | "SIGKILL";
  result: SignalResult;
}

export type ReleaseOutcome =
  /** Nothing uses the port. */
  | "nothing"
  /** Only TIME-WAIT (or other orphan) entries: no process to stop; the kernel frees them. */
  | "time-wait-only"
  | "dry-run"
  | "cancelled"
  /** The port was held and is free now. */
  | "free"
  /** Something still holds the port (permission denied, refused pid, unknown owner, restarted). */
  | "still-held";

export interface ReleaseResult {
  plan: ReleasePlan;
  outcome: ReleaseOutcome;
  actions: SignalAction[];
  /** Rows with an owner (or an unknown owner) still on the port after the release. */
  stillHeld: SocketRow[];
  /** The test bind after the release, per "PORT/TRANSPORT" ("free" proves it). */
  probe: Record<string, ProbeResult>;
  elapsedMs: number;
}

export interface ReleaseOptions {
  /** Also stop processes that only have client connections to the port. */
  all?: boolean;
  /** Wait this long after SIGTERM before SIGKILL. Default 3000 ms. */
  graceMs?: number;
  dryRun?: boolean;
  /** Asked with the plan before any signal; false cancels. Default: yes. */
  confirm?: (plan: ReleasePlan) => Promise<boolean>;
  /** This process's pid (refused). Default process.pid. */
  selfPid?: number;
  procRoot?: string;
}

/** Build the plan from the rows holding the port (pure). */
export function planRelease(entries: Entry[], rows: SocketRow[], selfPid: number): ReleasePlan {
  const byPid = new Map<number, ReleaseTarget>();
  const orphanRows: SocketRow[] = [];
  const unknownOwnerRows: SocketRow[] = [];
  for (const r of rows) {
    if (r.processes.length === 0) {
      if (r.ownerUnknown) unknownOwnerRows.push(r);
      else orphanRows.push(r);
      continue;
    }
    for (const p of r.processes) {
      let t = byPid.get(p.pid);
      if (t === undefined) {
        t = { pid: p.pid, command: p.command, sockets: [] };
        byPid.set(p.pid, t);
      }
      t.sockets.push({
        protocol: r.protocol,
        state: r.state,
        localAddress: r.localAddress,
        localPort: r.localPort,
        fd: p.fd,
      });
    }
  }
  const targets: ReleaseTarget[] = [];
  const refused: RefusedTarget[] = [];
  for (const t of [...byPid.values()].sort((a, b) => a.pid - b.pid)) {
    if (t.pid === 1) refused.push({ ...t, reason: "pid 1 (init) is never signalled" });
    else if (t.pid === selfPid) refused.push({ ...t, reason: "netkit's own process" });
    else targets.push(t);
  }
  return { entries, rows, targets, refused, orphanRows, unknownOwnerRows };
}

function signal(pid: number, sig: "SIGTERM" | "SIGKILL"): SignalResult {
  try {
    process.kill(pid, sig);
    return "sent";
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ESRCH") return "gone";
    if (code === "EPERM") return "permission-denied";
    throw e;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The original inodes still open on the port (cheap: a table dump, no fd scan). */
function openInodes(entries: Entry[], inodes: Set<number>, procRoot: string | undefined): Set<number> {
  const open = new Set<number>();
  for (const e of entries) {
    const t = listSockets({
      protocols: [e.transport],
      owners: false,
      filter: { port: e.port },
      ...(procRoot !== undefined ? { procRoot } : {}),
    });
    for (const r of t.rows) if (inodes.has(r.inode)) open.add(r.inode);
  }
  return open;
}

async function waitClosed(
  entries: Entry[],
  inodes: Set<number>,
  ms: number,
  procRoot?: string,
): Promise<Set<number>> {
  const end = Date.now() + ms;
  let open = openInodes(entries, inodes, procRoot);
  while (open.size > 0 && Date.now() < end) {
    await sleep(Math.min(50, Math.max(1, end - Date.now())));
    open = openInodes(entries, inodes, procRoot);
  }
  return open;
}

/** Release the port. Signals only the plan's targets. */
export async function releasePort(entries: Entry[], opts: ReleaseOptions = {}): Promise<ReleaseResult> {
  const started = Date.now();
  const procRoot = opts.procRoot;
  const scope = opts.all === true ? "all" : "local";
  const who = whoHolds(entries, {
    scope,
    everyOwner: true,
    ...(procRoot ? { procRoot } : {}),
  });
  const plan = planRelease(entries, who.rows, opts.selfPid ?? process.pid);
  const result: ReleaseResult = {
    plan,
    outcome: "nothing",
    actions: [],
    stillHeld: [],
    probe: {},
    elapsedMs: 0,
  };
  const done = (outcome: ReleaseOutcome) => {
    result.outcome = outcome;
    result.elapsedMs = Date.now() - started;
    return result;
  };
  const heldRows = who.rows.filter((r) => r.processes.length > 0 || r.ownerUnknown);
  if (who.rows.length === 0) return done("nothing");
  if (heldRows.length === 0) return done("time-wait-only");
  if (opts.dryRun) return done("dry-run");
  if (plan.targets.length > 0 && opts.confirm !== undefined && !(await opts.confirm(plan)))
    return done("cancelled");

  const inodes = new Set<number>();
  const targetPids = new Set(plan.targets.map((t) => t.pid));
  for (const r of heldRows) if (r.processes.some((p) => targetPids.has(p.pid))) inodes.add(r.inode);
  for (const t of plan.targets)
    result.actions.push({ pid: t.pid, signal: "SIGTERM", result: signal(t.pid, "SIGTERM") });
  // wait only when a signal reached someone; a refused or denied holder will not let go
  let open = result.actions.some((a) => a.result !== "permission-denied")
    ? await waitClosed(entries, inodes, opts.graceMs ?? 3000, procRoot)
    : new Set<number>();
  if (open.size > 0) {
    // SIGKILL only the targets that still hold one of the port's sockets
    const scan = scanSocketOwners({ inodes: open, ...(procRoot ? { procRoot } : {}) });
    const holders = new Set<number>();
    for (const list of scan.owners.values())
      for (const p of list) if (targetPids.has(p.pid)) holders.add(p.pid);
    for (const pid of [...holders].sort((a, b) => a - b)) {
      result.actions.push({ pid, signal: "SIGKILL", result: signal(pid, "SIGKILL") });
    }
    open = await waitClosed(entries, open, 2000, procRoot);
  }
  const after = whoHolds(entries, { scope, ...(procRoot ? { procRoot } : {}) });
  result.stillHeld = after.rows.filter((r) => r.processes.length > 0 || r.ownerUnknown);
  if (result.stillHeld.length > 0) return done("still-held");
  for (const e of entries) result.probe[`${e.port}/${e.transport}`] = await probeBind(e.port, e.transport);
  return done(Object.values(result.probe).every((p) => p !== "in-use") ? "free" : "still-held");
}
