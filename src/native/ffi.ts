/**
 * The one place that loads koffi and the C library, and wraps koffi's libuv poll. Every other
 * file in src/native declares its functions through {@link libcFunction} and watches file
 * descriptors through {@link watchFd}. Loading is lazy: importing this module loads nothing.
 *
 * @example
 * const close = libcFunction<(fd: number) => number>("int close(int fd)");
 * if (close(fd) < 0) throw new Error(errnoName(lastErrno()));
 */
import { createRequire } from "node:module";

/** What a poll callback learns: the descriptor is readable and/or writable. */
export interface PollEvents {
  readable: boolean;
  writable: boolean;
}

/** A libuv poll handle on a file descriptor. */
export interface PollHandle {
  stop(): void;
  close(): void;
  unref(): void;
  ref(): void;
}

/** The part of koffi netkit uses (its own typings describe the poll callback wrongly). */
export interface KoffiModule {
  load(path: string): { func(def: string): unknown };
  errno(): number;
  address(value: unknown): bigint;
  /** Native memory (used by mmsg.ts for iovec/mmsghdr arrays). */
  alloc(type: string, count: number): unknown;
  view(ptr: unknown, len: number): ArrayBuffer;
  free(ptr: unknown): void;
  os: { errno: Record<string, number> };
  node: {
    // koffi's C++ (uv.cc, PollHandle::OnPoll) calls back with (status, events); its index.d.ts
    // says (events) only. status < 0 is a libuv error.
    poll(
      fd: number,
      opts: { readable?: boolean; writable?: boolean },
      cb: (status: number, ev: Partial<PollEvents> | undefined) => void,
    ): PollHandle;
  };
}

let koffi: KoffiModule | undefined;
let libc: { func(def: string): unknown } | undefined;
const functions = new Map<string, unknown>();

/** koffi itself. @throws Error when koffi has no build for this platform. */
export function koffiModule(): KoffiModule {
  // koffi is CommonJS with an ESM wrapper; require keeps the callers synchronous and lazy.
  koffi ??= createRequire(import.meta.url)("koffi") as KoffiModule;
  return koffi;
}

/** A C library function from its C declaration, loaded once and cached by declaration. */
export function libcFunction<F>(declaration: string): F {
  let f = functions.get(declaration);
  if (f === undefined) {
    libc ??= koffiModule().load("libc.so.6");
    f = libc.func(declaration);
    functions.set(declaration, f);
  }
  return f as F;
}

/** errno of the last failed call made through koffi on this thread. */
export function lastErrno(): number {
  return koffiModule().errno();
}

/** The errno's name (`EACCES`), or `errno N` when unknown. */
export function errnoName(n: number): string {
  const names = koffiModule().os.errno;
  for (const k in names) if (names[k] === n) return k;
  return `errno ${n}`;
}

/** True when koffi and the C library load here. */
export function ffiAvailable(): boolean {
  try {
    libcFunction("int close(int fd)");
    return true;
  } catch {
    return false; // no koffi build for this platform, or no glibc: callers fall back or report
  }
}

/**
 * Call `cb` on the libuv loop whenever `fd` becomes readable (and writable, when asked). On a
 * poll error both flags are set, so the caller's next read or write reports the socket's error.
 */
export function watchFd(
  fd: number,
  want: { readable?: boolean; writable?: boolean },
  cb: (ev: PollEvents) => void,
): PollHandle {
  return koffiModule().node.poll(
    fd,
    { readable: want.readable ?? true, writable: want.writable ?? false },
    (status, ev) => {
      if (status < 0) cb({ readable: true, writable: want.writable === true });
      else cb({ readable: ev?.readable === true, writable: ev?.writable === true });
    },
  );
}

/** A failed system call: `code` is the errno name (EACCES), `errno` its number. */
export class SyscallError extends Error {
  readonly errno: number;
  readonly code: string;
  readonly syscall: string;
  constructor(syscall: string, errno: number) {
    const code = errnoName(errno);
    super(`${syscall}: ${code} (${errno})`);
    this.name = "SyscallError";
    this.errno = errno;
    this.code = code;
    this.syscall = syscall;
  }
}

/** `r` when it is not negative, else a {@link SyscallError} from errno. */
export function checkCall(syscall: string, r: number): number {
  if (r < 0) throw new SyscallError(syscall, lastErrno());
  return r;
}
