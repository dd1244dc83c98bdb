/**
 * Deterministic generator of address texts for the differential test against CPython: valid
 * IPv4/IPv6 in many spellings, boundary values, every special-range edge ±1, targeted invalid
 * classes and random mutations. Independent of src/ip: it formats from plain numbers/BigInts.
 */

/** mulberry32: a small, fast, seedable PRNG returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const MAX6 = (1n << 128n) - 1n;

function v4Text(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

function groupsOf(n: bigint): number[] {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((n >> BigInt(16 * i)) & 0xffffn));
  return g;
}

/** Minimal literal IPv6 parser for the trusted tables below (expands one "::"). */
function v6Value(text: string): bigint {
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const h = head ? head.split(":") : [];
  const t = tail === undefined ? [] : tail ? tail.split(":") : [];
  const all = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  let n = 0n;
  for (const g of all) n = (n << 16n) | BigInt(Number.parseInt(g, 16));
  return n;
}

/** One of the many valid spellings of an IPv6 value (CPython accepts them all). */
function v6Spelling(r: Rng, n: bigint): string {
  const g = groupsOf(n);
  const style = r();
  const dotted = r() < 0.15 || (g[5] === 0xffff && g.slice(0, 5).every((x) => x === 0) && r() < 0.6);
  const parts: string[] = g.map((x) => {
    if (style < 0.2) return x.toString(16).padStart(4, "0");
    const s = x.toString(16);
    return r() < 0.1 ? s.toUpperCase() : s;
  });
  let count = 8;
  if (dotted) {
    const v = g[6]! * 65536 + g[7]!;
    parts.splice(6, 2, v4Text(v));
    count = 7;
  }
  // Choose a run of zero groups to compress (any run of >= 1; CPython accepts "::" for one zero).
  if (r() < 0.75) {
    const runs: [number, number][] = [];
    for (let i = 0; i < count; ) {
      if (parts[i] !== undefined && /^0+$/.test(parts[i]!) && !(dotted && i === 6)) {
        let j = i;
        while (j < count && /^0+$/.test(parts[j]!) && !(dotted && j === 6)) j++;
        runs.push([i, j]);
        i = j;
      } else i++;
    }
    if (runs.length > 0) {
      const [s, e0] = pick(r, runs);
      const e = int(r, s + 1, e0);
      const head = parts.slice(0, s).join(":");
      const tail = parts.slice(e).join(":");
      return `${head}::${tail}`;
    }
  }
  return parts.join(":");
}

const rand32 = (r: Rng): number => (Math.floor(r() * 65536) * 65536 + Math.floor(r() * 65536)) >>> 0;

function rand128(r: Rng): bigint {
  let n = 0n;
  for (let i = 0; i < 8; i++) {
    // Zero groups are common in real addresses and exercise "::" placement and ties.
    const g = r() < 0.45 ? 0 : r() < 0.2 ? int(r, 1, 15) : int(r, 0, 0xffff);
    n = (n << 16n) | BigInt(g);
  }
  return n;
}

/** Special-purpose blocks from the IANA registries and from CPython's own tables. */
const V4_RANGES = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.0.0/29",
  "192.0.0.8/32",
  "192.0.0.9/32",
  "192.0.0.10/32",
  "192.0.0.170/31",
  "192.0.2.0/24",
  "192.31.196.0/24",
  "192.52.193.0/24",
  "192.88.99.0/24",
  "192.168.0.0/16",
  "192.175.48.0/24",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "240.0.0.0/4",
  "255.255.255.255/32",
  "128.0.0.0/2",
  "192.0.0.0/3",
];
const V6_RANGES = [
  "::1/128",
  "::/128",
  "::/96",
  "::ffff:0:0/96",
  "64:ff9b::/96",
  "64:ff9b:1::/48",
  "100::/64",
  "100:0:0:1::/64",
  "2001::/23",
  "2001::/32",
  "2001:1::1/128",
  "2001:1::2/128",
  "2001:1::3/128",
  "2001:2::/48",
  "2001:3::/32",
  "2001:4:112::/48",
  "2001:10::/28",
  "2001:20::/28",
  "2001:30::/28",
  "2001:db8::/32",
  "2002::/16",
  "2620:4f:8000::/48",
  "3fff::/20",
  "5f00::/16",
  "fc00::/7",
  "fe80::/10",
  "fec0::/10",
  "ff00::/8",
  "::/8",
  "100::/8",
  "200::/7",
  "400::/6",
  "800::/5",
  "1000::/4",
  "4000::/3",
  "6000::/3",
  "8000::/3",
  "a000::/3",
  "c000::/3",
  "e000::/4",
  "f000::/5",
  "f800::/6",
  "fe00::/9",
];

