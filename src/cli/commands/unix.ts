/**
 * `netkit unix serve|send|connect PATH`: the TCP commands over a Unix stream socket (AF_UNIX,
 * SOCK_STREAM). Unix datagram sockets (`--dgram`) need the FFI layer and are not available yet.
 */
import { NetkitError, UsageError } from "../../errors.js";
import { tcpConnect, tcpRequest } from "../../sockets/tcp_client.js";
import { parseFlags } from "../args.js";
import type { CliIo } from "../io.js";
import type { Command } from "../main.js";
import { runServe } from "../serve_run.js";
import { secondsFlag } from "../socket_args.js";
import { messageFrom, SERVE_HELP_FLAGS, SERVE_OPTIONS, serveSpec } from "../socket_command.js";
import { exitFor, pipeWithSignals } from "../stream_connect.js";

const HELP = `netkit unix — Unix domain stream sockets (AF_UNIX, SOCK_STREAM)

Usage:
  netkit unix serve PATH [options]
  netkit unix send PATH [MESSAGE] [--timeout S] [--json]
  netkit unix connect PATH

The same as netkit tcp serve|send|connect, with a socket file instead of host and port
(no --host, --port, --allow, --deny: file permissions decide who may connect). The socket file
is removed when the server stops. A path starting with @ is a Linux abstract name (no file).
--dgram (SOCK_DGRAM) is not available in this version: it needs the FFI layer.
${SERVE_HELP_FLAGS}

Examples:
  netkit unix serve /tmp/demo.sock --handler upper -k
  netkit unix send /tmp/demo.sock 'Hello, server!'        → HELLO, SERVER!
  netkit unix connect /tmp/demo.sock < request.bin > reply.bin`;

function path(p: string): string {
  // Node spells Linux abstract names with a leading NUL; people type @name (like ss does).
  return p.startsWith("@") ? `\0${p.slice(1)}` : p;
}

export const unixCommand: Command = {
  summary: "Unix stream socket server and clients",
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const sub = args[0];
    const rest = args.slice(1);
    if (rest.includes("--dgram"))
      throw new NetkitError(
        "ERR_NOT_IMPLEMENTED",
        "Unix datagram sockets (--dgram) are not available yet: Node's dgram has no AF_UNIX and the FFI layer for it is not built",
      );
    if (sub === "serve") {
      const spec = serveSpec("unix", parseFlags(rest, SERVE_OPTIONS));
      return runServe({ ...spec, path: path(spec.path!) }, io);
    }
    if (sub === "send" || sub === "connect") {
      const { values: v, positionals: p } = parseFlags(rest, {
        timeout: { type: "string" },
        json: { type: "boolean" },
      });
      const max = sub === "send" ? 2 : 1;
      if (p.length < 1 || p.length > max)
        throw new UsageError(`netkit unix ${sub} PATH${sub === "send" ? " [MESSAGE]" : ""}`);
      const timeout = secondsFlag("timeout", v.timeout) ?? 10_000;
      if (sub === "connect") {
        const socket = await tcpConnect({ path: path(p[0]!), timeout });
        return exitFor(await pipeWithSignals(socket, io, {}), io);
      }
      const message = await messageFrom(p[1], io.stdin, 64 * 1024 * 1024);
      const reply = await tcpRequest({ path: path(p[0]!), message, timeout });
      if (v.json === true)
        io.stdout.write(
          `${JSON.stringify({ reply: reply.toString("utf8"), size: reply.length, sent: message.length })}\n`,
        );
      else io.stdout.write(reply);
      return 0;
    }
    throw new UsageError(
      `netkit unix: expected "serve", "send" or "connect", got ${sub === undefined ? "nothing" : `"${sub}"`}`,
    );
  },
};
