/**
 * `netkit nc` client side: TCP/Unix connect, UDP "connect", and the -z port scan.
 */
import { spawn } from "node:child_process";
import type net from "node:net";
import { NetkitError } from "../errors.js";
import { findProgram } from "../sockets/exec_program.js";
import { resolveHost } from "../sockets/resolve_host.js";
import { socketError } from "../sockets/socket_error.js";
import { tcpConnect } from "../sockets/tcp_client.js";
import { UdpClient } from "../sockets/udp_client.js";
import { CrlfConverter, HexDumper } from "./hexdump.js";
import type { CliIo } from "./io.js";
import type { NcConfig } from "./nc_flags.js";
import { exitFor, pipeWithSignals } from "./stream_connect.js";

/** The program -e / -c runs: argv (no shell) or /bin/sh -c COMMAND. */
export function handlerArgv(cfg: NcConfig): string[] {
  const h = cfg.handler!;
  return h.kind === "exec" ? h.argv : ["/bin/sh", "-c", h.kind === "sh-exec" ? h.command : ""];
}

/**
 * Run a program with the socket as its stdin/stdout (-e / -c on the client side). Half-close both
 * ways: the peer's FIN is the program's stdin EOF, the program's stdout EOF is our FIN; the
 * session ends when the program has exited and its last output is sent. Exit 0, or 1 on a reset.
 */
export function execOnSocket(socket: net.Socket, cfg: NcConfig, proto: string): Promise<number> {
  const [file, ...args] = handlerArgv(cfg);
  const child = spawn(file!, args, {
    stdio: ["pipe", "pipe", "inherit"],
    env: {
      ...process.env,
      NETKIT_PROTO: proto,
      NETKIT_REMOTE_ADDR: socket.remoteAddress ?? "",
      NETKIT_REMOTE_PORT: String(socket.remotePort ?? ""),
      NETKIT_LOCAL_ADDR: socket.localAddress ?? "",
      NETKIT_LOCAL_PORT: String(socket.localPort ?? ""),
    },
  });
  let failure: Error | undefined;
  child.stdin.on("error", () => {}); // the program may exit before reading everything: EPIPE is its choice
  socket.on("error", (e) => {
    failure ??= e;
    child.stdin.destroy();
  });
  socket.pipe(child.stdin); // the peer's FIN ends the program's stdin
  child.stdout.pipe(socket); // the program's stdout EOF is our FIN
  return new Promise((resolve, reject) => {
    child.on("error", (e) => {
      socket.destroy();
      reject(new NetkitError("ERR_HANDLER", `cannot run ${file}: ${e.message}`, { cause: e }));
    });
    child.on("close", () => {
      const done = () => {
        if (failure) return resolve(1);
        // Our FIN is out; read (and drop) the peer's last bytes for a moment, then close.
        socket.on("data", () => {});
        socket.resume();
        setTimeout(() => socket.destroy(), 1000).unref();
        resolve(0);
      };
      if (socket.destroyed || socket.writableFinished) done();
      else socket.end(done);
    });
  });
}

function say(io: CliIo, cfg: NcConfig, line: string): void {
  if (cfg.verbose) io.stderr.write(`${line}\n`);
}

export async function ncConnect(cfg: NcConfig, io: CliIo): Promise<number> {
  if (cfg.handler) findProgram(handlerArgv(cfg)[0]!); // before connecting
  if (cfg.proto === "udp") return ncUdpConnect(cfg, io);
  const socket = await tcpConnect(
    cfg.unix
      ? { path: cfg.path!, timeout: cfg.waitMs }
      : {
          host: cfg.host!,
          port: cfg.port!,
          family: cfg.family,
          numericOnly: cfg.numeric,
          localAddress: cfg.sourceAddress,
          localPort: cfg.sourcePort,
          timeout: cfg.waitMs,
        },
  );
  say(
    io,
    cfg,
    cfg.unix ? `Connected to ${cfg.path}` : `Connection to ${cfg.host} ${cfg.port} port [tcp/*] succeeded!`,
  );
  if (cfg.handler) return execOnSocket(socket, cfg, cfg.unix ? "unix" : "tcp");
  const r = await pipeWithSignals(socket, io, {
    sendOnly: cfg.sendOnly,
    recvOnly: cfg.recvOnly,
    noShutdown: cfg.noShutdown,
    shutdownAtOnce: cfg.shutdownOnEof && cfg.recvOnly,
    crlf: cfg.crlf,
    hex: cfg.hexSink ? new HexDumper(cfg.hexSink) : undefined,
    quitAfterEof: cfg.quitAfterEofMs,
    idleTimeout: cfg.waitMs,
    intervalMs: cfg.intervalMs,
  });
  return exitFor(r, io);
}

/**
 * Largest datagram one stdin read becomes (a longer read is sent as several): OpenBSD nc reads
 * stdin into a 16 KiB buffer, so its datagrams are never longer, and its receiving side cuts
 * longer ones to 16 KiB. The same limit keeps netkit's datagrams whole at an `nc -u` peer.
 */
export const UDP_STDIN_DATAGRAM = 16 * 1024;

