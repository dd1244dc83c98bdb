/**
 * Turns operating-system socket errors (`EADDRINUSE`, `ECONNREFUSED`, …) into {@link NetkitError}s
 * with stable codes, keeping the original error as `cause`.
 *
 * @example
 * import { socketError } from "netkit";
 * const e = socketError(Object.assign(new Error("x"), { code: "EADDRINUSE" }), "bind", "127.0.0.1:2000");
 * e.code; // → "ERR_ADDR_IN_USE"
 */
import { type ErrorCode, NetkitError } from "../errors.js";

const BY_ERRNO: Record<string, ErrorCode> = {
  EADDRINUSE: "ERR_ADDR_IN_USE",
  EADDRNOTAVAIL: "ERR_ADDR_NOT_AVAILABLE",
  ECONNREFUSED: "ERR_CONN_REFUSED",
  ECONNRESET: "ERR_CONN_RESET",
  EPIPE: "ERR_CONN_RESET",
  ETIMEDOUT: "ERR_SOCKET_TIMEOUT",
  ENOTFOUND: "ERR_HOST_NOT_FOUND",
  EAI_AGAIN: "ERR_HOST_NOT_FOUND",
  ENOENT: "ERR_CONN_REFUSED",
};

const WORDS: Partial<Record<ErrorCode, string>> = {
  ERR_ADDR_IN_USE: "address already in use",
  ERR_ADDR_NOT_AVAILABLE: "address not available on this machine",
  ERR_CONN_REFUSED: "connection refused",
  ERR_CONN_RESET: "connection reset by peer",
  ERR_SOCKET_TIMEOUT: "timed out",
  ERR_HOST_NOT_FOUND: "host not found",
};

/** The errno-style code (`ECONNREFUSED`) of an error, if it has one. */
export function errnoOf(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === "string" ? c : undefined;
}

/** Format a host and port the way people type them: `127.0.0.1:2000`, `[::1]:2000`, or a path. */
export function hostPort(host: string, port?: number): string {
  if (port === undefined) return host;
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Wrap an OS error from `what` (bind, connect, send …) on `where` (`host:port` or a path).
 * A NetkitError passes through unchanged.
 */
export function socketError(e: unknown, what: string, where: string): NetkitError {
  if (e instanceof NetkitError) return e;
  const errno = errnoOf(e);
  const code: ErrorCode = (errno && BY_ERRNO[errno]) || "ERR_IO";
  const words = WORDS[code] ?? (e instanceof Error ? e.message : String(e));
  return new NetkitError(code, `${what} ${where}: ${words}${errno ? ` (${errno})` : ""}`, { cause: e });
}
