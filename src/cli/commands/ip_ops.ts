/** `netkit ip split|supernet|…`: placeholder until src/ip/ops.ts lands. */
import { UsageError } from "../../errors.js";
import type { CliIo } from "../io.js";

export async function runIpOp(op: string, _args: string[], _io: CliIo): Promise<number> {
  throw new UsageError(`netkit ip ${op} is not available yet`);
}
