/**
 * The text for an EADDRINUSE error: who holds the port, and the command that frees it. For the
 * socket servers (issue 4, item 6): call it when a bind fails with EADDRINUSE.
 *
 * @example
 * portInUseHint(8080, "tcp");
 * // "port 8080/tcp is in use by python3 (pid 4242); free it with: netkit port release tcp:8080"
 */
import type { PortTransport } from "./port_spec.js";
import { whoHolds } from "./who.js";

/** One line naming the holders of `port` (or saying they cannot be seen) and the fix. */
export function portInUseHint(port: number, transport: PortTransport): string {
  const fix = `free it with: netkit port release ${transport}:${port}`;
  let rows: ReturnType<typeof whoHolds>["rows"];
  try {
    rows = whoHolds([{ port, transport }], { scope: "local" }).rows;
  } catch {
    return `port ${port}/${transport} is in use; ${fix}`; // the hint must never hide the bind error
  }
  const names = new Map<number, string>();
  for (const r of rows) for (const p of r.processes) names.set(p.pid, p.command);
  if (names.size > 0) {
    const who = [...names].map(([pid, cmd]) => `${cmd} (pid ${pid})`).join(", ");
    return `port ${port}/${transport} is in use by ${who}; ${fix}`;
  }
  if (rows.some((r) => r.ownerUnknown)) {
    return `port ${port}/${transport} is in use by a process netkit cannot see (another user's?); ${fix}`;
  }
  if (rows.length > 0 && rows.every((r) => r.state === "TIME-WAIT")) {
    return `port ${port}/${transport} is held only by TIME-WAIT entries (no process); set SO_REUSEADDR or wait up to 60 s`;
  }
  return `port ${port}/${transport} is in use; ${fix}`;
}
