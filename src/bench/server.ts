/**
 * `netkit bench server` (I/O shell): an iperf3-compatible server. One test at a time (others get
 * ACCESS_DENIED); control and TCP data connections share the TCP port, UDP streams use the same
 * port number over UDP. iperf3 3.x clients and `netkit bench client` both work against it.
 *
 * @example
 * const srv = await startBenchServer({ port: 0 }, { onResult: (r) => console.log(r.streams) });
 * // iperf3 -c 127.0.0.1 -p srv.port
 * await srv.close();
 */
import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { NetkitError } from "../errors.js";
import { ControlChannel, readPrefix } from "./control_channel.js";
import {
  COOKIE_SIZE,
  cookieText,
  decodeParams,
  decodeResults,
  encodeResults,
  type IperfParams,
  type ResultsWire,
  State,
  UDP_CONNECT_MSG,
  UDP_CONNECT_REPLY,
} from "./iperf_protocol.js";
import { Meter } from "./meter.js";
import type { BenchResult, Interval } from "./result.js";
import { cpuPercent, type LocalStreamInfo, localResults, mergeResults } from "./session.js";
import {
  type BenchStream,
  type ByteBudget,
  drain,
  TcpReceiveStream,
  TcpSendStream,
  UdpReceiveStream,
  UdpSendStream,
} from "./streams.js";
import {
  FastTcpReceiveStream,
  FastUdpReceiveStream,
  FastUdpSendStream,
  fastUdpAccept,
  fastUdpAvailable,
  takeSocketFd,
} from "./udp_fast.js";

export interface BenchServerOptions {
  /** TCP (and UDP) port; 0 picks a free one (default 5201 in the CLI). */
  port: number;
  /**
   * Address to bind. Absent: every address, IPv6 and IPv4 (dual-stack "::", or "0.0.0.0" where
   * the kernel has no IPv6), as `iperf3 -s` does.
   */
  host?: string;
  /** Restrict the default (no `host`) to one family: 4 = "0.0.0.0", 6 = "::" IPv6 only (`-4`/`-6`). */
  family?: 4 | 6;
  /** Reporting interval in seconds (0: none). */
  interval?: number;
  /** Serve one test, then stop (`-1`). */
  once?: boolean;
  /** Use the sendmmsg/recvmmsg worker path for UDP when available (default true). */
  fast?: boolean;
}

export interface BenchServerHandlers {
  onTestStart?(info: {
    peer: { host: string; port: number };
    params: IperfParams;
    streams: LocalStreamInfo[];
  }): void;
  onInterval?(iv: Interval): void;
  onResult?(r: BenchResult): void;
  onTestError?(e: unknown): void;
}

export interface BenchServer {
  readonly port: number;
  /** The address listened on ("::" for dual-stack). */
  readonly host: string;
  /**
   * Stop the running test now as iperf3 -s does on Ctrl-C: its partial result goes to onResult
   * (with `ended: "interrupted"`) and the client is sent SERVER_TERMINATE. Resolves when the test
   * is gone (at once when none runs).
   */
  interrupt(): Promise<void>;
  /** Resolves when the server stopped (after one test with `once`, or after close()). */
  readonly done: Promise<void>;
  close(): Promise<void>;
}

interface PendingTest {
  cookie: string;
  onData(sock: net.Socket, rest: Buffer): void;
  /** Resolves when the test released its sockets and workers. */
  finished: Promise<void>;
}

const CONTROL_TIMEOUT = 10_000;

