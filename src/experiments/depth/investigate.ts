import type { Dataset } from "../../data/dataset.js";
import { createNet, layout, makeArch, type Net } from "../../nn/arch.js";
import { Evaluator } from "../../nn/evaluator.js";
import { Rng } from "../../util/rng.js";
import { fixtureE } from "../../nn/fixtures.js";
import { inverseDesign } from "../../optim/inverse-design.js";
import { refineCritical } from "../../optim/refine.js";
import { summarizePoint } from "../../depth/checks.js";
import { insertLayer, liftNet, type Piece } from "../../depth/lift.js";
import { minimize } from "../../optim/train.js";
import { probeAll, probeDirection, type DirectionalProbe } from "../../depth/saddle.js";

/**
 * Numerical investigation of SPEC §4.2 item 3's open question: how can a local minimum of a shallow net become a
 * strict saddle of a deeper one, when at interior lifted points n₋ cannot grow (H_B = J_Collᵀ H_A J_Coll)?
 * Candidates: lifted points on kinks (where R is not twice differentiable; probed with one-sided directional
 * derivatives of the exact loss), non-surjective collapse maps (m′ < m_q), and width changes combined with depth.
 */
export interface CaseResult {
  name: string;
  description: string;
  /** (n₋, n₀, n₊) of the dense Hessian where R is C² near the point; null on kinks. */
  inertiaShallow: [number, number, number] | null;
  inertiaDeep: [number, number, number] | null;
  /** Smallest one-sided first derivative D⁺R over the probed directions (≈ 0 at a local min of a smooth R). */
  minFirst: number | null;
  /** A direction with D⁺R = 0 and negative one-sided second derivative, if found. */
  negativeCurvature: DirectionalProbe | null;
  /** Loss after descending from the lifted point (nudged 1e−2 along the best probe) vs the shallow loss. */
  lossShallow: number;
  lossAfterEscape: number | null;
  verdict: string;
}

const ACTIVE: Piece = { lo: 0, hi: Infinity, slope: 1, offset: 0 };
const DEAD: Piece = { lo: -Infinity, hi: 0, slope: 0, offset: 0 };

function inertiaOf(net: Net, data: Dataset): [number, number, number] {
  const s = summarizePoint(net, data);
  return [s.inertia.neg, s.inertia.zero, s.inertia.pos];
}

/** Descend with Adam from θ + 1e−2·u/‖u‖ (u random when null) and return the final loss. */
function escape(net: Net, data: Dataset, u: Float64Array | null, steps: number): number {
  const ev = new Evaluator(net.arch, data);
  const theta = Float64Array.from(net.theta);
  u ??= new Rng(17).fillNormal(new Float64Array(theta.length));
  { let s = 0; for (const x of u) s += x * x; s = Math.sqrt(s); for (let i = 0; i < theta.length; i++) theta[i] += (1e-2 * u[i]) / s; }
  const h = minimize(ev, theta, { optimizer: "adam", lr: 1e-3, steps, recordEvery: steps }).history;
  return h[h.length - 1].loss;
}

function dirFromLabel(P: number, p: DirectionalProbe): Float64Array | null {
  const m = /^([+−])e(\d+)$/.exec(p.label);
  if (!m) return null;
  const v = new Float64Array(P); v[Number(m[2])] = m[1] === "+" ? 1 : -1;
  return v;
}

