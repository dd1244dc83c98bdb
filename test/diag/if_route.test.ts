/**
 * `netkit if`, `netkit route`, `netkit route get` and `netkit gateway` against iproute2 (`ip -j`), on
 * this machine and inside real test hosts (network namespaces): links without addresses, several
 * addresses on one link, a router, on-link and gatewayed destinations.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { BIN, runBin, runCli } from "../helpers/cli.js";
import { ADDR, type HostName, type TestNet, withTestNet } from "../helpers/netns.js";

interface IpAddrInfo {
  family: string;
  local: string;
  prefixlen: number;
  scope: string;
  broadcast?: string;
  label?: string;
  secondary?: boolean;
}
interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  operstate: string;
  address?: string;
  master?: string;
  addr_info: IpAddrInfo[];
}
interface NkAddr {
  family: string;
  address: string;
  prefixLength: number;
  scope: string;
  broadcast: string | null;
  kernelBroadcast: string | null;
  label: string | null;
  flags: string[];
  network: string;
  firstHost: string;
  lastHost: string;
}
interface NkIf {
  name: string;
  index: number;
  flags: string[];
  mtu: number;
  state: string;
  mac: string | null;
  master: string | null;
  addresses: NkAddr[];
}

type Exec = (argv: string[]) => Promise<string>;

const local: Exec = async (argv) =>
  execFileSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 10_000 });
const inHost =
  (net: TestNet, h: HostName): Exec =>
  (argv) =>
    net.run(h, argv);
const netkit = (exec: Exec, ...args: string[]) => exec([process.execPath, BIN, ...args]);

/** The kernel's prefix routes (proto kernel, scope link) name each address's network: an oracle. */
async function kernelNetworks(exec: Exec): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  for (const r of JSON.parse(await exec(["ip", "-j", "route", "show", "table", "all"])) as {
    type?: string;
    dst: string;
    prefsrc?: string;
    protocol?: string;
  }[]) {
    const prefixRoute = r.type === undefined || r.type === "local";
    if (prefixRoute && r.protocol === "kernel" && r.prefsrc !== undefined && r.dst.includes("/")) {
      m.set(r.prefsrc, r.dst);
    }
  }
  return m;
}

async function compareInterfaces(exec: Exec): Promise<number> {
  const ip = JSON.parse(await exec(["ip", "-j", "addr"])) as IpLink[];
  const nk = JSON.parse(await netkit(exec, "if", "--json")) as NkIf[];
  const nets = await kernelNetworks(exec);
  assert.deepEqual(
    nk.map((i) => i.name),
    ip.map((l) => l.ifname),
  );
  let checkedNetworks = 0;
  for (let k = 0; k < ip.length; k++) {
    const l = ip[k]!;
    const i = nk[k]!;
    assert.equal(i.index, l.ifindex);
    assert.deepEqual(i.flags, l.flags, `${l.ifname} flags`);
    assert.equal(i.mtu, l.mtu);
    assert.equal(i.state, l.operstate);
    assert.equal(i.mac, l.address ?? null);
    assert.equal(i.master, l.master ?? null);
    assert.equal(i.addresses.length, l.addr_info.length, `${l.ifname} address count`);
    for (let j = 0; j < l.addr_info.length; j++) {
      const e = l.addr_info[j]!;
      const a = i.addresses[j]!;
      assert.equal(a.family, e.family);
      assert.equal(a.address, e.local);
      assert.equal(a.prefixLength, e.prefixlen);
      assert.equal(a.scope, e.scope);
      assert.equal(a.label, e.label ?? null);
      assert.equal(a.kernelBroadcast, e.broadcast ?? null);
      if (e.broadcast !== undefined) assert.equal(a.broadcast, e.broadcast, `${e.local} broadcast`);
      assert.equal(a.flags.includes("secondary"), e.secondary === true);
      const net = nets.get(e.local);
      if (net !== undefined && e.prefixlen < (e.family === "inet" ? 32 : 128)) {
        assert.equal(a.network, net, `${e.local} network`);
        checkedNetworks++;
      }
    }
  }
  return checkedNetworks;
}

