/**
 * Each command's --help lists only flags it accepts (issue 12, item 7): every flag a help text
 * mentions (options, usage lines, examples) is accepted by the parser of the command — by the very
 * subcommand a usage or example line names.
 *
 * "Accepted" is asked of the parser itself, before any I/O: `netkit CMD SUB FLAG 1 --zz-probe`
 * must fail on the unknown `--zz-probe` (the flag, with or without its value, went through).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type OptionSpec, withFlagSpellings } from "../../src/cli/args.js";
import { runCli } from "../helpers/cli.js";
import { COMMAND_SUBS, flagsIn, helpFlags } from "../tools/help_flags.js";

async function accepts(cmd: string, sub: string, flag: string): Promise<boolean> {
  const head = sub === "" ? [cmd] : [cmd, sub];
  const r = await runCli([...head, flag, "1", "--zz-probe"]);
  if (r.code === 2 && r.stderr.includes("unknown option --zz-probe")) return true;
  if (r.code === 2 && r.stderr.includes(`unknown option ${flag} `)) return false;
  throw new Error(`netkit ${head.join(" ")} ${flag}: unexpected answer (exit ${r.code}) ${r.stderr}`);
}

describe("flagsIn reads flags out of help lines", () => {
  it("splits groups, skips negative numbers and words with dashes", () => {
    assert.deepEqual(flagsIn("  netkit ss -tlnp --json"), ["-t", "-l", "-n", "-p", "--json"]);
    assert.deepEqual(flagsIn("  -1, --one-off   serve one; -b 0 = unlimited, x-y, -5 dB"), [
      "-1",
      "--one-off",
      "-b",
    ]);
  });
});

describe("each command's help lists only flags it accepts", { timeout: 120_000 }, () => {
  for (const [cmd, subs] of Object.entries(COMMAND_SUBS)) {
    it(cmd, async () => {
      const help = (await runCli([cmd, "--help"])).stdout;
      const { bySub, all } = helpFlags(cmd, help);
      assert.ok(all.size > 0 || cmd === "gateway", `no flags found in netkit ${cmd} --help`);
      const problems: string[] = [];
      for (const flag of all) {
        let ok = false;
        for (const sub of subs) if (await accepts(cmd, sub, flag)) ok = true;
        if (!ok) problems.push(`${flag}: no subcommand of netkit ${cmd} accepts it`);
      }
      for (const [sub, flags] of bySub)
        for (const flag of flags)
          if (!(await accepts(cmd, sub, flag)))
            problems.push(`${flag}: shown with "netkit ${cmd} ${sub}", which refuses it`);
      assert.deepEqual(problems, []);
    });
  }
});

describe("unix help lists no IP-only serve option", () => {
  it("every option line of netkit unix --help passes unix serve's own rules", async () => {
    // Without PATH, unix serve stops at its checks and never binds: the IP-only rule
    // ("--host is for udp/tcp servers") comes first, "takes one PATH" after it.
    const help = (await runCli(["unix", "--help"])).stdout;
    const refused: string[] = [];
    for (const line of help.split("\n")) {
      const m = /^ {2}((?:-\w, )?--?[\w-]+)/.exec(line);
      if (!m) continue;
      const flag = m[1]!.split(", ").at(-1)!;
      if (flag === "--help" || !(await accepts("unix", "serve", flag))) continue;
      const takesValue = /needs a value/.test((await runCli(["unix", "serve", flag, "--zz-probe"])).stderr);
      const extra = line.includes("(--dgram)") ? ["--dgram"] : [];
      const r = await runCli(["unix", "serve", flag, ...(takesValue ? ["1"] : []), ...extra]);
      assert.equal(r.code, 2, `${flag}: ${r.stderr}`);
      if (/ is for /.test(r.stderr)) refused.push(`${flag}: ${r.stderr.trim()}`);
    }
    assert.deepEqual(refused, []);
  });
});

/**
 * udp/tcp/unix serve share one option table; a flag of another protocol is refused by serve's
 * rules ("--ttl is for udp servers") and rightly not in that command's help. The run cannot serve:
 * -p 99999 (checked after the protocol rules) or, for unix, the missing PATH stops it first.
 */
async function refusedByServeRules(cmd: string, flag: string, takesValue: boolean): Promise<boolean> {
  const stop = cmd === "unix" ? [] : ["-p", "99999"];
  const r = await runCli([cmd, "serve", flag, ...(takesValue ? ["1"] : []), ...stop]);
  assert.equal(r.code, 2, `${cmd} serve ${flag}: ${r.stderr}`);
  return / is for /.test(r.stderr);
}

describe("and every flag a command accepts is in its help", () => {
  for (const [cmd, subs] of Object.entries(COMMAND_SUBS)) {
    it(cmd, async () => {
      const help = (await runCli([cmd, "--help"])).stdout;
      const shown = helpFlags(cmd, help).all;
      const missing: string[] = [];
      for (const sub of subs) {
        const tables: OptionSpec[] = [];
        await withFlagSpellings(
          () => runCli([...(sub === "" ? [cmd] : [cmd, sub]), "--zz-probe"]),
          (o) => tables.push(o),
        );
        assert.ok(tables.length > 0, `netkit ${cmd} ${sub} parsed no flags`);
        for (const [name, spec] of Object.entries(tables[0]!)) {
          const forms = [`--${name}`, ...(spec.short ? [`-${spec.short}`] : [])];
          if (forms.some((f) => shown.has(f))) continue;
          if (sub === "serve" && (await refusedByServeRules(cmd, forms[0]!, spec.type === "string")))
            continue;
          missing.push(`${cmd} ${sub}: ${forms.join(", ")}`.replace("  ", " "));
        }
      }
      assert.deepEqual(missing, []);
    });
  }
});
