/**
 * TCP (and Unix stream) clients: connect with a timeout, or do one request — send a message,
 * shut down the write side (half-close, so the server sees EOF), read until the server closes.
 *
 * @example
 * import { tcpRequest } from "netkit";
 * const reply = await tcpRequest({ host: "127.0.0.1", port: 2000, message: "Hello, server!", timeout: 2000 });
 * console.log(reply.toString("utf8"));
 */
import net from "node:net";
import { NetkitError } from "../errors.js";
import { abstractDisplay, connectAbstractStream, isAbstractName } from "../native/unix_stream.js";
import { resolveHost } from "./resolve_host.js";
import { hostPort, socketError } from "./socket_error.js";

export interface TcpConnectOptions {
  host?: string;
  port?: number;
  /** Connect to a Unix stream socket instead. */
  path?: string;
  family?: 4 | 6;
  numericOnly?: boolean;
  localAddress?: string;
  localPort?: number;
  /** Give up connecting after this many ms. */
  timeout?: number;
  keepAlive?: boolean | number;
  noDelay?: boolean;
  signal?: AbortSignal;
}

/**
 * Open a connection (half-open allowed: after the peer's FIN we may still write).
 * @throws ERR_CONN_REFUSED, ERR_SOCKET_TIMEOUT, ERR_HOST_NOT_FOUND, ERR_ADDR_IN_USE (localPort).
 */
export async function tcpConnect(opts: TcpConnectOptions): Promise<net.Socket> {
  let where: string;
  let connectOpts: net.NetConnectOpts;
  if (opts.path !== undefined && isAbstractName(opts.path)) return connectAbstract(opts.path, opts.timeout);
  if (opts.path !== undefined) {
    where = opts.path;
    connectOpts = { path: opts.path, allowHalfOpen: true };
  } else {
    if (opts.host === undefined || opts.port === undefined)
      throw new NetkitError("ERR_RANGE", "tcpConnect needs host and port, or path");
    const { address, family } = await resolveHost(opts.host, opts.family, opts.numericOnly);
    where = hostPort(address, opts.port);
    // A local address goes through the same parser (a name is resolved in the target's family).
    const local =
      opts.localAddress === undefined
        ? undefined
        : (await resolveHost(opts.localAddress, family, opts.numericOnly)).address;
    connectOpts = {
      host: address,
      port: opts.port,
      localAddress: local,
      localPort: opts.localPort,
      allowHalfOpen: true,
      noDelay: opts.noDelay === true,
      keepAlive: opts.keepAlive !== undefined && opts.keepAlive !== false,
      keepAliveInitialDelay: typeof opts.keepAlive === "number" ? opts.keepAlive : 0,
    };
  }
  const socket = net.connect(connectOpts);
  return await new Promise<net.Socket>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const fail = (e: unknown) => {
      cleanup();
      socket.destroy();
      reject(e instanceof NetkitError ? e : socketError(e, "connect to", where));
    };
    const onAbort = () => fail(new NetkitError("ERR_SOCKET_TIMEOUT", `connect to ${where}: aborted`));
    const onConnect = () => {
      cleanup();
      resolve(socket);
    };
    const cleanup = () => {
      clearTimeout(timer);
      socket.off("error", fail);
      socket.off("connect", onConnect);
      opts.signal?.removeEventListener("abort", onAbort);
    };
    socket.once("error", fail);
    socket.once("connect", onConnect);
    if (opts.timeout !== undefined)
      timer = setTimeout(
        () =>
          fail(
            new NetkitError("ERR_SOCKET_TIMEOUT", `connect to ${where}: timed out after ${opts.timeout} ms`),
          ),
        opts.timeout,
      );
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Connect to an abstract name exactly as given (Node's own connect would pad it to 108 bytes). */
async function connectAbstract(path: string, timeout: number | undefined): Promise<net.Socket> {
  let fd: number;
  try {
    fd = await connectAbstractStream(path, timeout);
  } catch (e) {
    throw socketError(e, "connect to", abstractDisplay(path));
  }
  return new net.Socket({ fd, allowHalfOpen: true, readable: true, writable: true });
}

/**
 * Send `message`, half-close, and collect the reply until the server closes (at most `maxBytes`,
 * default 16 MiB). `timeout` bounds the whole exchange.
 * @throws ERR_CONN_REFUSED, ERR_SOCKET_TIMEOUT, ERR_CONN_RESET, ERR_TOO_LARGE.
 */
export async function tcpRequest(
  opts: TcpConnectOptions & { message: string | Uint8Array; maxBytes?: number },
): Promise<Buffer> {
  const started = Date.now();
  const socket = await tcpConnect(opts);
  const where = opts.path ?? hostPort(socket.remoteAddress ?? "", socket.remotePort ?? 0);
  const max = opts.maxBytes ?? 16 * 1024 * 1024;
  return await new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let timer: NodeJS.Timeout | undefined;
    const fail = (e: NetkitError) => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    if (opts.timeout !== undefined) {
      const left = Math.max(1, opts.timeout - (Date.now() - started));
      timer = setTimeout(
        () =>
          fail(
            new NetkitError(
              "ERR_SOCKET_TIMEOUT",
              `no complete reply from ${where} within ${opts.timeout} ms`,
            ),
          ),
        left,
      );
    }
    socket.on("data", (d: Buffer) => {
      size += d.length;
      if (size > max)
        return fail(new NetkitError("ERR_TOO_LARGE", `reply from ${where} exceeds ${max} bytes`));
      parts.push(d);
    });
    socket.on("error", (e) => fail(socketError(e, "read from", where)));
    // The reply is complete at the server's FIN; the request, once every byte of it is sent
    // (a server may send its FIN first and still read what we send).
    let replied = false;
    let sent = false;
    const done = () => {
      if (!replied || !sent) return;
      clearTimeout(timer);
      resolve(Buffer.concat(parts));
    };
    socket.on("end", () => {
      replied = true;
      done();
    });
    socket.end(opts.message, () => {
      sent = true;
      done();
    });
  });
}
