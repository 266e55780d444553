import { layout, makeArch, createNet, type Net } from "../nn/arch.js";
import { activation } from "../nn/activations.js";
import { InputError } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import { binomialRow } from "./stirling.js";

/**
 * Expansion manifolds Θ_{r→m}(θ_r) of a two-layer net (SPEC §5.2) in the toolkit's parameter
 * layout (SPEC §1.3): f(x) = Σ_i a_i σ(w_i·x + b_i) + c, widths (d, r, d').
 *
 * The incoming vector of neuron i is w̃_i = (w_i, b_i) ∈ R^{d+1} (row i of W^[1] and b^[1]_i);
 * the outgoing vector a_i ∈ R^{d'} is column i of W^[2]; the output bias c ∈ R^{d'} is not in
 * SPEC §5's bias-free model and is held fixed at c* on every Γ_φ (it is shared by all neurons,
 * so permutations and replications never move it). For φ: [m] → {0} ∪ [r]:
 *
 *   Γ_φ = { θ_m : w̃_i = w̃*_{φ(i)} if φ(i) ≥ 1;  Σ_{i∈φ⁻¹(j)} a_i = a*_j;  a_i = 0, w̃_i free if φ(i) = 0;  c = c* }
 *   dim Γ_φ = d'(m − k − r) + k(d + 1),   k = |φ⁻¹(0)|.
 */

/** A two-layer net split into neurons: incoming w̃_i = (w_i, b_i), outgoing a_i, output bias c. */
export interface TwoLayerNeurons {
  d: number;
  dOut: number;
  activation: Net["arch"]["activation"];
  loss: Net["arch"]["loss"];
  incoming: Float64Array[];
  outgoing: Float64Array[];
  bias: Float64Array;
}

/** Split a two-layer net (widths (d, r, d')) into its neurons. */
export function neuronsOf(net: Net): TwoLayerNeurons {
  const w = net.arch.widths;
  if (w.length !== 3) throw new InputError(`expansion manifolds need a two-layer net (d-r-d'), got ${w.join("-")}`);
  const [d, r, dOut] = w;
  const [L1, L2] = layout(w).layers;
  const t = net.theta;
  const incoming: Float64Array[] = [], outgoing: Float64Array[] = [];
  for (let i = 0; i < r; i++) {
    const v = new Float64Array(d + 1);
    for (let c = 0; c < d; c++) v[c] = t[L1.w + i * d + c];
    v[d] = t[L1.b + i];
    incoming.push(v);
    const a = new Float64Array(dOut);
    for (let o = 0; o < dOut; o++) a[o] = t[L2.w + o * r + i];
    outgoing.push(a);
  }
  return { d, dOut, activation: net.arch.activation, loss: net.arch.loss, incoming, outgoing, bias: t.slice(L2.b, L2.b + dOut) };
}

/** Assemble a two-layer net from neurons (inverse of `neuronsOf`). */
export function netFromNeurons(n: TwoLayerNeurons): Net {
  const m = n.incoming.length;
  const arch = makeArch([n.d, m, n.dOut], n.activation, n.loss);
  const net = createNet(arch);
  const [L1, L2] = layout(arch.widths).layers;
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < n.d; c++) net.theta[L1.w + i * n.d + c] = n.incoming[i][c];
    net.theta[L1.b + i] = n.incoming[i][n.d];
    for (let o = 0; o < n.dOut; o++) net.theta[L2.w + o * m + i] = n.outgoing[i][o];
  }
  for (let o = 0; o < n.dOut; o++) net.theta[L2.b + o] = n.bias[o];
  return net;
}

export interface Irreducibility {
  irreducible: boolean;
  /** One line per violated condition. */
  reasons: string[];
}

/**
 * Irreducibility of θ_r (SPEC §5.2): all outgoing a_j ≠ 0, all incoming w̃_j pairwise distinct and
 * non-zero (a neuron with w̃ = 0 is a constant, absorbed by the output bias), and for odd σ no pair
 * with w̃_i = −w̃_j. Comparisons use max-abs distance ≤ tol. With the identity activation a width
 * r > d + 1 is reported reducible (its neurons span at most d + 1 functions). Further symmetries of
 * particular σ (ReLU's positive rescaling, relu(z) − relu(−z) = z) are not checked.
 */
