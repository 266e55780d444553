import type { Dataset } from "../data/dataset.js";
import { activation } from "../nn/activations.js";
import { createNet, layout, makeArch, type Net } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { InputError } from "../util/errors.js";
import { maxOutputDiff, probeInputs } from "./checks.js";
import { layerPieces } from "./linearization.js";
import { matMul } from "../linalg/dense.js";

/** Result of removing one hidden layer (SPEC §4.4). */
export interface PruneResult {
  net: Net;
  layer: number;
  /** Neurons of the removed layer that were not linear on S (empty: the merge is exact on S). */
  nonlinearNeurons: number[];
  exactOnTrain: boolean;
  outputDiffTrain: number;
  /** On data.heldOut when present, else on probe inputs spread around the data. */
  outputDiffHeldOut: number;
  heldOutKind: "held-out data" | "probe inputs";
  lossBefore: number;
  lossAfter: number;
  heldOutLossBefore: number | null;
  heldOutLossAfter: number | null;
}

/**
 * Layer pruning (SPEC §4.4): if hidden layer l acts on S with slopes K = diag(κ_j) and offsets τ, remove it and set
 * W_new^[l+1] = W^[l+1] K W^[l], b_new^[l+1] = W^[l+1](K b^[l] + τ) + b^[l+1]. Refused when a neuron crosses a kink
 * unless `force` (then each neuron uses the piece holding most of its inputs and the output change is reported).
 */
export function pruneLayer(net: Net, data: Dataset, l: number, opts: { force?: boolean } = {}): PruneResult {
  const widths = net.arch.widths, L = widths.length - 1;
  if (!Number.isInteger(l) || l < 1 || l > L - 1) throw new InputError(`--layer must be a hidden layer 1..${L - 1} of ${widths.join("-")}, got ${l}`);
  if (L < 2) throw new InputError("the net has no hidden layer to prune");
  const act = activation(net.arch.activation);
  if (act.affinePieces.length === 0) throw new InputError(`activation ${act.name} has no affine piece: a layer cannot be linear on the data`);
  const ev = new Evaluator(net.arch, data);
  const m = widths[l], mPrev = widths[l - 1], mNext = widths[l + 1];
  const { pieces, nonlinear } = layerPieces(ev.preActivations(net.theta, l), data.n, m, act);
  if (nonlinear.length > 0 && !opts.force) {
    throw new InputError(`layer ${l} is not linear on the data: ${nonlinear.length} of ${m} neurons cross a kink (use --force to merge anyway and measure the change)`);
  }
  const lay = layout(widths).layers;
  const Wl = net.theta.subarray(lay[l - 1].w, lay[l - 1].w + m * mPrev), bl = net.theta.subarray(lay[l - 1].b, lay[l - 1].b + m);
  const Wn = net.theta.subarray(lay[l].w, lay[l].w + mNext * m), bn = net.theta.subarray(lay[l].b, lay[l].b + mNext);
  const KW = new Float64Array(m * mPrev), Kb = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < mPrev; k++) KW[j * mPrev + k] = pieces[j].slope * Wl[j * mPrev + k];
    Kb[j] = pieces[j].slope * bl[j] + pieces[j].offset;
  }
  const Wnew = matMul(Wn, KW, mNext, m, mPrev);
  const bnew = matMul(Wn, Kb, mNext, m, 1);
  for (let r = 0; r < mNext; r++) bnew[r] += bn[r];
  const newWidths = [...widths.slice(0, l), ...widths.slice(l + 1)];
  const nl = layout(newWidths);
  const theta = new Float64Array(nl.size);
  for (let k = 1; k <= L; k++) {
    if (k === l || k === l + 1) continue;
    const src = lay[k - 1], size = src.rows * src.cols + src.rows;
    theta.set(net.theta.subarray(src.w, src.w + size), nl.layers[k < l ? k - 1 : k - 2].w);
  }
  theta.set(Wnew, nl.layers[l - 1].w); theta.set(bnew, nl.layers[l - 1].b);
  const pruned = createNet(makeArch(newWidths, net.arch.activation, net.arch.loss), theta);
  const held = data.heldOut;
  const probes = held ? held.x : probeInputs(data, 200);
  const nProbe = held ? held.n : 200;
  const heldLoss = (x: Net): number | null => (held ? new Evaluator(x.arch, held).loss(x.theta) : null);
  const outputDiffTrain = maxOutputDiff(net, pruned, data.x, data.n);
  return {
    net: pruned, layer: l, nonlinearNeurons: nonlinear, exactOnTrain: nonlinear.length === 0,
    outputDiffTrain, outputDiffHeldOut: maxOutputDiff(net, pruned, probes, nProbe),
    heldOutKind: held ? "held-out data" : "probe inputs",
    lossBefore: ev.loss(net.theta), lossAfter: new Evaluator(pruned.arch, data).loss(pruned.theta),
    heldOutLossBefore: heldLoss(net), heldOutLossAfter: heldLoss(pruned),
  };
}
