import { z } from "zod";
import { createNet, makeArch, type Net } from "../nn/arch.js";
import { parseJsonWith, stringifyExact } from "../util/json.js";
import { parseActivationName } from "../nn/activations.js";
import { canonicalLossName } from "../nn/losses.js";

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

/** Serialise a net (θ and any meta numbers round-trip exactly, −0 included). */
export function netToJson(net: Net, meta?: Record<string, unknown>): string {
  return stringifyExact({
    format: "embedscape-net", version: 1,
    arch: { widths: net.arch.widths, activation: net.arch.activation, loss: net.arch.loss },
    theta: Array.from(net.theta),
    ...(meta ? { meta } : {}),
  });
}

export function netFromJson(text: string, name = "net"): Net {
  const data = parseJsonWith(NetJson, text, name, "not an embedscape net file");
  const arch = makeArch(data.arch.widths, parseActivationName(data.arch.activation), canonicalLossName(data.arch.loss));
  return createNet(arch, data.theta);
}