/** UDP client: stdin chunks become datagrams; replies go to stdout; quits after EOF + -q (default 1 s). */
async function ncUdpConnect(cfg: NcConfig, io: CliIo): Promise<number> {
  const client = await UdpClient.open({
    host: cfg.host!,
    port: cfg.port!,
    family: cfg.family,
    numericOnly: cfg.numeric,
    localAddress: cfg.sourceAddress,
    localPort: cfg.sourcePort,
  });
  say(io, cfg, `Connection to ${cfg.host} ${cfg.port} port [udp/*] succeeded!`);
  const hex = cfg.hexSink ? new HexDumper(cfg.hexSink) : undefined;
  const crlf = cfg.crlf ? new CrlfConverter() : undefined;
  const stop = new AbortController();
  let failure: NetkitError | undefined;
  let timer: NodeJS.Timeout | undefined;
  let eof = false;
  const arm = () => {
    clearTimeout(timer);
    const ms = eof ? (cfg.quitAfterEofMs ?? cfg.waitMs ?? 1000) : cfg.waitMs;
    if (ms !== undefined) timer = setTimeout(() => stop.abort(), ms);
  };
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  arm();
  const receiving = (async () => {
    while (!stop.signal.aborted) {
      try {
        const d = await client.receive(undefined, stop.signal);
        hex?.received(d.data);
        arm();
        if (!cfg.sendOnly && !io.stdout.write(d.data)) await new Promise((r) => io.stdout.once("drain", r));
      } catch (e) {
        if (stop.signal.aborted) return;
        failure = socketError(e, "send to", `${cfg.host}:${cfg.port}`);
        stop.abort();
      }
    }
  })();
  if (!cfg.recvOnly) {
    (async () => {
      for await (const chunk of io.stdin) {
        if (stop.signal.aborted) break;
        const data = crlf ? crlf.convert(chunk as Buffer) : (chunk as Buffer);
        hex?.sent(data);
        for (let i = 0; i < data.length || i === 0; i += UDP_STDIN_DATAGRAM)
          await client.send(data.subarray(i, i + UDP_STDIN_DATAGRAM));
        arm();
        if (cfg.intervalMs) await new Promise((r) => setTimeout(r, cfg.intervalMs));
      }
      eof = true;
      arm();
    })().catch((e: unknown) => {
      failure = socketError(e, "send to", `${cfg.host}:${cfg.port}`);
      stop.abort();
    });
  }
  await new Promise((r) => stop.signal.addEventListener("abort", r, { once: true }));
  clearTimeout(timer);
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  await client.close();
  await receiving;
  io.stdin.pause();
  if (io.stdin === process.stdin) process.stdin.destroy();
  if (failure) throw failure;
  return 0;
}

/** What a -z probe found (nmap's words). UDP silence cannot prove a port open: "open|filtered". */
export type ScanState = "open" | "closed" | "open|filtered" | "filtered";

/**
 * -z: probe each port. TCP: a completed handshake is `open`, a refusal (RST) `closed`, no answer
 * within -w (default 2 s) `filtered`. UDP (-zu): an empty datagram is sent; a reply proves `open`,
 * ICMP port unreachable proves `closed`, and silence for -w (default 0.5 s) is `open|filtered` —
 * nothing may listen, or a listener may ignore empty datagrams, or a firewall may drop them.
 * Exit 0 when at least one port is not known to be closed or filtered (`open`, or `open|filtered`
 * for UDP, which OpenBSD nc -zu reports as "succeeded"), else 1.
 */
export async function ncScan(cfg: NcConfig, io: CliIo): Promise<number> {
  const { address } = await resolveHost(cfg.host!, cfg.family, cfg.numeric);
  let hits = 0;
  for (const port of cfg.ports) {
    let state: ScanState;
    let reason = "";
    if (cfg.proto === "tcp") {
      try {
        const s = await tcpConnect({
          host: address,
          port,
          timeout: cfg.waitMs ?? 2000,
          localAddress: cfg.sourceAddress,
        });
        s.destroy();
        state = "open";
      } catch (e) {
        state = e instanceof NetkitError && e.code === "ERR_SOCKET_TIMEOUT" ? "filtered" : "closed";
        reason = e instanceof NetkitError ? e.message.replace(/^.*?: /, "") : String(e);
      }
    } else {
      const wait = cfg.waitMs ?? 500;
      const c = await UdpClient.open({ host: address, port, localAddress: cfg.sourceAddress });
      try {
        await c.send(Buffer.alloc(0));
        await c.receive(wait);
        state = "open"; // something answered
      } catch (e) {
        if (e instanceof NetkitError && e.code === "ERR_SOCKET_TIMEOUT") {
          state = "open|filtered";
          reason = `no reply and no ICMP port unreachable within ${wait / 1000} s`;
        } else {
          state = "closed";
          reason = e instanceof NetkitError ? e.message.replace(/^.*?: /, "") : String(e);
        }
      } finally {
        await c.close();
      }
    }
    if (state === "open" || state === "open|filtered") hits++;
    if (cfg.json)
      io.stdout.write(
        `${JSON.stringify({ host: cfg.host, address, port, proto: cfg.proto, state, open: state === "open", ...(reason ? { reason } : {}) })}\n`,
      );
    else if (state === "open")
      say(io, cfg, `Connection to ${cfg.host} ${port} port [${cfg.proto}/*] succeeded!`);
    else if (state === "open|filtered")
      say(io, cfg, `Connection to ${cfg.host} ${port} port [${cfg.proto}/*] open|filtered: ${reason}`);
    else say(io, cfg, `nc: connect to ${cfg.host} port ${port} (${cfg.proto}) failed: ${reason}`);
    if (cfg.intervalMs) await new Promise((r) => setTimeout(r, cfg.intervalMs));
  }
  return hits > 0 ? 0 : 1;
}
