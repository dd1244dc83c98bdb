/**
 * A minimal reader of BTF, the kernel's own type information (`/sys/kernel/btf/vmlinux`):
 * finds a type by name and kind, and a struct member's byte offset and size — what a BPF program
 * needs to read kernel structures of the running kernel without compiling against its headers.
 * Pure: works on the bytes; {@link readKernelBtf} reads the file.
 *
 * Format: include/uapi/linux/btf.h (a header, a type section of variable-size records whose ids
 * are their positions from 1, and a string section).
 *
 * @example
 * const btf = readKernelBtf();
 * btf.member(btf.typeId("task_struct", BTF_KIND.STRUCT)!, "tgid"); // { offset: 1268, size: 4 }
 */
import { readFileSync } from "node:fs";

export const BTF_KIND = {
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;

const BTF_MAGIC = 0xeb9f;

/** A malformed or unsupported BTF blob. */
export class BtfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BtfError";
  }
}

/**
 * Bytes after the 12-byte common header, by kind: FIXED[kind] + PER_ITEM[kind] × vlen (the
 * record's item count). -1: unknown kind.
 */
const FIXED = new Int8Array([-1, 4, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 4, 0, 0]);
const PER_ITEM = new Int8Array([0, 0, 0, 0, 12, 12, 8, 0, 0, 0, 0, 0, 0, 8, 0, 12, 0, 0, 0, 12]);

