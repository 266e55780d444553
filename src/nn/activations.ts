import { getBackend } from "../linalg/backend.js";
import { InputError } from "../util/errors.js";
import { normalCdf, normalPdf } from "./special.js";

/**
 * A scalar activation σ with the derivatives the R-op needs (SPEC §1.1–§1.2):
 * σ, σ′ (feature gradient g) and σ″ (curvature term of the Hessian-vector product).
 * At a kink σ′ follows PyTorch's convention (ReLU: σ′(0) = 0) and σ″ = 0 almost everywhere.
 */
export interface Activation {
  /** Canonical name, e.g. "tanh" or "leaky-relu:0.01". */
  readonly name: ActivationName;
  f(x: number): number;
  d1(x: number): number;
  d2(x: number): number;
  /**
   * Vectorised kernel over h[0..n): a[i] = σ(h[i]), g1[i] = σ′(h[i]), g2[i] = σ″(h[i]) (g2 may be null).
   * Allocation-free; this is what the forward pass calls.
   */
  apply(h: Float64Array, a: Float64Array, g1: Float64Array, g2: Float64Array | null, n: number): void;
  /** σ(0) = 0 (needed for null neurons and sign symmetries). */
  readonly zeroAtZero: boolean;
  /** σ(−x) = −σ(x). */
  readonly odd: boolean;
  /** σ(cx) = cσ(x) for c > 0 (ReLU-like). */
  readonly positivelyHomogeneous: boolean;
  /** Open intervals on which σ is affine: σ(z) = slope·z + offset (SPEC §4.2). */
  readonly affinePieces: ReadonlyArray<{ lo: number; hi: number; slope: number; offset: number }>;
}

function generic(
  name: ActivationName, f: (x: number) => number, d1: (x: number) => number, d2: (x: number) => number,
  props: Pick<Activation, "zeroAtZero" | "odd" | "positivelyHomogeneous" | "affinePieces">,
): Activation {
  return {
    name, f, d1, d2, ...props,
    apply(h, a, g1, g2, n) {
      for (let i = 0; i < n; i++) {
        const x = h[i];
        a[i] = f(x);
        g1[i] = d1(x);
        if (g2) g2[i] = d2(x);
      }
    },
  };
}

const tanh: Activation = {
  name: "tanh",
  f: Math.tanh,
  d1: (x) => { const t = Math.tanh(x); return 1 - t * t; },
  d2: (x) => { const t = Math.tanh(x); return -2 * t * (1 - t * t); },
  apply(h, a, g1, g2, n) {
    const vec = n >= 16 ? getBackend().tanh : undefined; // native vectorised kernel where present
    if (vec) { vec(h, a, g1, g2, n); return; }
    for (let i = 0; i < n; i++) {
      const t = Math.tanh(h[i]);
      const d = 1 - t * t;
      a[i] = t;
      g1[i] = d;
      if (g2) g2[i] = -2 * t * d;
    }
  },
  zeroAtZero: true, odd: true, positivelyHomogeneous: false, affinePieces: [],
};

function leaky(slope: number, name: ActivationName): Activation {
  return {
    name,
    f: (x) => (x > 0 ? x : slope * x),
    d1: (x) => (x > 0 ? 1 : slope),
    d2: () => 0,
    apply(h, a, g1, g2, n) {
      for (let i = 0; i < n; i++) {
        const x = h[i];
        if (x > 0) { a[i] = x; g1[i] = 1; } else { a[i] = slope * x; g1[i] = slope; }
        if (g2) g2[i] = 0;
      }
    },
    zeroAtZero: true, odd: slope === -1, positivelyHomogeneous: true,
    affinePieces: slope === 1
      ? [{ lo: -Infinity, hi: Infinity, slope: 1, offset: 0 }]
      : [{ lo: -Infinity, hi: 0, slope, offset: 0 }, { lo: 0, hi: Infinity, slope: 1, offset: 0 }],
  };
}

const sigmoidF = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

