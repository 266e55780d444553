/** `embedscape/io` — net files: JSON, safetensors (PyTorch MLP state dicts in, names kept on the way out) and .npy θ; atomic writes. */
export { netToJson, netFromJson } from "./net-json.js";
export { loadNet, saveNet, registerNetFormat, type NetFormat, type LoadNetOptions, writeAtomic } from "./files.js";
export { netToSafetensors, netFromSafetensors } from "./safetensors.js";
export { linearLayers, stateDictSource, type LinearLayer, type StateDictSource } from "./state-dict.js";
export { readNpy, writeNpy, saveThetaNpy, loadThetaNpy, type NpyArray } from "./npy.js";