export class Btf {
  private readonly view: DataView;
  private readonly bytes: Uint8Array;
  private readonly strStart: number;
  private readonly strEnd: number;
  /** Byte position of each type record, by id (index 0 unused: id 0 is void). */
  private readonly pos: Int32Array;
  readonly count: number;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength < 24 || this.view.getUint16(0, true) !== BTF_MAGIC) {
      throw new BtfError("not BTF (bad magic; only little-endian BTF is read)");
    }
    const hdrLen = this.view.getUint32(4, true);
    const typeStart = hdrLen + this.view.getUint32(8, true);
    const typeEnd = typeStart + this.view.getUint32(12, true);
    this.strStart = hdrLen + this.view.getUint32(16, true);
    this.strEnd = this.strStart + this.view.getUint32(20, true);
    if (typeEnd > bytes.byteLength || this.strEnd > bytes.byteLength)
      throw new BtfError("BTF sections out of bounds");
    // records are 4-byte aligned in the blob: walk them as 32-bit words when the buffer allows
    const words =
      bytes.byteOffset % 4 === 0 && typeStart % 4 === 0
        ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2)
        : undefined;
    // at least 12 bytes per record: an upper bound for the id table
    const pos = new Int32Array(Math.floor((typeEnd - typeStart) / 12) + 2);
    let n = 1;
    for (let p = typeStart; p < typeEnd; ) {
      pos[n++] = p;
      const info = words !== undefined ? words[(p >>> 2) + 1]! : this.view.getUint32(p + 4, true);
      const kind = (info >>> 24) & 0x1f;
      const fixed = kind < FIXED.length ? FIXED[kind]! : -1;
      if (fixed < 0) throw new BtfError(`unknown BTF kind ${kind}`);
      p += 12 + fixed + PER_ITEM[kind]! * (info & 0xffff);
      if (p > typeEnd) throw new BtfError("BTF type record runs past its section");
    }
    this.pos = pos;
    this.count = n - 1;
  }

  /** Offset of `name` in the string section, or -1 (strings are unique in kernel BTF). */
  private stringOffset(name: string): number {
    const needle = Buffer.from(`\0${name}\0`, "latin1");
    const hay = Buffer.from(
      this.bytes.buffer,
      this.bytes.byteOffset + this.strStart,
      this.strEnd - this.strStart,
    );
    const i = hay.indexOf(needle);
    return i < 0 ? -1 : i + 1;
  }

  private kind(id: number): number {
    return (this.view.getUint32(this.pos[id]! + 4, true) >>> 24) & 0x1f;
  }

  /** The id of the first type named `name` of this kind, or undefined. */
  typeId(name: string, kind: number): number | undefined {
    return this.typeIds([[name, kind]])[0];
  }

  /** The ids of several [name, kind] pairs in one pass over the types (undefined where absent). */
  typeIds(wanted: readonly (readonly [string, number])[]): (number | undefined)[] {
    const offs = wanted.map(([name]) => this.stringOffset(name));
    const found: (number | undefined)[] = wanted.map(() => undefined);
    let left = offs.filter((o) => o >= 0).length;
    for (let id = 1; id <= this.count && left > 0; id++) {
      const p = this.pos[id]!;
      const nameOff = this.view.getUint32(p, true);
      if (nameOff === 0) continue;
      for (let i = 0; i < offs.length; i++) {
        if (offs[i] === nameOff && found[i] === undefined) {
          if (((this.view.getUint32(p + 4, true) >>> 24) & 0x1f) === wanted[i]![1]) {
            found[i] = id;
            left--;
          }
        }
      }
    }
    return found;
  }

  /** Follow typedefs and qualifiers to the underlying type. */
  resolve(id: number): number {
    for (let guard = 0; guard < 64 && id !== 0; guard++) {
      const k = this.kind(id);
      if (
        k !== BTF_KIND.TYPEDEF &&
        k !== BTF_KIND.VOLATILE &&
        k !== BTF_KIND.CONST &&
        k !== BTF_KIND.RESTRICT &&
        k !== BTF_KIND.TYPE_TAG
      ) {
        return id;
      }
      id = this.view.getUint32(this.pos[id]! + 8, true);
    }
    return id;
  }

  /** Size in bytes of a (resolved) type: pointers are 8. */
  sizeOf(id: number): number {
    const r = this.resolve(id);
    const k = this.kind(r);
    if (k === BTF_KIND.PTR) return 8;
    if (k === BTF_KIND.ARRAY) {
      const p = this.pos[r]! + 12;
      return this.sizeOf(this.view.getUint32(p, true)) * this.view.getUint32(p + 8, true);
    }
    return this.view.getUint32(this.pos[r]! + 8, true);
  }

  /**
   * A struct/union member's byte offset and size, looking into anonymous nested structs and
   * unions. Undefined when absent or a bitfield.
   */
  member(structId: number, name: string): { offset: number; size: number } | undefined {
    const off = this.stringOffset(name);
    return off < 0 ? undefined : this.memberAt(this.resolve(structId), off, 0);
  }

  private memberAt(
    id: number,
    nameOff: number,
    baseBits: number,
  ): { offset: number; size: number } | undefined {
    const p = this.pos[id]!;
    const info = this.view.getUint32(p + 4, true);
    const kind = (info >>> 24) & 0x1f;
    if (kind !== BTF_KIND.STRUCT && kind !== BTF_KIND.UNION) return undefined;
    const bitfields = info >>> 31 === 1;
    const vlen = info & 0xffff;
    for (let i = 0; i < vlen; i++) {
      const m = p + 12 + 12 * i;
      const mName = this.view.getUint32(m, true);
      const mType = this.view.getUint32(m + 4, true);
      const raw = this.view.getUint32(m + 8, true);
      const bits = baseBits + (bitfields ? raw & 0xffffff : raw);
      const bitSize = bitfields ? raw >>> 24 : 0;
      if (mName === 0) {
        const inner = this.memberAt(this.resolve(mType), nameOff, bits);
        if (inner !== undefined) return inner;
      } else if (mName === nameOff) {
        if (bitSize !== 0 || bits % 8 !== 0) return undefined;
        return { offset: bits / 8, size: this.sizeOf(mType) };
      }
    }
    return undefined;
  }
}

/** The running kernel's BTF. @throws Error (ENOENT when the kernel has no BTF), BtfError */
export function readKernelBtf(path = "/sys/kernel/btf/vmlinux"): Btf {
  return new Btf(readFileSync(path));
}
