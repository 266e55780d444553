import { existsSync, rmSync } from "node:fs";
import type { Command } from "commander";
import type { Dataset } from "../../data/dataset.js";
import { loadDataset } from "../../data/load.js";
import { saveNet, writeAtomic } from "../../io/files.js";
import { checkOutputPath } from "../../io/write.js";
import { createNet, initNet, makeArch, parseWidths, type Arch, type Net } from "../../nn/arch.js";
import { checkCompatible } from "../../nn/evaluator.js";
import { checkpointToJson, compareSettings, datasetHash, readCheckpoint, thetaHash, type TrainSettings } from "../../optim/checkpoint.js";
import { optimizerSettings, TrainDivergedError, trainAsync, trainDiverged, type OptimizerName, type TrainState } from "../../optim/train.js";
import { InputError, quote } from "../../util/errors.js";
import { readText } from "../../util/files.js";
import { paramCountOf, requireMemory, trainingBytes } from "../../util/memory.js";
import { netFlag } from "../common.js";
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
}

/** Exit codes of a run stopped by a signal, after its checkpoint is written (128 + signal number). */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * `embedscape train`: full-batch GD/Adam from a fresh init (--arch) or an existing net (--net).
 * Training runs in time slices of ≤ 100 ms (optim/train.ts minimizeAsync), so SIGINT (Ctrl-C) and SIGTERM are
 * handled within a slice: the state is checkpointed to <out>.checkpoint.json and the process exits 130 / 143.
 * A checkpoint is also written every --checkpoint-every seconds. `--resume` continues from it bit for bit; the
 * checkpoint records every setting that affects the result (optimizer, lr, β, ε, architecture, data values,
 * init), a resuming command that changes one is refused unless --override is given, and settings the command
 * does not repeat are taken from the checkpoint. Output paths are checked before any work; the finished net is
 * written atomically to --out.
 */
