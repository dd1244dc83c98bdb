/**
 * `netkit bench client` (I/O shell): an iperf3-compatible client. Runs a test against an
 * `iperf3 -s` server or `netkit bench server` and returns one {@link BenchResult}.
 *
 * @example
 * const r = await runBenchClient({ host: "127.0.0.1", port, protocol: "udp", bandwidth: 10e6, time: 1 });
 * r.streams[0].udp?.exact?.lost;
 */
import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { NetkitError } from "../errors.js";
import { udpLocalAddress } from "../native/mmsg.js";
import { hostPort, socketError } from "../sockets/socket_error.js";
import { ControlChannel } from "./control_channel.js";
import {
  cookieText,
  decodeResults,
  encodeParams,
  encodeResults,
  type IperfParams,
  isUdpConnectReply,
  makeCookie,
  State,
  UDP_CONNECT_MSG,
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
  FastUdpReceiveStream,
  FastUdpSendStream,
  fastUdpAvailable,
  fastUdpHandshake,
  fastUdpOpen,
} from "./udp_fast.js";

export interface BenchClientOptions {
  host: string;
  port: number;
  protocol?: "tcp" | "udp";
  /** Bits per second (UDP default 1 Mbit/s like iperf3; 0 = unlimited). */
  bandwidth?: number;
  /** Block / datagram size in bytes (TCP 128 KiB, UDP 1460). */
  len?: number;
  /** Seconds (default 10); ignored when `bytes` is set. */
  time?: number;
  /** Bytes to transfer instead of a time. */
  bytes?: number;
  /** Blocks (writes of `len` bytes, or datagrams) instead of a time: iperf3's `-k`. */
  blocks?: number;
  parallel?: number;
  reverse?: boolean;
  bidirectional?: boolean;
  /** Reporting interval, seconds (0: none). */
  interval?: number;
  /** Seconds at the start not counted in the totals. */
  omit?: number;
  udpCounters64bit?: boolean;
  version?: string;
  /** Use the sendmmsg/recvmmsg worker path for UDP when available (default true). */
  fast?: boolean;
  /** Address family for a host name (`-4` / `-6`); the streams then go to the control's address. */
  family?: 4 | 6;
  /**
   * Aborting it ends the test early as iperf3's Ctrl-C does: the server is sent CLIENT_TERMINATE
   * and the result holds this side's figures so far, with `ended: "interrupted"`.
   */
  signal?: AbortSignal;
}

export interface BenchClientHandlers {
  onConnected?(info: { streams: LocalStreamInfo[]; cookie: string }): void;
  onInterval?(iv: Interval): void;
}

const TIMEOUT = 10_000;

function connectTcp(
  host: string,
  port: number,
  onread?: (n: number, buf: Buffer) => void,
  family?: 4 | 6,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const opts: net.NetConnectOpts = { host, port, noDelay: true, ...(family ? { family } : {}) };
    if (onread !== undefined) {
      const buffer = Buffer.allocUnsafe(256 * 1024);
      (opts as net.TcpNetConnectOpts).onread = {
        buffer,
        callback: (n: number, b: Uint8Array) => {
          onread(n, b as Buffer);
          return true;
        },
      };
    }
    const s = net.connect(opts);
    const timer = setTimeout(() => {
      s.destroy();
      reject(
        new NetkitError("ERR_BENCH_TIMEOUT", `no connection to ${host} port ${port} within ${TIMEOUT} ms`),
      );
    }, TIMEOUT);
    s.once("connect", () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once("error", (e) => {
      clearTimeout(timer);
      // The same codes as every other command (ERR_CONN_REFUSED, ERR_CONN_RESET, …).
      reject(socketError(e, "connect to", hostPort(host, port)));
    });
  });
}

function connectUdp(host: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket(net.isIPv6(host) ? "udp6" : "udp4");
    const timer = setTimeout(() => {
      s.close();
      reject(
        new NetkitError("ERR_BENCH_TIMEOUT", "the server did not answer the UDP stream's first datagram"),
      );
    }, TIMEOUT);
    s.once("error", (e) => {
      clearTimeout(timer);
      reject(new NetkitError("ERR_IO", `UDP socket: ${e.message}`, { cause: e }));
    });
    // Resend every 250 ms until the reply: on a lossy path either datagram may be lost. Only the
    // reply stops it (in reverse mode the server's data may arrive before a repeated reply).
    const again = setInterval(() => s.send(UDP_CONNECT_MSG), 250);
    const onMsg = (m: Buffer) => {
      if (!isUdpConnectReply(m)) return;
      clearTimeout(timer);
      clearInterval(again);
      s.off("message", onMsg);
      resolve(s);
    };
    s.on("message", onMsg);
    s.once("error", () => clearInterval(again));
    s.once("close", () => clearInterval(again));
    s.connect(port, host, () => {
      s.setRecvBufferSize(4 * 1024 * 1024);
      s.setSendBufferSize(4 * 1024 * 1024);
      s.send(UDP_CONNECT_MSG);
    });
  });
}