function v4Edges(): number[] {
  const out: number[] = [];
  for (const c of V4_RANGES) {
    const [a, b] = c.split("/");
    const [o0, o1, o2, o3] = a!.split(".").map(Number);
    const base = ((o0! << 24) | (o1! << 16) | (o2! << 8) | o3!) >>> 0;
    const size = 2 ** (32 - Number(b));
    const last = base + size - 1;
    for (const v of [base - 1, base, base + 1, last - 1, last, last + 1]) {
      if (v >= 0 && v <= 0xffffffff) out.push(v);
    }
  }
  return out;
}

function v6Edges(): bigint[] {
  const out: bigint[] = [];
  for (const c of V6_RANGES) {
    const [a, b] = c.split("/");
    const base = v6Value(a!);
    const last = base + (1n << BigInt(128 - Number(b))) - 1n;
    for (const v of [base - 1n, base, base + 1n, last - 1n, last, last + 1n]) {
      if (v >= 0n && v <= MAX6) out.push(v);
    }
  }
  return out;
}

const V4_LENGTHS = [0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 29, 30, 31, 32];
const V6_LENGTHS = [0, 1, 7, 8, 10, 16, 23, 32, 48, 63, 64, 65, 95, 96, 97, 120, 126, 127, 128];

function maskText(bits: number, host: boolean): string {
  const m = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return v4Text(host ? ~m >>> 0 : m);
}

function v4Suffix(r: Rng): string {
  const x = r();
  if (x < 0.3) return "";
  const bits = r() < 0.5 ? pick(r, V4_LENGTHS) : int(r, 0, 32);
  if (x < 0.75) return `/${bits}`;
  if (x < 0.87) return `/${maskText(bits, false)}`;
  if (x < 0.97) return `/${maskText(bits, true)}`;
  return `/0${bits}`; // CPython accepts leading zeros in a prefix length
}

const ZONES = [
  "eth0",
  "1",
  "en0",
  "lo",
  "wlan0.100",
  "a:b",
  "Z",
  "x-y_z",
  "%",
  "eth0 ",
  "é",
  "a\tb",
  "a/b",
  "abcdefghijklmnop",
  "4294967296",
];

function v6Suffix(r: Rng): string {
  let s = "";
  if (r() < 0.12) s += `%${pick(r, ZONES.slice(0, 8))}`;
  const x = r();
  if (x < 0.3) return s;
  const bits = r() < 0.5 ? pick(r, V6_LENGTHS) : int(r, 0, 128);
  return `${s}/${bits}`;
}

function validV4(r: Rng, edges: number[]): string {
  const v = r() < 0.4 ? pick(r, edges) : rand32(r);
  return v4Text(v) + v4Suffix(r);
}

