/**
 * A minimal TCP + UDP echo peer for `netkit bench`'s own loopback run (I/O shell). The full-featured
 * echo servers are `netkit tcp serve` / `netkit udp serve`; this one only has to answer ping-pong.
 *
 * @example
 * const peer = await startEchoPeer("127.0.0.1");
 * // pingPong({ host: "127.0.0.1", port: peer.udpPort, udp: true })
 * await peer.close();
 */
import dgram from "node:dgram";
import net from "node:net";

export interface EchoPeer {
  tcpPort: number;
  udpPort: number;
  close(): Promise<void>;
}

export async function startEchoPeer(host = "127.0.0.1"): Promise<EchoPeer> {
  const conns = new Set<net.Socket>();
  const tcp = net.createServer({ noDelay: true }, (s) => {
    conns.add(s);
    s.on("data", (d) => s.write(d));
    s.on("error", () => {});
    s.on("close", () => conns.delete(s));
  });
  await new Promise<void>((r) => tcp.listen(0, host, r));
  const udp = dgram.createSocket(net.isIPv6(host) ? "udp6" : "udp4");
  udp.on("message", (m, ri) => udp.send(m, ri.port, ri.address));
  await new Promise<void>((r) => udp.bind(0, host, r));
  return {
    tcpPort: (tcp.address() as net.AddressInfo).port,
    udpPort: udp.address().port,
    async close() {
      for (const c of conns) c.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
      await new Promise<void>((r) => udp.close(() => r()));
    },
  };
}
