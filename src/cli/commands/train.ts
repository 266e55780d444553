import { existsSync, rmSync } from "node:fs";
import type { Command } from "commander";
import type { Dataset } from "../../data/dataset.js";
import { loadDataset } from "../../data/load.js";
import { saveNet, writeAtomic } from "../../io/files.js";
import { checkOutputPath } from "../../io/write.js";
import { createNet, initNet, makeArch, parseWidths, type Arch, type Net } from "../../nn/arch.js";
import { checkCompatible } from "../../nn/evaluator.js";
import { checkpointToJson, compareSettings, datasetHash, readCheckpoint, runKind, thetaHash, type FlowSettings, type RequestedSettings, type RunBase, type RunSettings, type RunState, type TrainSettings } from "../../optim/checkpoint.js";
import { defaultFlowMethod, FlowFailedError, gradientFlowAsync, ROSENBROCK_MAX_PARAMS, type FlowMethod, type FlowResult, type FlowState } from "../../optim/flow.js";
import { stepsPerEpoch, trainMinibatchAsync } from "../../optim/sgd.js";
import { optimizerSettings, TrainDivergedError, trainAsync, trainDiverged, type OptimizerName, type TrainResult, type TrainState } from "../../optim/train.js";
import { InputError, quote } from "../../util/errors.js";
import { readText } from "../../util/files.js";
import { paramCountOf, requireMemory, trainingBytes } from "../../util/memory.js";
import { netFlag, requireHessianMemory, DATA_HELP } from "../common.js";
import { outputOption } from "../output.js";
import { progress } from "../progress.js";
import { num } from "../args.js";
import { printJson } from "../run.js";
import { parseActivationName } from "../../nn/activations.js";
import { canonicalLossName } from "../../nn/losses.js";

interface TrainFlags {
  arch?: string; activation: string; loss: string; data?: string; steps: string; optimizer: string; lr?: string;
  seed: string; out?: string; net?: string; init: string; initScale: string; resume?: boolean; override?: boolean;
  json?: boolean; checkpointEvery: string;
  batchSize?: string; shuffleSeed?: string; method?: string; rtol?: string; atol?: string; tEnd?: string;
}

/** Exit codes of a run stopped by a signal, after its checkpoint is written (128 + signal number). */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

const HELP_AFTER = `
Optimizers:
  gd, adam (full batch)   every step uses the whole data set; --steps counts steps.
  gd, adam + --batch-size B
                          minibatch training: step s uses batch s mod ⌈n/B⌉ of epoch ⌊s/⌈n/B⌉⌋'s seeded
                          shuffle (--shuffle-seed, default 0; the last batch of an epoch holds the remainder);
                          gd on minibatches is plain SGD. --steps counts minibatch steps (not epochs); B must
                          be at most n (--batch-size full: the whole data set). The reported loss and ‖∇R‖
                          (and the history) are full-batch values.
  flow                    gradient flow dθ/dt = −∇R(θ) with error control (--rtol 1e-6, --atol 1e-9), to
                          --t-end T and/or for --steps N accepted steps (default: 1000 steps when no --t-end
                          is given, no step limit when one is); --method dopri5 (Dormand–Prince 5(4), explicit,
                          the default: its steps stay ≲ 3.3/λ_max near a minimum) or ros2 (Rosenbrock, exact
                          Hessian, stiff-capable, up to ${ROSENBROCK_MAX_PARAMS} parameters). ros2 is second order: where the
                          flow is not stiff it needs many more steps than dopri5 at the same --rtol (1-20-1 to
                          t = 1000: 20,388 vs 1,950); it pays off where the flow is stiff. Exit 3 when the integrator
                          fails (step size underflow, non-finite loss).
Checkpoints record every setting that affects the result (optimizer, lr, batch size, shuffle seed and the
position in the epoch's permutation; flow: method, tolerances, t, h and the step counts); --resume
continues bit for bit. A changed setting needs --override: gd ↔ adam keeps the step count with fresh
moments; a new batch size or shuffle seed keeps the step count and follows the new schedule from there;
new flow tolerances or method keep t, h and the counts; another optimizer kind (flow ↔ gd/adam) starts
from the checkpoint's θ with a fresh state (step 0, t = 0).`;