async function compareRoutes(exec: Exec): Promise<number> {
  const want = [
    ...(JSON.parse(await exec(["ip", "-j", "-4", "route"])) as object[]).map((r) => ({ ...r, family: 4 })),
    ...(JSON.parse(await exec(["ip", "-j", "-6", "route"])) as object[]).map((r) => ({ ...r, family: 6 })),
  ];
  assert.deepEqual(JSON.parse(await netkit(exec, "route", "--json")), want);
  const localWant = (
    JSON.parse(await exec(["ip", "-j", "-4", "route", "show", "table", "local"])) as object[]
  ).map((r) => ({ ...r, family: 4 }));
  assert.deepEqual(JSON.parse(await netkit(exec, "route", "--json", "-4", "--table", "local")), localWant);
  return want.length;
}

async function compareGet(exec: Exec, dst: string): Promise<void> {
  const want = JSON.parse(await exec(["ip", "-j", "route", "get", dst])) as object[];
  const got = JSON.parse(await netkit(exec, "route", "get", "--json", dst)) as object[];
  assert.deepEqual(got, want, `route get ${dst}`);
}

describe("netkit if / route on this machine", { timeout: 30_000 }, () => {
  it("if --json agrees with ip -j addr", async () => {
    await compareInterfaces(local);
  });
  it("route --json agrees with ip -j route", async () => {
    await compareRoutes(local);
  });
  it("route get agrees with ip -j route get for loopback", async () => {
    for (const d of ["127.0.0.1", "127.1.2.3", "::1"]) await compareGet(local, d);
  });
  it("route get honours a zone as the output interface, like ip route get … oif DEV", async () => {
    // ip route get refuses a zone; its oif is what the zone means. lo has no fe80::/64 route here,
    // so the kernel's answer for dev lo is "unreachable" (and netkit must not answer for eth0).
    const lo = await runBin(["route", "get", "--json", "fe80::1%lo"]);
    const loIndex = await runBin(["route", "get", "--json", "fe80::1%1"]);
    let ipLo: string | null = null;
    try {
      ipLo = execFileSync("ip", ["-j", "route", "get", "fe80::1", "oif", "lo"], {
        encoding: "utf8",
        stdio: "pipe",
      });
    } catch {
      ipLo = null;
    }
    for (const r of [lo, loIndex]) {
      if (ipLo === null) {
        assert.equal(r.code, 1, r.stdout);
        assert.match(r.stderr, /^netkit: ERR_NO_ROUTE: no route to fe80::1: Network is unreachable\n$/);
      } else {
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), JSON.parse(ipLo));
      }
    }
    const none = await runBin(["route", "get", "fe80::1%nosuch0"]);
    assert.equal(none.code, 1);
    assert.equal(
      none.stderr,
      'netkit: ERR_NO_INTERFACE: no interface "nosuch0" (the zone of fe80::1%nosuch0)\n',
    );
    const big = await runBin(["route", "get", "fe80::1%4000000000"]);
    assert.equal(big.code, 1);
    assert.match(big.stderr, /ERR_NO_INTERFACE/);
    const both = await runBin(["route", "get", "fe80::1%lo", "--oif", "nosuch0"]);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /ERR_NO_INTERFACE: no interface named "nosuch0"/);
  });

  it("rejects bad input before asking the kernel", async () => {
    const r = await runCli(["route", "get", "300.1.1.1"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ERR_ADDR_SYNTAX/);
    assert.equal((await runCli(["route", "get"])).code, 2);
    assert.equal((await runCli(["route", "--table", "x"])).code, 2);
    assert.equal((await runCli(["if", "-4", "-6"])).code, 2);
    const none = await runCli(["if", "nosuchif0"]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /ERR_NO_INTERFACE/);
  });
});

