import { InputError } from "../util/errors.js";

/**
 * The "near a critical point" stopping rule of SPEC §7 E6 ("pick a point where the loss decreases very slowly"),
 * made explicit: stop at the first step t ≥ window with
 *
 *     (R(θ_{t−W}) − R(θ_t)) / R(θ_{t−W})  <  threshold        (W = window)
 *
 * i.e. the loss fell by less than `threshold` (relative) over the last W steps. A ring buffer of W + 1 losses;
 * `observe` is allocation-free. The measured relative decrease is kept for reporting.
 */
export class PlateauStop {
  private readonly ring: Float64Array;
  private seen = 0;
  /** The relative decrease over the last window at the latest observation (NaN before a full window). */
  lastRelativeDecrease = NaN;

  constructor(readonly window: number, readonly threshold: number) {
    if (!Number.isInteger(window) || window < 1) throw new InputError(`plateau window must be a whole number of steps ≥ 1, got ${window}`);
    if (!(threshold > 0 && threshold < 1)) throw new InputError(`plateau threshold must be in (0, 1), got ${threshold}`);
    this.ring = new Float64Array(window + 1);
  }

  /** Record the loss of the next step; true when the plateau criterion holds. */
  observe(loss: number): boolean {
    const W = this.window;
    this.ring[this.seen % (W + 1)] = loss;
    this.seen++;
    if (this.seen <= W) return false;
    const old = this.ring[this.seen % (W + 1)]; // the loss W steps ago
    this.lastRelativeDecrease = (old - loss) / old;
    return this.lastRelativeDecrease < this.threshold;
  }
}