/**
 * `embedscape train`: full-batch GD/Adam, minibatch SGD/Adam (--batch-size) or gradient flow (--optimizer flow)
 * from a fresh init (--arch) or an existing net (--net).
 * Training runs in time slices of ≤ 100 ms (optim/train.ts minimizeAsync, optim/sgd.ts trainMinibatchAsync,
 * optim/flow.ts gradientFlowAsync), so SIGINT (Ctrl-C) and SIGTERM are handled within a slice: the state is
 * checkpointed to <out>.checkpoint.json and the process exits 130 / 143. A checkpoint is also written every
 * --checkpoint-every seconds. `--resume` continues from it bit for bit; the checkpoint records every setting that
 * affects the result (see HELP_AFTER), a resuming command that changes one is refused unless --override is given,
 * and settings the command does not repeat are taken from the checkpoint. Output paths are checked before any work;
 * the finished net is written atomically to --out.
 */
export function register(program: Command): void {
  program
    .command("train")
    .description("train a net: full-batch gradient descent or Adam, minibatch SGD/Adam (--batch-size), or gradient flow (--optimizer flow)")
    .option("--arch <widths>", "architecture, e.g. 1-50-1 (or start from --net)")
    .option("--activation <name>", "hidden activation: tanh, relu, leaky-relu[:slope], sigmoid, softplus, gelu, identity, hardtanh", "tanh")
    .option("--loss <name>", "mse or cross-entropy", "mse")
    .option("--net <file>", "start from this net instead of a random init")
    .option("--data <spec>", `training ${DATA_HELP}; on --resume the checkpoint's by default`)
    .option("--steps <n>", "steps to reach in all (resumed ones included): full-batch steps, minibatch steps (not epochs), or accepted steps of the flow", "1000")
    .option("--optimizer <name>", "gd, adam or flow (gradient flow)", "adam")
    .option("--lr <rate>", "learning rate (default 1e-3 for adam, 1e-2 for gd; on --resume the checkpoint's; not with flow)")
    .option("--batch-size <B>", "minibatch training with B samples per step (1 ≤ B ≤ n), or 'full' (the default: full batch); gd/adam only")
    .option("--shuffle-seed <s>", "seed of the per-epoch shuffles of minibatch training (default 0)")
    .option("--method <name>", "flow integrator: dopri5 (default) or ros2 (stiff-capable, up to 4000 parameters)")
    .option("--rtol <r>", "flow: relative error tolerance per step (default 1e-6)")
    .option("--atol <a>", "flow: absolute error tolerance per step (default 1e-9)")
    .option("--t-end <T>", "flow: integrate to flow time T (with --steps: whichever comes first)")
    .option("--seed <n>", "seed of the random init", "0")
    .option("--init <scheme>", "init scheme: pytorch (U(±1/√fan_in)) or normal (N(0, scale²/fan_in), zero bias)", "pytorch")
    .option("--init-scale <s>", "multiply the init by s (small s: condensed regime)", "1")
    .addOption(outputOption("--out <file>", "where to write the trained net (.json, .safetensors or .npy)", "net"))
    .option("--resume", "continue from <out>.checkpoint.json (from step 0 when there is none yet)")
    .option("--override", "with --resume: accept settings that differ from the checkpoint's (lr, optimizer, batch size, data, …)")
    .option("--checkpoint-every <seconds>", "checkpoint interval", "10")
    .option("--json", "print the result as JSON")
    .addHelpText("after", HELP_AFTER)
    .action((f: TrainFlags, cmd: Command) => runTrain(f, cmd));
}

function sumWidths(w: readonly number[]): number {
  return w.reduce((a, b) => a + b, 0);
}

/** Load training data with the memory of training `widths` on it estimated first (util/memory.ts). */
function trainingData(spec: string, widths: readonly number[]): Dataset {
  const data = loadDataset(spec, { rowBytes: 8 * 12 * sumWidths(widths), what: `train ${widths.join("-")} on` });
  requireMemory(trainingBytes(widths, data.n), `train ${widths.join("-")} on ${data.n} samples (P = ${paramCountOf(widths)})`);
  return data;
}