describe("netkit if / route inside test hosts", { timeout: 60_000 }, () => {
  it("agree with ip -j in every host, including links without addresses and extra addresses", async (t) => {
    await withTestNet(t, async (net) => {
      // Two more addresses on a (one a secondary of the same /24, one in a /30) and a veth pair
      // without addresses in c.
      await net.run("a", ["ip", "addr", "add", "10.201.1.20/24", "brd", "+", "dev", "eth0"]);
      await net.run("a", ["ip", "addr", "add", "192.168.77.5/30", "brd", "+", "dev", "eth0"]);
      await net.run("c", ["ip", "link", "add", "spare0", "type", "veth", "peer", "name", "spare1"]);
      let networks = 0;
      for (const h of ["a", "b", "c", "r"] as const) {
        networks += await compareInterfaces(inHost(net, h));
        assert.ok((await compareRoutes(inHost(net, h))) > 0);
      }
      assert.ok(networks >= 8, `only ${networks} networks checked against the kernel's prefix routes`);
      const a = JSON.parse(await netkit(inHost(net, "a"), "if", "--json", "eth0")) as NkIf[];
      const slash30 = a[0]!.addresses.find((x) => x.address === "192.168.77.5")!;
      assert.deepEqual(
        [slash30.network, slash30.firstHost, slash30.lastHost, slash30.broadcast],
        ["192.168.77.4/30", "192.168.77.5", "192.168.77.6", "192.168.77.7"],
      );
      const c = JSON.parse(await netkit(inHost(net, "c"), "if", "--json")) as NkIf[];
      const spare = c.find((x) => x.name === "spare0")!;
      assert.deepEqual([spare.addresses.length, spare.state, spare.flags.includes("UP")], [0, "DOWN", false]);
      const bridged = JSON.parse(await netkit(inHost(net, "r"), "if", "--json", "toa")) as NkIf[];
      assert.equal(bridged[0]!.master, "br0");
    });
  });

  it("route get agrees with ip -j route get: loopback, local, broadcast, on-link, gatewayed", async (t) => {
    await withTestNet(t, async (net) => {
      const a = inHost(net, "a");
      for (const d of [
        "127.0.0.1",
        ADDR.a.v4, // local
        "10.201.1.255", // broadcast
        ADDR.c.v4, // on-link
        ADDR.b.v4, // through the router
        "::1",
        ADDR.a.v6,
        ADDR.c.v6,
        ADDR.b.v6,
      ]) {
        await compareGet(a, d);
      }
      await compareGet(inHost(net, "r"), ADDR.b.v4);
      // A zone picks the link: r has fe80::/64 on br0 and on tob; each zone gets its own answer,
      // equal to ip's with oif (by name and by scope id = interface index).
      const r = inHost(net, "r");
      const links = JSON.parse(await r(["ip", "-j", "link"])) as { ifindex: number; ifname: string }[];
      for (const dev of ["br0", "tob"]) {
        const want = JSON.parse(await r(["ip", "-j", "route", "get", "fe80::1", "oif", dev])) as {
          dev: string;
        }[];
        assert.equal(want[0]!.dev, dev);
        assert.deepEqual(JSON.parse(await netkit(r, "route", "get", "--json", `fe80::1%${dev}`)), want);
        const index = links.find((l) => l.ifname === dev)!.ifindex;
        assert.deepEqual(JSON.parse(await netkit(r, "route", "get", "--json", `fe80::1%${index}`)), want);
      }
      await compareGet(inHost(net, "b"), ADDR.c.v4);
      // c has no route off its segment: both tools fail, netkit with ERR_NO_ROUTE and exit 1.
      const ipNo = await net.exec("c", ["ip", "route", "get", ADDR.b.v4]);
      assert.notEqual(ipNo.code, 0);
      const nkNo = await net.exec("c", [process.execPath, BIN, "route", "get", ADDR.b.v4]);
      assert.equal(nkNo.code, 1);
      assert.match(nkNo.stderr, /ERR_NO_ROUTE: .*Network is unreachable/);
      // --from and --oif reach the kernel.
      const withFrom = JSON.parse(
        await netkit(a, "route", "get", "--json", ADDR.b.v4, "--from", ADDR.a.v4),
      ) as object[];
      const ipFrom = JSON.parse(
        await a(["ip", "-j", "route", "get", ADDR.b.v4, "from", ADDR.a.v4]),
      ) as object[];
      assert.deepEqual(withFrom, ipFrom);
    });
  });

  it("gateway lists the default routes' next hops", async (t) => {
    await withTestNet(t, async (net) => {
      for (const h of ["a", "b", "c"] as const) {
        const want = [4, 6].flatMap((f) =>
          (
            JSON.parse(
              execFileSync("ip", ["netns", "exec", net.ns[h], "ip", "-j", `-${f}`, "route"], {
                encoding: "utf8",
              }),
            ) as {
              dst: string;
              gateway?: string;
              dev?: string;
              metric?: number;
            }[]
          )
            .filter((r) => r.dst === "default")
            .map((r) => ({
              family: f,
              gateway: r.gateway ?? null,
              dev: r.dev ?? null,
              metric: r.metric ?? null,
            })),
        );
        const r = await net.exec(h, [process.execPath, BIN, "gateway", "--json"]);
        assert.deepEqual(JSON.parse(r.stdout), want);
        assert.equal(r.code, want.length > 0 ? 0 : 1, `${h}: exit code`);
      }
    });
  });
});