export function irreducibility(net: Net, opts: { tol?: number } = {}): Irreducibility {
  const tol = opts.tol ?? 1e-9;
  const n = neuronsOf(net);
  const act = activation(n.activation);
  const r = n.incoming.length;
  const reasons: string[] = [];
  const dist = (u: Float64Array, v: Float64Array, sign: number): number => {
    let s = 0;
    for (let i = 0; i < u.length; i++) s = Math.max(s, Math.abs(u[i] - sign * v[i]));
    return s;
  };
  const zero = new Float64Array(n.d + 1);
  for (let i = 0; i < r; i++) {
    if (Math.max(...Array.from(n.outgoing[i], Math.abs)) <= tol) reasons.push(`neuron ${i + 1} has zero outgoing weights`);
    if (dist(n.incoming[i], zero, 1) <= tol) reasons.push(`neuron ${i + 1} has zero incoming weights and bias (a constant)`);
    for (let j = 0; j < i; j++) {
      if (dist(n.incoming[i], n.incoming[j], 1) <= tol) reasons.push(`neurons ${j + 1} and ${i + 1} have equal incoming weights`);
      else if (act.odd && dist(n.incoming[i], n.incoming[j], -1) <= tol) reasons.push(`neurons ${j + 1} and ${i + 1} have opposite incoming weights (odd ${act.name})`);
    }
  }
  if (n.activation === "identity" && r > n.d + 1) reasons.push(`a linear net of width ${r} > d + 1 = ${n.d + 1} is reducible`);
  return { irreducible: reasons.length === 0, reasons };
}

/** dim Γ_φ = d'(m − k − r) + k(d + 1) for k zero-output neurons, incoming vectors with bias (SPEC §5.2 with w̃ = (w, b)). */
export function subspaceDimension(d: number, dOut: number, r: number, m: number, k: number): number {
  if (r + k > m) throw new InputError(`a map with ${k} zero neurons onto ${r} neurons needs m ≥ ${r + k}, got ${m}`);
  return dOut * (m - k - r) + k * (d + 1);
}

function checkPhi(phi: readonly number[], r: number, zerosAllowed = true): void {
  const hit = new Array<boolean>(r + 1).fill(false);
  for (const v of phi) {
    if (!Number.isInteger(v) || v < 0 || v > r || (!zerosAllowed && v === 0)) throw new InputError(`map entry ${v} is not in {${zerosAllowed ? "0, " : ""}1..${r}}`);
    hit[v] = true;
  }
  for (let j = 1; j <= r; j++) if (!hit[j]) throw new InputError(`map φ = (${phi.join(",")}) misses neuron ${j}`);
}

/** An affine subspace Γ_φ as base point + spanning directions, all in θ-coordinates of the width-m net. */
export interface ExpansionSubspace {
  phi: number[];
  zeros: number;
  dimension: number;
  base: Net;
  /** Linearly independent directions (as many as `dimension`). */
  directions: Float64Array[];
}

/**
 * Γ_φ for θ_r and φ: [m] → {0} ∪ [r] (SPEC §5.2). Base point: the first copy of neuron j carries a*_j,
 * later copies 0; zero neurons have w̃ = 0, a = 0. Directions: for each group and output o,
 * e(a_{i_t,o}) − e(a_{i_1,o}) (t ≥ 2); for each zero neuron, the d + 1 coordinates of its w̃.
 */
