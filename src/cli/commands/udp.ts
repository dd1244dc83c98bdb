/**
 * `netkit udp serve` and `netkit udp send HOST PORT [MESSAGE]`: the notes' UDP server and client.
 */
import { UsageError } from "../../errors.js";
import { checkHost, literalFamily } from "../../sockets/resolve_host.js";
import { udpRequest } from "../../sockets/udp_client.js";
import { intFlag, parseFlags } from "../args.js";
import type { CliIo } from "../io.js";
import type { Command } from "../main.js";
import { runServe } from "../serve_run.js";
import { portArg, secondsFlag } from "../socket_args.js";
import {
  isMulticastLiteral,
  messageFrom,
  SERVE_HELP_FLAGS,
  SERVE_OPTIONS,
  serveSpec,
} from "../socket_command.js";

const HELP = `netkit udp — UDP server and client (notes §1.5)

Usage:
  netkit udp serve [options]
  netkit udp send HOST PORT [MESSAGE] [--timeout S] [--retries N] [--buffer N] [--json]

serve: bind, then for every datagram: receive (at most --buffer bytes, like recvfrom(1024)),
process with the handler, send the result back to the sender. A longer datagram is truncated
like recvfrom would, but counted and reported on stderr instead of silently cut.
  --buffer N           receive size in bytes (default 65535; the notes use 1024)
  --broadcast          set SO_BROADCAST (receiving broadcasts needs none, only --host 0.0.0.0;
                       replies go to the sender's unicast address)
  --multicast GROUP    join a multicast group, e.g. 239.1.2.3 (use --host 0.0.0.0: a socket bound
                       to 127.0.0.1 does not receive datagrams sent to a group)
  --multicast-if ADDR  the interface to join on, by address (127.0.0.1 keeps it on loopback)
  --ttl N              TTL (IPv6: hop limit) of the server's replies, 1–255 (default 64)
${SERVE_HELP_FLAGS}

send: one datagram (MESSAGE, or all of stdin), print the reply on stdout, exit 0; exit 1 with one
line on stderr on timeout or when the port is closed (ICMP port unreachable → connection refused).
  --timeout S          wait S seconds for each reply (default 2)
  --retries N          send again N times on timeout (default 0)
  --local-port N       bind the client to this port (default: an ephemeral one)
  --broadcast          send to a broadcast address (SO_BROADCAST)
  --ttl N              TTL of the datagram: 1–255; to a multicast group 0–255 (default 1;
                       0 = never leaves this host)
  --multicast-if ADDR  to a multicast group: send through the interface with this address
  --json               {"reply", "size", "truncated", "from", "local", "attempts", "rttMs"}

Examples:
  netkit udp serve --port 2000 --handler upper --buffer 1024
  netkit udp send 127.0.0.1 2000 'Hello, server!'          → HELLO, SERVER!
  echo hi | netkit udp send ::1 2000 --timeout 0.5 --retries 3
  netkit udp serve --host 127.0.0.1 --port 0 --json         (NDJSON events; port chosen by the kernel)
  netkit udp serve --host 127.0.0.1 --exec 'tr a-z A-Z'     (one process per peer)
  netkit udp serve --host 0.0.0.0 --port 5000 --multicast 239.1.2.3 --multicast-if 127.0.0.1
  netkit udp send 239.1.2.3 5000 hi --multicast-if 127.0.0.1 --ttl 0   (stays on this host)
  netkit udp serve --host 0.0.0.0 --port 5001 & netkit udp send 127.255.255.255 5001 hi --broadcast`;

export const udpCommand: Command = {
  summary: "UDP server and client",
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const sub = args[0];
    if (sub === "serve") {
      const spec = serveSpec("udp", parseFlags(args.slice(1), SERVE_OPTIONS));
      return runServe(spec, io);
    }
    if (sub === "send") {
      const { values: v, positionals: p } = parseFlags(args.slice(1), {
        timeout: { type: "string" },
        retries: { type: "string" },
        buffer: { type: "string" },
        "local-port": { type: "string" },
        broadcast: { type: "boolean" },
        ttl: { type: "string" },
        "multicast-if": { type: "string" },
        json: { type: "boolean" },
      });
      if (p.length < 2 || p.length > 3) throw new UsageError("netkit udp send HOST PORT [MESSAGE]");
      const port = portArg("PORT", p[1]);
      if (port === 0) throw new UsageError("PORT must not be 0 for send");
      checkHost(p[0]!);
      const timeout = secondsFlag("timeout", v.timeout) ?? 2000;
      const retries = intFlag("retries", v.retries, 0, 100) ?? 0;
      const buffer = intFlag("buffer", v.buffer, 1, 65535);
      const localPort =
        v["local-port"] === undefined ? undefined : portArg("--local-port", v["local-port"] as string);
      const group = isMulticastLiteral(p[0]!);
      const ttl = intFlag("ttl", v.ttl, 0, 255);
      if (ttl === 0 && !group)
        throw new UsageError("--ttl 0 is for multicast groups only (a unicast TTL is 1–255)");
      const mif = v["multicast-if"] as string | undefined;
      if (mif !== undefined && !group) throw new UsageError("--multicast-if is for multicast destinations");
      if (mif !== undefined && literalFamily(mif) === undefined)
        throw new UsageError(`--multicast-if takes a local interface address (127.0.0.1), got "${mif}"`);
      const message = await messageFrom(p[2], io.stdin, 65507);
      const t0 = performance.now();
      const r = await udpRequest({
        host: p[0]!,
        port,
        message,
        timeout,
        retries,
        buffer,
        localPort,
        broadcast: v.broadcast === true,
        ...(group ? { multicastTtl: ttl, multicastInterface: mif } : { ttl }),
      });
      const rttMs = Math.round((performance.now() - t0) * 1000) / 1000;
      if (r.truncated)
        io.stderr.write(`netkit: warning: reply of ${r.size} bytes truncated to --buffer ${buffer}\n`);
      if (v.json === true) {
        io.stdout.write(
          `${JSON.stringify({
            reply: r.data.toString("utf8"),
            size: r.size,
            truncated: r.truncated,
            from: { address: r.address, port: r.port },
            local: r.local,
            attempts: r.attempts,
            rttMs,
          })}\n`,
        );
      } else io.stdout.write(r.data);
      return 0;
    }
    throw new UsageError(
      `netkit udp: expected "serve" or "send", got ${sub === undefined ? "nothing" : `"${sub}"`}`,
    );
  },
};
