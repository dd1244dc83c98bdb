/**
 * Every open socket of every process in one pass inside the kernel: a BPF iterator over task
 * files (`bpf_iter_task_file`, Linux ≥ 5.8) whose program keeps the files that are sockets and
 * writes (tgid, fd, inode) records. This replaces the /proc/PID/fd walk of `ss -p` (one
 * readlink per fd, ~3–4 µs each in the kernel) with ~0.4 µs per fd and no path strings.
 *
 * The program is assembled here (no compiler): the struct offsets it needs (task_struct.tgid,
 * file.f_inode, inode.i_mode, inode.i_ino) come from the running kernel's BTF (btf.ts).
 * Needs CAP_BPF and CAP_PERFMON (root) and kernel BTF; callers fall back to /proc otherwise.
 * The iterators report the kernel's pids: inside a pid namespace (the reader's kernel pid is not
 * process.pid) taskSocketFds refuses rather than report pids this process cannot see.
 *
 * @example
 * const { records } = taskSocketFds(); // Uint32Array of (pid, fd, inode) triples
 */
import { BTF_KIND, type Btf, readKernelBtf } from "./btf.js";
import { checkCall, koffiModule, libcFunction, SyscallError } from "./ffi.js";
import { kernelIdentity, readKernelCache, writeKernelCache } from "./kernel_cache.js";

const SYS_BPF: Partial<Record<string, number>> = { x64: 321, arm64: 280 };
const BPF_PROG_LOAD = 5;
const BPF_LINK_CREATE = 28;
const BPF_ITER_CREATE = 33;
const BPF_PROG_TYPE_TRACING = 26;
const BPF_TRACE_ITER = 28;
const BPF_FUNC_SEQ_WRITE = 127;
const BPF_FUNC_GET_CURRENT_PID_TGID = 14;
const ATTR_SIZE = 144; // sizeof(union bpf_attr) in the headers this was written against
const EINTR = 4;
const EAGAIN = 11;

/** Why the BPF path cannot run here (no BTF, no permission, unsupported kernel …). */
export class BpfUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BpfUnavailable";
  }
}

type SyscallFn = (nr: number, ...typed: unknown[]) => number;
type ReadFn = (fd: number, buf: Uint8Array, n: number) => number;
type CloseFn = (fd: number) => number;

function bpf(cmd: number, attr: Uint8Array, what: string): number {
  const nr = SYS_BPF[process.arch];
  if (nr === undefined) throw new BpfUnavailable(`bpf(2) syscall number unknown on ${process.arch}`);
  const syscall = libcFunction<SyscallFn>("long syscall(long nr, ...)");
  return checkCall(what, syscall(nr, "int", cmd, "uint8_t *", attr, "unsigned int", ATTR_SIZE));
}

// --- a tiny eBPF assembler (include/uapi/linux/bpf.h instruction encoding) ---

const R0 = 0;
const R1 = 1;
const R2 = 2;
const R3 = 3;
const R4 = 4;
const R5 = 5;
const R6 = 6;
const R7 = 7;
const R8 = 8;
const R10 = 10;
const LDX_SIZE: Partial<Record<number, number>> = { 1: 0x71, 2: 0x69, 4: 0x61, 8: 0x79 };
const EXIT = -1; // jump target placeholder: the final "return 0"

