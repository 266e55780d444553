/** Files: nets as JSON, safetensors (PyTorch nn.Sequential keys) and .npy θ; atomic writes. */
export { netToJson, netFromJson } from "./net-json.js";
export { loadNet, saveNet, registerNetFormat, type NetFormat, type LoadNetOptions, readBytes, writeAtomic, netExtensions, checkNetOutput } from "./files.js";
export { checkOutputPath } from "./write.js";
export { netToSafetensors, netFromSafetensors, MAX_SAFETENSORS_HEADER } from "./safetensors.js";
export { readNpy, writeNpy, saveThetaNpy, loadThetaNpy, type NpyArray } from "./npy.js";