function validV6(r: Rng, edges: bigint[]): string {
  const y = r();
  let n: bigint;
  if (y < 0.35) n = pick(r, edges);
  else if (y < 0.5)
    n = 0xffff00000000n | BigInt(rand32(r)); // IPv4-mapped
  else if (y < 0.58)
    n = BigInt(rand32(r)); // IPv4-compatible (deprecated, RFC 4291 §2.5.5.1)
  else if (y < 0.64) n = (0x2002n << 112n) | (BigInt(rand32(r)) << 80n) | BigInt(rand32(r));
  else if (y < 0.7) n = (0x20010000n << 96n) | (BigInt(rand32(r)) << 64n) | BigInt(rand32(r));
  else if (y < 0.74) n = (0x64ff9bn << 96n) | BigInt(rand32(r));
  else n = rand128(r);
  return v6Spelling(r, n) + v6Suffix(r);
}

const BOUNDARY = [
  "0.0.0.0",
  "255.255.255.255",
  "0.0.0.0/0",
  "255.255.255.255/0",
  "0.0.0.0/32",
  "255.255.255.255/32",
  "1.2.3.4/31",
  "1.2.3.5/31",
  "1.2.3.4/32",
  "192.168.1.100/255.255.255.0",
  "192.168.1.100/0.0.0.255",
  "10.0.0.1/0.0.0.0",
  "10.0.0.1/255.255.255.255",
  "10.0.0.1/255.255.255.254",
  "10.0.0.1/0.0.0.1",
  "127.0.0.1",
  "::",
  "::/0",
  "::/128",
  "::1",
  "::1/127",
  "::1/128",
  "::0",
  "0::",
  "0:0:0:0:0:0:0:0",
  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/0",
  "FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF/128",
  "::ffff:0.0.0.0",
  "::ffff:255.255.255.255",
  "::ffff:127.0.0.1",
  "::ffff:10.1.2.3/104",
  "::ffff:100.64.0.1",
  "::ffff:169.254.1.1",
  "::ffff:224.0.0.1",
  "::ffff:240.0.0.1",
  "::ffff:192.0.0.9",
  "::ffff:7f00:1",
  "::ffff:0:0",
  "::ffff:0:0/96",
  "0:0:0:0:0:ffff:1.2.3.4",
  "::1.2.3.4",
  "::0.0.0.1",
  "::0.0.0.0",
  "::127.0.0.1",
  "::ffff:1.2.3.4%eth0",
  "1::1.2.3.4",
  "1:2:3:4:5:6:1.2.3.4",
  "1:2:3:4:5::1.2.3.4",
  "::2:3:4:5:6:7:8",
  "1:2:3:4:5:6:7::",
  "1::",
  "::8",
  "1:0:0:2:0:0:3:4",
  "1:0:0:0:2:0:0:0",
  "0:1:0:1:0:1:0:1",
  "64:ff9b::1.2.3.4",
  "64:ff9b::/96",
  "64:ff9b:1::1",
  "2002::",
  "2002:c000:0204::1",
  "2001::",
  "2001:0:4136:e378:8000:63bf:3fff:fdd2",
  "2001:db8::1",
  "2001:db8::/32",
  "3fff::1",
  "3fff:fff::",
  "fe80::%eth0",
  "fe80::%eth0/64",
  "fe80::1%eth0/64",
  "fe80::1%1/128",
  "fe80::1%eth0/127",
  "fe80::%eth0/128",
  "fec0::1",
  "ff02::1",
  "ff02::1%eth0",
  "fc00::",
  "fd00::1/8",
  "100::1",
  "5f00::1",
];

