/**
 * A deterministic mixed corpus for the ip benchmarks: IPv4 and IPv6 addresses, with and without
 * prefixes, in the proportions seen in logs and configs (60% IPv4, 40% IPv6).
 */
export function makeCorpus(n: number, seed = 42): string[] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (k: number) => Math.floor(rnd() * k);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (rnd() < 0.6) {
      const a = `${int(224)}.${int(256)}.${int(256)}.${int(256)}`;
      out.push(rnd() < 0.7 ? `${a}/${8 + int(25)}` : a);
    } else {
      const g: string[] = [];
      const prefix = ["2001:db8", "fe80:0", "2a00:1450", "fd12:3456", "2600:1f18"][int(5)]!;
      for (let k = 0; k < 6; k++) g.push(rnd() < 0.3 ? "0" : int(65536).toString(16));
      // Compress like people write addresses: let the parser see "::" forms too.
      let a = `${prefix}:${g.join(":")}`;
      if (rnd() < 0.5) a = a.replace(/(^|:)0(:0)+(:|$)/, "::");
      out.push(rnd() < 0.7 ? `${a}/${[48, 56, 64, 64, 64, 96, 112, 127, 128][int(9)]}` : a);
    }
  }
  return out;
}