/** Run all cases (a few seconds). `steps` sets the escape descent length. */
export function investigateMinToSaddle(opts: { steps?: number } = {}): CaseResult[] {
  const steps = opts.steps ?? 4000;
  const { net, data } = fixtureE();
  const RA = new Evaluator(net.arch, data).loss(net.theta);
  const In0 = inertiaOf(net, data);
  const out: CaseResult[] = [];

  // 1. interior lifted point
  {
    const lift = liftNet(net, data, { after: 1, width: 2, A: [1, 0, 0, 1], c: [1, 1] });
    const In1 = inertiaOf(lift.net, data);
    out.push({
      name: "interior", description: "fixture E lifted with A = I, c = (1,1): every inserted pre-activation ≥ 1 on S",
      inertiaShallow: In0, inertiaDeep: In1, minFirst: null, negativeCurvature: null, lossShallow: RA,
      lossAfterEscape: escape(lift.net, data, null, steps),
      verdict: In1[0] === 0 ? "still a local minimum (n₋ = 0): as Sylvester's law predicts" : "n₋ > 0 — contradicts SPEC §4.2 item 3",
    });
  }
  // 2. active inserted neuron on its kink: A = I, c = (0, 1) puts neuron 1 exactly at 0 on x = −2, −1.5, −1
  for (const [label, A] of [["A = I", [1, 0, 0, 1]], ["A = [[1,0],[2,1]]", [1, 0, 2, 1]]] as const) {
    const r = insertLayer(net, 1, Float64Array.from(A), Float64Array.from([0, 1]), [ACTIVE, ACTIVE]);
    const probes = probeAll(r.net, data, { random: 300, seed: 2 });
    const best = probes.reduce((a, b) => (b.first[1] < a.first[1] ? b : a));
    const u = dirFromLabel(r.net.theta.length, best) ?? kinkDescent(r.net, data);
    out.push({
      name: `active-kink (${label})`,
      description: `fixture E lifted with ${label}, c = (0, 1): inserted neuron 1 sits exactly on the ReLU kink at x = −2, −1.5, −1 (outputs still equal)`,
      inertiaShallow: In0, inertiaDeep: null, minFirst: best.first[1], negativeCurvature: null, lossShallow: RA,
      lossAfterEscape: escape(r.net, data, u, steps),
      verdict: best.first[1] < -1e-6 ? "NOT a local minimum: a first-order descent direction exists (D⁺R < 0), loss can go below R_A" : "no descent direction found among the probes",
    });
  }
  // 3. dead inserted neuron on its kink with zero outgoing weight: bilinear negative curvature
  {
    // neuron 3 pre-activation −(5 f1 + f2) + 1.5: ≤ 0 on S, = 0 only at x = −1 (features (0, 1.5))
    const r = insertLayer(net, 1, Float64Array.from([1, 0, 0, 1, -5, -1]), Float64Array.from([1, 1, 1.5]), [ACTIVE, ACTIVE, DEAD]);
    const P = r.net.theta.length, lay = layout(r.net.arch.widths).layers;
    const cIdx = lay[1].b + 2, bIdx = lay[2].w + 2;
    const ev = new Evaluator(r.net.arch, data);
    const mk = (sc: number, sb: number): Float64Array => { const v = new Float64Array(P); v[cIdx] = sc; v[bIdx] = sb; return v; };
    const dirs = [probeDirection(ev, r.net.theta, mk(1, 1), "(+c₃, +B₃)"), probeDirection(ev, r.net.theta, mk(1, -1), "(+c₃, −B₃)"),
      probeDirection(ev, r.net.theta, mk(-1, 1), "(−c₃, +B₃)"), probeDirection(ev, r.net.theta, mk(-1, -1), "(−c₃, −B₃)")];
    const probes = probeAll(r.net, data, { random: 300, seed: 3 });
    const minFirst = Math.min(...probes.map((p) => p.first[1]));
    const neg = dirs.filter((d) => Math.abs(d.first[1]) < 1e-6).reduce((a, b) => (b.second[0] < a.second[0] ? b : a));
    const u = mk(1, neg.label.includes("−B") ? -1 : 1);
    out.push({
      name: "dead-kink",
      description: "fixture E lifted to width 3 with a dead inserted neuron (κ₃ = 0, outgoing weight B₃ = 0) whose pre-activation touches 0 at x = −1",
      inertiaShallow: In0, inertiaDeep: null, minFirst, negativeCurvature: neg, lossShallow: RA,
      lossAfterEscape: escape(r.net, data, u, steps),
      verdict: neg.second[0] < 0 ? `strict saddle in the one-sided sense: D⁺R = 0 along ${neg.label} and D²⁺R = ${neg.second[0].toExponential(3)} < 0` : "no negative curvature",
    });
  }
  // 4. non-surjective collapse: m′ < m_q with m_{q+1} = 2, rank-1 W^[q+1]
  out.push(nonSurjectiveCase(steps));
  // 5. combined width and depth: split an inserted neuron of the interior lifting (α = −0.5, 0.3)
  {
    const lift = liftNet(net, data, { after: 1, width: 2, A: [1, 0, 0, 1], c: [1, 1] });
    for (const alpha of [-0.5, 0.3]) {
      const split = splitNeuron(lift.net, 2, 0, alpha);
      const In2 = inertiaOf(split, data);
      const g = new Float64Array(split.theta.length);
      new Evaluator(split.arch, data).lossAndGradient(split.theta, g);
      out.push({
        name: `lift + split (α = ${alpha})`,
        description: `interior lifting of fixture E, then inserted neuron 1 split into two with outgoing weights α, 1 − α (1-2-3-1, P = ${split.theta.length})`,
        inertiaShallow: In0, inertiaDeep: In2, minFirst: null, negativeCurvature: null, lossShallow: RA, lossAfterEscape: null,
        verdict: In2[0] === 0 ? "n₋ = 0: splitting inside an affine piece (σ″ = 0) adds only zero directions" : `n₋ = ${In2[0]}: strict saddle`,
      });
    }
  }
  return out;
}

