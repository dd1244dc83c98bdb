/**
 * Pick a port that is free right now for the chosen transports: absent from the socket table
 * (no listener, no bound socket, no TIME-WAIT) and proved by binding it. The default range is
 * IANA's dynamic range minus this kernel's ephemeral range and reserved ports, so that outgoing
 * connections will not take the port later.
 *
 * @example
 * const { port } = await pickPort({ transports: ["tcp", "udp"] }); // e.g. 63012
 */
import { NetkitError } from "../errors.js";
import { probeBind } from "./bind_probe.js";
import { isEphemeral, isReserved, type KernelPorts, readKernelPorts } from "./kernel_ports.js";
import { listSockets } from "./list_sockets.js";
import type { PortTransport } from "./port_spec.js";

export interface PickOptions {
  transports?: readonly PortTransport[];
  /** Inclusive range; both default to the dynamic range outside the ephemeral range. */
  from?: number;
  to?: number;
  /** Pick the first free port instead of starting at a random one. */
  sequential?: boolean;
  random?: () => number;
  procRoot?: string;
}

export interface PickResult {
  port: number;
  transports: PortTransport[];
  from: number;
  to: number;
  /** Ports tried (busy in the table or refused by bind) before this one. */
  skipped: number;
}

/** Default range: 49152–65535 above the kernel's ephemeral range, else the whole dynamic range. */
export function defaultPickRange(k: KernelPorts): { from: number; to: number } {
  const from = Math.max(49152, k.ephemeral.last + 1);
  return from <= 65535 ? { from, to: 65535 } : { from: 49152, to: 65535 };
}

/** @throws ERR_NO_FREE_PORT when every port of the range is busy; ERR_RANGE for a bad range. */
export async function pickPort(opts: PickOptions = {}): Promise<PickResult> {
  const transports = [...(opts.transports ?? ["tcp"])];
  const k = await readKernelPorts(opts.procRoot);
  const explicit = opts.from !== undefined || opts.to !== undefined;
  const def = defaultPickRange(k);
  const from = opts.from ?? (explicit ? 1024 : def.from);
  const to = opts.to ?? (explicit ? 65535 : def.to);
  if (from < 1 || to > 65535 || from > to) {
    throw new NetkitError("ERR_RANGE", `port range ${from}–${to} is empty or outside 1–65535`);
  }
  const busy = new Set<number>();
  const table = listSockets({
    protocols: transports,
    owners: false,
    ...(opts.procRoot ? { procRoot: opts.procRoot } : {}),
  });
  for (const r of table.rows) if (r.localPort !== null) busy.add(r.localPort);
  const n = to - from + 1;
  const start = opts.sequential ? 0 : Math.floor((opts.random ?? Math.random)() * n);
  let skipped = 0;
  for (let i = 0; i < n; i++) {
    const port = from + ((start + i) % n);
    if (busy.has(port) || (!explicit && (isReserved(k, port) || isEphemeral(k, port)))) {
      skipped++;
      continue;
    }
    let ok = true;
    for (const t of transports) {
      if ((await probeBind(port, t)) !== "free") {
        ok = false;
        break;
      }
    }
    if (ok) return { port, transports, from, to, skipped };
    skipped++;
  }
  throw new NetkitError("ERR_NO_FREE_PORT", `no port in ${from}–${to} is free for ${transports.join("+")}`);
}
