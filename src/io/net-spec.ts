import { makeArch, parseWidths } from "../nn/arch.js";
import { canonicalLossName } from "../nn/losses.js";
import { InputError } from "../util/errors.js";
import type { LoadNetOptions } from "./files.js";
import { parseActivationName } from "../nn/activations.js";

/**
 * Split a CLI net spec `PATH[@PART…]` into the file path and load options, for files that do not state their
 * whole architecture (a .npy θ; a safetensors file written by PyTorch without embedscape metadata). Parts are
 * classified by form, in any order: widths such as 1-50-1 → architecture; a loss name (mse, cross-entropy) →
 * loss; anything else → activation. Examples: `theta.npy@1-50-1@tanh@mse`, `torch.safetensors@relu@cross-entropy`.
 * With widths, the activation is required and the loss defaults to mse; for a safetensors file the widths come from
 * the tensor shapes and widths given must equal them (so `net.safetensors@tanh` is enough). The '@' is searched after the last '/',
 * and callers use this only when PATH itself does not exist, so file names containing '@' keep working.
 */
export function parseNetSpec(spec: string): { path: string; opts: LoadNetOptions } {
  const at = spec.indexOf("@", spec.lastIndexOf("/") + 1);
  if (at < 0) return { path: spec, opts: {} };
  const path = spec.slice(0, at);
  const got: { widths?: string; activation?: string; loss?: string } = {};
  for (const part of spec.slice(at + 1).split("@")) {
    if (part === "") throw new InputError(`net "${spec}": empty part after '@'`);
    const slot = /^\d+([-,x]\d+)+$/.test(part) ? "widths" : isLoss(part) ? "loss" : "activation";
    if (got[slot] !== undefined) throw new InputError(`net "${spec}": two ${slot === "widths" ? "architectures" : `${slot}s`} given (${got[slot]}, ${part})`);
    got[slot] = part;
  }
  if (got.widths === undefined) return { path, opts: { activation: got.activation, loss: got.loss } };
  if (got.activation === undefined) throw new InputError(`net "${spec}": give the activation too, e.g. ${path}@${got.widths}@tanh`);
  return { path, opts: { arch: makeArch(parseWidths(got.widths), parseActivationName(got.activation), canonicalLossName(got.loss ?? "mse")) } };
}

function isLoss(s: string): boolean {
  try { canonicalLossName(s); return true; } catch { return false; }
}
