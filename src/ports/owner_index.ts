/**
 * inode → owning processes, over the flat (pid, fd, inode) records of the BPF iterator, without
 * a JS object per socket: an open-addressing hash table in typed arrays, with each inode's
 * records chained. A `ReadonlyMap`, so callers use it like the /proc walk's Map; the process
 * lists are built when asked for (once per row when the table is joined). With 40,000 sockets
 * a Map of arrays cost ~30 ms of allocation and hashing; this costs ~2 ms.
 *
 * @example
 * const idx = new OwnerIndex(new Uint32Array([4242, 3, 8906]), () => "python3");
 * idx.get(8906); // [{ pid: 4242, command: "python3", fd: 3 }]
 */
import type { SocketProcess } from "./socket_row.js";

const EMPTY = 0; // inode 0 is never a socket's

export class OwnerIndex implements ReadonlyMap<number, SocketProcess[]> {
  private readonly slots: Uint32Array;
  /** Slot → the first record (index into `recs` / 3) of that inode, -1 when empty. */
  private readonly heads: Int32Array;
  /** Record → the next record of the same inode, -1 at the end (see {@link lookup}). */
  readonly next: Int32Array;
  /** The (pid, fd, inode) records. */
  readonly recs: Uint32Array;
  private readonly mask: number;
  private readonly commands = new Map<number, string>();
  /** Owners found another way (the /proc walk of processes the iterator did not show). */
  private readonly extra: ReadonlyMap<number, SocketProcess[]>;
  readonly size: number;

  /**
   * @param recs (pid, fd, inode) records, ordered by pid then fd
   * @param command the command of a pid (called once per pid that owns a kept socket)
   * @param keep which records to index (default: all)
   * @param extra more owners by inode, merged in
   */
  constructor(
    recs: Uint32Array,
    private readonly command: (pid: number) => string,
    keep?: (pid: number, inode: number) => boolean,
    extra: ReadonlyMap<number, SocketProcess[]> = new Map(),
  ) {
    this.recs = recs;
    this.extra = extra;
    const n = recs.length / 3;
    let cap = 16;
    while (cap < n * 2) cap *= 2;
    this.mask = cap - 1;
    this.slots = new Uint32Array(cap);
    this.heads = new Int32Array(cap).fill(-1);
    this.next = new Int32Array(n).fill(-1);
    const tails = new Int32Array(cap);
    let distinct = 0;
    for (let r = 0; r < n; r++) {
      const pid = recs[r * 3]!;
      const inode = recs[r * 3 + 2]!;
      if (inode === EMPTY || (keep !== undefined && !keep(pid, inode))) continue;
      let s = this.slot(inode);
      while (this.slots[s] !== EMPTY && this.slots[s] !== inode) s = (s + 1) & this.mask;
      if (this.slots[s] === EMPTY) {
        this.slots[s] = inode;
        this.heads[s] = r;
        distinct++;
      } else {
        this.next[tails[s]!] = r; // append: keeps pid, then fd order
      }
      tails[s] = r;
    }
    for (const k of extra.keys()) if (!this.hasIndexed(k)) distinct++;
    this.size = distinct;
  }

  private slot(inode: number): number {
    return (Math.imul(inode, 0x9e3779b1) >>> 0) & this.mask;
  }

  private find(inode: number): number {
    if (inode === EMPTY) return -1;
    let s = this.slot(inode);
    for (;;) {
      const k = this.slots[s]!;
      if (k === inode) return s;
      if (k === EMPTY) return -1;
      s = (s + 1) & this.mask;
    }
  }

  private hasIndexed(inode: number): boolean {
    return this.find(inode) >= 0;
  }

  /**
   * The first record (index into `recs` / 3) of `inode`'s owners, chained by `next`, in pid then
   * fd order; -1 when it has none, -2 when some of its owners were found another way (use get).
   */
  lookup(inode: number): number {
    if (this.extra.has(inode)) return -2;
    const s = this.find(inode);
    return s < 0 ? -1 : this.heads[s]!;
  }

  /** The command of a pid (read once). */
  commandOf(pid: number): string {
    let c = this.commands.get(pid);
    if (c === undefined) {
      c = this.command(pid);
      this.commands.set(pid, c);
    }
    return c;
  }

  get(inode: number): SocketProcess[] | undefined {
    const s = this.find(inode);
    const more = this.extra.get(inode);
    if (s < 0) return more;
    const list: SocketProcess[] = [];
    for (let r = this.heads[s]!; r >= 0; r = this.next[r]!) {
      const pid = this.recs[r * 3]!;
      list.push({ pid, command: this.commandOf(pid), fd: this.recs[r * 3 + 1]! });
    }
    if (more !== undefined) {
      list.push(...more);
      list.sort((a, b) => a.pid - b.pid || a.fd - b.fd);
    }
    return list;
  }

  /**
   * Call `cb` for each owner of `inode` (by pid, then fd) without building a list; returns how
   * many there were. What the text table uses: no object per socket.
   */
  forEachOwner(inode: number, cb: (pid: number, command: string, fd: number) => void): number {
    if (this.extra.has(inode)) {
      const list = this.get(inode)!;
      for (const p of list) cb(p.pid, p.command, p.fd);
      return list.length;
    }
    const s = this.find(inode);
    if (s < 0) return 0;
    let n = 0;
    for (let r = this.heads[s]!; r >= 0; r = this.next[r]!) {
      const pid = this.recs[r * 3]!;
      cb(pid, this.commandOf(pid), this.recs[r * 3 + 1]!);
      n++;
    }
    return n;
  }

  has(inode: number): boolean {
    return this.hasIndexed(inode) || this.extra.has(inode);
  }

  *keys(): MapIterator<number> {
    for (let s = 0; s <= this.mask; s++) if (this.slots[s] !== EMPTY) yield this.slots[s]!;
    for (const k of this.extra.keys()) if (!this.hasIndexed(k)) yield k;
  }

  *entries(): MapIterator<[number, SocketProcess[]]> {
    for (const k of this.keys()) yield [k, this.get(k)!];
  }

  *values(): MapIterator<SocketProcess[]> {
    for (const k of this.keys()) yield this.get(k)!;
  }

  [Symbol.iterator](): MapIterator<[number, SocketProcess[]]> {
    return this.entries();
  }

  forEach(
    cb: (value: SocketProcess[], key: number, map: ReadonlyMap<number, SocketProcess[]>) => void,
  ): void {
    for (const [k, v] of this.entries()) cb(v, k, this);
  }
}