/** A kink descent direction built by hand when the best probe was random: move c₁ and A₁₂ so only x = −1 leaves the piece. */
function kinkDescent(net: Net, _data: Dataset): Float64Array {
  const lay = layout(net.arch.widths).layers[1];
  const v = new Float64Array(net.theta.length);
  v[lay.w + 1] = 1; v[lay.b] = -1.8;
  return v;
}

/** Width split (SPEC §2.2 T^α_{l,s}): copy neuron s of hidden layer l as a new last neuron; outgoing α and 1 − α. */
export function splitNeuron(net: Net, l: number, s: number, alpha: number): Net {
  const w = net.arch.widths, nw = [...w]; nw[l] += 1;
  const old = layout(w).layers, neu = layout(nw).layers;
  const theta = new Float64Array(layout(nw).size);
  for (let k = 1; k < w.length; k++) {
    const o = old[k - 1], nl = neu[k - 1];
    for (let r = 0; r < nl.rows; r++) {
      const sr = k === l && r === o.rows ? s : r;
      for (let c = 0; c < nl.cols; c++) {
        const sc = k === l + 1 && c === o.cols ? s : c;
        let v = net.theta[o.w + sr * o.cols + sc];
        if (k === l + 1 && c === s) v *= alpha;
        if (k === l + 1 && c === o.cols) v *= 1 - alpha;
        theta[nl.w + r * nl.cols + c] = v;
      }
      theta[nl.b + r] = net.theta[o.b + sr];
    }
  }
  return createNet(makeArch(nw, net.arch.activation, net.arch.loss), theta);
}

function nonSurjectiveCase(steps: number): CaseResult {
  // 1-2-2 ReLU with a rank-1 output matrix; inverse-designed to be exactly critical, then refined
  const base = createNet(makeArch([1, 2, 2], "relu", "mse"), [1, -1, 0.5, 0.5, 1, 0.7, 0.5, 0.35, -0.2, 0.1]);
  const x = Float64Array.from([-2, -1.5, -1, -0.3, 0.2, 0.7, 1.1, 1.8]);
  const data = inverseDesign(base, x, 8, { seed: 5, residual: 0.1 });
  const cert = refineCritical(base, data, { tol: 1e-13, maxIter: 20 });
  const shallow = cert.net;
  const RA = new Evaluator(shallow.arch, data).loss(shallow.theta);
  const In0 = inertiaOf(shallow, data);
  const lift = liftNet(shallow, data, { after: 1, width: 1 });
  const In1 = inertiaOf(lift.net, data);
  const dP = lift.net.theta.length - shallow.theta.length;
  return {
    name: "non-surjective (m′ = 1 < m_q = 2, m_{q+1} = 2)",
    description: `inverse-designed critical point of a 1-2-2 ReLU net with rank-1 W^[2]; a width-1 layer inserted after layer 1 (J_Coll not surjective; P grows by ${dP})`,
    inertiaShallow: In0, inertiaDeep: In1, minFirst: null, negativeCurvature: null, lossShallow: RA, lossAfterEscape: escape(lift.net, data, null, steps),
    verdict: In1[0] <= In0[0]
      ? `n₋ ${In0[0]} → ${In1[0]}, n₊ ${In0[2]} → ${In1[2]}: n± can only shrink (Sylvester (b)); zeros grow by ${In1[1] - In0[1]} ≠ ΔP = ${dP} when n₊ drops`
      : `n₋ grew ${In0[0]} → ${In1[0]} — contradicts Sylvester (b)`,
  };
}