interface Insn {
  op: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

function ldx(size: number, dst: number, src: number, off: number): Insn {
  const op = LDX_SIZE[size];
  if (op === undefined) throw new BpfUnavailable(`cannot load a ${size}-byte field`);
  return { op, dst, src, off, imm: 0 };
}
const mov = (dst: number, src: number): Insn => ({ op: 0xbf, dst, src, off: 0, imm: 0 });
const movImm = (dst: number, imm: number): Insn => ({ op: 0xb7, dst, src: 0, off: 0, imm });
const addImm = (dst: number, imm: number): Insn => ({ op: 0x07, dst, src: 0, off: 0, imm });
const rshImm = (dst: number, imm: number): Insn => ({ op: 0x77, dst, src: 0, off: 0, imm });
const andImm = (dst: number, imm: number): Insn => ({ op: 0x57, dst, src: 0, off: 0, imm });
const jeqImm = (dst: number, imm: number, to: number): Insn => ({ op: 0x15, dst, src: 0, off: to, imm });
const jneReg = (dst: number, src: number, to: number): Insn => ({ op: 0x5d, dst, src, off: to, imm: 0 });
const jneImm = (dst: number, imm: number, to: number): Insn => ({ op: 0x55, dst, src: 0, off: to, imm });
const stx = (size: 4 | 8, dst: number, off: number, src: number): Insn => ({
  op: size === 8 ? 0x7b : 0x63,
  dst,
  src,
  off,
  imm: 0,
});
const call = (helper: number): Insn => ({ op: 0x85, dst: 0, src: 0, off: 0, imm: helper });
const exit = (): Insn => ({ op: 0x95, dst: 0, src: 0, off: 0, imm: 0 });

function assemble(body: Insn[]): Uint8Array {
  const all = [...body, movImm(R0, 0), exit()];
  const exitAt = body.length;
  const out = new Uint8Array(all.length * 8);
  const v = new DataView(out.buffer);
  all.forEach((ins, i) => {
    const off = ins.off === EXIT && (ins.op & 0x07) === 0x05 ? exitAt - i - 1 : ins.off;
    v.setUint8(i * 8, ins.op);
    v.setUint8(i * 8 + 1, (ins.src << 4) | ins.dst);
    v.setInt16(i * 8 + 2, off, true);
    v.setInt32(i * 8 + 4, ins.imm, true);
  });
  return out;
}

/** Field offsets of the running kernel that the program reads. */
export interface TaskFileLayout {
  /** BTF ids of the file and task iterators' attach functions. */
  iterFunc: number;
  taskIterFunc: number;
  tgid: { offset: number; size: number };
  pid: { offset: number; size: number };
  fInode: { offset: number; size: number };
  iMode: { offset: number; size: number };
  iIno: { offset: number; size: number };
}

/** Look the program's fields up in BTF. @throws BpfUnavailable when one is missing. */
export function taskFileLayout(btf: Btf): TaskFileLayout {
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new BpfUnavailable(`kernel BTF has no ${what}`);
    return v;
  };
  const [task, file, inode, iterFunc, taskIterFunc] = btf
    .typeIds([
      ["task_struct", BTF_KIND.STRUCT],
      ["file", BTF_KIND.STRUCT],
      ["inode", BTF_KIND.STRUCT],
      ["bpf_iter_task_file", BTF_KIND.FUNC],
      ["bpf_iter_task", BTF_KIND.FUNC],
    ])
    .map((id, i) =>
      need(
        id,
        [
          "struct task_struct",
          "struct file",
          "struct inode",
          "bpf_iter_task_file (kernel < 5.8)",
          "bpf_iter_task",
        ][i]!,
      ),
    ) as [number, number, number, number, number];
  return {
    iterFunc,
    taskIterFunc,
    tgid: need(btf.member(task, "tgid"), "task_struct.tgid"),
    pid: need(btf.member(task, "pid"), "task_struct.pid"),
    fInode: need(btf.member(file, "f_inode"), "file.f_inode"),
    iMode: need(btf.member(inode, "i_mode"), "inode.i_mode"),
    iIno: need(btf.member(inode, "i_ino"), "inode.i_ino"),
  };
}

/**
 * The program: for each (task, fd, file) the iterator visits, if the task is a thread-group
 * leader (as /proc/PID/fd shows the leader's table; threads sharing it are skipped by the
 * kernel, threads with a table of their own are skipped here) and the file's inode is a socket
 * (S_IFSOCK), write {u32 tgid, u32 fd, u64 inode} to the iterator's output.
 * Context (struct bpf_iter__task_file): meta at 0, task at 8, u32 fd at 16, file at 24.
 */
export function socketFdProgram(l: TaskFileLayout): Uint8Array {
  return assemble([
    mov(R6, R1),
    ldx(8, R7, R6, 24), // file
    jeqImm(R7, 0, EXIT),
    ldx(8, R8, R6, 8), // task
    jeqImm(R8, 0, EXIT),
    ldx(8, R2, R7, l.fInode.offset), // file->f_inode
    jeqImm(R2, 0, EXIT),
    ldx(l.iMode.size, R3, R2, l.iMode.offset),
    andImm(R3, 0xf000),
    jneImm(R3, 0xc000, EXIT), // S_IFMT != S_IFSOCK
    ldx(l.iIno.size, R4, R2, l.iIno.offset),
    stx(8, R10, -8, R4),
    ldx(l.tgid.size, R5, R8, l.tgid.offset),
    ldx(l.pid.size, R0, R8, l.pid.offset),
    jneReg(R0, R5, EXIT), // not the group leader
    stx(4, R10, -16, R5),
    ldx(4, R5, R6, 16), // fd
    stx(4, R10, -12, R5),
    ldx(8, R1, R6, 0), // meta
    ldx(8, R1, R1, 0), // meta->seq
    mov(R2, R10),
    addImm(R2, -16),
    movImm(R3, 16),
    call(BPF_FUNC_SEQ_WRITE),
  ]);
}

