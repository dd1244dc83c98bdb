/**
 * Prove a port free by binding it: TCP on `::` (dual-stack, so IPv4 too) and UDP likewise,
 * closed again at once. Falls back to 0.0.0.0 when IPv6 is not available.
 *
 * @example
 * await probeBind(8080, "tcp"); // "free" | "in-use" | "denied"
 */
import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import type { PortTransport } from "./port_spec.js";

export type ProbeResult = "free" | "in-use" | "denied";

function outcome(e: NodeJS.ErrnoException): ProbeResult | "retry-v4" {
  if (e.code === "EADDRINUSE") return "in-use";
  if (e.code === "EACCES" || e.code === "EPERM") return "denied";
  if (e.code === "EAFNOSUPPORT" || e.code === "EADDRNOTAVAIL") return "retry-v4";
  throw e;
}

function tcp(port: number, host: string): Promise<ProbeResult | "retry-v4"> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", (e: NodeJS.ErrnoException) => {
      try {
        resolve(outcome(e));
      } catch (x) {
        reject(x);
      }
    });
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve("free")));
  });
}

function udp(port: number, host: string): Promise<ProbeResult | "retry-v4"> {
  return new Promise((resolve, reject) => {
    const s = createSocket(host === "::" ? "udp6" : "udp4");
    s.once("error", (e: NodeJS.ErrnoException) => {
      s.close();
      try {
        resolve(outcome(e));
      } catch (x) {
        reject(x);
      }
    });
    s.bind({ port, address: host, exclusive: true }, () => s.close(() => resolve("free")));
  });
}

/** Try to bind `port` for `transport` on every address. @throws on unexpected OS errors. */
export async function probeBind(port: number, transport: PortTransport): Promise<ProbeResult> {
  const f = transport === "tcp" ? tcp : udp;
  const r = await f(port, "::");
  return r === "retry-v4" ? ((await f(port, "0.0.0.0")) as ProbeResult) : r;
}
