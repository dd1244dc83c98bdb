/**
 * Shared parts of the Unix datagram server and client: opening a socket through the FFI layer
 * (or a clear ERR_NOT_IMPLEMENTED), and sending with a short retry while the receiver is full.
 */
import { NetkitError } from "../errors.js";
import { openUnixDgram, type UnixDgramSocket, unixDgramAvailable } from "../native/unix_dgram.js";

/** Datagrams read per turn of the event loop before yielding (fairness). */
export const BATCH = 256;
export const MAX_QUEUE = 1024;

export function notAvailable(e: unknown): NetkitError {
  return new NetkitError(
    "ERR_NOT_IMPLEMENTED",
    "Unix datagram sockets need the FFI layer (koffi), which does not load here",
    {
      cause: e,
    },
  );
}

export function openSocket(): UnixDgramSocket {
  if (!unixDgramAvailable()) throw notAvailable(undefined);
  return openUnixDgram();
}

/** Send, retrying briefly while the receiver's queue is full. Resolves false when it stayed full. */
export async function sendWithRetry(sock: UnixDgramSocket, data: Uint8Array, to?: string): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (sock.send(data, to)) return true;
    await new Promise((r) => setTimeout(r, 1));
  }
  return false;
}
