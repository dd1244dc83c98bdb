/**
 * Read `ss` text output (the oracle) into comparable records, and compare endpoints the way ss
 * prints them ("*" is the unspecified address or port 0; IPv6 in brackets).
 */

export interface SsLine {
  netid: string;
  state: string;
  recvQ: number;
  sendQ: number;
  local: string;
  peer: string;
  inode: number | null;
  users: { command: string; pid: number; fd: number }[];
}

/** Parse the lines of `ss -tuwxanpe`-like output (the header is skipped). */
export function parseSs(text: string): SsLine[] {
  const out: SsLine[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const [netid, state, rq, sq] = f as [string, string, string, string];
    let local: string;
    let peer: string;
    let rest: string[];
    if (netid.startsWith("u_")) {
      local = `${f[4]} ${f[5]}`;
      peer = `${f[6]} ${f[7]}`;
      rest = f.slice(8);
    } else {
      local = f[4]!;
      peer = f[5]!;
      rest = f.slice(6);
    }
    const ino = rest.find((x) => x.startsWith("ino:"));
    const usersText = rest.find((x) => x.startsWith("users:")) ?? "";
    const users = [...usersText.matchAll(/\("([^"]*)",pid=(\d+),fd=(\d+)\)/g)].map((m) => ({
      command: m[1]!,
      pid: Number(m[2]),
      fd: Number(m[3]),
    }));
    out.push({
      netid,
      state,
      recvQ: Number(rq),
      sendQ: Number(sq),
      local,
      peer,
      inode: ino === undefined ? null : Number(ino.slice(4)),
      users,
    });
  }
  return out;
}

/** True when ss's endpoint text denotes `address`:`port`. */
export function ssEndpointIs(text: string, address: string, port: number): boolean {
  const colon = text.lastIndexOf(":");
  let a = text.slice(0, colon);
  const p = text.slice(colon + 1);
  const pz = p === "*" ? 0 : Number(p);
  if (a.startsWith("[") && a.endsWith("]")) a = a.slice(1, -1);
  const unspecified = address === "0.0.0.0" || address === "::";
  const aOk = a === address || (a === "*" && unspecified);
  return aOk && pz === port;
}
