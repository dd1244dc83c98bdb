/**
 * When a server's bind fails with EADDRINUSE, say who holds the port: the owning processes (pid and
 * command, from src/ports whoHolds for that port and transport) and the command that frees it,
 * `netkit port release PORT/PROTO`. The message stays one line; the code stays ERR_ADDR_IN_USE.
 *
 * @example
 * await explainAddrInUse(() => startUdpServer({ host: "127.0.0.1", port: 2000 }), 2000, "udp");
 * // throws: ERR_ADDR_IN_USE: bind 127.0.0.1:2000: address already in use (EADDRINUSE);
 * //         held by pid 4242 (python3); free it with: netkit port release 2000/udp
 */
import { isNetkitError, NetkitError } from "../errors.js";
import type { PortTransport } from "../ports/port_spec.js";
import type { SocketRow } from "../ports/socket_row.js";
import { whoHolds } from "../ports/who.js";

/** The holder part of the message for these rows (pure). */
export function describeHolders(
  rows: readonly SocketRow[],
  unreadable: boolean,
  port: number,
  transport: PortTransport,
): string {
  const procs = new Map<number, string>();
  for (const r of rows) for (const p of r.processes) if (!procs.has(p.pid)) procs.set(p.pid, p.command);
  if (procs.size > 0) {
    const list = [...procs].slice(0, 4).map(([pid, cmd]) => `pid ${pid} (${cmd})`);
    if (procs.size > 4) list.push(`${procs.size - 4} more`);
    return `held by ${list.join(", ")}; free it with: netkit port release ${port}/${transport}`;
  }
  if (rows.length > 0 && rows.every((r) => r.state === "TIME-WAIT"))
    return "held only by TIME-WAIT entries (no process; they expire within 60 s)";
  if (unreadable)
    return `held by a process whose fds cannot be read; see: netkit port who ${port}/${transport}`;
  return `no holder is visible from here (another network namespace?); see: netkit port who ${port}/${transport}`;
}

/**
 * Run `start`; if it fails with ERR_ADDR_IN_USE, rethrow with the holders named. Any failure of the
 * lookup itself leaves the original error as it was.
 */
export async function explainAddrInUse<T>(
  start: () => Promise<T>,
  port: number | undefined,
  transport: PortTransport,
): Promise<T> {
  try {
    return await start();
  } catch (e) {
    if (!isNetkitError(e, "ERR_ADDR_IN_USE") || port === undefined || port === 0) throw e;
    let holders: string;
    try {
      const who = whoHolds([{ port, transport }], { scope: "local" });
      holders = describeHolders(who.rows, who.unreadablePids.length > 0, port, transport);
    } catch (lookup) {
      if (lookup instanceof NetkitError) throw e; // no socket table here: the plain error says enough
      throw lookup;
    }
    throw new NetkitError("ERR_ADDR_IN_USE", `${e.message}; ${holders}`, { cause: e.cause ?? e });
  }
}