/**
 * The task iterator's program: for each task that is a thread-group leader, write {u32 tgid,
 * u32 the reader's own tgid} (the kernel's pid of this process: if it is not the pid this process
 * sees, it runs in a pid namespace and the iterator's pids would be wrong here). Tells which processes the file iterator could visit (a process it cannot see must be
 * walked in /proc instead, so that no owner is silently missing).
 * Context (struct bpf_iter__task): meta at 0, task at 8.
 */
export function leaderProgram(l: TaskFileLayout): Uint8Array {
  return assemble([
    mov(R6, R1),
    call(BPF_FUNC_GET_CURRENT_PID_TGID), // the reader's own tgid << 32 | pid
    rshImm(R0, 32),
    stx(4, R10, -4, R0),
    ldx(8, R8, R6, 8), // task
    jeqImm(R8, 0, EXIT),
    ldx(l.tgid.size, R5, R8, l.tgid.offset),
    ldx(l.pid.size, R0, R8, l.pid.offset),
    jneReg(R0, R5, EXIT),
    stx(4, R10, -8, R5),
    ldx(8, R1, R6, 0), // meta
    ldx(8, R1, R1, 0), // meta->seq
    mov(R2, R10),
    addImm(R2, -8),
    movImm(R3, 8),
    call(BPF_FUNC_SEQ_WRITE),
  ]);
}

let cachedLayout: TaskFileLayout | undefined;
const LAYOUT_CACHE = "bpf-task-file-layout";

/** Whether a cached layout has the right shape (the cache file is trusted, not its parser). */
function isLayout(v: unknown): v is TaskFileLayout {
  const l = v as Record<string, unknown> | undefined;
  const field = (f: unknown) =>
    typeof f === "object" &&
    f !== null &&
    Number.isInteger((f as { offset: unknown }).offset) &&
    Number.isInteger((f as { size: unknown }).size);
  return (
    l !== undefined &&
    Number.isInteger(l.iterFunc) &&
    Number.isInteger(l.taskIterFunc) &&
    ["tgid", "pid", "fInode", "iMode", "iIno"].every((k) => field(l[k]))
  );
}

let layoutFromCache = false;

function layout(fresh = false): TaskFileLayout {
  try {
    if (fresh && layoutFromCache) {
      cachedLayout = taskFileLayout(readKernelBtf());
      layoutFromCache = false;
      writeKernelCache(LAYOUT_CACHE, cachedLayout);
    }
    if (cachedLayout === undefined) {
      // parsing the kernel's BTF costs ~15 ms a run: the offsets are kept per kernel build
      const id = kernelIdentity();
      const hit = readKernelCache<unknown>(LAYOUT_CACHE, id);
      if (isLayout(hit)) {
        cachedLayout = hit;
        layoutFromCache = true;
      } else {
        cachedLayout = taskFileLayout(readKernelBtf());
        writeKernelCache(LAYOUT_CACHE, cachedLayout, id);
      }
    }
    return cachedLayout;
  } catch (e) {
    if (e instanceof BpfUnavailable) throw e;
    throw new BpfUnavailable(`no kernel BTF: ${(e as Error).message}`, { cause: e });
  }
}

/** `f()`, with a failed system call turned into BpfUnavailable (the caller falls back to /proc). */
function unavailableOnError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SyscallError) throw new BpfUnavailable(e.message, { cause: e });
    throw e;
  }
}

/** A loaded and attached iterator, ready to be read once. */
interface OpenIterator {
  fd: number;
  close(): void;
}

/**
 * Load an iterator program and attach it; the returned fd yields its output.
 * @throws BpfUnavailable when the kernel refuses the program; SyscallError on a later failure.
 */
