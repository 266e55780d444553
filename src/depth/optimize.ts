/**
 * Minimal full-batch optimizers over any (θ ↦ R, ∇R) oracle, used by the BN experiment and the pruning fine-tune
 * (the BN evaluator is not an `Evaluator`, so src/optim's `train` does not apply to it).
 */
export interface Oracle { readonly P: number; lossAndGradient(theta: Float64Array, out: Float64Array): number }

export interface StepRecord { step: number; loss: number; gradNorm: number }

/** Full-batch gradient descent (θ ← θ − lr ∇R) or Adam (β = 0.9, 0.999, ε = 1e−8); θ is updated in place. */
export function minimize(oracle: Oracle, theta: Float64Array, opts: { optimizer: "gd" | "adam"; lr: number; steps: number; every?: number; onRecord?: (r: StepRecord, theta: Float64Array) => void }): StepRecord[] {
  const P = oracle.P, g = new Float64Array(P), m = new Float64Array(P), v = new Float64Array(P);
  const hist: StepRecord[] = [];
  const every = opts.every ?? 1;
  for (let t = 0; t <= opts.steps; t++) {
    const loss = oracle.lossAndGradient(theta, g);
    if (t % every === 0 || t === opts.steps) {
      let s = 0;
      for (let i = 0; i < P; i++) s += g[i] * g[i];
      const r = { step: t, loss, gradNorm: Math.sqrt(s) };
      hist.push(r);
      opts.onRecord?.(r, theta);
    }
    if (t === opts.steps) break;
    if (opts.optimizer === "gd") {
      for (let i = 0; i < P; i++) theta[i] -= opts.lr * g[i];
    } else {
      const b1 = 0.9, b2 = 0.999, k = t + 1;
      const c1 = 1 - b1 ** k, c2 = 1 - b2 ** k;
      for (let i = 0; i < P; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        theta[i] -= (opts.lr * m[i] / c1) / (Math.sqrt(v[i] / c2) + 1e-8);
      }
    }
  }
  return hist;
}
