import { z } from "zod";
import { oneLine } from "../util/one-line.js";
import { createNet, makeArch, paramCount, type Net } from "../nn/arch.js";
import { InputError } from "../util/errors.js";

/**
 * Readable JSON net format:
 * {"format": "embedscape-net", "version": 1,
 *  "arch": {"widths": [1, 50, 1], "activation": "tanh", "loss": "mse"},
 *  "theta": [...]}               (θ in SPEC §1.3 order; JSON numbers round-trip float64 exactly)
 */
const NetJson = z.object({
  format: z.literal("embedscape-net"),
  version: z.literal(1),
  arch: z.object({
    widths: z.array(z.number().int().positive()).min(2),
    activation: z.string(),
    loss: z.string(),
  }),
  theta: z.array(z.number()),
  meta: z.record(z.string(), z.unknown()).optional(),
});

export function netToJson(net: Net, meta?: Record<string, unknown>): string {
  return JSON.stringify({
    format: "embedscape-net", version: 1,
    arch: { widths: net.arch.widths, activation: net.arch.activation, loss: net.arch.loss },
    theta: Array.from(net.theta),
    ...(meta ? { meta } : {}),
  });
}

export function netFromJson(text: string, name = "net"): Net {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InputError(oneLine(`${name}: not valid JSON (${(e as Error).message})`));
  }
  const p = NetJson.safeParse(raw);
  if (!p.success) {
    const issue = p.error.issues[0];
    throw new InputError(oneLine(`${name}: not an embedscape net file: ${issue.path.join(".") || "top level"}: ${issue.message}`));
  }
  try {
    const arch = makeArch(p.data.arch.widths, p.data.arch.activation, p.data.arch.loss);
    // compare sizes before createNet allocates P numbers (P from hostile widths can be astronomically large)
    const P = paramCount(arch.widths);
    if (p.data.theta.length !== P) throw new InputError(`theta has ${p.data.theta.length} entries but architecture ${arch.widths.join("-")} needs ${P}`);
    return createNet(arch, p.data.theta);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(oneLine(`${name}: ${e.message}`));
    throw e;
  }
}
