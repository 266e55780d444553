import { LOSS_NAMES, canonicalLossName } from "../nn/losses.js";
import { InputError } from "../util/errors.js";
import type { NetLoadOptions } from "./safetensors.js";

/**
 * Split a net spec `PATH[@PART…]` into the file path and load options, for formats that do not state the
 * whole architecture (.npy θ; safetensors without embedscape metadata). Each part is classified by its form,
 * in any order: widths such as 1-50-1 → arch; a loss name (mse, cross-entropy) → loss; anything else → activation.
 * Example: `theta.npy@1-50-1@tanh@mse`, `torch.safetensors@relu@cross-entropy`.
 * Used only when PATH itself does not name an existing file, so paths containing '@' still work.
 */
export function parseNetSpec(spec: string): { path: string; opts: NetLoadOptions } {
  const at = spec.indexOf("@", spec.lastIndexOf("/") + 1);
  if (at < 0) return { path: spec, opts: {} };
  const path = spec.slice(0, at);
  const opts: { arch?: string; activation?: string; loss?: string } = {};
  for (const part of spec.slice(at + 1).split("@")) {
    if (part === "") throw new InputError(`net "${spec}": empty part after '@'`);
    const slot = /^\d+([-,x]\d+)+$/.test(part) ? "arch" : isLoss(part) ? "loss" : "activation";
    if (opts[slot] !== undefined) throw new InputError(`net "${spec}": two ${slot === "arch" ? "architectures" : slot + "s"} given (${opts[slot]}, ${part})`);
    opts[slot] = part;
  }
  return { path, opts };
}

function isLoss(s: string): boolean {
  if ((LOSS_NAMES as readonly string[]).includes(s)) return true;
  try { canonicalLossName(s); return true; } catch { return false; }
}
