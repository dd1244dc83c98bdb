/**
 * Everything about a port spec: IANA category, this kernel's ephemeral range and reserved
 * ports, the IANA service names per transport, and the sockets using the port now (local or
 * peer side) with their owners.
 *
 * @example
 * const info = await portInfo("80");
 * info.ports[0]; // { port: 80, transport: "tcp", category: "well-known", names: [{ name: "http", … }], sockets: [] … }
 */
import { isEphemeral, isReserved, type KernelPorts, readKernelPorts } from "./kernel_ports.js";
import { listSockets, type SocketSource } from "./list_sockets.js";
import { type PortTransport, parsePortSpec } from "./port_spec.js";
import { type PortCategory, portCategory, type ServiceName, serviceNames } from "./registry.js";
import { portsMatch } from "./socket_filter.js";
import type { SocketProtocol, SocketRow } from "./socket_row.js";

export interface PortTransportInfo {
  port: number;
  transport: PortTransport;
  category: PortCategory;
  /** In this kernel's ephemeral range (outgoing connections may take it). */
  ephemeral: boolean;
  /** In ip_local_reserved_ports. */
  reserved: boolean;
  names: ServiceName[];
  /** Sockets with this port on either side, with owners. */
  sockets: SocketRow[];
}

export interface PortInfo {
  input: string;
  service: string | null;
  kernel: KernelPorts;
  ports: PortTransportInfo[];
  sources: Partial<Record<SocketProtocol, SocketSource>>;
  unreadablePids: number[];
}

/** @throws ERR_PORT_SPEC, ERR_UNKNOWN_SERVICE, ERR_IO */
export async function portInfo(spec: string, opts: { procRoot?: string } = {}): Promise<PortInfo> {
  const parsed = parsePortSpec(spec);
  const kernel = await readKernelPorts(opts.procRoot);
  const ports = new Set(parsed.entries.map((e) => e.port));
  const table = listSockets({
    protocols: [...new Set(parsed.entries.map((e) => e.transport))],
    ...(opts.procRoot !== undefined ? { procRoot: opts.procRoot } : {}),
    ...(ports.size === 1 ? { filter: { port: [...ports][0]! } } : {}),
  });
  return {
    input: spec,
    service: parsed.service,
    kernel,
    ports: parsed.entries.map((e) => ({
      port: e.port,
      transport: e.transport,
      category: portCategory(e.port),
      ephemeral: isEphemeral(kernel, e.port),
      reserved: isReserved(kernel, e.port),
      names: serviceNames(e.port, e.transport),
      sockets: table.rows.filter(
        (r) => r.protocol === e.transport && portsMatch({ port: e.port }, r.localPort, r.peerPort),
      ),
    })),
    sources: table.sources,
    unreadablePids: table.unreadablePids,
  };
}
