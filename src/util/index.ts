export { InputError, NumericalError, require_, requireFinite } from "./errors.js";
export { readText } from "./files.js";
export { memoryLimit, requireMemory, setMemoryLimit } from "./memory.js";
export { Rng } from "./rng.js";
export { parseJsonWith } from "./json.js";