/** The optimizer flags as parsed (undefined: not given). */
interface KindFlags {
  /** null: --batch-size full. */
  batchSize?: number | null;
  shuffleSeed?: number;
  method?: FlowMethod;
  rtol?: number;
  atol?: number;
  tEnd?: number;
}

function parseKindFlags(f: TrainFlags): KindFlags {
  const k: KindFlags = {};
  if (f.batchSize !== undefined) k.batchSize = f.batchSize.trim() === "full" ? null : num("--batch-size", f.batchSize, { int: true, min: 1 });
  if (f.shuffleSeed !== undefined) k.shuffleSeed = num("--shuffle-seed", f.shuffleSeed, { int: true, min: 0 });
  if (f.method !== undefined) {
    if (f.method !== "ros2" && f.method !== "dopri5") throw new InputError(`--method must be ros2 or dopri5, got ${quote(f.method, 30)}`);
    k.method = f.method;
  }
  if (f.rtol !== undefined) {
    k.rtol = num("--rtol", f.rtol, { positive: true });
    if (!(k.rtol < 1)) throw new InputError(`--rtol must be below 1, got ${f.rtol}`);
  }
  if (f.atol !== undefined) k.atol = num("--atol", f.atol, { positive: true });
  if (f.tEnd !== undefined) k.tEnd = num("--t-end", f.tEnd, { positive: true });
  return k;
}

/** Refuse flags that do not apply to the optimizer in force (one line, exit 2). */
function checkCombination(optimizer: "gd" | "adam" | "flow", k: KindFlags, lrGiven: boolean, minibatch: boolean): void {
  if (optimizer === "flow") {
    if (k.batchSize !== undefined) throw new InputError("--batch-size does not apply to --optimizer flow (gradient flow follows the full-batch gradient); use gd or adam for minibatch training");
    if (lrGiven) throw new InputError("--lr does not apply to --optimizer flow (its step sizes are chosen by the error control: set --rtol/--atol)");
    if (k.shuffleSeed !== undefined) throw new InputError("--shuffle-seed does not apply to --optimizer flow");
  } else {
    for (const [flag, v] of [["--method", k.method], ["--rtol", k.rtol], ["--atol", k.atol], ["--t-end", k.tEnd]] as const) {
      if (v !== undefined) throw new InputError(`${flag} only applies with --optimizer flow (the optimizer here is ${optimizer})`);
    }
    if (k.shuffleSeed !== undefined && !minibatch) throw new InputError("--shuffle-seed only applies to minibatch training (give --batch-size B)");
  }
}

