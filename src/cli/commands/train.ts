import { existsSync, readFileSync, rmSync } from "node:fs";
import type { Command } from "commander";
import { saveNet, writeAtomic } from "../../io/files.js";
import { netFromJson, netToJson } from "../../io/net-json.js";
import { initNet, makeArch, parseWidths, type Net } from "../../nn/arch.js";
import { TrainDivergedError, trainDiverged, train, type TrainPoint, type TrainState } from "../../optim/train.js";
import { InputError } from "../../util/errors.js";
import { dataFlag, netFlag } from "../common.js";
import { progress } from "../progress.js";
import { num } from "../args.js";
import { printJson } from "../run.js";
import { parseActivationName } from "../../nn/activations.js";
import { canonicalLossName } from "../../nn/losses.js";

interface TrainFlags {
  arch?: string; activation: string; loss: string; data?: string; steps: string; optimizer: string; lr?: string;
  seed: string; out?: string; net?: string; init: string; initScale: string; resume?: boolean; json?: boolean; checkpointEvery: string;
}

/**
 * `embedscape train`: full-batch GD/Adam from a fresh init (--arch) or an existing net (--net).
 * Checkpoints (net + optimizer state) go to <out>.checkpoint.json every few seconds and on Ctrl-C;
 * `--resume` continues from it; the finished net is written atomically to --out.
 */
export function register(program: Command): void {
  program
    .command("train")
    .description("train a net by full-batch gradient descent or Adam")
    .option("--arch <widths>", "architecture, e.g. 1-50-1 (or start from --net)")
    .option("--activation <name>", "hidden activation: tanh, relu, leaky-relu[:slope], sigmoid, softplus, gelu, identity, hardtanh", "tanh")
    .option("--loss <name>", "mse or cross-entropy", "mse")
    .option("--net <file>", "start from this net instead of a random init")
    .option("--data <spec>", "training data: .csv/.json file or spec (grid:cos2x:9, …)")
    .option("--steps <n>", "number of full-batch steps", "1000")
    .option("--optimizer <name>", "gd or adam", "adam")
    .option("--lr <rate>", "learning rate (default 1e-3 for adam, 1e-2 for gd)")
    .option("--seed <n>", "seed of the random init", "0")
    .option("--init <scheme>", "init scheme: pytorch (U(±1/√fan_in)) or normal (N(0, scale²/fan_in), zero bias)", "pytorch")
    .option("--init-scale <s>", "multiply the init by s (small s: condensed regime)", "1")
    .option("--out <file>", "where to write the trained net (.json or .safetensors)")
    .option("--resume", "continue from <out>.checkpoint.json")
    .option("--checkpoint-every <seconds>", "checkpoint interval", "10")
    .option("--json", "print the result as JSON")
    .action((f: TrainFlags) => runTrain(f));
}

