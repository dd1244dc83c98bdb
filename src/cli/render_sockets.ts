/**
 * Text rendering of socket rows in `ss -tuanp` columns, and of their owners. Pure.
 */
import { digits as countDigits, type InetRecords, MSG, v6Text } from "../ports/inet_records.js";
import type { OwnerIndex } from "../ports/owner_index.js";
import type { OwnerVisitor } from "../ports/owners.js";
import { type SocketProcess, type SocketRow, stateName } from "../ports/socket_row.js";

const NETID: Record<string, string> = { stream: "u_str", dgram: "u_dgr", seqpacket: "u_seq" };

/** "127.0.0.1:80", "[::1]:80", "0.0.0.0:*" — ss's way (port 0 is "*"). */
export function endpoint(address: string, port: number | null): string {
  const a = address.includes(":") ? `[${address}]` : address;
  return `${a}:${port === 0 || port === null ? "*" : port}`;
}

/** users:(("python3",pid=5904,fd=3),…), "?" when the owner could not be seen, "" when none. */
export function usersText(r: SocketRow): string {
  if (r.processes.length === 0) return r.ownerUnknown ? "?" : "";
  return `users:(${r.processes.map((p) => `("${p.command}",pid=${p.pid},fd=${p.fd})`).join(",")})`;
}

const NETID_INET: Record<string, string> = { tcp: "tcp", udp: "udp", raw: "raw" };

function netid(r: SocketRow): string {
  return r.family === "unix" ? (NETID[r.type] ?? "u_str") : (NETID_INET[r.protocol] ?? r.protocol);
}

/** Digits of a queue size; "-" (unknown) is one character. */
function digits(n: number | null): number {
  return n === null ? 1 : countDigits(n);
}

/** Length of "addr:port" / "[v6]:port" (`v6`: the row's family is inet6, so brackets). */
function endpointLength(address: string, port: number | null, v6: boolean): number {
  return address.length + (v6 ? 2 : 0) + 1 + (port === 0 || port === null ? 1 : digits(port));
}

const HEAD = ["Netid", "State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port", "Process"];

/** Width of a Unix row's peer cell: "* INODE", or "*" when the peer is unknown. */
function unixPeerLength(r: SocketRow): number {
  return typeof r.peerInode === "number" ? 2 + digits(r.peerInode) : 1;
}

type Widths = [number, number, number, number, number, number, number];

/** Column widths: each column as wide as its widest cell (computed arithmetically, no text kept). */
function columnWidths(rows: readonly SocketRow[]): Widths {
  const w = HEAD.map((h) => h.length) as Widths;
  for (const r of rows) {
    const id = r.family === "unix" ? 5 : r.protocol.length;
    if (id > w[0]) w[0] = id;
    if (r.state.length > w[1]) w[1] = r.state.length;
    const rq = digits(r.recvQ);
    if (rq > w[2]) w[2] = rq;
    const sq = digits(r.sendQ);
    if (sq > w[3]) w[3] = sq;
    const l =
      r.family === "unix"
        ? (r.localAddress.length || 1) + 1 + digits(r.inode)
        : endpointLength(r.localAddress, r.localPort, r.family === "inet6");
    if (l > w[4]) w[4] = l;
    const p =
      r.family === "unix"
        ? unixPeerLength(r)
        : endpointLength(r.peerAddress, r.peerPort, r.family === "inet6");
    if (p > w[5]) w[5] = p;
  }
  return w;
}

const SPACE = 32;

/**
 * Writes table lines straight into a byte buffer: no string per cell or line (the table of 40,000
 * sockets is ~4 MB; building it as strings cost more than the kernel's dump). Text is written
 * as UTF-8; widths are counted in UTF-16 units like String.padEnd.
 */