/** Start the server; resolves once it listens. */
export async function startBenchServer(
  opts: BenchServerOptions,
  h: BenchServerHandlers = {},
): Promise<BenchServer> {
  let host = opts.host ?? (opts.family === 4 ? "0.0.0.0" : "::");
  const v6only = opts.host === undefined && opts.family === 6;
  const server = net.createServer({ noDelay: true });
  let interruptTest: (() => void) | null = null;
  let current: (PendingTest & { ending: boolean }) | null = null;
  let closing = false;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  const open = new Set<net.Socket>();

  server.on("connection", (sock) => {
    open.add(sock);
    sock.on("close", () => open.delete(sock));
    sock.on("error", () => {});
    readPrefix(sock, COOKIE_SIZE, CONTROL_TIMEOUT).then(
      ({ head, rest }) => {
        const cookie = cookieText(head);
        if (current !== null && cookie === current.cookie) {
          current.onData(sock, rest);
          return;
        }
        start(sock, cookie, rest);
      },
      () => sock.destroy(),
    );
  });

  function start(sock: net.Socket, cookie: string, rest: Buffer): void {
    if (current?.ending) {
      // The previous test is only releasing its resources: queue behind it.
      const prev = current;
      void prev.finished.then(() => start(sock, cookie, rest));
      return;
    }
    if (current !== null || closing) {
      const b = Buffer.alloc(1);
      b.writeInt8(State.ACCESS_DENIED, 0);
      sock.end(b);
      return;
    }
    let finish: () => void = () => {};
    const test: PendingTest & { ending: boolean } = {
      cookie,
      onData: (s) => s.destroy(),
      finished: new Promise<void>((r) => {
        finish = r;
      }),
      ending: false,
    };
    current = test;
    const stop = new AbortController();
    interruptTest = () => stop.abort();
    runServerTest(sock, rest, test, port, host, v6only, opts, h, stop.signal, () => {
      test.ending = true;
    })
      .then((r) => h.onResult?.(r))
      .catch((e) => h.onTestError?.(e))
      .finally(() => {
        interruptTest = null;
        current = null;
        sock.destroy();
        finish();
        if (opts.once) void close();
      });
  }

  const listenOn = (hst: string) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ port: opts.port, host: hst, ipv6Only: v6only }, () => {
        server.off("error", reject);
        resolve();
      });
    });
  try {
    await listenOn(host).catch((e: NodeJS.ErrnoException) => {
      // No IPv6 in this kernel: IPv4 only, as iperf3 -s falls back.
      const noV6 = e.code === "EAFNOSUPPORT" || e.code === "EADDRNOTAVAIL";
      if (opts.host !== undefined || opts.family !== undefined || !noV6) throw e;
      host = "0.0.0.0";
      return listenOn(host);
    });
  } catch (e) {
    throw new NetkitError("ERR_IO", `cannot listen on ${host} port ${opts.port}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const port = (server.address() as net.AddressInfo).port;

  async function close(): Promise<void> {
    if (closing) return done;
    closing = true;
    await new Promise<void>((r) => server.close(() => r()));
    for (const s of open) s.destroy();
    resolveDone();
    return done;
  }
  async function interrupt(): Promise<void> {
    const t = current;
    if (t === null || interruptTest === null) return;
    interruptTest();
    await t.finished;
  }
  return { port, host, done, close, interrupt };
}

/** "::ffff:127.0.0.1" → "127.0.0.1" (a dual-stack socket's view of an IPv4 peer), else unchanged. */
function unmapped(a: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(a) ? a.slice(7) : a;
}

async function runServerTest(
  ctrlSock: net.Socket,
  initial: Buffer,
  test: PendingTest,
  port: number,
  host: string,
  v6only: boolean,
  opts: BenchServerOptions,
  h: BenchServerHandlers,
  signal: AbortSignal,
  onEnding: () => void,
): Promise<BenchResult> {
  const interval = opts.interval ?? 1;
  const ch = new ControlChannel(ctrlSock, initial);
  ctrlSock.resume();
  const peer = { host: unmapped(ctrlSock.remoteAddress ?? ""), port: ctrlSock.remotePort ?? 0 };
  const timestamp = Date.now() / 1000;
  ch.writeState(State.PARAM_EXCHANGE);
  const rawParams = await ch.readJson(CONTROL_TIMEOUT);
  if (rawParams.sctp === true || rawParams.sctp === 1) {
    // As iperf3 -s where the kernel has no SCTP: "unable to start stream listener" (IESTREAMLISTEN
    // 202), errno EPROTONOSUPPORT (93). netkit speaks TCP and UDP only.
    ch.writeServerError(202, 93);
    throw new NetkitError(
      "ERR_BENCH_PROTOCOL",
      "the client asked for SCTP (netkit bench speaks TCP and UDP)",
    );
  }
  const params = decodeParams(rawParams);
  const udpTest = params.protocol === "udp";
  const wanted = params.parallel * (params.bidirectional ? 2 : 1);
  // Streams 1..P are the client's sending streams unless -R; with --bidir the second half is ours.
  const weSend = (k: number) => (params.bidirectional ? k >= params.parallel : params.reverse);
  const streamId = (k: number) => (k === 0 ? 1 : k + 2);
  // The server's senders (-R, --bidir) do not stop at -n/-k: like iperf3 -s they send until the
  // client, which counts what arrives, says TEST_END. With UDP loss the client would otherwise
  // never see its byte count and both sides would wait forever.
  const budget: ByteBudget = { left: Number.POSITIVE_INFINITY };
  const streams: BenchStream[] = [];
  const infos: LocalStreamInfo[] = [];
  const dataSockets: net.Socket[] = [];
  let udpSock: dgram.Socket | null = null;
  const udpPeers = new Map<string, BenchStream>();
  const fast = udpTest && opts.fast !== false && fastUdpAvailable();
  const fastTcp = !udpTest && opts.fast !== false && fastUdpAvailable();

  try {
    const allConnected = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new NetkitError("ERR_BENCH_TIMEOUT", "the client did not open its streams in time")),
        CONTROL_TIMEOUT,
      );
      ctrlSock.once("close", () =>
        reject(new NetkitError("ERR_BENCH_PROTOCOL", "the client closed the control connection")),
      );
      const added = () => {
        if (streams.length === wanted) {
          clearTimeout(timer);
          resolve();
        }
      };
      if (!udpTest) {
        test.onData = (sock, rest) => {
          if (streams.length >= wanted) return void sock.destroy();
          const k = streams.length;
          const id = streamId(k);
          dataSockets.push(sock);
          let s: BenchStream;
          const fd = !weSend(k) && fastTcp && rest.length === 0 ? takeSocketFd(sock) : -1;
          if (weSend(k)) {
            s = new TcpSendStream(id, sock, params.len, budget, undefined, params.bandwidth);
          } else if (fd >= 0) {
            // Node no longer reads this socket: a worker reads the descriptor directly.
            s = new FastTcpReceiveStream(id, fd);
          } else {
            const r = new TcpReceiveStream(id);
            sock.on("data", (d: Buffer) => r.count(d.length));
            s = r;
            if (rest.length > 0) r.count(rest.length);
          }
          if (!(s instanceof FastTcpReceiveStream)) sock.resume();
          streams.push(s);
          infos.push({
            id,
            sender: s.sender,
            local: { host: unmapped(sock.localAddress ?? ""), port: sock.localPort ?? 0 },
            remote: { host: unmapped(sock.remoteAddress ?? ""), port: sock.remotePort ?? 0 },
          });
          added();
        };
      } else {
        const sock = dgram.createSocket({
          type: net.isIPv6(host) ? "udp6" : "udp4",
          reuseAddr: true,
          ipv6Only: v6only,
        });
        udpSock = sock;
        sock.on("error", (e) => reject(new NetkitError("ERR_IO", `UDP socket: ${e.message}`, { cause: e })));
        sock.on("message", (msg, rinfo) => {
          const key = `${rinfo.address}|${rinfo.port}`;
          const known = udpPeers.get(key);
          if (known !== undefined) {
            if (msg.length === 4 && msg.equals(UDP_CONNECT_MSG)) {
              // The client did not get our reply (lossy path) and asks again.
              sock.send(UDP_CONNECT_REPLY, rinfo.port, rinfo.address);
              return;
            }
            if (known instanceof UdpReceiveStream) known.onDatagram(msg);
            return;
          }
          if (streams.length >= wanted || msg.length !== 4) return;
          const k = streams.length;
          const id = streamId(k);
          let s: BenchStream;
          if (fast) {
            let fd: number;
            try {
              fd = fastUdpAccept(host, port, rinfo.address, rinfo.port);
            } catch (e) {
              reject(e);
              return;
            }
            s = weSend(k)
              ? new FastUdpSendStream(id, fd, params.len, params.bandwidth, params.udpCounters64bit)
              : new FastUdpReceiveStream(id, fd, params.len, params.udpCounters64bit);
          } else if (weSend(k)) {
            s = new UdpSendStream(
              id,
              {
                send: (hdr, payload) => sock.send([hdr, payload], rinfo.port, rinfo.address),
                backlog: () => sock.getSendQueueCount(),
              },
              params.len,
              params.bandwidth,
              params.udpCounters64bit,
              budget,
            );
          } else {
            s = new UdpReceiveStream(id, params.udpCounters64bit);
          }
          udpPeers.set(key, s);
          streams.push(s);
          infos.push({
            id,
            sender: s.sender,
            local: { host: unmapped(host), port },
            remote: { host: unmapped(rinfo.address), port: rinfo.port },
          });
          if (!fast) sock.send(UDP_CONNECT_REPLY, rinfo.port, rinfo.address);
          added();
        });
      }
    });
    allConnected.catch(() => {});
    if (udpSock !== null) {
      const u = udpSock as dgram.Socket;
      await new Promise<void>((resolve, reject) => {
        u.once("error", reject);
        u.bind({ port, address: host }, () => {
          u.off("error", reject);
          u.setRecvBufferSize(4 * 1024 * 1024);
          u.setSendBufferSize(4 * 1024 * 1024);
          resolve();
        });
      }).catch((e: Error) => {
        throw new NetkitError("ERR_IO", `cannot bind UDP port ${port}: ${e.message}`, { cause: e });
      });
    }
    ch.writeState(State.CREATE_STREAMS);
    await allConnected;
    await Promise.all(streams.map((s) => (s as { ready?: Promise<void> }).ready));
    h.onTestStart?.({ peer, params, streams: infos });

    ch.writeState(State.TEST_START);
    ch.writeState(State.TEST_RUNNING);
    const t0 = performance.now() / 1000;
    const cpu0 = process.cpuUsage();
    const meter = new Meter(streams, t0, params.omit);
    const omitTimer =
      params.omit > 0 ? setTimeout(() => meter.rebase(performance.now() / 1000), params.omit * 1000) : null;
    for (const s of streams) s.start();
    const ticker =
      interval > 0
        ? setInterval(() => h.onInterval?.(meter.sample(performance.now() / 1000)), interval * 1000)
        : null;
    // -t 0 (and -n / -k, whose end the client decides) have no time limit, as with iperf3 -s.
    const limit = params.time > 0 ? (params.time + params.omit + 30) * 1000 : 2_000_000_000;
    const INTERRUPTED = -1000;
    let st: number;
    let onAbort: () => void = () => {};
    try {
      st = await Promise.race([
        ch.readState(limit),
        new Promise<number>((resolve) => {
          onAbort = () => resolve(INTERRUPTED);
          if (signal.aborted) onAbort();
          else signal.addEventListener("abort", onAbort, { once: true });
        }),
      ]);
    } finally {
      signal.removeEventListener("abort", onAbort);
      if (ticker) clearInterval(ticker);
      if (omitTimer) clearTimeout(omitTimer);
      for (const s of streams) if (s.sender) s.stop();
      await Promise.all(streams.map((s) => (s.sender ? s.close?.() : undefined)));
    }
    if (st === INTERRUPTED || st === State.CLIENT_TERMINATE) {
      // iperf3 -s on Ctrl-C, or told by the client's Ctrl-C: this side's figures so far.
      const t1 = performance.now() / 1000;
      if (st === INTERRUPTED) ch.writeState(State.SERVER_TERMINATE);
      await drain(streams, 0);
      const totals = meter.totals(t1);
      onEnding();
      // Interrupted here: keep the data streams open until the client has read SERVER_TERMINATE
      // and closed the control connection (at most 2 s). Cut at once, a sending iperf3 client can
      // fail on a write ("Broken pipe") before it reads why the test ended.
      if (st === INTERRUPTED) await peerClosed(ctrlSock, 2000);
      return {
        role: "server",
        params,
        cookie: test.cookie,
        timestamp,
        peer,
        intervals: meter.intervals,
        streams: mergeResults(infos, totals, null, udpTest),
        seconds: totals.seconds,
        peerVersion: params.clientVersion,
        ended: st === INTERRUPTED ? "interrupted" : "peer-terminated",
      };
    }
    if (st !== State.TEST_END) unexpected(st);
    const t1 = performance.now() / 1000;
    // As iperf3's server does at TEST_END: close the data streams (a reverse-mode iperf3 client may
    // sit in a blocking read until they close). Sending sides flush what is queued first.
    for (const [k, sock] of dataSockets.entries()) if (streams[k]?.sender) sock.end();
    const want = params.num > 0 ? params.num : (params.blocks ?? 0) * params.len;
    if (!udpTest && want > 0 && streams.some((x) => !x.sender)) {
      // A byte count (-n): the client ends right after its last write; let every byte arrive
      // (retransmissions on a lossy path take a while), at most 10 s.
      const until = Date.now() + 10_000;
      const got = () => streams.reduce((a, x) => a + (x.sender ? 0 : x.bytes), 0);
      while (got() < want && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    }
    await drain(streams);
    for (const sock of dataSockets) if (!sock.writableLength) sock.destroy();
    const last = meter.intervals.at(-1);
    // The last, partial interval too (iperf3 keeps it when it is long enough or moved bytes; a
    // test shorter than one interval then still has one).
    if (interval > 0 && (last === undefined || t1 - t0 - last.end > 0.05)) h.onInterval?.(meter.sample(t1));
    const totals = meter.totals(t1);
    const cpu = cpuPercent(cpu0, process.cpuUsage(), t1 - t0);
    ch.writeState(State.EXCHANGE_RESULTS);
    const peerResults: ResultsWire = decodeResults(await ch.readJson(CONTROL_TIMEOUT));
    ch.writeJson(encodeResults(localResults(infos, totals, cpu, udpTest)));
    ch.writeState(State.DISPLAY_RESULTS);
    // The client answers IPERF_DONE; an old client may just close.
    await ch.readState(CONTROL_TIMEOUT).catch(() => State.IPERF_DONE);
    onEnding();
    return {
      role: "server",
      params,
      cookie: test.cookie,
      timestamp,
      peer,
      intervals: meter.intervals,
      streams: mergeResults(infos, totals, peerResults, udpTest),
      seconds: totals.seconds,
      peerVersion: params.clientVersion,
    };
  } finally {
    for (const s of streams) s.stop();
    await Promise.all(streams.map((s) => s.close?.()));
    for (const s of dataSockets) s.destroy();
    if (udpSock !== null) (udpSock as dgram.Socket).close();
  }
}

/** Resolves when the peer has closed `sock` (at once if it is closed already), at most after `ms`. */
function peerClosed(sock: net.Socket, ms: number): Promise<void> {
  if (sock.destroyed || sock.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      sock.off("end", done);
      sock.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    sock.once("end", done);
    sock.once("close", done);
  });
}

function unexpected(st: number): never {
  if (st === State.CLIENT_TERMINATE) throw new NetkitError("ERR_BENCH_PROTOCOL", "the client ended the test");
  throw new NetkitError("ERR_BENCH_PROTOCOL", `unexpected control state ${st}`);
}

/** A random cookie (exported for the client). */
export function randomCookieBytes(n: number): Uint8Array {
  return randomBytes(n);
}