export function register(program: Command): void {
  program
    .command("train")
    .description("train a net by full-batch gradient descent or Adam")
    .option("--arch <widths>", "architecture, e.g. 1-50-1 (or start from --net)")
    .option("--activation <name>", "hidden activation: tanh, relu, leaky-relu[:slope], sigmoid, softplus, gelu, identity, hardtanh", "tanh")
    .option("--loss <name>", "mse or cross-entropy", "mse")
    .option("--net <file>", "start from this net instead of a random init")
    .option("--data <spec>", "training data: .csv/.json file or spec (grid:cos2x:9, …); on --resume the checkpoint's by default")
    .option("--steps <n>", "number of full-batch steps", "1000")
    .option("--optimizer <name>", "gd or adam", "adam")
    .option("--lr <rate>", "learning rate (default 1e-3 for adam, 1e-2 for gd; on --resume the checkpoint's)")
    .option("--seed <n>", "seed of the random init", "0")
    .option("--init <scheme>", "init scheme: pytorch (U(±1/√fan_in)) or normal (N(0, scale²/fan_in), zero bias)", "pytorch")
    .option("--init-scale <s>", "multiply the init by s (small s: condensed regime)", "1")
    .addOption(outputOption("--out <file>", "where to write the trained net (.json, .safetensors or .npy)", "net"))
    .option("--resume", "continue from <out>.checkpoint.json (from step 0 when there is none yet)")
    .option("--override", "with --resume: accept settings that differ from the checkpoint's (lr, optimizer, data, …)")
    .option("--checkpoint-every <seconds>", "checkpoint interval", "10")
    .option("--json", "print the result as JSON")
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

async function runTrain(f: TrainFlags, cmd: Command): Promise<void> {
  const given = (name: string): boolean => { const s = cmd.getOptionValueSource(name); return s !== undefined && s !== "default"; };
  if (!f.out) throw new InputError("--out is required (where to write the trained net)");
  const checkpointPath = `${f.out}.checkpoint.json`;
  checkOutputPath(checkpointPath, "--out (its checkpoint)", [".json"]);
  const steps = num("--steps", f.steps, { int: true, min: 0 });
  const every = num("--checkpoint-every", f.checkpointEvery, { positive: true }) * 1000;
  const lr = f.lr === undefined ? undefined : num("--lr", f.lr, { positive: true });
  if (f.optimizer !== "gd" && f.optimizer !== "adam") throw new InputError(`--optimizer must be gd or adam, got ${quote(f.optimizer, 30)}`);
  if (f.init !== "pytorch" && f.init !== "normal") throw new InputError(`--init must be pytorch or normal, got ${quote(f.init, 30)}`);
  const seed = num("--seed", f.seed, { int: true }), initScale = num("--init-scale", f.initScale, { positive: true });
  if (f.override && !f.resume) throw new InputError("--override only applies with --resume");

  let net: Net, data: Dataset, resume: TrainState | undefined, settings: TrainSettings;
  const ck = f.resume && existsSync(checkpointPath) ? readCheckpoint(readText(checkpointPath), checkpointPath) : undefined;
  if (f.resume && !ck) process.stderr.write(`embedscape: no checkpoint at ${checkpointPath} yet; starting from step 0\n`);

  if (ck) {
    const stored = ck.settings;
    const widths = f.arch !== undefined ? parseWidths(f.arch) : undefined;
    const spec = f.data ?? stored.data.spec;
    data = trainingData(spec, ck.net.arch.widths);
    const activation = given("activation") ? f.activation : undefined, lossName = given("loss") ? f.loss : undefined;
    const requested: Partial<TrainSettings> = {
      optimizer: given("optimizer") ? (f.optimizer as OptimizerName) : undefined, lr,
      widths, activation, loss: lossName,
      data: { spec, sha256: datasetHash(data), n: data.n, d: data.d, k: data.k },
    };
    if (f.net !== undefined) requested.start = { kind: "net", path: f.net, sha256: thetaHash(netFlag("--net", f.net).theta) };
    else if (given("arch") || given("seed") || given("init") || given("initScale")) requested.start = { kind: "init", scheme: f.init, seed, scale: initScale };
    const changes = compareSettings(stored, requested);
    if (widths && widths.join("-") !== ck.net.arch.widths.join("-")) {
      throw new InputError(`--resume: the checkpoint holds a ${ck.net.arch.widths.join("-")} net, not ${widths.join("-")}; a different architecture needs a new run (without --resume)`);
    }
    if (changes.length > 0 && !f.override) {
      throw new InputError(`--resume: the checkpoint ${checkpointPath} was trained with other settings (${changes.join("; ")}); repeat them, or pass --override to continue with the new ones`);
    }
    const arch: Arch = makeArch(ck.net.arch.widths, parseActivationName(activation ?? stored.activation), canonicalLossName(lossName ?? stored.loss));
    net = createNet(arch, ck.net.theta);
    checkCompatible(arch, data);
    const optimizer = requested.optimizer ?? stored.optimizer;
    const opt = optimizerSettings({ optimizer, lr: lr ?? (optimizer === stored.optimizer ? stored.lr : undefined), beta1: stored.beta1, beta2: stored.beta2, eps: stored.eps });
    // an overridden optimizer starts its own moments (the step count, which --steps counts, carries on)
    resume = optimizer === ck.state.optimizer ? ck.state : { optimizer, step: ck.state.step, ...(optimizer === "adam" ? { m: new Array<number>(net.theta.length).fill(0), v: new Array<number>(net.theta.length).fill(0) } : {}) };
    settings = { ...opt, widths: arch.widths.slice(), activation: arch.activation, loss: arch.loss, data: requested.data!, start: requested.start ?? stored.start };
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
    const opt = optimizerSettings({ optimizer: f.optimizer as OptimizerName, lr });
    settings = { ...opt, widths: net.arch.widths.slice(), activation: net.arch.activation, loss: net.arch.loss, data: { spec: f.data, sha256: datasetHash(data), n: data.n, d: data.d, k: data.k }, start };
  }

  const done = resume?.step ?? 0;
  const remaining = Math.max(0, steps - done);
  let signal: string | undefined;
  const onSignal = (sig: NodeJS.Signals): void => { signal ??= sig; };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const bar = progress(steps, "train");
  const save = (theta: Float64Array, state: TrainState): void => writeAtomic(checkpointPath, checkpointToJson({ arch: net.arch, theta }, state, settings));
  let lastCheckpoint = Date.now();
  let result;
  try {
    result = await trainAsync(net, data, {
      optimizer: settings.optimizer, lr: settings.lr, beta1: settings.beta1, beta2: settings.beta2, eps: settings.eps,
      steps: remaining, resume, sliceMs: Math.min(100, every),
      onStep: (s, loss, gn) => bar.update(s + 1, { loss, grad: gn }),
      shouldStop: () => signal !== undefined,
      recordEvery: Math.max(1, Math.floor(steps / 500)),
      onSlice: (s) => {
        if (Date.now() - lastCheckpoint >= every) { save(s.theta, s.state()); lastCheckpoint = Date.now(); }
      },
    });
  } catch (e) {
    if (!(e instanceof TrainDivergedError)) throw e;
    // exit 3 (ran but did not reach its goal): nothing written, the last checkpoint (if any) kept
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.stderr.write(`embedscape: ${e.message}; nothing written to ${f.out}\n`);
    if (f.json) printJson({ out: null, diverged: true, steps: e.step, loss: String(e.loss), history: [] });
    process.exitCode = 3;
    return;
  } finally {
    bar.stop();
  }
  try {
    if (result.interrupted) {
      save(result.net.theta, result.state);
      process.stderr.write(`embedscape: ${signal === "SIGTERM" ? "terminated" : "interrupted"} at step ${result.state.step}; checkpoint saved to ${checkpointPath} (continue with --resume)\n`);
      process.exitCode = SIGNAL_EXIT[signal ?? "SIGINT"] ?? 130;
      return;
    }
    saveNet(f.out, result.net);
    rmSync(checkpointPath, { force: true });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  const final = result.history[result.history.length - 1];
  const summary = { out: f.out, steps: result.state.step, loss: final.loss, gradNorm: final.gradNorm, optimizer: result.state.optimizer };
  const diverged = result.history.length > 0 && trainDiverged(result.history[0].loss, final.loss);
  if (diverged) {
    process.stderr.write(`embedscape: training diverged: loss ${result.history[0].loss.toExponential(3)} → ${final.loss.toExponential(3)} (more than 1e3 × its start); lower the learning rate\n`);
    process.exitCode = 3;
  }
  if (f.json) printJson({ ...summary, diverged, history: result.history });
  else process.stdout.write(`trained ${result.state.step} steps (${summary.optimizer}): loss ${final.loss.toExponential(6)}, ‖∇R‖ ${final.gradNorm.toExponential(3)} → ${f.out}\n`);
}
