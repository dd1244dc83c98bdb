/**
 * TCP/UDP sockets as the kernel's sock_diag replies carry them, kept as bytes: the reply batches
 * (copied once) and each record's position. For the text table of many sockets, which reads the
 * fields straight from the `inet_diag_msg` (family, state, ports, addresses, queues, inode): no
 * object and no address string per socket (with 40,000 sockets, building rows cost more than the
 * kernel's dump); `--json` is written from them too. Rows for the library (and the filters that
 * need rows: --dst, --pid, --process) come from src/native/netlink.ts parsing.
 *
 * @example
 * const recs = new InetRecords();
 * recs.addBatch("tcp", batchBytes); // each netlink batch of a dump
 * recs.count; // sockets kept
 */
import { Addr } from "../ip/addr.js";
import { walkMessages } from "../native/netlink.js";
import { stateName } from "./socket_row.js";

export type InetProtocol = "tcp" | "udp";

/** Field offsets in `struct inet_diag_msg`. */
export const MSG = {
  family: 0,
  state: 1,
  sport: 4,
  dport: 6,
  src: 8,
  dst: 24,
  rqueue: 56,
  wqueue: 60,
  uid: 64,
  inode: 68,
} as const;

export class InetRecords {
  readonly batches: DataView[] = [];
  /** Per record: its batch, the offset of its inet_diag_msg, its protocol (0 tcp, 1 udp). */
  batch = new Int32Array(1024);
  offset = new Int32Array(1024);
  protocol = new Uint8Array(1024);
  count = 0;
  /**
   * The widest cells so far, in characters (tracked as batches arrive, while the kernel is still
   * dumping, so the table can be laid out as soon as the dump ends): state name, receive and
   * send queue, "addr:port" local and peer (IPv6 in brackets, port 0 as "*").
   */
  readonly widths = { state: 0, recvQ: 0, sendQ: 0, local: 0, peer: 0 };

  /**
   * @param keep optional check of each record (local and peer port), as the row filter does
   */
  constructor(private readonly keep?: (sport: number, dport: number) => boolean) {}

  /** Keep the records of one reply batch (`bytes` is copied). */
  addBatch(protocol: InetProtocol, bytes: Uint8Array): void {
    const copy = new Uint8Array(bytes);
    const v = new DataView(copy.buffer);
    const b = this.batches.length;
    this.batches.push(v);
    const p = protocol === "tcp" ? 0 : 1;
    walkMessages(copy, copy.byteLength, (_, off) => {
      if (
        this.keep !== undefined &&
        !this.keep(v.getUint16(off + MSG.sport, false), v.getUint16(off + MSG.dport, false))
      )
        return;
      this.measure(v, off);
      if (this.count === this.batch.length) this.grow();
      this.batch[this.count] = b;
      this.offset[this.count] = off;
      this.protocol[this.count] = p;
      this.count++;
    });
  }

  private measure(v: DataView, off: number): void {
    const w = this.widths;
    const state = stateName(v.getUint8(off + MSG.state)).length;
    if (state > w.state) w.state = state;
    const rq = digits(v.getUint32(off + MSG.rqueue, true));
    if (rq > w.recvQ) w.recvQ = rq;
    const sq = digits(v.getUint32(off + MSG.wqueue, true));
    if (sq > w.sendQ) w.sendQ = sq;
    const v6 = v.getUint8(off + MSG.family) === AF_INET6;
    const l = endpointWidth(v, off + MSG.src, v6, v.getUint16(off + MSG.sport, false));
    if (l > w.local) w.local = l;
    const p = endpointWidth(v, off + MSG.dst, v6, v.getUint16(off + MSG.dport, false));
    if (p > w.peer) w.peer = p;
  }

  private grow(): void {
    const n = this.batch.length * 2;
    const b = new Int32Array(n);
    b.set(this.batch);
    this.batch = b;
    const o = new Int32Array(n);
    o.set(this.offset);
    this.offset = o;
    const p = new Uint8Array(n);
    p.set(this.protocol);
    this.protocol = p;
  }
}

const AF_INET6 = 10;

/** Decimal digits of a non-negative integer. */
export function digits(n: number): number {
  if (n < 10) return 1;
  if (n < 100) return 2;
  if (n < 1000) return 3;
  if (n < 10000) return 4;
  if (n < 100000) return 5;
  let d = 6;
  for (n = Math.floor(n / 1000000); n > 0; n = Math.floor(n / 10)) d++;
  return d;
}

/** An IPv6 address at `off` (network order), as src/ip writes it. */
export function v6Text(v: DataView, off: number): string {
  return Addr.v6(
    v.getUint32(off, false),
    v.getUint32(off + 4, false),
    v.getUint32(off + 8, false),
    v.getUint32(off + 12, false),
  ).toString();
}

/** Characters of "a.b.c.d:port" / "[v6]:port" for the address at `off` (port 0 is "*"). */
function endpointWidth(v: DataView, off: number, v6: boolean, port: number): number {
  const addr = v6
    ? v6Text(v, off).length + 2
    : 3 +
      digits(v.getUint8(off)) +
      digits(v.getUint8(off + 1)) +
      digits(v.getUint8(off + 2)) +
      digits(v.getUint8(off + 3));
  return addr + 1 + (port === 0 ? 1 : digits(port));
}
