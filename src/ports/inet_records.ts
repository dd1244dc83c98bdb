/**
 * TCP/UDP sockets as the kernel's sock_diag replies carry them, kept as bytes: the reply batches
 * (copied once) and each record's position. For the text table of many sockets, which reads the
 * fields straight from the `inet_diag_msg` (family, state, ports, addresses, queues, inode): no
 * object and no address string per socket (with 40,000 sockets, building rows cost more than the
 * kernel's dump). Rows for the library and `--json` come from src/native/netlink.ts parsing.
 *
 * @example
 * const recs = new InetRecords();
 * recs.addBatch("tcp", batchBytes); // each netlink batch of a dump
 * recs.count; // sockets kept
 */
import { walkMessages } from "../native/netlink.js";

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
      if (this.count === this.batch.length) this.grow();
      this.batch[this.count] = b;
      this.offset[this.count] = off;
      this.protocol[this.count] = p;
      this.count++;
    });
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