class LineWriter {
  buf: Buffer;
  off = 0;
  constructor(
    size: number,
    private readonly emit: (chunk: Uint8Array) => void,
  ) {
    this.buf = Buffer.allocUnsafe(size);
  }
  /** Make room for `n` more bytes, emitting what is buffered when needed. */
  room(n: number): void {
    if (this.off + n <= this.buf.length) return;
    if (this.off > 0) this.emit(this.buf.subarray(0, this.off));
    this.buf = Buffer.allocUnsafe(Math.max(this.buf.length, n));
    this.off = 0;
  }
  /** Make room for `n` more bytes within the current line: grows the buffer, never emits. */
  grow(n: number): void {
    if (this.off + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.off + n));
    bigger.set(this.buf.subarray(0, this.off));
    this.buf = bigger;
  }
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.off);
    this.off += b.byteLength;
  }
  spaces(n: number): void {
    const b = this.buf;
    let o = this.off;
    for (let i = 0; i < n; i++) b[o++] = SPACE;
    this.off = o;
  }
  /** `s` (room already made for 3 bytes per UTF-16 unit). */
  text(s: string): void {
    const b = this.buf;
    let o = this.off;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) {
        this.off = o;
        this.off += b.write(s.slice(i), this.off, "utf8");
        return;
      }
      b[o++] = c;
    }
    this.off = o;
  }
  num(n: number): void {
    const d = digits(n);
    const b = this.buf;
    let o = this.off + d;
    this.off = o;
    do {
      b[--o] = 48 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
  }
  /** A record's "a.b.c.d:port" or "[v6]:port" (`addr`: the address text's bytes). */
  recordEndpoint(addr: Uint8Array, v6: boolean, port: number): void {
    if (v6) this.buf[this.off++] = 91; // [
    this.buf.set(addr, this.off);
    this.off += addr.byteLength;
    if (v6) this.buf[this.off++] = 93; // ]
    this.buf[this.off++] = 58; // :
    if (port === 0)
      this.buf[this.off++] = 42; // *
    else this.num(port);
  }
  /** "addr:port", "[v6]:port", port 0 as "*". */
  endpoint(address: string, port: number | null, v6: boolean): void {
    if (v6) this.buf[this.off++] = 91; // [
    this.text(address);
    if (v6) this.buf[this.off++] = 93; // ]
    this.buf[this.off++] = 58; // :
    if (port === 0 || port === null)
      this.buf[this.off++] = 42; // *
    else this.num(port);
  }
}

const AF_INET6 = 10;
const NO_PROCESSES: readonly SocketProcess[] = [];

function recordEndpointLength(addr: Uint8Array, v6: boolean, port: number): number {
  return addr.byteLength + (v6 ? 2 : 0) + 1 + (port === 0 ? 1 : digits(port));
}

/** Address texts of records as bytes, made once per address (most sockets share a few). */
class AddrTexts {
  private readonly v4 = new Map<number, Uint8Array>();
  private readonly v6 = new Map<string, Uint8Array>();
  get(v: DataView, off: number, v6: boolean): Uint8Array {
    if (v6) {
      const key = `${v.getUint32(off, false)}:${v.getUint32(off + 4, false)}:${v.getUint32(off + 8, false)}:${v.getUint32(off + 12, false)}`;
      let b = this.v6.get(key);
      if (b === undefined) {
        b = Buffer.from(v6Text(v, off), "latin1");
        this.v6.set(key, b);
      }
      return b;
    }
    const n = v.getUint32(off, false);
    let b = this.v4.get(n);
    if (b === undefined) {
      b = Buffer.from(`${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`, "latin1");
      this.v4.set(n, b);
    }
    return b;
  }
}

/** Widen `w` for the records (measured while they arrived). */
function inetWidths(inet: InetRecords, w: Widths): void {
  if (inet.count === 0) return;
  const m = inet.widths;
  w[0] = Math.max(w[0], 3); // tcp, udp
  w[1] = Math.max(w[1], m.state);
  w[2] = Math.max(w[2], m.recvQ);
  w[3] = Math.max(w[3], m.sendQ);
  w[4] = Math.max(w[4], m.local);
  w[5] = Math.max(w[5], m.peer);
}