/** Run one test; resolves with the merged result of both sides. */
export async function runBenchClient(
  o: BenchClientOptions,
  h: BenchClientHandlers = {},
): Promise<BenchResult> {
  const udpTest = o.protocol === "udp";
  const params: IperfParams = {
    protocol: udpTest ? "udp" : "tcp",
    omit: o.omit ?? 0,
    // 0 with no byte count: until interrupted (o.signal), as iperf3's -t 0.
    time: o.bytes || o.blocks ? 0 : (o.time ?? 10),
    num: o.bytes ?? 0,
    ...(o.blocks ? { blocks: o.blocks } : {}),
    parallel: o.parallel ?? 1,
    reverse: o.reverse ?? false,
    bidirectional: o.bidirectional ?? false,
    len: o.len ?? (udpTest ? 1460 : 128 * 1024),
    bandwidth: o.bandwidth ?? (udpTest ? 1_000_000 : 0),
    udpCounters64bit: o.udpCounters64bit ?? false,
    getServerOutput: false,
    clientVersion: o.version ?? "netkit",
  };
  const cookie = makeCookie(randomBytes);
  const ctrl = await connectTcp(o.host, o.port, undefined, o.family);
  // Streams go where the control connection went (a name is resolved once, in the family asked).
  const addr = ctrl.remoteAddress ?? o.host;
  const ch = new ControlChannel(ctrl);
  const streams: BenchStream[] = [];
  const infos: LocalStreamInfo[] = [];
  const tcpSockets: net.Socket[] = [];
  const udpSockets: dgram.Socket[] = [];
  const timestamp = Date.now() / 1000;
  // -n, or -k as that many blocks of `len` bytes (netkit's blocks are always full).
  const limit = params.num > 0 ? params.num : (params.blocks ?? 0) * params.len;
  const budget: ByteBudget = { left: limit > 0 ? limit : Number.POSITIVE_INFINITY };
  let finish: () => void = () => {};
  const finished = new Promise<void>((r) => {
    finish = r;
  });
  try {
    ctrl.write(cookie);
    const expect = async (want: number) => {
      const st = await ch.readState(TIMEOUT);
      if (st === want) return;
      if (st === State.ACCESS_DENIED)
        throw new NetkitError("ERR_BENCH_BUSY", "the server is busy running a test");
      if (st === State.SERVER_ERROR) throw new NetkitError("ERR_BENCH_PEER", "the server reported an error");
      if (st === State.SERVER_TERMINATE) throw new NetkitError("ERR_BENCH_PEER", "the server ended the test");
      throw new NetkitError("ERR_BENCH_PROTOCOL", `expected control state ${want}, got ${st}`);
    };
    await expect(State.PARAM_EXCHANGE);
    ch.writeJson(encodeParams(params));
    await expect(State.CREATE_STREAMS);
    const total = params.parallel * (params.bidirectional ? 2 : 1);
    // The batched worker path unless a byte budget (-n) has to be shared between streams.
    const fast = udpTest && o.fast !== false && limit === 0 && fastUdpAvailable();
    for (let k = 0; k < total; k++) {
      const id = k === 0 ? 1 : k + 2;
      const weSend = params.bidirectional ? k < params.parallel : !params.reverse;
      let s: BenchStream;
      let local: { host: string; port: number };
      if (!udpTest) {
        const r = weSend ? null : new TcpReceiveStream(id);
        const sock = await connectTcp(addr, o.port, r ? (n) => r.count(n) : undefined);
        tcpSockets.push(sock);
        sock.on("error", () => {});
        sock.write(cookie);
        s = r ?? new TcpSendStream(id, sock, params.len, budget, finish, params.bandwidth);
        local = { host: sock.localAddress ?? "", port: sock.localPort ?? 0 };
      } else if (fast) {
        // The worker first (held), then the handshake: the server starts its clock as soon as the
        // last stream's handshake arrives, and a worker takes a while to load on a busy machine.
        const fd = fastUdpOpen(addr, o.port);
        const f = weSend
          ? new FastUdpSendStream(id, fd, params.len, params.bandwidth, params.udpCounters64bit, true)
          : new FastUdpReceiveStream(id, fd, params.len, params.udpCounters64bit, true);
        streams.push(f); // closed (with its socket) by the finally below if anything fails
        await f.ready;
        await fastUdpHandshake(fd, addr, o.port);
        f.release();
        streams.pop();
        s = f;
        local = udpLocalAddress(fd);
      } else {
        const sock = await connectUdp(addr, o.port);
        udpSockets.push(sock);
        if (weSend) {
          s = new UdpSendStream(
            id,
            { send: (hdr, payload) => sock.send([hdr, payload]), backlog: () => sock.getSendQueueCount() },
            params.len,
            params.bandwidth,
            params.udpCounters64bit,
            budget,
            finish,
          );
        } else {
          const r = new UdpReceiveStream(id, params.udpCounters64bit);
          sock.on("message", (m) => r.onDatagram(m));
          s = r;
        }
        const a = sock.address();
        local = { host: a.address, port: a.port };
      }
      if (!s.sender) s.start(); // the server may send before TEST_RUNNING reaches us
      streams.push(s);
      infos.push({ id, sender: s.sender, local, remote: { host: addr, port: o.port } });
    }
    h.onConnected?.({ streams: infos, cookie: cookieText(cookie) });
    await expect(State.TEST_START);
    await expect(State.TEST_RUNNING);
    const t0 = performance.now() / 1000;
    const cpu0 = process.cpuUsage();
    const meter = new Meter(streams, t0, params.omit);
    const omitTimer =
      params.omit > 0 ? setTimeout(() => meter.rebase(performance.now() / 1000), params.omit * 1000) : null;
    for (const s of streams) if (s.sender) s.start();
    const interval = o.interval ?? 1;
    const ticker =
      interval > 0
        ? setInterval(() => h.onInterval?.(meter.sample(performance.now() / 1000)), interval * 1000)
        : null;
    const timers: NodeJS.Timeout[] = [];
    if (limit === 0 && params.time > 0) timers.push(setTimeout(finish, (params.time + params.omit) * 1000));
    else if (limit > 0 && streams.some((s) => !s.sender)) {
      // -R / --bidir with a byte count: done when that much arrived (iperf3's bytes_received), the
      // server sending until we say TEST_END.
      const poll = setInterval(() => {
        if (streams.reduce((a, s) => a + (s.sender ? 0 : s.bytes), 0) >= limit) finish();
      }, 5);
      timers.push(poll);
    }
    const INTERRUPTED = -1000;
    const aborted = new Promise<number>((resolve) => {
      if (o.signal === undefined) return;
      if (o.signal.aborted) resolve(INTERRUPTED);
      else o.signal.addEventListener("abort", () => resolve(INTERRUPTED), { once: true });
    });
    const peerGone = ch.readState(2_000_000_000).then(
      (st) => st,
      () => -100,
    );
    const early = await Promise.race([finished.then(() => null), peerGone, aborted]);
    for (const t of timers) clearTimeout(t);
    if (ticker) clearInterval(ticker);
    if (omitTimer) clearTimeout(omitTimer);
    for (const s of streams) if (s.sender) s.stop();
    // Worker senders stop asynchronously: wait, so that the counts are final.
    await Promise.all(streams.map((s) => (s.sender ? s.close?.() : undefined)));
    if (early === INTERRUPTED || early === State.SERVER_TERMINATE) {
      // iperf3's Ctrl-C (ours, or the server's): this side's figures so far, then the end.
      const t1 = performance.now() / 1000;
      if (early === INTERRUPTED) ch.writeState(State.CLIENT_TERMINATE);
      await drain(streams, 0);
      const totals = meter.totals(t1);
      return {
        role: "client",
        params,
        cookie: cookieText(cookie),
        timestamp,
        peer: { host: o.host, port: o.port },
        intervals: meter.intervals,
        streams: mergeResults(infos, totals, null, udpTest),
        seconds: totals.seconds,
        peerVersion: "",
        ended: early === INTERRUPTED ? "interrupted" : "peer-terminated",
      };
    }
    if (early !== null) {
      throw new NetkitError("ERR_BENCH_PROTOCOL", `the server interrupted the test (state ${early})`);
    }
    const t1 = performance.now() / 1000;
    const cpu = cpuPercent(cpu0, process.cpuUsage(), t1 - t0);
    ch.writeState(State.TEST_END);
    const st = await peerGone;
    if (st !== State.EXCHANGE_RESULTS)
      throw new NetkitError("ERR_BENCH_PROTOCOL", `expected results exchange, got ${st}`);
    // The server stopped sending before it asked for results: let what is in flight arrive.
    await drain(streams);
    const last = meter.intervals.at(-1);
    // The last, partial interval too (iperf3 keeps it when it is long enough or moved bytes; a
    // test shorter than one interval then still has one).
    if (interval > 0 && (last === undefined || t1 - t0 - last.end > 0.05)) h.onInterval?.(meter.sample(t1));
    const totals = meter.totals(t1);
    ch.writeJson(encodeResults(localResults(infos, totals, cpu, udpTest)));
    const peer = decodeResults(await ch.readJson(TIMEOUT));
    await expect(State.DISPLAY_RESULTS);
    ch.writeState(State.IPERF_DONE);
    return {
      role: "client",
      params,
      cookie: cookieText(cookie),
      timestamp,
      peer: { host: o.host, port: o.port },
      intervals: meter.intervals,
      streams: mergeResults(infos, totals, peer, udpTest),
      seconds: totals.seconds,
      peerVersion: "",
    };
  } finally {
    for (const s of streams) s.stop();
    await Promise.all(streams.map((s) => s.close?.()));
    for (const s of tcpSockets) s.destroy();
    for (const s of udpSockets) s.close();
    // Let the server finish its side (it closes the control connection when it is free again),
    // so that a next test right after this one is not refused as "busy".
    if (!ctrl.destroyed) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1000);
        ctrl.once("close", () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    ctrl.destroy();
  }
}