/** Targeted invalid (or tricky) inputs for every rejection class of the issue. */
function targeted(r: Rng): string {
  const v = rand32(r);
  const o = [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  const i = int(r, 0, 3);
  const six = v6Spelling(r, rand128(r));
  const k = int(r, 0, 29);
  switch (k) {
    case 0: // leading zero
      return o.map((x, j) => (j === i ? `0${x}` : String(x))).join(".");
    case 1: // octal
      return o.map((x, j) => (j === i ? `0${x.toString(8)}` : String(x))).join(".");
    case 2: // hex
      return o.map((x, j) => (j === i ? `0x${x.toString(16)}` : String(x))).join(".");
    case 3: // 1-3 part forms
      return pick(r, [String(v), `${o[0]}.${(v & 0xffffff) >>> 0}`, `${o[0]}.${o[1]}.${v & 0xffff}`]);
    case 4: {
      // whitespace anywhere
      const base = r() < 0.5 ? v4Text(v) : six;
      const p = int(r, 0, base.length);
      return base.slice(0, p) + pick(r, [" ", "\t", "\n", "\r", "\u00a0", "\u3000", "\v"]) + base.slice(p);
    }
    case 5: // empty groups / trailing or leading single colon
      return pick(r, [
        `:${six.replace(/^::/, "1::")}`,
        `${six.replace(/::$/, "::1")}:`,
        "1:2::3::4",
        "1::2:3::",
      ]);
    case 6: // ":::"
      return six.includes("::") ? six.replace("::", ":::") : `${six}:::`;
    case 7: // too many / too few groups
      return pick(r, [
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:1.2.3.4",
        "1:2:3:4:5::6:7:8",
        "1:2:3:4:5:6:7::8",
      ]);
    case 8: // zones on IPv4
      return `${v4Text(v)}%${pick(r, ["eth0", "1", ""])}${r() < 0.3 ? "/24" : ""}`;
    case 9: {
      // non-contiguous masks (and some contiguous ones)
      const m = rand32(r);
      return `${v4Text(v)}/${v4Text(r() < 0.5 ? m : m & 0xffff00ff)}`;
    }
    case 10: // prefix too long
      return r() < 0.5 ? `${v4Text(v)}/${int(r, 33, 40)}` : `${six}/${int(r, 129, 200)}`;
    case 11: // "//" and friends
      return pick(r, [
        `${v4Text(v)}//24`,
        `${six}//64`,
        `${v4Text(v)}/24/`,
        `${six}/`,
        "/24",
        "/",
        `${v4Text(v)}/`,
      ]);
    case 12: {
      // unicode digits
      const digits = ["٣", "１", "۳", "३", "𝟑", "²"];
      const base = r() < 0.6 ? v4Text(v) : `${v4Text(v)}/24`;
      const p = base.search(/\d/);
      return base.slice(0, p) + pick(r, digits) + base.slice(p + 1);
    }
    case 13: // 5-digit hextet
      return six.replace(/[0-9a-f]+/, (g) => `1${g.padStart(4, "0")}`);
    case 14: // IPv4 tail not at the end, or bad
      return pick(r, [
        "::1.2.3.4:5",
        "1.2.3.4::",
        "::1.2.3",
        "::1.2.3.04",
        "::256.1.1.1",
        "::1.2.3.4.5",
        "::.1.2.3",
      ]);
    case 15: // zones: empty, with forbidden characters (deviation), on prefix
      return `fe80::${int(r, 1, 99)}%${pick(r, ["", ...ZONES.slice(8)])}${r() < 0.3 ? "/64" : ""}`;
    case 16: // dotted mask on IPv6
      return `${six}/${maskText(int(r, 0, 32), false)}`;
    case 17: // IPv6 prefix with leading zeros / signs
      return `${six}/${pick(r, ["064", "0128", "00", "+64", "-1", " 64", "64 ", "0x40", "1e2", "6_4"])}`;
    case 18: // IPv4 prefix signs and junk
      return `${v4Text(v)}/${pick(r, ["+24", "-0", "24.0", "0x18", "３２", "024", "0032", "255.255.255.0 "])}`;
    case 19: // netmask with leading zero or short form
      return `${v4Text(v)}/${pick(r, ["255.255.255.000", "255.255.0", "255.255.255.0.0", "0255.0.0.0"])}`;
    case 20: // octet > 255 and too many digits
      return o.map((x, j) => (j === i ? String(pick(r, [256, 300, 999, 1000, 2555])) : String(x))).join(".");
    case 21: // empty octets
      return pick(r, [`${v4Text(v)}.`, `.${v4Text(v)}`, `${o[0]}..${o[2]}.${o[3]}`, "...", ""]);
    case 22: // IPv6 junk characters
      return six.replace(/[0-9a-f]/i, pick(r, ["g", "G", "x", "-", "_", "ä"]));
    case 23: // IPv4-mapped/compatible in every spelling (valid)
      return pick(r, [
        `::ffff:${v4Text(v)}`,
        `0:0:0:0:0:ffff:${v4Text(v)}`,
        `::FFFF:${v4Text(v)}`,
        `::ffff:${(v >>> 16).toString(16)}:${(v & 0xffff).toString(16)}`,
        `::${v4Text(v)}`,
        `0::${v4Text(v)}`,
        `::0:ffff:${v4Text(v)}`,
        `::ffff:0:${v4Text(v)}`,
        `64:ff9b::${v4Text(v)}`,
      ]);
    case 24: // brackets and port-like suffixes
      return pick(r, [`[${six}]`, `[${six}]:80`, `${v4Text(v)}:80`, `${six}#64`]);
    case 25: // double colon at edges
      return pick(r, ["::1::", ":::1", "1:::", "::", ":", ":::", "::::", "1:", ":1"]);
    case 26: // a prefix on a zone, zone on mapped
      return `::ffff:${v4Text(v)}%${pick(r, ["eth0", "1", ""])}/${int(r, 90, 130)}`;
    case 27: // mixed case, long zero padding
      return pick(r, ["0000:0000:0000:0000:0000:0000:0000:00001", "00000::1", "::000001", "1:0000::"]);
    case 28: // NUL and control characters
      return `${v4Text(v)}${pick(r, ["\0", "\u0001", "\u007f"])}`;
    default: // huge prefix lengths
      return `${r() < 0.5 ? v4Text(v) : six}/${pick(r, ["99999999999999999999", "00000000000000000000032", "4294967328"])}`;
  }
}

const MUTATION_CHARS = [
  " ",
  "\t",
  "0",
  "1",
  "9",
  "a",
  "f",
  "F",
  "g",
  "x",
  ":",
  ".",
  "/",
  "%",
  "-",
  "+",
  "٣",
  "１",
  "\u00a0",
  "\u200b",
  "é",
  "\0",
];

function mutate(r: Rng, s: string): string {
  const n = int(r, 1, 2);
  for (let k = 0; k < n; k++) {
    const p = int(r, 0, Math.max(0, s.length - 1));
    const op = int(r, 0, 3);
    if (op === 0) s = s.slice(0, p) + pick(r, MUTATION_CHARS) + s.slice(p);
    else if (op === 1) s = s.slice(0, p) + s.slice(p + 1);
    else if (op === 2) s = s.slice(0, p) + s[p] + s.slice(p);
    else s = s.slice(0, p) + pick(r, MUTATION_CHARS) + s.slice(p + 1);
  }
  return s;
}

/** `count` inputs (plus the fixed boundary list), the same every run for a given seed. */
export function generateInputs(seed: number, count: number): string[] {
  const r = prng(seed);
  const e4 = v4Edges();
  const e6 = v6Edges();
  const out: string[] = [...BOUNDARY];
  // Every special-range edge, plain and in a network of a length around the block's.
  for (const v of e4) out.push(v4Text(v), `${v4Text(v)}/${pick(r, V4_LENGTHS)}`);
  for (const n of e6) out.push(v6Spelling(r, n), `${v6Spelling(r, n)}/${pick(r, V6_LENGTHS)}`);
  while (out.length < count) {
    const x = r();
    if (x < 0.28) out.push(validV4(r, e4));
    else if (x < 0.6) out.push(validV6(r, e6));
    else if (x < 0.8) out.push(targeted(r));
    else out.push(mutate(r, r() < 0.45 ? validV4(r, e4) : validV6(r, e6)));
  }
  return out;
}
