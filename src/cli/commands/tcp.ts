/**
 * `netkit tcp serve`, `netkit tcp send HOST PORT [MESSAGE]`, `netkit tcp connect HOST PORT`.
 */
import { UsageError } from "../../errors.js";
import { checkHost } from "../../sockets/resolve_host.js";
import { tcpConnect, tcpRequest } from "../../sockets/tcp_client.js";
import { parseFlags } from "../args.js";
import type { CliIo } from "../io.js";
import type { Command } from "../main.js";
import { runServe } from "../serve_run.js";
import { portArg, secondsFlag } from "../socket_args.js";
import { messageFrom, SERVE_HELP_FLAGS, SERVE_OPTIONS, serveSpec } from "../socket_command.js";
import { exitFor, pipeWithSignals } from "../stream_connect.js";

const HELP = `netkit tcp — TCP server and clients (notes §1.6)

Usage:
  netkit tcp serve [options]
  netkit tcp send HOST PORT [MESSAGE] [--timeout S] [--json]
  netkit tcp connect HOST PORT [--timeout S]

serve: listen, accept, and run the handler on each connection's byte stream. When the client
shuts down its write side, the last reply is sent, then ours is shut down (half-close).
  --keepalive          TCP keepalive probes on idle connections
  --no-delay           TCP_NODELAY (no Nagle delay for small writes)
${SERVE_HELP_FLAGS}

send: connect, send MESSAGE (or all of stdin), shut down the write side, print everything the
server sends until it closes. Exit 1 with one line on stderr when refused or timed out.
connect: an interactive netcat-style session: stdin to the server, the server to stdout;
stdin EOF half-closes, the server's FIN ends only reading (stdin is still sent); it ends when
both directions are done.
  --timeout S          send: the whole exchange (default 10); connect: connecting

Examples:
  netkit tcp serve --port 2000 --handler upper -k
  netkit tcp send 127.0.0.1 2000 'Hello, server!'       → HELLO, SERVER!
  netkit tcp serve --host 127.0.0.1 --port 0 --exec cat --max-conns 10 -k --json
  tar c dir | netkit tcp connect 127.0.0.1 2000 > reply.bin`;

export const tcpCommand: Command = {
  summary: "TCP server and clients",
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const sub = args[0];
    if (sub === "serve") return runServe(serveSpec("tcp", parseFlags(args.slice(1), SERVE_OPTIONS)), io);
    if (sub === "send" || sub === "connect") {
      const { values: v, positionals: p } = parseFlags(args.slice(1), {
        timeout: { type: "string" },
        json: { type: "boolean" },
      });
      const max = sub === "send" ? 3 : 2;
      if (p.length < 2 || p.length > max)
        throw new UsageError(`netkit tcp ${sub} HOST PORT${sub === "send" ? " [MESSAGE]" : ""}`);
      const port = portArg("PORT", p[1]);
      if (port === 0) throw new UsageError("PORT must not be 0");
      checkHost(p[0]!);
      const timeout = secondsFlag("timeout", v.timeout);
      if (sub === "connect") {
        if (v.json !== undefined) throw new UsageError("--json is for send; connect passes raw bytes");
        const socket = await tcpConnect({ host: p[0]!, port, timeout: timeout ?? 10_000 });
        return exitFor(await pipeWithSignals(socket, io, {}), io);
      }
      const message = await messageFrom(p[2], io.stdin, 64 * 1024 * 1024);
      const reply = await tcpRequest({ host: p[0]!, port, message, timeout: timeout ?? 10_000 });
      if (v.json === true)
        io.stdout.write(
          `${JSON.stringify({ reply: reply.toString("utf8"), size: reply.length, sent: message.length })}\n`,
        );
      else io.stdout.write(reply);
      return 0;
    }
    throw new UsageError(
      `netkit tcp: expected "serve", "send" or "connect", got ${sub === undefined ? "nothing" : `"${sub}"`}`,
    );
  },
};