const sigmoid = generic(
  "sigmoid", sigmoidF,
  (x) => { const s = sigmoidF(x); return s * (1 - s); },
  (x) => { const s = sigmoidF(x); return s * (1 - s) * (1 - 2 * s); },
  { zeroAtZero: false, odd: false, positivelyHomogeneous: false, affinePieces: [] },
);

const softplus = generic(
  "softplus",
  (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))),
  sigmoidF,
  (x) => { const s = sigmoidF(x); return s * (1 - s); },
  { zeroAtZero: false, odd: false, positivelyHomogeneous: false, affinePieces: [] },
);

const gelu = generic(
  "gelu",
  (x) => x * normalCdf(x),
  (x) => normalCdf(x) + x * normalPdf(x),
  (x) => normalPdf(x) * (2 - x * x),
  { zeroAtZero: true, odd: false, positivelyHomogeneous: false, affinePieces: [] },
);

const identity: Activation = {
  name: "identity",
  f: (x) => x, d1: () => 1, d2: () => 0,
  apply(h, a, g1, g2, n) {
    for (let i = 0; i < n; i++) { a[i] = h[i]; g1[i] = 1; if (g2) g2[i] = 0; }
  },
  zeroAtZero: true, odd: true, positivelyHomogeneous: true,
  affinePieces: [{ lo: -Infinity, hi: Infinity, slope: 1, offset: 0 }],
};

const hardTanh = generic(
  "hardtanh",
  (x) => (x > 1 ? 1 : x < -1 ? -1 : x),
  (x) => (x > -1 && x < 1 ? 1 : 0),
  () => 0,
  {
    zeroAtZero: true, odd: true, positivelyHomogeneous: false,
    affinePieces: [
      { lo: -Infinity, hi: -1, slope: 0, offset: -1 },
      { lo: -1, hi: 1, slope: 1, offset: 0 },
      { lo: 1, hi: Infinity, slope: 0, offset: 1 },
    ],
  },
);

/** Names accepted by `activation()`; "leaky-relu:<slope>" sets the negative slope (default 0.01). */
export const ACTIVATION_NAMES = ["tanh", "relu", "leaky-relu", "sigmoid", "softplus", "gelu", "identity", "hardtanh"] as const;

/**
 * An activation name the type checker knows: one of ACTIVATION_NAMES or "leaky-relu:<slope>", so that
 * `makeArch([1, 2, 1], "tahn")` is a compile-time error. Text from a user goes through `parseActivationName`.
 */
export type ActivationName = (typeof ACTIVATION_NAMES)[number] | `leaky-relu:${number}`;

/** Aliases `activation()` also accepts ("linear" = identity, "hard-tanh" = hardtanh). */
export type ActivationAlias = "linear" | "hard-tanh";

/** Validate text (a flag, a file field) as an activation name; returns the canonical name, or throws an InputError. */
export function parseActivationName(name: string): ActivationName {
  return activation(name).name;
}

const cache = new Map<string, Activation>();

/** Look up an activation by name; unknown names raise an InputError listing the valid ones. */
export function activation(name: string): Activation {
  const hit = cache.get(name);
  if (hit) return hit;
  let act: Activation;
  if (name === "tanh") act = tanh;
  else if (name === "relu") act = leaky(0, "relu");
  else if (name === "leaky-relu" || name.startsWith("leaky-relu:")) {
    const slope = name === "leaky-relu" ? 0.01 : Number(name.slice("leaky-relu:".length));
    if (!Number.isFinite(slope)) throw new InputError(`activation "${name}": the slope after "leaky-relu:" must be a number`);
    act = leaky(slope, name === "leaky-relu" ? "leaky-relu" : `leaky-relu:${slope}` as ActivationName);
  } else if (name === "sigmoid") act = sigmoid;
  else if (name === "softplus") act = softplus;
  else if (name === "gelu") act = gelu;
  else if (name === "identity" || name === "linear") act = identity;
  else if (name === "hardtanh" || name === "hard-tanh") act = hardTanh;
  else throw new InputError(`unknown activation "${name}" (expected one of ${ACTIVATION_NAMES.join(", ")})`);
  cache.set(name, act);
  return act;
}
