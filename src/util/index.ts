export { InputError, require_, requireFinite } from "./errors.js";
export { Rng } from "./rng.js";
export { parseJsonWith } from "./json.js";
