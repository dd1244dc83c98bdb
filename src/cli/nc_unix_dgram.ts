/**
 * netcat over Unix datagram sockets (`netkit nc -U -u`, `netkit unix connect --dgram`): each stdin
 * read is one datagram; received datagrams go to stdout. The listener talks to its first peer
 * (with -k: replies go to the latest peer). Built on the library's Unix datagram server/client.
 */
import type { Handler } from "../sockets/handlers.js";
import { UnixDgramClient } from "../sockets/unix_dgram_client.js";
import { startUnixDgramServer } from "../sockets/unix_dgram_server.js";
import { CrlfConverter, HexDumper } from "./hexdump.js";
import type { CliIo } from "./io.js";

export interface UnixDgramNcOptions {
  path: string;
  quitAfterEofMs?: number | undefined;
  waitMs?: number | undefined;
  keepOpen?: boolean;
  verbose?: boolean;
  /** Where the hex dump goes (-x: stderr; --hex-dump FILE: the file); none without -x. */
  hex?: ((text: string) => void) | undefined;
  crlf?: boolean;
  sendOnly?: boolean;
  recvOnly?: boolean;
  intervalMs?: number | undefined;
}

function stopOnSignals(): { signal: AbortSignal; stop: () => void; release: () => void } {
  const ac = new AbortController();
  const on = () => ac.abort();
  process.once("SIGINT", on);
  process.once("SIGTERM", on);
  return {
    signal: ac.signal,
    stop: () => ac.abort(),
    release: () => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
    },
  };
}

function releaseStdin(io: CliIo): void {
  io.stdin.pause();
  if (io.stdin === process.stdin) process.stdin.destroy();
}

/** Client: like nc -u — quits 1 s (or -q) after stdin EOF; a path nobody serves exits 1. */
export async function ncUnixDgramConnect(o: UnixDgramNcOptions, io: CliIo): Promise<number> {
  const client = await UnixDgramClient.open({ path: o.path });
  if (o.verbose) io.stderr.write(`Connected to ${o.path} as ${client.local}\n`);
  const hex = o.hex ? new HexDumper(o.hex) : undefined;
  const crlf = o.crlf ? new CrlfConverter() : undefined;
  const { signal, stop, release } = stopOnSignals();
  let failure: unknown;
  let eof = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    const ms = eof ? (o.quitAfterEofMs ?? o.waitMs ?? 1000) : o.waitMs;
    if (ms !== undefined) timer = setTimeout(stop, ms);
  };
  arm();
  const receiving = (async () => {
    for await (const d of client) {
      hex?.received(d.data);
      arm();
      if (!o.sendOnly && !io.stdout.write(d.data)) await new Promise((r) => io.stdout.once("drain", r));
    }
  })().catch((e: unknown) => {
    if (!signal.aborted) {
      failure = e;
      stop();
    }
  });
  if (!o.recvOnly) {
    (async () => {
      for await (const chunk of io.stdin) {
        if (signal.aborted) return;
        const data = crlf ? crlf.convert(chunk as Buffer) : (chunk as Buffer);
        hex?.sent(data);
        await client.send(data);
        arm();
        if (o.intervalMs) await new Promise((r) => setTimeout(r, o.intervalMs));
      }
      eof = true;
      arm();
    })().catch((e: unknown) => {
      failure = e;
      stop();
    });
  }
  await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
  clearTimeout(timer);
  release();
  await client.close();
  await receiving;
  releaseStdin(io);
  if (failure) throw failure;
  return 0;
}

/** Listener: bind PATH, talk to the first peer (-k: the latest), until a signal or -w idle. */
export async function ncUnixDgramListen(o: UnixDgramNcOptions, io: CliIo): Promise<number> {
  const hex = o.hex ? new HexDumper(o.hex) : undefined;
  const crlf = o.crlf ? new CrlfConverter() : undefined;
  const { signal, stop, release } = stopOnSignals();
  let reply: ((d: Uint8Array) => Promise<void>) | undefined;
  let peerKnown: () => void = () => {};
  const havePeer = new Promise<void>((r) => (peerKnown = r));
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number | undefined) => {
    clearTimeout(timer);
    if (ms !== undefined) timer = setTimeout(stop, ms);
  };
  const handler: Handler = {
    name: "stdio",
    open(ctx) {
      return {
        async write(chunk) {
          if (reply === undefined && o.verbose)
            io.stderr.write(`Connection received from ${ctx.remoteAddress}\n`);
          reply = ctx.send; // the latest peer (the only one without -k)
          peerKnown();
          hex?.received(chunk);
          arm(o.waitMs);
          if (!o.sendOnly && !io.stdout.write(chunk)) await new Promise((r) => io.stdout.once("drain", r));
        },
        end: async () => {},
        destroy() {},
      };
    },
  };
  const server = await startUnixDgramServer({ path: o.path, handler, lockToFirstPeer: !o.keepOpen });
  if (o.verbose) io.stderr.write(`Bound on ${o.path}\n`);
  arm(o.waitMs);
  if (!o.recvOnly) {
    (async () => {
      await Promise.race([havePeer, new Promise((r) => signal.addEventListener("abort", r, { once: true }))]);
      for await (const chunk of io.stdin) {
        if (signal.aborted || reply === undefined) return;
        const data = crlf ? crlf.convert(chunk as Buffer) : (chunk as Buffer);
        hex?.sent(data);
        await reply(data);
      }
      if (o.quitAfterEofMs !== undefined) arm(o.quitAfterEofMs);
    })().catch(() => stop());
  }
  await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
  clearTimeout(timer);
  release();
  await server.close();
  releaseStdin(io);
  return 0;
}
