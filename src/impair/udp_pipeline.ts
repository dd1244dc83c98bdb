/**
 * What an impaired link does to a stream of datagrams (pure): drop, duplicate, reorder, delay with
 * jitter, and limit the rate, each decision drawn from a seeded generator, and counting what it did.
 * The I/O shell pushes datagrams in with the clock and sends what `release` hands back.
 *
 * Counting matches a receiver's exact counts when nothing else loses packets: `dropped` datagrams
 * never leave, each `duplicated` one leaves twice, and `reordered` counts datagrams that leave
 * after one that arrived later than them (a held-back datagram, or one overtaken through jitter).
 *
 * @example
 * const p = new UdpPipeline({ drop: 0.05 }, createRng(1));
 * p.push(Buffer.from("x"), 0);
 * p.release(0); // → [Buffer "x"] (or [] if this one was dropped)
 */

export interface UdpImpairment {
  /** Probability 0–1 that a datagram is dropped. */
  drop?: number;
  /** Probability 0–1 that a datagram is sent twice. */
  duplicate?: number;
  /** Probability 0–1 that a datagram is held back and sent after the next one. */
  reorder?: number;
  /** Added one-way delay, ms. */
  delayMs?: number;
  /** Uniform jitter ± ms around the delay. */
  jitterMs?: number;
  /** Rate limit in bit/s (0 or absent: none); datagrams beyond a 1 MB backlog are dropped. */
  rate?: number;
  /** The first N datagrams pass untouched (so a handshake datagram always gets through). */
  passFirst?: number;
  /**
   * The first N datagrams are dropped (counted in `dropped`, no random draw): a deterministic
   * loss of a handshake datagram. `passFirst` then counts from the datagram after them.
   */
  dropFirst?: number;
}

export interface UdpImpairCounts {
  received: number;
  forwarded: number;
  dropped: number;
  /** Dropped because the rate limit's backlog was full. */
  droppedRate: number;
  duplicated: number;
  reordered: number;
  passed: number;
}

interface Item {
  due: number;
  order: number;
  idx: number;
  data: Buffer;
  copy: boolean;
}

const MAX_BACKLOG = 1024 * 1024;

export class UdpPipeline {
  readonly counts: UdpImpairCounts = {
    received: 0,
    forwarded: 0,
    dropped: 0,
    droppedRate: 0,
    duplicated: 0,
    reordered: 0,
    passed: 0,
  };
  private heap: Item[] = [];
  private order = 0;
  private held: Item[] | null = null;
  private maxSentIdx = -1;
  private rateFree = 0;
  private backlog = 0;

  constructor(
    private readonly cfg: UdpImpairment,
    private readonly rng: () => number,
  ) {}

  /** Take one datagram in at time `now` (ms). */
  push(data: Buffer, now: number): void {
    const idx = this.counts.received++;
    const dropFirst = this.cfg.dropFirst ?? 0;
    if (idx < dropFirst) {
      this.counts.dropped++;
      return;
    }
    if (idx - dropFirst < (this.cfg.passFirst ?? 0)) {
      this.counts.passed++;
      this.schedule({ due: now, order: this.order++, idx, data, copy: false });
      return;
    }
    // Draw every decision for every datagram, so one seed gives one sequence of outcomes.
    const rDrop = this.rng();
    const rDup = this.rng();
    const rReorder = this.rng();
    const rJitter = this.rng();
    if (rDrop < (this.cfg.drop ?? 0)) {
      this.counts.dropped++;
      return;
    }
    const j = this.cfg.jitterMs ?? 0;
    const due = now + Math.max(0, (this.cfg.delayMs ?? 0) + (j > 0 ? (2 * rJitter - 1) * j : 0));
    const items: Item[] = [{ due, order: this.order++, idx, data, copy: false }];
    if (rDup < (this.cfg.duplicate ?? 0)) {
      this.counts.duplicated++;
      items.push({ due, order: this.order++, idx, data, copy: true });
    }
    if (this.held === null && rReorder < (this.cfg.reorder ?? 0)) {
      this.held = items; // leaves after the next datagram that is not dropped
      return;
    }
    for (const it of items) this.schedule(it);
    if (this.held !== null) {
      for (const it of this.held) this.schedule({ ...it, due: Math.max(it.due, due), order: this.order++ });
      this.held = null;
    }
  }

  /** Datagrams due at `now` (ms), in sending order. A held datagram waits at most 50 ms. */
  release(now: number): Buffer[] {
    if (this.held !== null && now - this.held[0]!.due >= 50) {
      for (const it of this.held) this.schedule({ ...it, order: this.order++ });
      this.held = null;
    }
    const out: Buffer[] = [];
    while (this.heap.length > 0 && this.heap[0]!.due <= now) {
      const it = this.pop();
      if (this.cfg.rate) {
        // Token bucket of one datagram: the link is busy until rateFree.
        const start = Math.max(now, this.rateFree);
        if (start > now) {
          this.pushHeap({ ...it, due: start });
          break;
        }
        this.rateFree = start + (it.data.length * 8 * 1000) / this.cfg.rate;
        this.backlog -= it.data.length;
      }
      if (!it.copy) {
        if (it.idx < this.maxSentIdx) this.counts.reordered++;
        else this.maxSentIdx = it.idx;
      }
      this.counts.forwarded++;
      out.push(it.data);
    }
    return out;
  }

  /** When the next datagram is due (ms), or null when nothing waits. */
  nextDue(): number | null {
    const h = this.heap.length > 0 ? this.heap[0]!.due : null;
    const held = this.held !== null ? this.held[0]!.due + 50 : null;
    if (h === null) return held;
    return held === null ? h : Math.min(h, held);
  }

  private schedule(it: Item): void {
    if (this.cfg.rate) {
      if (this.backlog + it.data.length > MAX_BACKLOG) {
        this.counts.droppedRate++;
        return;
      }
      this.backlog += it.data.length;
    }
    this.pushHeap(it);
  }

  private less(a: Item, b: Item): boolean {
    return a.due < b.due || (a.due === b.due && a.order < b.order);
  }

  private pushHeap(it: Item): void {
    const h = this.heap;
    h.push(it);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Item {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
