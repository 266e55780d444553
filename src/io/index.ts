/** Files: nets as JSON, safetensors (PyTorch nn.Sequential keys) and .npy θ; generic safetensors/.npy arrays; atomic writes. */
export { netToJson, netFromJson } from "./net-json.js";
export { loadNet, saveNet, registerNetFormat, type NetFormat, readBytes, writeAtomic } from "./files.js";
export {
  type Tensor, type NetLoadOptions, readSafetensors, writeSafetensors, netToSafetensors, netFromSafetensors,
  MAX_HEADER as SAFETENSORS_MAX_HEADER, METADATA_KEY as SAFETENSORS_METADATA_KEY,
} from "./safetensors.js";
export { type NpyArray, readNpy, writeNpy, saveThetaNpy, loadThetaNpy } from "./npy.js";
export { parseNetSpec } from "./net-spec.js";
