/**
 * `netkit unix serve|send|connect PATH [--dgram]`: the TCP/UDP commands over Unix domain sockets.
 * Streams use node:net; datagrams (--dgram) use the FFI layer (Node's dgram has no AF_UNIX).
 */
import { UsageError } from "../../errors.js";
import { tcpConnect, tcpRequest } from "../../sockets/tcp_client.js";
import { unixDgramRequest } from "../../sockets/unix_dgram_client.js";
import { intFlag, parseFlags } from "../args.js";
import type { CliIo } from "../io.js";
import type { Command } from "../main.js";
import { ncUnixDgramConnect } from "../nc_unix_dgram.js";
import { runServe } from "../serve_run.js";
import { secondsFlag } from "../socket_args.js";
import { messageFrom, SERVE_OPTIONS, serveSpec, UNIX_SERVE_HELP_FLAGS } from "../socket_command.js";
import { exitFor, pipeWithSignals } from "../stream_connect.js";

const HELP = `netkit unix — Unix domain sockets (AF_UNIX): streams, and datagrams with --dgram

Usage:
  netkit unix serve PATH [--dgram] [options]
  netkit unix send PATH [MESSAGE] [--dgram] [--timeout S] [--retries N] [--buffer N] [--json]
  netkit unix connect PATH [--dgram]

Streams (SOCK_STREAM): the same as netkit tcp serve|send|connect, with a socket file instead of
host and port (no --host, --port, --allow, --deny: file permissions decide who may connect).
Datagrams (--dgram, SOCK_DGRAM): the same as netkit udp serve|send: --buffer truncates and counts,
empty datagrams are answered; the client binds an automatic abstract name so replies reach it.
The socket file is removed when the server stops. A path starting with @ is a Linux abstract
name, exactly those bytes (no file; socat ABSTRACT-*, Python '\0name' and ss -x agree).
connect: as tcp connect, the two directions independent (half-close both ways).
${UNIX_SERVE_HELP_FLAGS}
  --buffer N           (--dgram) receive size in bytes (default 65535)
  --retries N          (send --dgram) send again N times on timeout

Examples:
  netkit unix serve /tmp/demo.sock --handler upper -k
  netkit unix send /tmp/demo.sock 'Hello, server!'          → HELLO, SERVER!
  netkit unix serve /tmp/dgram.sock --dgram --handler upper --buffer 1024
  netkit unix send /tmp/dgram.sock 'Hello, server!' --dgram → HELLO, SERVER!
  netkit unix connect /tmp/demo.sock < request.bin > reply.bin
  netkit unix serve @demo --handler upper -k                 (abstract: no file)`;

export const unixCommand: Command = {
  summary: "Unix socket servers and clients (stream and datagram)",
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const sub = args[0];
    const dgram = args.includes("--dgram");
    const rest = args.slice(1).filter((a) => a !== "--dgram");
    if (sub === "serve") {
      const spec = serveSpec("unix", parseFlags(rest, SERVE_OPTIONS), dgram);
      return runServe(spec, io); // PATH @name: a Linux abstract name, byte for byte (no file, no padding)
    }
    if (sub === "send" || sub === "connect") {
      const { values: v, positionals: p } = parseFlags(rest, {
        timeout: { type: "string" },
        retries: { type: "string" },
        buffer: { type: "string" },
        json: { type: "boolean" },
      });
      const max = sub === "send" ? 2 : 1;
      if (p.length < 1 || p.length > max)
        throw new UsageError(`netkit unix ${sub} PATH${sub === "send" ? " [MESSAGE]" : ""}`);
      if (!dgram && (v.retries !== undefined || v.buffer !== undefined))
        throw new UsageError("--retries and --buffer are for --dgram");
      if (sub === "connect" && (v.json !== undefined || v.retries !== undefined))
        throw new UsageError("connect passes raw bytes: --json and --retries are for send");
      const timeout = secondsFlag("timeout", v.timeout);
      const target = p[0]!;
      if (sub === "connect") {
        if (dgram) return ncUnixDgramConnect({ path: target, quitAfterEofMs: timeout }, io);
        const socket = await tcpConnect({ path: target, timeout: timeout ?? 10_000 });
        return exitFor(await pipeWithSignals(socket, io, {}), io);
      }
      if (dgram) {
        const buffer = intFlag("buffer", v.buffer, 1, 65535);
        const message = await messageFrom(p[1], io.stdin, 212_992);
        const r = await unixDgramRequest({
          path: target,
          message,
          timeout: timeout ?? 2000,
          retries: intFlag("retries", v.retries, 0, 100) ?? 0,
          buffer,
        });
        if (r.truncated)
          io.stderr.write(`netkit: warning: reply of ${r.size} bytes truncated to --buffer ${buffer}\n`);
        if (v.json === true)
          io.stdout.write(
            `${JSON.stringify({ reply: r.data.toString("utf8"), size: r.size, truncated: r.truncated, from: r.from })}\n`,
          );
        else io.stdout.write(r.data);
        return 0;
      }
      const message = await messageFrom(p[1], io.stdin, 64 * 1024 * 1024);
      const reply = await tcpRequest({ path: target, message, timeout: timeout ?? 10_000 });
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