async function runTrain(f: TrainFlags, cmd: Command): Promise<void> {
  const given = (name: string): boolean => { const s = cmd.getOptionValueSource(name); return s !== undefined && s !== "default"; };
  if (!f.out) throw new InputError("--out is required (where to write the trained net)");
  const checkpointPath = `${f.out}.checkpoint.json`;
  checkOutputPath(checkpointPath, "--out (its checkpoint)", [".json"]);
  const steps = num("--steps", f.steps, { int: true, min: 0 });
  const every = num("--checkpoint-every", f.checkpointEvery, { positive: true }) * 1000;
  const lr = f.lr === undefined ? undefined : num("--lr", f.lr, { positive: true });
  if (f.optimizer !== "gd" && f.optimizer !== "adam" && f.optimizer !== "flow") throw new InputError(`--optimizer must be gd, adam or flow, got ${quote(f.optimizer, 30)}`);
  if (f.init !== "pytorch" && f.init !== "normal") throw new InputError(`--init must be pytorch or normal, got ${quote(f.init, 30)}`);
  const seed = num("--seed", f.seed, { int: true }), initScale = num("--init-scale", f.initScale, { positive: true });
  if (f.override && !f.resume) throw new InputError("--override only applies with --resume");
  const kf = parseKindFlags(f);

  const ck = f.resume && existsSync(checkpointPath) ? readCheckpoint(readText(checkpointPath), checkpointPath) : undefined;
  const stored = ck?.settings;
  // the optimizer in force: the command's, else the checkpoint's, else the default
  const optimizer = (given("optimizer") ? f.optimizer : stored?.optimizer ?? f.optimizer) as "gd" | "adam" | "flow";
  const storedTrain = stored !== undefined && stored.optimizer !== "flow" ? stored : undefined;
  const storedFlow = stored !== undefined && stored.optimizer === "flow" ? stored : undefined;
  const batchSize = optimizer === "flow" ? undefined : kf.batchSize !== undefined ? kf.batchSize ?? undefined : storedTrain?.batchSize;
  checkCombination(optimizer, kf, lr !== undefined, batchSize !== undefined);
  if (f.resume && !ck) process.stderr.write(`embedscape: no checkpoint at ${checkpointPath} yet; starting from step 0\n`);

  let net: Net, data: Dataset, base: RunBase;
  /** The resumable state of the checkpoint when it continues in the same optimizer kind (else undefined: a fresh start). */
  let resumed: RunState | undefined;
  if (ck && stored) {
    const widths = f.arch !== undefined ? parseWidths(f.arch) : undefined;
    const spec = f.data ?? stored.data.spec;
    data = trainingData(spec, ck.net.arch.widths);
    const activation = given("activation") ? f.activation : undefined, lossName = given("loss") ? f.loss : undefined;
    const requested: RequestedSettings = {
      optimizer: given("optimizer") ? optimizer : undefined, lr,
      batchSize: kf.batchSize, shuffleSeed: kf.shuffleSeed, method: kf.method, rtol: kf.rtol, atol: kf.atol,
      widths, activation, loss: lossName,
      data: { spec, sha256: datasetHash(data), n: data.n, d: data.d, k: data.k },
    };
    if (f.net !== undefined) requested.start = { kind: "net", path: f.net, sha256: thetaHash(netFlag("--net", f.net).theta) };
    else if (given("arch") || given("seed") || given("init") || given("initScale")) requested.start = { kind: "init", scheme: f.init, seed, scale: initScale };
    const changes = compareSettings(stored, requested);
    if (widths && widths.join("-") !== ck.net.arch.widths.join("-")) {
      throw new InputError(`--resume: the checkpoint holds a ${ck.net.arch.widths.join("-")} net, not ${widths.join("-")}; a different architecture needs a new run (without --resume)`);
    }
    const kindChange = (optimizer === "flow") !== (stored.optimizer === "flow");
    if (kindChange && !f.override) {
      const where = ck.state.optimizer === "flow" ? `t = ${ck.state.t}, ${ck.state.accepted} accepted steps` : `step ${ck.state.step}`;
      throw new InputError(`--resume: the checkpoint ${checkpointPath} holds a ${runKind(stored)} run (${where}); --optimizer ${optimizer} is another optimizer kind: pass --override to start ${optimizer} from its θ with a fresh state, or leave out --optimizer to continue it`);
    }
    if (changes.length > 0 && !f.override) {
      throw new InputError(`--resume: the checkpoint ${checkpointPath} was trained with other settings (${changes.join("; ")}); repeat them, or pass --override to continue with the new ones`);
    }
    const arch: Arch = makeArch(ck.net.arch.widths, parseActivationName(activation ?? stored.activation), canonicalLossName(lossName ?? stored.loss));
    net = createNet(arch, ck.net.theta);
    checkCompatible(arch, data);
    base = { widths: arch.widths.slice(), activation: arch.activation, loss: arch.loss, data: requested.data!, start: requested.start ?? stored.start };
    resumed = kindChange ? undefined : ck.state;
  } else {
    if (!f.data) throw new InputError("--data is required (a .csv/.json file or a data spec such as grid:cos2x:9)");
    let start: TrainSettings["start"];
    if (f.net) {
      net = netFlag("--net", f.net);
      data = trainingData(f.data, net.arch.widths);
      start = { kind: "net", path: f.net, sha256: thetaHash(net.theta) };
    } else {
      if (!f.arch) throw new InputError("give --arch (e.g. 1-50-1) or --net to start from");
      const widths = parseWidths(f.arch);
      const arch = makeArch(widths, parseActivationName(f.activation), canonicalLossName(f.loss));
      data = trainingData(f.data, widths); // memory estimated before θ is allocated
      checkCompatible(arch, data);
      net = initNet(arch, { seed, scheme: f.init, scale: initScale });
      start = { kind: "init", scheme: f.init, seed, scale: initScale };
    }
    checkCompatible(net.arch, data);
    base = { widths: net.arch.widths.slice(), activation: net.arch.activation, loss: net.arch.loss, data: { spec: f.data, sha256: datasetHash(data), n: data.n, d: data.d, k: data.k }, start };
  }
  if (batchSize !== undefined && batchSize > data.n) throw new InputError(`--batch-size ${batchSize} is larger than the data set (${data.n} samples); give at most ${data.n}, or --batch-size full`);

  const ctx: RunContext = { f, given, steps, every, checkpointPath, net, data };
  if (optimizer === "flow") {
    const P = net.theta.length;
    const method = kf.method ?? storedFlow?.method ?? defaultFlowMethod(P);
    if (method === "ros2" && P > ROSENBROCK_MAX_PARAMS) throw new InputError(`--method ros2 needs a dense ${P}×${P} Hessian per step; above ${ROSENBROCK_MAX_PARAMS} parameters use --method dopri5 (explicit; its steps stay ≲ 3.3/λ_max near a minimum)`);
    if (method === "ros2") requireHessianMemory(net, "train --optimizer flow --method ros2");
    const tEnd = kf.tEnd ?? storedFlow?.tEnd ?? null;
    const settings: FlowSettings = { optimizer: "flow", method, rtol: kf.rtol ?? storedFlow?.rtol ?? 1e-6, atol: kf.atol ?? storedFlow?.atol ?? 1e-9, tEnd, ...base };
    const state = resumed?.optimizer === "flow" ? { ...resumed, method } : undefined;
    await runFlow(ctx, settings, state);
    return;
  }
  // gd / adam, full batch or minibatch
  const sameOptimizer = resumed !== undefined && resumed.optimizer === optimizer;
  const opt = optimizerSettings({ optimizer, lr: lr ?? (sameOptimizer && storedTrain ? storedTrain.lr : undefined), beta1: storedTrain?.beta1, beta2: storedTrain?.beta2, eps: storedTrain?.eps });
  let resume: TrainState | undefined;
  if (resumed !== undefined && resumed.optimizer !== "flow") {
    // an overridden optimizer starts its own moments (the step count, which --steps counts, carries on)
    const P = net.theta.length;
    resume = sameOptimizer ? resumed : { optimizer, step: resumed.step, ...(optimizer === "adam" ? { m: new Array<number>(P).fill(0), v: new Array<number>(P).fill(0) } : {}) };
  }
  const settings: TrainSettings = batchSize === undefined
    ? { ...opt, ...base }
    : { ...opt, batchSize, shuffleSeed: kf.shuffleSeed ?? storedTrain?.shuffleSeed ?? 0, ...base };
  await runGradient(ctx, settings, resume);
}

