/** Files: nets as JSON (and safetensors/npy), atomic writes. */
export { netToJson, netFromJson } from "./net-json.js";
export { loadNet, saveNet, registerNetFormat, type NetFormat, readBytes, writeAtomic } from "./files.js";