function openIterator(prog: Uint8Array, attachBtfId: number): OpenIterator {
  const koffi = koffiModule();
  const close = libcFunction<CloseFn>("int close(int fd)");
  const native = koffi.alloc("uint8_t", prog.byteLength + 4);
  const fds: number[] = [];
  const release = () => {
    for (const fd of fds.reverse()) close(fd);
    fds.length = 0;
  };
  try {
    const mem = new Uint8Array(koffi.view(native, prog.byteLength + 4));
    mem.set(prog);
    mem.set([0x47, 0x50, 0x4c, 0], prog.byteLength); // "GPL": bpf_seq_write is GPL-only
    const base = koffi.address(native);
    const attr = new Uint8Array(ATTR_SIZE);
    const a = new DataView(attr.buffer);
    a.setUint32(0, BPF_PROG_TYPE_TRACING, true);
    a.setUint32(4, prog.byteLength / 8, true);
    a.setBigUint64(8, base, true);
    a.setBigUint64(16, base + BigInt(prog.byteLength), true);
    a.setUint32(68, BPF_TRACE_ITER, true); // expected_attach_type
    a.setUint32(108, attachBtfId, true);
    let progFd = -1;
    // The verifier gives up with EAGAIN when a signal arrives while it works (a profiler's
    // SIGPROF, SIGCHLD …): try again, as libbpf does.
    for (let attempt = 1; progFd < 0; attempt++) {
      try {
        progFd = bpf(BPF_PROG_LOAD, attr, "bpf(BPF_PROG_LOAD)");
      } catch (e) {
        if (e instanceof SyscallError && e.code === "EAGAIN" && attempt < 5) continue;
        throw new BpfUnavailable((e as Error).message, { cause: e });
      }
    }
    fds.push(progFd);
    const link = new Uint8Array(ATTR_SIZE);
    const lv = new DataView(link.buffer);
    lv.setUint32(0, progFd, true);
    lv.setUint32(8, BPF_TRACE_ITER, true);
    fds.push(unavailableOnError(() => bpf(BPF_LINK_CREATE, link, "bpf(BPF_LINK_CREATE)")));
    const iter = new Uint8Array(ATTR_SIZE);
    new DataView(iter.buffer).setUint32(0, fds[1]!, true);
    const fd = unavailableOnError(() => bpf(BPF_ITER_CREATE, iter, "bpf(BPF_ITER_CREATE)"));
    fds.push(fd);
    return { fd, close: release };
  } catch (e) {
    release();
    throw e;
  } finally {
    koffi.free(native); // the kernel copied the program
  }
}

/** Read an fd to its end, synchronously. */
function readToEnd(fd: number): Buffer {
  const koffi = koffiModule();
  const read = libcFunction<ReadFn>("long read(int fd, _Out_ uint8_t *buf, size_t n)");
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const buf = new Uint8Array(1 << 16);
    const n = read(fd, buf, buf.byteLength);
    if (n < 0) {
      const errno = koffi.errno();
      if (errno === EINTR || errno === EAGAIN) continue; // interrupted by a signal: go on
      throw new SyscallError("read(bpf iterator)", errno);
    }
    if (n === 0) break;
    chunks.push(n === buf.byteLength ? buf : buf.subarray(0, n));
    total += n;
  }
  return Buffer.concat(chunks, total);
}

/**
 * One read of a BPF iterator hands out at most one seq_file buffer (8 pages, less the record
 * that did not fit: 32,752 bytes of 16-byte records with 4 KiB pages). readv with segments of
 * that size lets one system call run the whole iteration.
 */
const SEGMENT = 32752;

/**
 * Read an fd to its end on libuv's thread pool (readv into `hint` bytes of native memory per
 * call), so the iteration's kernel work runs beside this thread's.
 */
async function readToEndAsync(fd: number, hint: number): Promise<Buffer> {
  const koffi = koffiModule();
  const readv = libcFunction<unknown>("long readv(int fd, void *iov, int n)") as {
    async(fd: number, iov: bigint, n: number, cb: (err: unknown, n: number) => void): void;
  };
  const segments = Math.min(1024, Math.max(4, Math.ceil(hint / SEGMENT) + 2));
  const size = segments * SEGMENT;
  const native = koffi.alloc("uint8_t", size + segments * 16);
  try {
    const mem = Buffer.from(koffi.view(native, size + segments * 16));
    const base = koffi.address(native);
    for (let i = 0; i < segments; i++) {
      mem.writeBigUInt64LE(base + BigInt(i * SEGMENT), size + i * 16);
      mem.writeBigUInt64LE(BigInt(SEGMENT), size + i * 16 + 8);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const n = await new Promise<number>((resolve, reject) =>
        readv.async(fd, base + BigInt(size), segments, (err, r) => (err ? reject(err) : resolve(r))),
      );
      // errno stays on the pool thread: on a failure, finish synchronously (which reports it)
      if (n < 0) {
        const rest = readToEnd(fd);
        chunks.push(rest);
        total += rest.byteLength;
        break;
      }
      if (n === 0) break;
      chunks.push(Buffer.from(mem.subarray(0, n))); // a copy: the memory is refilled
      total += n;
    }
    return Buffer.concat(chunks, total);
  } finally {
    koffi.free(native);
  }
}

