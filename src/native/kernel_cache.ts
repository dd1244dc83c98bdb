/**
 * A small on-disk cache of facts derived from the running kernel (e.g. the struct offsets read
 * from its 5 MB BTF, ~15 ms to parse per run). An entry is keyed by the running kernel: this
 * boot's id (a new kernel, kexec included, is a new boot), /proc/version and the size of its
 * BTF — and is only
 * trusted when the file and its directory belong to this user and nobody else can write them
 * (as ssh treats its files): a wrong offset would make the BPF program read the wrong field.
 *
 * Location: $NETKIT_CACHE_DIR, else $XDG_CACHE_HOME/netkit, else ~/.cache/netkit.
 *
 * @example
 * const hit = readKernelCache<Layout>("bpf-layout");
 * if (hit === undefined) writeKernelCache("bpf-layout", computeLayout());
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

const VERSION = 1;

export function kernelCacheDir(): string {
  const env = process.env;
  if (env.NETKIT_CACHE_DIR) return env.NETKIT_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "netkit");
}

/** This kernel's identity, or undefined when it cannot be read. */
export function kernelIdentity(btfPath = "/sys/kernel/btf/vmlinux"): string | undefined {
  try {
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "latin1").trim();
    return `${boot} ${readFileSync("/proc/version", "latin1").trim()} btf=${statSync(btfPath).size} v${VERSION}`;
  } catch {
    return undefined; // no /proc or no BTF: nothing is cached
  }
}

/** Owned by this user and writable by no one else. */
function private_(path: string): boolean {
  const st = statSync(path, { throwIfNoEntry: false });
  return st !== undefined && st.uid === process.geteuid?.() && (st.mode & 0o022) === 0;
}

/** The cached value for this kernel, or undefined (absent, another kernel, untrusted, corrupt). */
export function readKernelCache<T>(name: string, identity = kernelIdentity()): T | undefined {
  if (identity === undefined) return undefined;
  const dir = kernelCacheDir();
  const file = join(dir, `${name}.json`);
  if (!private_(dir) || !private_(file)) return undefined;
  try {
    const entry = JSON.parse(readFileSync(file, "utf8")) as { kernel?: unknown; value?: T };
    return entry.kernel === identity ? entry.value : undefined;
  } catch {
    return undefined; // a torn or hand-edited file: recompute and rewrite it
  }
}

/**
 * Store a value for this kernel (atomically: write then rename). Best effort: returns false
 * when the cache cannot be written (read-only home …); the caller just recomputes next time.
 */
export function writeKernelCache(name: string, value: unknown, identity = kernelIdentity()): boolean {
  if (identity === undefined) return false;
  const dir = kernelCacheDir();
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!private_(dir)) return false;
    const tmp = join(dir, `.${name}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify({ kernel: identity, value }), { mode: 0o600 });
    renameSync(tmp, join(dir, `${name}.json`));
    return true;
  } catch {
    return false; // unwritable cache directory: documented best effort, nothing is lost
  }
}
