/**
 * Glue for interactive stream sessions in the CLI: run {@link pipeStream} with SIGINT/SIGTERM
 * ending it, and map how it ended to an exit code (0 closed/eof, 1 reset/idle timeout).
 */
import type { Duplex } from "node:stream";
import { socketError } from "../sockets/socket_error.js";
import type { CliIo } from "./io.js";
import { type PipeOptions, type PipeResult, pipeStream } from "./stream_pipe.js";

export async function pipeWithSignals(socket: Duplex, io: CliIo, opts: PipeOptions): Promise<PipeResult> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const r = await pipeStream(socket, io.stdin, io.stdout, opts, stop.signal);
    // Every byte received reaches stdout before the command returns (and the process exits).
    if (io.stdout.writableNeedDrain) await new Promise((d) => io.stdout.once("drain", d));
    return r;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    // Stop reading stdin so the process can exit (a terminal or pipe would keep it alive).
    io.stdin.pause();
    if (io.stdin === process.stdin) process.stdin.destroy();
  }
}

/** Exit code for how a session ended, writing one stderr line for failures. */
export function exitFor(r: PipeResult, io: CliIo, quiet = false): number {
  if (r.end === "reset") {
    const err = socketError(r.error, "connection to", "peer");
    if (!quiet) io.stderr.write(`netkit: ${err.code}: ${err.message}\n`);
    return 1;
  }
  if (r.end === "idle") {
    if (!quiet) io.stderr.write("netkit: ERR_SOCKET_TIMEOUT: no traffic within the -w timeout\n");
    return 1;
  }
  return 0;
}