export function expansionSubspace(net: Net, phi: readonly number[]): ExpansionSubspace {
  const src = neuronsOf(net);
  const r = src.incoming.length, m = phi.length;
  checkPhi(phi, r);
  const incoming: Float64Array[] = [], outgoing: Float64Array[] = [];
  const first = new Array<number>(r + 1).fill(-1);
  let zeros = 0;
  for (let i = 0; i < m; i++) {
    const j = phi[i];
    if (j === 0) {
      zeros++;
      incoming.push(new Float64Array(src.d + 1));
      outgoing.push(new Float64Array(src.dOut));
    } else {
      incoming.push(src.incoming[j - 1].slice());
      outgoing.push(first[j] < 0 ? src.outgoing[j - 1].slice() : new Float64Array(src.dOut));
      if (first[j] < 0) first[j] = i;
    }
  }
  const base = netFromNeurons({ ...src, incoming, outgoing });
  const [L1, L2] = layout(base.arch.widths).layers;
  const P = base.theta.length, d = src.d;
  const directions: Float64Array[] = [];
  for (let i = 0; i < m; i++) {
    const j = phi[i];
    if (j === 0) {
      for (let c = 0; c <= d; c++) {
        const v = new Float64Array(P);
        v[c < d ? L1.w + i * d + c : L1.b + i] = 1;
        directions.push(v);
      }
    } else if (first[j] !== i) {
      for (let o = 0; o < src.dOut; o++) {
        const v = new Float64Array(P);
        v[L2.w + o * m + i] = 1;
        v[L2.w + o * m + first[j]] = -1;
        directions.push(v);
      }
    }
  }
  return { phi: [...phi], zeros, dimension: subspaceDimension(d, src.dOut, r, m, zeros), base, directions };
}

/** A point base + Σ_t c_t·direction_t of Γ_φ with coefficients c_t ~ N(0, scale²). */
export function sampleSubspacePoint(sub: ExpansionSubspace, rng: Rng, scale = 1): Net {
  const theta = sub.base.theta.slice();
  for (const v of sub.directions) {
    const c = scale * rng.normal();
    for (let p = 0; p < theta.length; p++) if (v[p] !== 0) theta[p] += c * v[p];
  }
  return createNet(sub.base.arch, theta);
}

/**
 * Number of maps of `n` positions into an alphabet of `alphabet` symbols that hit `u` given symbols:
 * Σ_{i=0}^{u} (−1)^i C(u,i) (alphabet − i)^n (inclusion–exclusion).
 */
function coveringCount(n: number, u: number, alphabet: number): bigint {
  const C = binomialRow(u);
  let s = 0n;
  for (let i = 0; i <= u; i++) {
    const t = C[i] * BigInt(alphabet - i) ** BigInt(n);
    s += i % 2 === 0 ? t : -t;
  }
  return s;
}

/**
 * A uniformly random φ among the T maps ([m] → {0} ∪ [r] hitting all of [r], `zeros: true`) or the
 * G surjections ([m] → [r]), drawn position by position with exact completion counts.
 */
export function sampleIndexMap(r: number, m: number, opts: { zeros: boolean }, rng: Rng): number[] {
  if (!Number.isInteger(r) || !Number.isInteger(m) || r < 1 || m < r) throw new InputError(`need whole numbers 1 ≤ r ≤ m, got r = ${r}, m = ${m}`);
  const A = opts.zeros ? r + 1 : r;
  const unhit: number[] = Array.from({ length: r }, (_, j) => j + 1);
  const phi: number[] = [];
  const SCALE = 1n << 53n;
  for (let p = 0; p < m; p++) {
    const left = m - p, u = unhit.length;
    const total = coveringCount(left, u, A);
    const toUnhit = u === 0 ? 0n : BigInt(u) * coveringCount(left - 1, u - 1, A);
    const prob = Number((toUnhit * SCALE) / total) / Number(SCALE);
    if (rng.uniform() < prob) {
      const k = rng.int(u);
      phi.push(unhit[k]);
      unhit.splice(k, 1);
    } else {
      // a symbol already hit, or 0: uniformly among the A − u of them
      const hit: number[] = [];
      if (opts.zeros) hit.push(0);
      for (let j = 1; j <= r; j++) if (!unhit.includes(j)) hit.push(j);
      phi.push(hit[rng.int(hit.length)]);
    }
  }
  return phi;
}