interface RunContext {
  f: TrainFlags;
  given: (name: string) => boolean;
  steps: number;
  every: number;
  checkpointPath: string;
  net: Net;
  data: Dataset;
}

/** SIGINT/SIGTERM handlers for the run (a flag the loops poll); `off` removes them. */
function signals(): { signal: () => string | undefined; off: () => void } {
  let signal: string | undefined;
  const onSignal = (sig: NodeJS.Signals): void => { signal ??= sig; };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return { signal: () => signal, off: () => { process.off("SIGINT", onSignal); process.off("SIGTERM", onSignal); } };
}

/** After an interrupted run: the checkpoint is written, say so and exit 130 / 143. */
function interrupted(ctx: RunContext, sig: string | undefined, where: string): void {
  process.stderr.write(`embedscape: ${sig === "SIGTERM" ? "terminated" : "interrupted"} at ${where}; checkpoint saved to ${ctx.checkpointPath} (continue with --resume)\n`);
  process.exitCode = SIGNAL_EXIT[sig ?? "SIGINT"] ?? 130;
}

type Signals = ReturnType<typeof signals>;

/** Exit 3 (ran but did not reach its goal): nothing written, the last checkpoint (if any) kept; `--json` still prints. */
function notReached(ctx: RunContext, sig: Signals, message: string, json: Record<string, unknown>): void {
  sig.off();
  process.stderr.write(`embedscape: ${message}; nothing written to ${ctx.f.out}\n`);
  if (ctx.f.json) printJson(json);
  process.exitCode = 3;
}

