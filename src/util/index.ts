/** `embedscape/util` — the InputError every bad input raises (the CLI's exit code 2) and the seeded RNG. */
export { InputError, NumericalError } from "./errors.js";
export { Rng } from "./rng.js";
