/**
 * A small UDP agent for cross-host socket tests, run inside a test host (`ip netns exec NS node
 * dist/test/helpers/udp_agent.js MODE JSON`). It uses the netkit library (src/sockets) and prints
 * one JSON line per event on stdout. It always ends by itself (`lifeMs`, default 15 s).
 *
 * - `serve '{"server": UdpServerOptions}'`: startUdpServer (echo handler); prints
 *   `{"event":"listening","port":N}` then `{"event":"datagram","from":ADDR,"size":N}` per datagram.
 * - `send '{"client": UdpClientOptions, "message": "…", "timeoutMs": N}'`: UdpClient.open, one
 *   datagram, then the reply `{"event":"reply","from":ADDR,"data":"…"}`, `{"event":"timeout"}`, or
 *   `{"event":"error","code":"ERR_…"}`.
 *
 * @example
 * ip netns exec NSc node dist/test/helpers/udp_agent.js serve '{"server":{"port":0}}'
 */
import { NetkitError } from "../../src/errors.js";
import { UdpClient, type UdpClientOptions } from "../../src/sockets/udp_client.js";
import { startUdpServer, type UdpServerOptions } from "../../src/sockets/udp_server.js";

interface AgentArgs {
  server?: UdpServerOptions;
  client?: UdpClientOptions;
  message?: string;
  timeoutMs?: number;
  lifeMs?: number;
}

function out(o: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(o)}\n`);
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  const args = JSON.parse(process.argv[3] ?? "{}") as AgentArgs;
  const life = setTimeout(() => process.exit(3), args.lifeMs ?? 15_000);
  if (mode === "serve") {
    const server = await startUdpServer({ ...args.server, handler: "echo" });
    server.on("datagram", (d: { remoteAddress: string; size: number }) =>
      out({ event: "datagram", from: d.remoteAddress, size: d.size }),
    );
    out({ event: "listening", port: server.address.port });
    process.once("SIGTERM", () => {
      clearTimeout(life);
      void server.close();
    });
    return;
  }
  if (mode === "send") {
    let client: UdpClient | undefined;
    try {
      client = await UdpClient.open(args.client!);
      await client.send(args.message ?? "hello");
      const d = await client.receive(args.timeoutMs ?? 2000);
      out({ event: "reply", from: d.address, data: d.data.toString("utf8") });
    } catch (e) {
      if (!(e instanceof NetkitError)) throw e;
      out(
        e.code === "ERR_SOCKET_TIMEOUT"
          ? { event: "timeout" }
          : { event: "error", code: e.code, message: e.message },
      );
    } finally {
      await client?.close();
      clearTimeout(life);
    }
    return;
  }
  throw new Error(`unknown mode ${mode}`);
}

await main();