/**
 * Load an iterator program, attach it, run it once and return its whole output.
 * @throws BpfUnavailable when the kernel refuses the program; SyscallError on a later failure.
 */
export function runIterator(prog: Uint8Array, attachBtfId: number): Buffer {
  const it = openIterator(prog, attachBtfId);
  try {
    return readToEnd(it.fd);
  } finally {
    it.close();
  }
}

/** What one pass over every process's files found. */
export interface TaskSockets {
  /**
   * (pid, fd, inode) triples, by pid then fd. Socket inodes are 32-bit (get_next_ino(), and
   * sock_diag reports them so); a record with a wider one is not kept.
   */
  records: Uint32Array;
  /** The processes (thread-group leaders) the iterator could see, ascending. */
  visited: Uint32Array;
}

/**
 * Every socket fd of every process the kernel's iterators can see, and which processes those
 * were (a task the iterators do not show — seen on a sandbox's pid 1 — must be looked up in
 * /proc by the caller). Threads sharing their leader's fd table are visited once.
 * @throws BpfUnavailable when BPF, BTF or the iterators are not available or not permitted.
 */
export function taskSocketFds(): TaskSockets {
  return withFreshLayoutRetry((l) => {
    // leaders first: a process started between the two passes is then walked in /proc, not lost
    const leaders = leadersSeen(unavailableOnError(() => runIterator(leaderProgram(l), l.taskIterFunc)));
    return decode(
      leaders,
      unavailableOnError(() => runIterator(socketFdProgram(l), l.iterFunc)),
    );
  });
}

/**
 * {@link taskSocketFds} with the file iteration on libuv's thread pool (`sockets`: how many
 * sockets to expect, for the buffer size).
 * @throws BpfUnavailable (synchronously, before any await) when the iterators cannot run; the
 *   promise rejects with BpfUnavailable when reading the iterator fails.
 */
export function taskSocketFdsAsync(sockets: number): Promise<TaskSockets> {
  const { leaders, it } = withFreshLayoutRetry((l) => {
    const leaders = leadersSeen(unavailableOnError(() => runIterator(leaderProgram(l), l.taskIterFunc)));
    // open (load, attach) now, so that a refusal throws here; read on the pool
    return { leaders, it: openIterator(socketFdProgram(l), l.iterFunc) };
  });
  return readToEndAsync(it.fd, sockets * 16)
    .catch((e: unknown) => {
      throw e instanceof SyscallError ? new BpfUnavailable(e.message, { cause: e }) : e;
    })
    .finally(() => it.close())
    .then((files) => decode(leaders, files));
}

/**
 * Run `f` with the layout; if the kernel refuses a program built from a cached layout, parse
 * BTF again and retry once (a cache the kernel disagrees with is replaced, not trusted).
 */
function withFreshLayoutRetry<T>(f: (l: TaskFileLayout) => T): T {
  const l = layout();
  try {
    return f(l);
  } catch (e) {
    if (!(e instanceof BpfUnavailable) || !layoutFromCache || /pid namespace/.test(e.message)) throw e;
    return f(layout(true));
  }
}

/**
 * The processes the task iterator saw. @throws BpfUnavailable when the kernel's pid of this
 * process is not process.pid: inside a pid namespace the iterators' pids are not this view's.
 */
function leadersSeen(leaders: Buffer): Uint32Array {
  const lv = new DataView(leaders.buffer, leaders.byteOffset, leaders.byteLength);
  if (leaders.byteLength >= 8 && lv.getUint32(4, true) !== process.pid) {
    throw new BpfUnavailable(
      `inside a pid namespace (this process is pid ${lv.getUint32(4, true)} to the kernel, ${process.pid} here)`,
    );
  }
  const visited = new Uint32Array(Math.floor(leaders.byteLength / 8));
  for (let i = 0; i < visited.length; i++) visited[i] = lv.getUint32(i * 8, true);
  return visited.sort();
}

function decode(visited: Uint32Array, files: Buffer): TaskSockets {
  const v = new DataView(files.buffer, files.byteOffset, files.byteLength);
  const count = Math.floor(files.byteLength / 16);
  const records = new Uint32Array(count * 3);
  let j = 0;
  for (let i = 0; i < count * 16; i += 16) {
    if (v.getUint32(i + 12, true) !== 0) continue;
    records[j++] = v.getUint32(i, true);
    records[j++] = v.getUint32(i + 4, true);
    records[j++] = v.getUint32(i + 8, true);
  }
  return { records: j === records.length ? records : records.slice(0, j), visited };
}
