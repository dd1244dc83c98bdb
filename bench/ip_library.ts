/**
 * Library speed: parse + full analysis of a mixed IPv4/IPv6 corpus, netkit vs ipaddr.js and
 * ip-address, in one process, one after the other, repeated; prints ops/s and the ratios.
 * Run: npm run bench:ip:library
 *
 * "Full analysis" is the same work for each library, as far as each can do it: parse the CIDR,
 * compressed and exploded text, netmask, network address, last (broadcast) address, first and last
 * host, special-range type, reverse-DNS name. netkit's analyze() does more (flags, counts, binary).
 */
import { Address4, Address6 } from "ip-address";
import ipaddr from "ipaddr.js";
import { analyze } from "../src/ip/analyze.js";
import { makeCorpus } from "./corpus.js";

const N = Number(process.env.BENCH_N ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const corpus = makeCorpus(N);

function withPrefix(s: string): string {
  return s.includes("/") ? s : s.includes(":") ? `${s}/128` : `${s}/32`;
}
const corpusCidr = corpus.map(withPrefix);

let sink = 0;

function runNetkit(): void {
  for (const s of corpus) {
    const r = analyze(s);
    sink += r.firstHost.length + r.types.length + r.reversePointer.length;
  }
}

function runIpaddr(): void {
  for (const s of corpusCidr) {
    const [addr, len] = ipaddr.parseCIDR(s);
    let first: string;
    let last: string;
    let mask: string;
    let exploded: string;
    let compressed: string;
    let firstHost: string;
    let lastHost: string;
    if (addr.kind() === "ipv4") {
      const net = ipaddr.IPv4.networkAddressFromCIDR(s);
      const bc = ipaddr.IPv4.broadcastAddressFromCIDR(s);
      first = net.toString();
      last = bc.toString();
      mask = ipaddr.IPv4.subnetMaskFromPrefixLength(len).toString();
      compressed = exploded = addr.toString();
      const fo = net.toByteArray();
      const lo = bc.toByteArray();
      fo[3] = (fo[3]! + 1) & 0xff;
      lo[3] = (lo[3]! - 1) & 0xff;
      firstHost = ipaddr.fromByteArray(fo).toString();
      lastHost = ipaddr.fromByteArray(lo).toString();
    } else {
      const a6 = addr as ipaddr.IPv6;
      const net = ipaddr.IPv6.networkAddressFromCIDR(s);
      const bc = ipaddr.IPv6.broadcastAddressFromCIDR(s);
      first = net.toRFC5952String();
      last = bc.toRFC5952String();
      mask = ipaddr.IPv6.subnetMaskFromPrefixLength(len).toRFC5952String();
      compressed = a6.toRFC5952String();
      exploded = (a6 as unknown as { toFixedLengthString(): string }).toFixedLengthString();
      const fo = net.toByteArray();
      fo[15] = (fo[15]! + 1) & 0xff;
      firstHost = ipaddr.fromByteArray(fo).toString();
      lastHost = last;
    }
    const type = addr.range();
    const rev = addr
      .toNormalizedString()
      .split(addr.kind() === "ipv4" ? "." : ":")
      .reverse()
      .join(".");
    sink += first.length + last.length + mask.length + exploded.length + compressed.length;
    sink += firstHost.length + lastHost.length + type.length + rev.length;
  }
}

function runIpAddress(): void {
  for (const s of corpusCidr) {
    if (s.includes(":")) {
      const a = new Address6(s);
      const first = a.startAddress();
      const last = a.endAddress();
      const r = [
        a.correctForm(),
        a.canonicalForm(),
        first.correctForm(),
        last.correctForm(),
        a.startAddressExclusive().correctForm(),
        a.endAddressExclusive().correctForm(),
        a.getType(),
        a.reverseForm(),
      ];
      for (const x of r) sink += x.length;
    } else {
      const a = new Address4(s);
      const r = [
        a.correctForm(),
        a.startAddress().correctForm(),
        a.endAddress().correctForm(),
        a.startAddressExclusive().correctForm(),
        a.endAddressExclusive().correctForm(),
        Address4.fromBigInt(((1n << BigInt(a.subnetMask)) - 1n) << BigInt(32 - a.subnetMask)).correctForm(),
        a.reverseForm(),
      ];
      for (const x of r) sink += x.length;
    }
  }
}

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const libs: [string, () => void][] = [
  ["netkit", runNetkit],
  ["ipaddr.js", runIpaddr],
  ["ip-address", runIpAddress],
];
const best = new Map<string, number>();
for (const [, fn] of libs) fn(); // warm up every library before timing any
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, fn] of libs) {
    const t = time(fn);
    best.set(name, Math.min(best.get(name) ?? Number.POSITIVE_INFINITY, t));
  }
}
const rate = (name: string) => N / best.get(name)!;
console.log(
  `ip library: parse + full analysis, ${N} mixed inputs, best of ${ROUNDS} rounds (node ${process.version})`,
);
for (const [name] of libs)
  console.log(`  ${name.padEnd(11)} ${Math.round(rate(name)).toLocaleString("en-US").padStart(11)} ops/s`);
const faster = Math.max(rate("ipaddr.js"), rate("ip-address"));
console.log(`  ratio netkit / faster peer: ${(rate("netkit") / faster).toFixed(2)}× (target ≥ 5×)`);
if (sink === 0) console.log("");