/**
 * The end of a run: interrupted → its checkpoint is written and the exit code says which signal (false); finished →
 * the net is written and the checkpoint removed (true). The signal handlers are removed either way.
 */
function settle(ctx: RunContext, sig: Signals, interruptedAt: string | null, writeCheckpoint: () => void, net: Net): boolean {
  try {
    if (interruptedAt !== null) {
      writeCheckpoint();
      interrupted(ctx, sig.signal(), interruptedAt);
      return false;
    }
    saveNet(ctx.f.out!, net);
    rmSync(ctx.checkpointPath, { force: true });
    return true;
  } finally {
    sig.off();
  }
}

/** Full-batch or minibatch gd/adam. */
async function runGradient(ctx: RunContext, settings: TrainSettings, resume: TrainState | undefined): Promise<void> {
  const { f, steps, every, checkpointPath, net, data } = ctx;
  const done = resume?.step ?? 0;
  const remaining = Math.max(0, steps - done);
  const sig = signals();
  const bar = progress(steps, "train");
  const save = (theta: Float64Array, state: TrainState): void => writeAtomic(checkpointPath, checkpointToJson({ arch: net.arch, theta }, state, settings));
  let lastCheckpoint = Date.now();
  const B = settings.batchSize;
  let result: TrainResult;
  try {
    const common = {
      optimizer: settings.optimizer, lr: settings.lr, beta1: settings.beta1, beta2: settings.beta2, eps: settings.eps,
      steps: remaining, resume, sliceMs: Math.min(100, every),
      shouldStop: () => sig.signal() !== undefined,
      recordEvery: Math.max(1, Math.floor(steps / 500)),
      onSlice: (s: { theta: Float64Array; state(): TrainState }) => {
        if (Date.now() - lastCheckpoint >= every) { save(s.theta, s.state()); lastCheckpoint = Date.now(); }
      },
    };
    result = B === undefined
      ? await trainAsync(net, data, { ...common, onStep: (s, loss, gn) => bar.update(s + 1, { loss, grad: gn }) })
      : await trainMinibatchAsync(net, data, { ...common, batchSize: B, shuffleSeed: settings.shuffleSeed, onStep: (s, loss) => bar.update(s + 1, { loss }) });
  } catch (e) {
    if (!(e instanceof TrainDivergedError)) throw e;
    notReached(ctx, sig, e.message, { out: null, diverged: true, steps: e.step, loss: String(e.loss), history: [], ...(B === undefined ? {} : { batchSize: B, shuffleSeed: settings.shuffleSeed }) });
    return;
  } finally {
    bar.stop();
  }
  if (!settle(ctx, sig, result.interrupted ? `step ${result.state.step}` : null, () => save(result.net.theta, result.state), result.net)) return;
  const final = result.history[result.history.length - 1];
  const summary = { out: f.out, steps: result.state.step, loss: final.loss, gradNorm: final.gradNorm, optimizer: result.state.optimizer };
  const diverged = result.history.length > 0 && trainDiverged(result.history[0].loss, final.loss);
  if (diverged) {
    process.stderr.write(`embedscape: training diverged: loss ${result.history[0].loss.toExponential(3)} → ${final.loss.toExponential(3)} (more than 1e3 × its start); lower the learning rate\n`);
    process.exitCode = 3;
  }
  if (B === undefined) {
    if (f.json) printJson({ ...summary, diverged, history: result.history });
    else process.stdout.write(`trained ${result.state.step} steps (${summary.optimizer}): loss ${final.loss.toExponential(6)}, ‖∇R‖ ${final.gradNorm.toExponential(3)} → ${f.out}\n`);
    return;
  }
  const per = stepsPerEpoch(data.n, B), epochs = result.state.step / per;
  if (f.json) printJson({ ...summary, diverged, history: result.history, batchSize: B, shuffleSeed: settings.shuffleSeed, stepsPerEpoch: per, epochs });
  else process.stdout.write(`trained ${result.state.step} minibatch steps (${summary.optimizer}, batches of ${B}, ${per} steps per epoch: ${Number(epochs.toFixed(3))} epochs): full-batch loss ${final.loss.toExponential(6)}, ‖∇R‖ ${final.gradNorm.toExponential(3)} → ${f.out}\n`);
}

