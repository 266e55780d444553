/**
 * One error type for every problem caused by the caller's input (bad files, wrong shapes,
 * NaN, impossible requests). The CLI prints `embedscape: <message>` and exits with code 2;
 * library users can `instanceof`-check it. Anything else escaping is a bug in embedscape.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** Throw an InputError with `message` unless `cond` holds. */
export function require_(cond: unknown, message: string): asserts cond {
  if (!cond) throw new InputError(message);
}

/** Throw an InputError naming `what` unless every entry of `a` is finite. */
export function requireFinite(a: ArrayLike<number>, what: string): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new InputError(`${what} contains a non-finite value (${a[i]}) at index ${i}`);
  }
}