async function runTrain(f: TrainFlags): Promise<void> {
  if (!f.out) throw new InputError("--out is required (where to write the trained net)");
  const steps = num("--steps", f.steps, { int: true, min: 0 });
  const checkpointPath = `${f.out}.checkpoint.json`;
  let net: Net;
  let resume: TrainState | undefined;
  if (f.resume) {
    if (!existsSync(checkpointPath)) throw new InputError(`--resume: no checkpoint at ${checkpointPath}`);
    const text = readFileSync(checkpointPath, "utf8");
    net = netFromJson(text, checkpointPath);
    resume = (JSON.parse(text).meta?.train ?? undefined) as TrainState | undefined;
    if (!resume) throw new InputError(`${checkpointPath} has no training state`);
  } else if (f.net) {
    net = netFlag("--net", f.net);
  } else {
    if (!f.arch) throw new InputError("give --arch (e.g. 1-50-1) or --net to start from");
    const arch = makeArch(parseWidths(f.arch), parseActivationName(f.activation), canonicalLossName(f.loss));
    if (f.init !== "pytorch" && f.init !== "normal") throw new InputError(`--init must be pytorch or normal, got "${f.init}"`);
    net = initNet(arch, { seed: num("--seed", f.seed, { int: true }), scheme: f.init, scale: num("--init-scale", f.initScale, { positive: true }) });
  }
  const data = dataFlag("--data", f.data, net);
  const done = resume?.step ?? 0;
  const remaining = Math.max(0, steps - done);
  const lr = f.lr === undefined ? undefined : num("--lr", f.lr, { positive: true });
  const every = num("--checkpoint-every", f.checkpointEvery, { positive: true }) * 1000;
  let stop = false;
  const onSigint = (): void => { stop = true; };
  process.on("SIGINT", onSigint);
  const bar = progress(steps, "train");
  // train in chunks of ~0.5 s, checkpointing between chunks, so Ctrl-C or a crash loses little
  let state: TrainState | undefined = resume;
  let current = net;
  const history: TrainPoint[] = [];
  let chunk = 100;
  let lastCheckpoint = Date.now();
  let interrupted = false;
  let left = remaining;
  const optimizer = (resume?.optimizer ?? f.optimizer) as "gd" | "adam";
  do {
    const t0 = Date.now();
    let r: ReturnType<typeof train>;
    try {
      r = train(current, data, {
      optimizer, lr, steps: Math.min(chunk, left), resume: state,
      onStep: (s, loss, gn) => bar.update(s + 1, { loss, grad: gn }),
      shouldStop: () => stop,
      recordEvery: Math.max(1, Math.floor(steps / 500)),
      });
    } catch (e) {
      if (!(e instanceof TrainDivergedError)) throw e;
      bar.stop();
      process.off("SIGINT", onSigint);
      process.stderr.write(`embedscape: ${e.message}; nothing written to ${f.out}\n`);
      if (f.json) printJson({ out: null, diverged: true, steps: e.step, loss: String(e.loss), history });
      process.exitCode = 3;
      return;
    }
    const ran = r.state.step - (state?.step ?? 0);
    left -= ran;
    state = r.state;
    current = r.net;
    history.push(...(left > 0 && !r.interrupted ? r.history.slice(0, -1) : r.history));
    interrupted = r.interrupted;
    const dt = Date.now() - t0;
    chunk = Math.max(1, Math.min(100000, Math.round((chunk * 500) / Math.max(dt, 1))));
    if (!interrupted && left > 0 && Date.now() - lastCheckpoint > every) {
      writeAtomic(checkpointPath, netToJson(current, { train: state }));
      lastCheckpoint = Date.now();
    }
    await new Promise((resolve) => setImmediate(resolve)); // let Ctrl-C (SIGINT) be delivered between chunks
  } while (left > 0 && !interrupted);
  bar.stop();
  process.off("SIGINT", onSigint);
  const result = { net: current, history, state: state ?? { optimizer, step: 0 }, interrupted };
  const final = result.history[result.history.length - 1];
  if (result.interrupted) {
    writeAtomic(checkpointPath, netToJson(result.net, { train: result.state }));
    process.stderr.write(`embedscape: interrupted at step ${result.state.step}; checkpoint saved to ${checkpointPath} (continue with --resume)\n`);
    process.exitCode = 130;
    return;
  }
  saveNet(f.out, result.net);
  if (existsSync(checkpointPath)) rmSync(checkpointPath);
  const summary = { out: f.out, steps: result.state.step, loss: final.loss, gradNorm: final.gradNorm, optimizer: result.state.optimizer };
  const diverged = result.history.length > 0 && trainDiverged(result.history[0].loss, final.loss);
  if (diverged) {
    process.stderr.write(`embedscape: training diverged: loss ${result.history[0].loss.toExponential(3)} → ${final.loss.toExponential(3)} (more than 1e3 × its start); lower the learning rate\n`);
    process.exitCode = 3;
  }
  if (f.json) printJson({ ...summary, diverged, history: result.history });
  else process.stdout.write(`trained ${result.state.step} steps (${summary.optimizer}): loss ${final.loss.toExponential(6)}, ‖∇R‖ ${final.gradNorm.toExponential(3)} → ${f.out}\n`);
}
