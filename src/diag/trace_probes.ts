/**
 * Traceroute bookkeeping (pure): which probe to send next, what an ICMP answer means for the trace,
 * which hops are complete, and when the trace is over — the rules of Linux `traceroute` (Dmitry
 * Butskoy's, Debian's `traceroute` package): probes go out hop by hop, up to `window` at once;
 * a probe is answered by "time exceeded" from a router on the way, or by a final answer (port
 * unreachable / echo reply from the destination, or an unreachable error, noted `!H`, `!N` …);
 * the first final answer at hop H ends the trace at H; a probe with no answer within the wait is a
 * silent `*`. Time comes in from the caller: nothing here reads a clock.
 *
 * @example
 * const t = new TraceProbes({ maxHops: 30, perHop: 3, window: 16 });
 * const p = t.next(); // { id: 0, hop: 1, index: 0 }
 * t.answer(p.id, { from: "10.0.0.1", rttMs: 0.1, note: "", final: false });
 * t.timeout(1); t.timeout(2);
 * t.takeCompleteHops(); // [{ hop: 1, probes: [ …3 probes ] }]
 */

/** One probe as sent: `id` numbers probes from 0 in send order; `hop` is the TTL. */
export interface Probe {
  id: number;
  hop: number;
  /** Index within its hop, 0 … perHop − 1. */
  index: number;
}

/** What came back for one probe (null `from`: silent within the wait, printed `*`). */
export interface ProbeResult {
  from: string | null;
  /** Round-trip time in milliseconds (null when silent). */
  rttMs: number | null;
  /** traceroute's annotation: "" or `!H`, `!N`, `!P`, `!X`, `!F`, `!S`, `!V`, `!C`, `!<code>`. */
  note: string;
}

/** One completed hop: its TTL and the result of each of its probes, in probe order. */
export interface Hop {
  hop: number;
  probes: ProbeResult[];
}

/** An answer to a probe: `final` when it ends the trace (destination reached or unreachable). */
export interface Answer extends ProbeResult {
  final: boolean;
}

/** How traceroute reads an ICMP error: null when the error is not about the path (ignore it). */
export interface ErrorMeaning {
  final: boolean;
  note: string;
}

/**
 * What an ICMP (`version` 4) or ICMPv6 (6) error means for a trace, as traceroute reads it: time
 * exceeded in transit → next hop (not final); port unreachable → the destination answered (final,
 * no note); other unreachables → final with a note (`!N` net, `!H` host, `!P` protocol, `!X`
 * prohibited, `!F` fragmentation needed / packet too big, `!S` source route, `!V`, `!C`, `!<code>`).
 * Any other message (redirect, reassembly timeout, …) → null.
 *
 * @example
 * icmpErrorMeaning(4, 11, 0); // { final: false, note: "" }
 * icmpErrorMeaning(4, 3, 1); // { final: true, note: "!H" }
 * icmpErrorMeaning(6, 1, 4); // { final: true, note: "" }
 */
export function icmpErrorMeaning(version: 4 | 6, type: number, code: number): ErrorMeaning | null {
  if (version === 4) {
    if (type === 11) return code === 0 ? { final: false, note: "" } : null;
    if (type !== 3) return null;
    const notes: Record<number, string> = {
      0: "!N",
      6: "!N",
      8: "!N",
      11: "!N",
      1: "!H",
      7: "!H",
      12: "!H",
      9: "!X",
      10: "!X",
      13: "!X",
      3: "",
      2: "!P",
      4: "!F",
      5: "!S",
      14: "!V",
      15: "!C",
    };
    return { final: true, note: notes[code] ?? `!<${code}>` };
  }
  if (type === 3) return code === 0 ? { final: false, note: "" } : null;
  if (type === 2) return { final: true, note: "!F" };
  if (type !== 1) return null;
  const notes: Record<number, string> = { 0: "!N", 2: "!H", 3: "!H", 1: "!X", 4: "" };
  return { final: true, note: notes[code] ?? `!<${code}>` };
}

export interface TraceProbesOptions {
  /** Last TTL to try (traceroute -m). */
  maxHops: number;
  /** Probes per hop (traceroute -q). */
  perHop: number;
  /** Probes in flight at once (traceroute -N). */
  window: number;
  /** First TTL (traceroute -f). Default 1. */
  firstHop?: number;
}

const SILENT: ProbeResult = { from: null, rttMs: null, note: "" };

/** The state of one trace. Feed it answers and timeouts; read complete hops in order. */
export class TraceProbes {
  private readonly maxHops: number;
  private readonly perHop: number;
  private readonly window: number;
  private readonly firstHop: number;
  /** Results by probe id (undefined: not sent or still in flight). */
  private readonly results: (ProbeResult | undefined)[] = [];
  private readonly inFlight = new Set<number>();
  private sent = 0;
  /** The lowest hop with a final answer (maxHops + 1 when none yet). */
  private lastHop: number;
  private nextToReport: number;
  private finalSeen = false;

  constructor(o: TraceProbesOptions) {
    if (!(o.perHop >= 1 && o.window >= 1 && o.maxHops >= 1)) throw new RangeError("bad trace options");
    this.maxHops = o.maxHops;
    this.perHop = o.perHop;
    this.window = o.window;
    this.firstHop = o.firstHop ?? 1;
    this.lastHop = this.maxHops;
    this.nextToReport = this.firstHop;
  }

  /** The probe with this id. */
  probe(id: number): Probe {
    return { id, hop: this.firstHop + Math.floor(id / this.perHop), index: id % this.perHop };
  }

  /** The next probe to send now, or null (window full, or nothing left to send). */
  next(): Probe | null {
    if (this.inFlight.size >= this.window) return null;
    const p = this.probe(this.sent);
    if (p.hop > this.lastHop) return null;
    this.sent++;
    this.inFlight.add(p.id);
    return p;
  }

  /** Whether probe `id` was sent and is still waiting for an answer. */
  waiting(id: number): boolean {
    return this.inFlight.has(id);
  }

  /** Record an answer; returns false (and changes nothing) when the probe was not waiting. */
  answer(id: number, a: Answer): boolean {
    if (!this.inFlight.delete(id)) return false;
    this.results[id] = { from: a.from, rttMs: a.rttMs, note: a.note };
    const hop = this.probe(id).hop;
    if (a.final) {
      this.finalSeen = true;
      if (hop < this.lastHop) this.lastHop = hop;
    }
    return true;
  }

  /** Probe `id` got no answer within the wait. */
  timeout(id: number): void {
    if (!this.inFlight.delete(id)) return;
    this.results[id] = SILENT;
  }

  /** Hops that are now complete and not reported yet, in hop order (each hop reported once). */
  takeCompleteHops(): Hop[] {
    const out: Hop[] = [];
    while (this.nextToReport <= this.lastHop) {
      const base = (this.nextToReport - this.firstHop) * this.perHop;
      const probes: ProbeResult[] = [];
      for (let i = 0; i < this.perHop; i++) {
        const r = this.results[base + i];
        if (r === undefined) return out;
        probes.push(r);
      }
      out.push({ hop: this.nextToReport, probes });
      this.nextToReport++;
    }
    return out;
  }

  /** True when every hop up to the end of the trace has been reported. */
  get done(): boolean {
    return this.nextToReport > this.lastHop;
  }

  /** True when a final answer was seen (the trace ends before max hops). */
  get ended(): boolean {
    return this.finalSeen;
  }

  /** Probes still in flight (ids) — those beyond the end may be dropped by the caller. */
  pending(): number[] {
    return [...this.inFlight];
  }
}
