/**
 * The netcat loop for one stream connection: stdin → socket and socket → stdout, binary-safe and
 * never line-buffered, with backpressure both ways. The two directions are independent:
 *
 * - the peer's FIN ends only our reading; we keep sending stdin until it ends (OpenBSD nc and
 *   ncat as connectors do the same);
 * - our stdin's EOF shuts down our write side (half-close; not with `noShutdown`) once every byte
 *   was handed to the kernel, and reading goes on until the peer's FIN.
 *
 * The loop ends when both directions are done, or earlier as the options say: `sendOnly` after
 * stdin EOF, `quitAfterEof` (-q) that many ms after stdin EOF (our bytes flushed first), `recvOnly`
 * at the peer's FIN, `idleTimeout` (-w) after silence, a reset, or `stop`.
 */
import type { Duplex, Readable, Writable } from "node:stream";
import { CrlfConverter, type HexDumper } from "./hexdump.js";

export interface PipeOptions {
  /** Only send (ncat --send-only): received data is discarded, quit after stdin EOF. */
  sendOnly?: boolean;
  /** Only receive (ncat --recv-only, nc -d): stdin is not read; quit at the peer's FIN. */
  recvOnly?: boolean;
  /** Do not shut down the write side on stdin EOF (ncat --no-shutdown). */
  noShutdown?: boolean;
  /** With recvOnly: shut down the write side at once, as stdin is never read (OpenBSD nc -d -N). */
  shutdownAtOnce?: boolean;
  /** -C: LF → CRLF on send. */
  crlf?: boolean;
  hex?: HexDumper | undefined;
  /** -q: after stdin EOF (and our bytes flushed), quit after this many ms even if the peer stays open. */
  quitAfterEof?: number | undefined;
  /** -w: quit (as a failure) after this many ms without traffic. */
  idleTimeout?: number | undefined;
  /** -i: wait this many ms between lines sent. */
  intervalMs?: number | undefined;
}

export type PipeEnd = "closed" | "eof" | "idle" | "reset" | "stopped";

export interface PipeResult {
  end: PipeEnd;
  error?: Error;
  bytesIn: number;
  bytesOut: number;
}

/** How long a socket we stop using may still flush its last bytes and FIN before it is cut. */
const LINGER_MS = 1000;

/** Run the loop until the connection is over. `stop` ends it early (signals, --broker teardown). */
export function pipeStream(
  socket: Duplex,
  stdin: Readable,
  stdout: Writable,
  opts: PipeOptions = {},
  stop?: AbortSignal,
): Promise<PipeResult> {
  return new Promise((resolve) => {
    let done = false;
    let bytesIn = 0;
    let bytesOut = 0;
    let readDone = false; // the peer's FIN arrived (and everything before it went to stdout)
    let writeDone = Boolean(opts.recvOnly); // stdin ended and our bytes are in the kernel
    let idleTimer: NodeJS.Timeout | undefined;
    let quitTimer: NodeJS.Timeout | undefined;
    const finish = (end: PipeEnd, error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(idleTimer);
      clearTimeout(quitTimer);
      stop?.removeEventListener("abort", onStop);
      if (end === "closed" || end === "eof") {
        if (!socket.writableEnded) socket.end();
        if (!socket.destroyed) {
          // Let our last bytes and FIN go out while the peer's last bytes are read (and dropped:
          // closing with unread data would make the kernel answer with a reset).
          socket.on("data", () => {});
          socket.resume();
          setTimeout(() => socket.destroy(), LINGER_MS).unref();
        }
      } else socket.destroy();
      resolve({ end, ...(error ? { error } : {}), bytesIn, bytesOut });
    };
    const bothDone = () => {
      if (readDone && writeDone) finish("closed");
    };
    const onStop = () => finish("stopped");
    stop?.addEventListener("abort", onStop, { once: true });
    const touch = () => {
      if (opts.idleTimeout === undefined) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => finish("idle"), opts.idleTimeout);
    };
    touch();

    socket.on("data", (d: Buffer) => {
      if (done) return; // after -q/--send-only quit, late data is not ours to print
      bytesIn += d.length;
      touch();
      opts.hex?.received(d);
      if (opts.sendOnly) return;
      if (!stdout.write(d)) {
        socket.pause();
        stdout.once("drain", () => socket.resume());
      }
    });
    socket.on("end", () => {
      readDone = true;
      bothDone();
    });
    // A close without an error comes after both directions ended.
    socket.on("close", () => finish("closed"));
    socket.on("error", (e: Error) => finish("reset", e));

    /** Stdin is over: half-close (unless told not to) once our bytes are in the kernel. */
    const inputOver = async () => {
      if (!opts.noShutdown) await new Promise<void>((r) => socket.end(() => r()));
      else if (socket.writableNeedDrain) await new Promise((r) => socket.once("drain", r));
      if (done) return;
      writeDone = true;
      if (opts.sendOnly) finish("eof");
      else if (opts.quitAfterEof !== undefined && !readDone)
        quitTimer = setTimeout(() => finish("eof"), opts.quitAfterEof);
      else bothDone();
    };

    if (opts.recvOnly) {
      if (opts.shutdownAtOnce) socket.end();
      return;
    }
    const crlf = opts.crlf ? new CrlfConverter() : undefined;
    const send = async (chunk: Uint8Array) => {
      const data = crlf ? crlf.convert(chunk) : chunk;
      opts.hex?.sent(data);
      bytesOut += data.length;
      touch();
      if (!socket.write(data)) {
        await new Promise<void>((r) => {
          const go = () => {
            socket.off("drain", go);
            socket.off("close", go);
            r();
          };
          socket.on("drain", go);
          socket.on("close", go);
        });
      }
    };
    (async () => {
      for await (const chunk of stdin) {
        if (done) return;
        const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
        if (opts.intervalMs === undefined) await send(buf);
        else {
          // -i: one line at a time, with a pause between lines.
          let start = 0;
          while (start < buf.length && !done) {
            const nl = buf.indexOf(0x0a, start);
            const end = nl < 0 ? buf.length : nl + 1;
            await send(buf.subarray(start, end));
            start = end;
            await new Promise((r) => setTimeout(r, opts.intervalMs));
          }
        }
      }
      if (done) return;
      await inputOver();
    })().catch((e: unknown) => finish("reset", e instanceof Error ? e : new Error(String(e))));
  });
}