/** Right-align `n` in `width` columns at `o`; returns the new offset. */
function putNum(buf: Uint8Array, o: number, n: number, width: number): number {
  const d = countDigits(n);
  for (let i = d; i < width; i++) buf[o++] = SPACE;
  let e = o + d;
  const end = e;
  do {
    buf[--e] = 48 + (n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  return end;
}

/**
 * The TCP/UDP lines from the kernel's records: TCP then UDP, IPv4 then IPv6 (a TCP dump of both
 * families interleaves them), each group as the kernel listed it. One tight loop that writes
 * straight into the buffer (the cells' texts are made once: netid, state, address, owner
 * prefix): this runs once per socket, in a process too short-lived for the JIT to help much.
 * Owners come from `index` when given, else through `tail` (the generic Process column).
 */
function writeRecords(
  out: LineWriter,
  inet: InetRecords,
  w: Widths,
  addrs: AddrTexts,
  chunk: number,
  tail: (inode: number, peerLen: number) => void,
  index: OwnerIndex | undefined,
  someUnreadable: boolean,
): void {
  const cell = (s: string, width: number) => Buffer.from(`${s.padEnd(width)} `);
  const netids = [cell("tcp", w[0]), cell("udp", w[0])];
  const states: Uint8Array[] = [];
  for (let i = 0; i < 16; i++) states.push(cell(stateName(i), w[1]));
  const users = Buffer.from("users:(");
  const prefixes = new Map<number, Uint8Array>();
  let lastPid = -1;
  let lastPrefix: Uint8Array = users;
  for (let group = 0; group < 4; group++) {
    const protocol = group >> 1;
    const wantV6 = (group & 1) === 1;
    for (let k = 0; k < inet.count; k++) {
      if (inet.protocol[k] !== protocol) continue;
      const v = inet.batches[inet.batch[k]!]!;
      const off = inet.offset[k]!;
      const v6 = v.getUint8(off + MSG.family) === AF_INET6;
      if (v6 !== wantV6) continue;
      const local = addrs.get(v, off + MSG.src, v6);
      const peer = addrs.get(v, off + MSG.dst, v6);
      out.room(local.byteLength + peer.byteLength + 128 + w[0] + w[1] + w[2] + w[3] + w[4] + w[5]);
      const buf = out.buf;
      let o = out.off;
      const nid = netids[protocol]!;
      buf.set(nid, o);
      o += nid.byteLength;
      const st = states[v.getUint8(off + MSG.state) & 15]!;
      buf.set(st, o);
      o += st.byteLength;
      o = putNum(buf, o, v.getUint32(off + MSG.rqueue, true), w[2]);
      buf[o++] = SPACE;
      o = putNum(buf, o, v.getUint32(off + MSG.wqueue, true), w[3]);
      buf[o++] = SPACE;
      const sport = v.getUint16(off + MSG.sport, false);
      const dport = v.getUint16(off + MSG.dport, false);
      for (let i = recordEndpointLength(local, v6, sport); i < w[4]; i++) buf[o++] = SPACE;
      if (v6) buf[o++] = 91; // [
      buf.set(local, o);
      o += local.byteLength;
      if (v6) buf[o++] = 93; // ]
      buf[o++] = 58; // :
      if (sport === 0) buf[o++] = 42;
      else o = putNum(buf, o, sport, 0);
      buf[o++] = SPACE;
      if (v6) buf[o++] = 91;
      buf.set(peer, o);
      o += peer.byteLength;
      if (v6) buf[o++] = 93;
      buf[o++] = 58;
      if (dport === 0) buf[o++] = 42;
      else o = putNum(buf, o, dport, 0);
      const inode = v.getUint32(off + MSG.inode, true);
      const peerLen = recordEndpointLength(peer, v6, dport);
      const head = index === undefined || inode === 0 ? -3 : index.lookup(inode);
      if (head < -1) {
        out.off = o; // the generic path: no index, or owners found another way
        tail(inode, peerLen);
      } else if (head === -1) {
        if (someUnreadable) {
          for (let i = peerLen; i <= w[5]; i++) buf[o++] = SPACE;
          buf[o++] = 63; // ?
        }
        buf[o++] = 10;
        out.off = o;
      } else {
        for (let i = peerLen; i <= w[5]; i++) buf[o++] = SPACE;
        buf.set(users, o);
        o += users.byteLength;
        let b = buf;
        for (let r = head; r >= 0; r = index!.next[r]!) {
          const pid = index!.recs[r * 3]!;
          if (pid !== lastPid) {
            let p = prefixes.get(pid);
            if (p === undefined) {
              p = Buffer.from(`("${index!.commandOf(pid)}",pid=${pid},fd=`);
              prefixes.set(pid, p);
            }
            lastPid = pid;
            lastPrefix = p;
          }
          if (o + lastPrefix.byteLength + 16 > b.length) {
            out.off = o;
            out.grow(lastPrefix.byteLength + 64);
            b = out.buf;
          }
          if (r !== head) b[o++] = 44; // ,
          b.set(lastPrefix, o);
          o += lastPrefix.byteLength;
          o = putNum(b, o, index!.recs[r * 3 + 1]!, 0);
          b[o++] = 41; // )
        }
        b[o++] = 41;
        b[o++] = 10;
        out.off = o;
      }
      if (out.off >= chunk) out.room(chunk + 1);
    }
  }
}

export interface RenderOptions {
  /** With `owners`: the index behind it, read directly for the records' lines (faster). */
  ownerIndex?: OwnerIndex;
  /** TCP/UDP sockets as the kernel's records, printed before `rows` (see listSocketsText). */
  inet?: InetRecords;
  /** Bytes per emitted chunk (default 64 KiB). */
  chunk?: number;
  /** Look owners up by inode instead of reading `processes` (see listSocketsDetached). */
  owners?: OwnerVisitor;
  /** With `owners`: some process's fds were unreadable, so an unowned socket shows "?". */
  someUnreadable?: boolean;
}

function textWidth(r: SocketRow): number {
  let n = r.localAddress.length + r.peerAddress.length + 160;
  for (const p of r.processes) n += p.command.length + 40;
  return n * 3;
}

/**
 * The table as UTF-8 byte chunks of about `chunk` bytes (a header line first; columns sized to
 * their content), passed to `emit` (each chunk is handed over: the writer never reuses it).
 * Owners come from each row's `processes`, or from `opts.owners` for rows listed without them.
 */
export function renderSocketTableBytes(
  rows: readonly SocketRow[],
  emit: (chunk: Uint8Array) => void,
  opts: RenderOptions = {},
): void {
  const chunk = opts.chunk ?? 1 << 16;
  const visit = opts.owners;
  const w = columnWidths(rows);
  const inet = opts.inet;
  const addrs = new AddrTexts();
  if (inet !== undefined) inetWidths(inet, w);
  const out = new LineWriter(chunk, emit);
  // the Netid and State cells take a handful of values: each padded once, then copied
  const netids = new Map<string, Uint8Array>();
  const states = new Map<string, Uint8Array>();
  const padded = (cells: Map<string, Uint8Array>, s: string, width: number): Uint8Array => {
    let b = cells.get(s);
    if (b === undefined) {
      b = Buffer.from(`${s.padEnd(width)} `);
      cells.set(s, b);
    }
    return b;
  };
  let first = true;
  // '("command",pid=N,fd=' is the same for every socket of a process: made once per process
  const ownerPrefix = new Map<number, { command: string; bytes: Uint8Array }>();
  let lastPid = -1;
  let lastCommand = "";
  let lastPrefix: Uint8Array = new Uint8Array(0);
  const writeOwner = (pid: number, command: string, fd: number) => {
    if (pid !== lastPid || command !== lastCommand) {
      let p = ownerPrefix.get(pid);
      if (p === undefined || p.command !== command) {
        p = { command, bytes: Buffer.from(`("${command}",pid=${pid},fd=`) };
        ownerPrefix.set(pid, p);
      }
      lastPid = pid;
      lastCommand = command;
      lastPrefix = p.bytes;
    }
    out.grow(lastPrefix.byteLength + 16);
    if (!first) out.buf[out.off++] = 44; // ,
    first = false;
    out.bytes(lastPrefix);
    out.num(fd);
    out.buf[out.off++] = 41; // )
  };
  const USERS = Buffer.from("users:(");
  /** The Process column of a line whose peer column is `peerLen` wide. */
  const ownersTail = (
    inode: number,
    processes: readonly SocketProcess[],
    unknownRow: boolean,
    peerLen: number,
  ) => {
    const lineEnd = out.off;
    let owners = processes.length;
    if (owners > 0 || visit !== undefined) {
      out.spaces(w[5] - peerLen + 1);
      out.bytes(USERS);
      if (visit !== undefined && inode !== 0) owners = visit(inode, writeOwner);
      else for (const p of processes) writeOwner(p.pid, p.command, p.fd);
      out.buf[out.off++] = 41;
      if (owners === 0) out.off = lineEnd; // nobody: take the "users:(" back
    }
    const unknown =
      visit !== undefined ? owners === 0 && inode !== 0 && opts.someUnreadable === true : unknownRow;
    if (owners === 0 && unknown) {
      out.spaces(w[5] - peerLen + 1);
      out.buf[out.off++] = 63; // ?
    }
    out.buf[out.off++] = 10;
  };
  const cell = (s: string, width: number, right: boolean) => {
    if (right) out.spaces(width - s.length);
    out.text(s);
    if (!right) out.spaces(width - s.length);
  };
  out.room(1024);
  cell(HEAD[0]!, w[0], false);
  out.spaces(1);
  cell(HEAD[1]!, w[1], false);
  out.spaces(1);
  cell(HEAD[2]!, w[2], true);
  out.spaces(1);
  cell(HEAD[3]!, w[3], true);
  out.spaces(1);
  cell(HEAD[4]!, w[4], true);
  out.spaces(1);
  cell(HEAD[5]!, w[5], false);
  out.spaces(1);
  out.text(HEAD[6]!);
  out.buf[out.off++] = 10;
  if (inet !== undefined) {
    writeRecords(
      out,
      inet,
      w,
      addrs,
      chunk,
      (inode, peerLen) => {
        first = true;
        ownersTail(inode, NO_PROCESSES, false, peerLen);
      },
      opts.ownerIndex,
      opts.someUnreadable === true,
    );
  }
  for (const r of rows) {
    out.room(textWidth(r) + w[0] + w[1] + w[2] + w[3] + w[4] + w[5]);
    first = true;
    const unix = r.family === "unix";
    out.bytes(padded(netids, netid(r), w[0]));
    out.bytes(padded(states, r.state, w[1]));
    if (r.recvQ === null) cell("-", w[2], true);
    else {
      out.spaces(w[2] - digits(r.recvQ));
      out.num(r.recvQ);
    }
    out.spaces(1);
    if (r.sendQ === null) cell("-", w[3], true);
    else {
      out.spaces(w[3] - digits(r.sendQ));
      out.num(r.sendQ);
    }
    out.spaces(1);
    if (unix) {
      const local = r.localAddress || "*";
      out.spaces(w[4] - (local.length + 1 + digits(r.inode)));
      out.text(local);
      out.spaces(1);
      out.num(r.inode);
    } else {
      const v6 = r.family === "inet6";
      out.spaces(w[4] - endpointLength(r.localAddress, r.localPort, v6));
      out.endpoint(r.localAddress, r.localPort, v6);
    }
    out.spaces(1);
    const v6 = r.family === "inet6";
    const peerLen = unix ? unixPeerLength(r) : endpointLength(r.peerAddress, r.peerPort, v6);
    if (unix) {
      // ss -x: "* PEER_INODE" (0 without a peer); just "*" when the source does not know.
      out.buf[out.off++] = 42;
      if (typeof r.peerInode === "number") {
        out.spaces(1);
        out.num(r.peerInode);
      }
    } else out.endpoint(r.peerAddress, r.peerPort, v6);
    ownersTail(r.inode, r.processes, r.ownerUnknown, peerLen);
    if (out.off >= chunk) out.room(chunk + 1);
  }
  if (out.off > 0) emit(out.buf.subarray(0, out.off));
}

/**
 * The table in string chunks (a header line first; columns sized to their content).
 */
export function* renderSocketTableChunks(rows: readonly SocketRow[], chunk = 1 << 16): Generator<string> {
  const chunks: Uint8Array[] = [];
  renderSocketTableBytes(rows, (c) => chunks.push(c), { chunk });
  const decoder = new TextDecoder();
  for (const c of chunks) yield decoder.decode(c, { stream: true });
  const tail = decoder.decode();
  if (tail !== "") yield tail;
}

/** The whole table as one string. */
export function renderSocketTable(rows: readonly SocketRow[]): string {
  let out = "";
  for (const c of renderSocketTableChunks(rows)) out += c;
  return out;
}

/**
 * Rows and records as JSON — one array, or with `stream` one object per line — exactly as
 * JSON.stringify of the rows would print them (documented field order), written as bytes:
 * TCP/UDP from the kernel's records first (as the text table orders them), then `rows`, whose
 * owners are looked up through `owners` when they carry none.
 */
export function renderSocketJsonBytes(
  rows: readonly SocketRow[],
  emit: (chunk: Uint8Array) => void,
  opts: RenderOptions & { stream?: boolean } = {},
): void {
  const chunk = opts.chunk ?? 1 << 16;
  const out = new LineWriter(chunk, emit);
  const stream = opts.stream === true;
  const sep = stream ? 10 : 44; // "\n" between objects, or ","
  let count = 0;
  const begin = () => {
    if (!stream) out.buf[out.off++] = count === 0 ? 91 : sep; // [ or ,
    count++;
  };
  const end = () => {
    if (stream) out.buf[out.off++] = 10;
    if (out.off >= chunk) out.room(chunk + 1);
  };
  const inet = opts.inet;
  const visit = opts.owners;
  const someUnreadable = opts.someUnreadable === true;
  // a process's command as a JSON string, made once per process
  const commands = new Map<number, { command: string; json: string }>();
  const quoted = (pid: number, command: string) => {
    let c = commands.get(pid);
    if (c === undefined || c.command !== command) {
      c = { command, json: JSON.stringify(command) };
      commands.set(pid, c);
    }
    return c.json;
  };
  out.room(2);
  if (inet !== undefined) {
    const addrs = new AddrTexts();
    const heads = [
      Buffer.from('{"protocol":"tcp","family":"inet","type":"stream","state":"'),
      Buffer.from('{"protocol":"tcp","family":"inet6","type":"stream","state":"'),
      Buffer.from('{"protocol":"udp","family":"inet","type":"dgram","state":"'),
      Buffer.from('{"protocol":"udp","family":"inet6","type":"dgram","state":"'),
    ];
    let n = 0;
    const owner = (pid: number, command: string, fd: number) => {
      out.grow(command.length * 6 + 64);
      out.text(`${n++ === 0 ? "" : ","}{"pid":${pid},"command":${quoted(pid, command)},"fd":${fd}}`);
    };
    for (let group = 0; group < 4; group++) {
      for (let k = 0; k < inet.count; k++) {
        if (inet.protocol[k] !== group >> 1) continue;
        const v = inet.batches[inet.batch[k]!]!;
        const off = inet.offset[k]!;
        const v6 = v.getUint8(off + MSG.family) === AF_INET6;
        if (v6 !== ((group & 1) === 1)) continue;
        const local = addrs.get(v, off + MSG.src, v6);
        const peer = addrs.get(v, off + MSG.dst, v6);
        out.room(local.byteLength + peer.byteLength + 320);
        begin();
        out.bytes(heads[group]!);
        out.text(stateName(v.getUint8(off + MSG.state)));
        out.text('","localAddress":"');
        out.bytes(local);
        out.text('","localPort":');
        out.num(v.getUint16(off + MSG.sport, false));
        out.text(',"peerAddress":"');
        out.bytes(peer);
        out.text('","peerPort":');
        out.num(v.getUint16(off + MSG.dport, false));
        out.text(',"recvQ":');
        out.num(v.getUint32(off + MSG.rqueue, true));
        out.text(',"sendQ":');
        out.num(v.getUint32(off + MSG.wqueue, true));
        out.text(',"uid":');
        out.num(v.getUint32(off + MSG.uid, true));
        out.text(',"inode":');
        const inode = v.getUint32(off + MSG.inode, true);
        out.num(inode);
        out.text(',"processes":[');
        n = 0;
        if (visit !== undefined && inode !== 0) visit(inode, owner);
        out.text(
          n === 0 && inode !== 0 && someUnreadable ? '],"ownerUnknown":true}' : '],"ownerUnknown":false}',
        );
        end();
      }
    }
  }
  for (const r of rows) {
    let row = r;
    if (visit !== undefined && r.processes.length === 0 && r.inode !== 0) {
      const processes: SocketProcess[] = [];
      visit(r.inode, (pid, command, fd) => processes.push({ pid, command, fd }));
      row = { ...r, processes, ownerUnknown: processes.length === 0 && someUnreadable };
    }
    const text = JSON.stringify(row);
    out.room(text.length * 3 + 2);
    begin();
    out.text(text);
    end();
  }
  if (!stream) {
    out.room(2);
    if (count === 0) out.buf[out.off++] = 91;
    out.buf[out.off++] = 93; // ]
    out.buf[out.off++] = 10;
  }
  if (out.off > 0) emit(out.buf.subarray(0, out.off));
}

/** A JSON array of rows in chunks (rows already carry the documented fields in order). */
export function* socketJsonChunks(rows: readonly SocketRow[], chunk = 1 << 16): Generator<string> {
  let buf = "[";
  for (let i = 0; i < rows.length; i++) {
    buf += (i === 0 ? "" : ",") + JSON.stringify(rows[i]);
    if (buf.length >= chunk) {
      yield buf;
      buf = "";
    }
  }
  yield `${buf}]\n`;
}

/** The JSON object of a row, in the documented field order. */
export function rowJson(r: SocketRow): Record<string, unknown> {
  return {
    protocol: r.protocol,
    family: r.family,
    type: r.type,
    state: r.state,
    localAddress: r.localAddress,
    localPort: r.localPort,
    peerAddress: r.peerAddress,
    peerPort: r.peerPort,
    recvQ: r.recvQ,
    sendQ: r.sendQ,
    uid: r.uid,
    inode: r.inode,
    ...(r.peerInode !== undefined ? { peerInode: r.peerInode } : {}),
    processes: r.processes,
    ownerUnknown: r.ownerUnknown,
  };
}
