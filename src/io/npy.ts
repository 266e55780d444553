import { createNet, paramCount, type Arch, type Net } from "../nn/arch.js";
import { readNpy, writeNpy, type NpyArray } from "../data/npy.js";
import { InputError } from "../util/errors.js";

// The array codec lives in data/ (data sets are read from .npy too); re-exported here for θ files.
export { readNpy, writeNpy, type NpyArray };

/** Save θ (SPEC §1.3 order) as a 1-D float64 .npy; the architecture is not stored (give it on load). */
export function saveThetaNpy(net: Net): Uint8Array {
  return writeNpy(net.theta, [net.theta.length]);
}

/** Load θ from a 1-D .npy (or a 2-D one with a single row/column) for a given architecture; length must be P. */
export function loadThetaNpy(bytes: Uint8Array, arch: Arch, name = "npy"): Net {
  const a = readNpy(bytes, name);
  if (a.shape.length === 2 && a.shape[0] !== 1 && a.shape[1] !== 1) {
    throw new InputError(`${name}: θ must be a vector, got shape (${a.shape.join(", ")})`);
  }
  const P = paramCount(arch.widths);
  if (a.data.length !== P) throw new InputError(`${name}: θ has ${a.data.length} entries, architecture ${arch.widths.join("-")} needs ${P}`);
  return createNet(arch, a.data);
}
