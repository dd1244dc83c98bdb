/**
 * Socket events published on `node:diagnostics_channel`, for tracing without the library printing.
 * Channel names: `netkit:socket:listen`, `netkit:socket:connection`, `netkit:socket:datagram`,
 * `netkit:socket:close`, `netkit:socket:denied`, `netkit:socket:truncated`, `netkit:socket:error`.
 *
 * @example
 * import diagnostics_channel from "node:diagnostics_channel";
 * diagnostics_channel.subscribe("netkit:socket:listen", (m) => console.error("listening", m));
 */
import diagnostics_channel from "node:diagnostics_channel";

export type SocketEventName =
  | "listen"
  | "connection"
  | "datagram"
  | "close"
  | "denied"
  | "truncated"
  | "error";

const channels = new Map<SocketEventName, diagnostics_channel.Channel>();

/** Publish `message` on `netkit:socket:<name>` (free when nobody subscribes). */
export function publish(name: SocketEventName, message: object): void {
  let ch = channels.get(name);
  if (ch === undefined) {
    ch = diagnostics_channel.channel(`netkit:socket:${name}`);
    channels.set(name, ch);
  }
  if (ch.hasSubscribers) ch.publish(message);
}
