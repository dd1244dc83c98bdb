/**
 * The UDP server's fast path (I/O shell): when the handler is a built-in and nothing needs
 * JavaScript per datagram, the server's own socket is handed to a worker thread that answers with
 * recvmmsg/sendmmsg, 64 datagrams per system call (udp_fast_echo_worker.ts). Node's `dgram`
 * stops reading the socket (libuv's recv is stopped), so exactly one reader owns it; counters come
 * back through shared memory and rare events (truncated, denied, errors) as messages.
 *
 * The socket is the one `dgram` bound (so binding, errors, IPv6 and options behave exactly as on
 * the ordinary path); its descriptor is reached through Node's internal handle, and when that is
 * not there (another runtime) or the FFI layer does not load, the server stays on `dgram`.
 *
 * @example
 * const fast = FastEcho.start(socket, { handler: "echo", limit: 65535, allow: [], deny: [],
 *   peerIdleTimeout: 30_000 }, (m) => console.log(m));
 * fast?.counters().datagrams;   // so far
 * await fast?.stop();           // the worker is gone; the socket is dgram's again (not reading)
 */
import type dgram from "node:dgram";
import { Worker } from "node:worker_threads";
import { mmsgAvailable, setBlocking, udpRecvTimeout } from "../native/mmsg.js";
import type { BuiltinHandlerName } from "./handlers.js";
import { FAST_COUNTERS, type FastEchoMessage, type FastEchoWorkerData } from "./udp_fast_echo_protocol.js";

export type FastCounters = Record<(typeof FAST_COUNTERS)[number], number>;

export interface FastEchoOptions {
  handler: BuiltinHandlerName;
  limit: number;
  allow: readonly string[];
  deny: readonly string[];
  peerIdleTimeout: number;
}

/** How often the worker looks at its stop flag while no datagram arrives (ms). */
const STOP_POLL_MS = 50;

interface UdpHandle {
  fd: number;
  recvStop(): number;
  recvStart(): number;
}

/** Node's UDP handle behind a dgram socket, if this runtime has the shape we rely on. */
function handleOf(socket: dgram.Socket): UdpHandle | undefined {
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === "state symbol");
  if (key === undefined) return undefined;
  const state = (socket as unknown as Record<symbol, { handle?: Partial<UdpHandle> } | undefined>)[key];
  const h = state?.handle;
  if (h === undefined || typeof h.fd !== "number" || h.fd < 0) return undefined;
  if (typeof h.recvStop !== "function" || typeof h.recvStart !== "function") return undefined;
  return h as UdpHandle;
}

/** True when the fast path can run here (FFI loads, and NETKIT_NO_MMSG is not set). */
export function fastEchoAvailable(): boolean {
  return process.env.NETKIT_NO_MMSG === undefined && mmsgAvailable();
}

export class FastEcho {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(8));
  private readonly nums = new Float64Array(new SharedArrayBuffer(8 * FAST_COUNTERS.length));
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly handle: UdpHandle,
    opts: FastEchoOptions,
    onMessage: (m: FastEchoMessage) => void,
    onExit: (error: Error | undefined) => void,
  ) {
    const data: FastEchoWorkerData = {
      fd: handle.fd,
      handler: opts.handler,
      limit: opts.limit,
      allow: [...opts.allow],
      deny: [...opts.deny],
      peerIdleTimeout: opts.peerIdleTimeout,
      ctrl: this.ctrl.buffer as SharedArrayBuffer,
      nums: this.nums.buffer as SharedArrayBuffer,
    };
    this.worker = new Worker(new URL("./udp_fast_echo_worker.js", import.meta.url), { workerData: data });
    this.worker.on("message", onMessage);
    let failure: Error | undefined;
    this.worker.on("error", (e) => {
      failure = e;
    });
    this.exited = new Promise((resolve) => {
      this.worker.once("exit", (code) => {
        this.release();
        if (failure === undefined && code !== 0 && this.stopping === undefined)
          failure = new Error(`the UDP fast-path worker exited with code ${code}`);
        // Messages the worker posted before it ended arrive first; report after them.
        setImmediate(() => {
          onExit(this.stopping === undefined ? failure : undefined);
          resolve();
        });
      });
    });
  }

  /**
   * Take over a bound dgram socket. Returns undefined (and leaves the socket alone) when the
   * fast path cannot run here. `onExit` is called with an Error if the worker died unasked; the
   * socket is then back in `dgram`'s hands (reading again).
   */
  static start(
    socket: dgram.Socket,
    opts: FastEchoOptions,
    onMessage: (m: FastEchoMessage) => void,
    onExit: (error: Error | undefined) => void = () => {},
  ): FastEcho | undefined {
    if (!fastEchoAvailable()) return undefined;
    const handle = handleOf(socket);
    if (handle === undefined) return undefined;
    if (handle.recvStop() !== 0) return undefined;
    try {
      // Blocking with a receive timeout: the worker sleeps in recvmmsg (one system call per
      // batch, no poll) and still sees its stop flag every STOP_POLL_MS.
      setBlocking(handle.fd, true);
      udpRecvTimeout(handle.fd, STOP_POLL_MS);
    } catch {
      handle.recvStart(); // could not set the socket up: dgram keeps serving, nothing changed
      return undefined;
    }
    return new FastEcho(handle, opts, onMessage, onExit);
  }

  private released = false;
  /** Give the socket back to libuv as it was: non-blocking, no receive timeout. */
  private release(): void {
    if (this.released) return;
    this.released = true;
    try {
      udpRecvTimeout(this.handle.fd, 0);
      setBlocking(this.handle.fd, false);
    } catch {
      // The descriptor is already closed: nothing left to restore.
    }
    if (this.stopping === undefined) this.handle.recvStart(); // died unasked: dgram serves on
  }

  /** The counters so far (a consistent snapshot). */
  counters(): FastCounters {
    for (;;) {
      const v = Atomics.load(this.ctrl, 1);
      const n = Array.from(this.nums);
      if (v % 2 === 0 && Atomics.load(this.ctrl, 1) === v)
        return Object.fromEntries(FAST_COUNTERS.map((k, i) => [k, n[i]!])) as FastCounters;
    }
  }

  /** Stop the loop (datagrams already received are answered first) and wait for the worker. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      Atomics.store(this.ctrl, 0, 2);
      Atomics.notify(this.ctrl, 0);
      await this.exited;
    })();
    return this.stopping;
  }
}