/** The flow fields of `--json` (added beside out, steps, loss, gradNorm, optimizer, diverged, history). */
function flowJson(state: FlowState, settings: FlowSettings, reason: FlowResult["reason"] | "step-underflow" | "diverged"): Record<string, unknown> {
  return { t: state.t, accepted: state.accepted, rejected: state.rejected, method: state.method, reason, rtol: settings.rtol, atol: settings.atol, tEnd: settings.tEnd };
}

/** Gradient flow. */
async function runFlow(ctx: RunContext, settings: FlowSettings, resume: FlowState | undefined): Promise<void> {
  const { f, given, every, checkpointPath, net, data } = ctx;
  // the step budget: --steps if given, else none when a t-end is in force, else the default 1000
  const budget = given("steps") ? ctx.steps : settings.tEnd !== null ? Infinity : ctx.steps;
  const sig = signals();
  const bar = progress(Number.isFinite(budget) ? budget : 0, "flow");
  const save = (theta: Float64Array, state: FlowState): void => writeAtomic(checkpointPath, checkpointToJson({ arch: net.arch, theta }, { optimizer: "flow", ...state }, settings));
  let lastCheckpoint = Date.now();
  let result: FlowResult;
  try {
    let accepted = resume?.accepted ?? 0;
    result = await gradientFlowAsync(net, data, {
      method: settings.method, rtol: settings.rtol, atol: settings.atol, tEnd: settings.tEnd ?? Infinity,
      maxAccepted: budget, maxSteps: Infinity, maxHistory: 500, resume, sliceMs: Math.min(100, every),
      shouldStop: () => sig.signal() !== undefined,
      onStep: (t, loss, gn) => bar.update(++accepted, { t, loss, grad: gn }),
      onSlice: (s) => {
        if (Date.now() - lastCheckpoint >= every) { save(s.theta, s.state()); lastCheckpoint = Date.now(); }
      },
    });
  } catch (e) {
    if (!(e instanceof FlowFailedError)) throw e;
    notReached(ctx, sig, e.message, { out: null, diverged: e.kind === "diverged", steps: e.state.accepted, loss: e.loss, optimizer: "flow", history: [], flow: flowJson(e.state, settings, e.kind) });
    return;
  } finally {
    bar.stop();
  }
  if (!settle(ctx, sig, result.interrupted ? `t = ${result.state.t} (${result.state.accepted} accepted steps)` : null, () => save(result.net.theta, result.state), result.net)) return;
  const first = result.history[0], final = result.history[result.history.length - 1];
  const diverged = trainDiverged(first.loss, final.loss);
  if (diverged) {
    process.stderr.write(`embedscape: gradient flow diverged: loss ${first.loss.toExponential(3)} → ${final.loss.toExponential(3)}\n`);
    process.exitCode = 3;
  }
  const s = result.state;
  if (f.json) printJson({ out: f.out, steps: s.accepted, loss: final.loss, gradNorm: final.gradNorm, optimizer: "flow", diverged, history: result.history, flow: flowJson(s, settings, result.reason) });
  else process.stdout.write(`gradient flow (${s.method}) to t = ${s.t.toPrecision(6)}: ${s.accepted} accepted, ${s.rejected} rejected steps (stopped: ${result.reason}): loss ${final.loss.toExponential(6)}, ‖∇R‖ ${final.gradNorm.toExponential(3)} → ${f.out}\n`);
}
