/**
 * Is the point a theorem is checked at actually critical (∇R = 0, SPEC §1.4)? The embedding,
 * lifting, inertia-prediction and truly-bad results (SPEC §2.5, §2.9, §3.6, §4.2) are statements
 * about critical points; at a non-critical θ they describe nothing, and a "MISMATCH" or a "verified"
 * witness there is not evidence of anything. Commands report this first.
 */
export interface CriticalityStatus {
  /** ‖∇R‖₂ ≤ `bound`. */
  critical: boolean;
  gradNorm: number;
  bound: number;
  /** One plain sentence when not critical (null when critical). */
  note: string | null;
}

/** ‖∇R‖₂ above which a point is reported as not critical by the theorem-checking commands. */
export const THEOREM_GRADIENT_BOUND = 1e-9;

/**
 * Criticality of the point a result is about: critical when ‖∇R‖₂ ≤ bound (default 1e-9, far above
 * the 1e-12 `critical` certifies, far below any trained-but-unrefined net). `consequence` says what the
 * non-criticality means for the result shown.
 */
export function criticalityStatus(gradNorm: number, what: string, consequence: string, bound = THEOREM_GRADIENT_BOUND): CriticalityStatus {
  const critical = gradNorm <= bound;
  return {
    critical, gradNorm, bound,
    note: critical ? null
      : `${what} is NOT a critical point (‖∇R‖₂ = ${gradNorm.toExponential(3)} > ${bound.toExponential(0)}): ${consequence} Run \`embedscape critical\` on it first.`,
  };
}
