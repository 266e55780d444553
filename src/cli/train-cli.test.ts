/**
 * `embedscape train --batch-size` (minibatch gd/adam) and `--optimizer flow` (gradient flow) through the command
 * line: SIGTERM mid-run writes a checkpoint that resumes to the uninterrupted run's net bit for bit; the checkpoint
 * records the settings, so a changed one — or another optimizer kind — is refused without --override; invalid
 * combinations are one-line exit-2 errors; an integrator failure exits 3; --json adds fields only.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { grid1d } from "../data/synthetic.js";
import { norm2 } from "../linalg/dense.js";
import { netFromJson } from "../io/net-json.js";
import { Evaluator } from "../nn/evaluator.js";
import { trainingOracle } from "../nn/tiny.js";
import { assertBadInput as refused, runCli, type CliResult } from "../testing/cli.js";

const MAIN = join(dirname(fileURLToPath(import.meta.url)), "main.js");
const dir = mkdtempSync(join(tmpdir(), "es-train-cli-"));

const cli = (args: string[]): CliResult => runCli(args, { cwd: dir });



interface Checkpoint { meta: { checkpoint: number; train: Record<string, number | string>; settings: Record<string, unknown> } }

/** Start `train`, wait for its first checkpoint, send SIGTERM; resolves with the exit status, stderr and the checkpoint then on disk. */
function termAfterCheckpoint(args: string[], out: string): Promise<{ status: number | null; stderr: string; saved: Checkpoint; text: string }> {
  const ck = join(dir, `${out}.checkpoint.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args, "--out", out, "--checkpoint-every", "0.05"], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "", seen = false;
    child.stderr.on("data", (b: Buffer) => { stderr += b.toString(); });
    const t0 = Date.now();
    const poll = setInterval(() => {
      if (!seen && existsSync(ck)) { seen = true; child.kill("SIGTERM"); }
      else if (!seen && Date.now() - t0 > 90_000) child.kill("SIGKILL");
    }, 10);
    child.on("close", (status) => {
      clearInterval(poll);
      if (!seen || !existsSync(ck)) return reject(new Error(`no checkpoint (exit ${status}): ${stderr}`));
      const text = readFileSync(ck, "utf8");
      resolve({ status, stderr, saved: JSON.parse(text), text });
    });
  });
}

const theta = (file: string): number[] => JSON.parse(readFileSync(join(dir, file), "utf8")).theta;

describe("train: minibatch SGD and gradient flow on the command line", () => {
  const sgdArgs = ["train", "--arch", "1-6-1", "--data", "grid:cos2x:23", "--optimizer", "adam", "--lr", "0.01", "--batch-size", "5", "--shuffle-seed", "4"];
  const flowArgs = ["train", "--arch", "1-6-1", "--data", "grid:cos2x:23", "--optimizer", "flow", "--method", "ros2", "--rtol", "1e-10", "--atol", "1e-12"];
  let sgdCheckpoint = "", flowCheckpoint = "";

  it("minibatch: SIGTERM mid-run checkpoints (step, epoch, batch, batch size, seed); --resume equals the uninterrupted run bit for bit", async () => {
    const r = await termAfterCheckpoint([...sgdArgs, "--steps", "100000000"], "sgd.json");
    assert.equal(r.status, 143, r.stderr);
    assert.match(r.stderr, /terminated at step \d+; checkpoint saved/);
    const { train, settings } = r.saved.meta;
    assert.equal(r.saved.meta.checkpoint, 3);
    assert.deepEqual([settings.optimizer, settings.batchSize, settings.shuffleSeed, settings.lr], ["adam", 5, 4, 0.01]);
    const S = train.step as number;
    assert.ok(S > 0);
    assert.deepEqual([train.epoch, train.batch], [Math.floor(S / 5), S % 5], "23 samples in batches of 5: 5 steps per epoch");
    sgdCheckpoint = r.text;
    const to = String(S + 37);
    const resumed = cli(["train", "--out", "sgd.json", "--resume", "--steps", to, "--json"]);
    assert.equal(resumed.code, 0, resumed.err);
    const ref = cli([...sgdArgs, "--steps", to, "--out", "sgd-ref.json"]);
    assert.equal(ref.code, 0, ref.err);
    assert.deepEqual(theta("sgd.json"), theta("sgd-ref.json"));
    assert.ok(!existsSync(join(dir, "sgd.json.checkpoint.json")), "checkpoint removed after completion");
    const j = JSON.parse(resumed.out);
    assert.equal(j.steps, S + 37);
    assert.equal(j.batchSize, 5);
    assert.equal(j.shuffleSeed, 4);
    assert.equal(j.stepsPerEpoch, 5);
    assert.equal(j.epochs, (S + 37) / 5);
    // the reported loss and ‖∇R‖ are full-batch values of the written net
    const net = netFromJson(readFileSync(join(dir, "sgd.json"), "utf8"), "sgd.json");
    const g = new Float64Array(net.theta.length);
    const R = new Evaluator(net.arch, grid1d("cos2x", 23)).lossAndGradient(net.theta, g);
    assert.ok(Math.abs(R - j.loss) <= 1e-12 * R && Math.abs(norm2(g) - j.gradNorm) <= 1e-10 * norm2(g), `${R} vs ${j.loss}`);
  });

  it("flow: SIGTERM mid-run checkpoints (t, h, counts, method, tolerances); --resume equals the uninterrupted run bit for bit", async () => {
    const r = await termAfterCheckpoint([...flowArgs, "--steps", "100000000"], "flow.json");
    assert.equal(r.status, 143, r.stderr);
    assert.match(r.stderr, /terminated at t = [\d.e+-]+ \(\d+ accepted steps\); checkpoint saved/);
    const { train, settings } = r.saved.meta;
    assert.deepEqual([settings.optimizer, settings.method, settings.rtol, settings.atol, settings.tEnd], ["flow", "ros2", 1e-10, 1e-12, null]);
    assert.equal(train.method, "ros2");
    assert.ok((train.t as number) > 0 && (train.h as number) > 0);
    const S = train.accepted as number;
    flowCheckpoint = r.text;
    const to = String(S + 25);
    const resumed = cli(["train", "--out", "flow.json", "--resume", "--steps", to, "--json"]);
    assert.equal(resumed.code, 0, resumed.err);
    const ref = cli([...flowArgs, "--steps", to, "--out", "flow-ref.json", "--json"]);
    assert.equal(ref.code, 0, ref.err);
    assert.deepEqual(theta("flow.json"), theta("flow-ref.json"));
    const a = JSON.parse(resumed.out), b = JSON.parse(ref.out);
    assert.deepEqual(a.flow, b.flow, "t, accepted, rejected, method agree");
    assert.equal(a.steps, S + 25);
    assert.equal(a.optimizer, "flow");
    assert.equal(a.flow.reason, "max-accepted");
    assert.equal(a.flow.accepted, S + 25);
    assert.ok(a.flow.t > (train.t as number));
    assert.equal(a.history.at(-1).t, a.flow.t);
  });

  it("a changed setting or another optimizer kind is refused without --override; with it the run goes on", () => {
    const ckPath = join(dir, "k.json.checkpoint.json");
    const resume = (ck: string, extra: string[]) => { writeFileSync(ckPath, ck); return cli(["train", "--out", "k.json", "--resume", ...extra]); };
    const S = JSON.parse(sgdCheckpoint).meta.train.step as number;
    refused(resume(sgdCheckpoint, ["--batch-size", "4"]), /--batch-size 5 → 4.*pass --override/, "batch size");
    refused(resume(sgdCheckpoint, ["--batch-size", "full"]), /--batch-size 5 → full/, "full batch");
    refused(resume(sgdCheckpoint, ["--shuffle-seed", "5"]), /--shuffle-seed 4 → 5/, "shuffle seed");
    refused(resume(sgdCheckpoint, ["--optimizer", "flow"]), /holds a minibatch adam \(batch 5\) run \(step \d+\); --optimizer flow is another optimizer kind: pass --override/, "flow");
    refused(resume(flowCheckpoint, ["--optimizer", "adam"]), /holds a gradient flow \(ros2\) run \(t = [^,]+, \d+ accepted steps\); --optimizer adam is another optimizer kind: pass --override/, "adam");
    refused(resume(flowCheckpoint, ["--rtol", "1e-8"]), /--rtol 1e-10 → 1e-8/, "rtol");
    refused(resume(flowCheckpoint, ["--method", "dopri5"]), /--method ros2 → dopri5/, "method");
    refused(resume(flowCheckpoint, ["--batch-size", "4"]), /--batch-size does not apply to --optimizer flow/, "batch size on a flow checkpoint");
    refused(resume(flowCheckpoint, ["--lr", "0.1"]), /--lr does not apply to --optimizer flow/, "lr on a flow checkpoint");
    // repeating the stored settings is no change
    const same = resume(sgdCheckpoint, ["--batch-size", "5", "--shuffle-seed", "4", "--optimizer", "adam", "--steps", String(S + 3)]);
    assert.equal(same.code, 0, same.err);
    // --override: another kind starts from the checkpoint's θ with a fresh state (step 0)
    const over = resume(flowCheckpoint, ["--optimizer", "adam", "--steps", "20", "--override", "--json"]);
    assert.equal(over.code, 0, over.err);
    const o = JSON.parse(over.out);
    assert.deepEqual([o.optimizer, o.steps, o.flow], ["adam", 20, undefined]);
    const flowNet = netFromJson(flowCheckpoint, "ck");
    // the oracle train uses (the fused tiny-net kernel: its tanh is not Math.tanh's to the last bit, so the Evaluator
    // would agree only to ≈1e-16 relative, depending on θ)
    const R0 = trainingOracle(flowNet.arch, grid1d("cos2x", 23)).loss(flowNet.theta);
    assert.equal(o.history[0].loss, R0, "adam started at the flow's θ");
    // --override: a new batch size keeps the step count and follows the new schedule from there
    const nb = resume(sgdCheckpoint, ["--batch-size", "4", "--steps", String(S + 6), "--override", "--json"]);
    assert.equal(nb.code, 0, nb.err);
    assert.deepEqual([JSON.parse(nb.out).steps, JSON.parse(nb.out).batchSize, JSON.parse(nb.out).stepsPerEpoch], [S + 6, 4, 6]);
    // --override: new tolerances keep t and the counts
    const nt = resume(flowCheckpoint, ["--rtol", "1e-8", "--override", "--steps", String(JSON.parse(flowCheckpoint).meta.train.accepted + 2), "--json"]);
    assert.equal(nt.code, 0, nt.err);
    assert.equal(JSON.parse(nt.out).flow.rtol, 1e-8);
    assert.ok(JSON.parse(nt.out).flow.t > JSON.parse(flowCheckpoint).meta.train.t);
  });

  it("invalid combinations are one-line exit-2 errors", () => {
    const t = (extra: string[]) => cli(["train", "--arch", "1-3-1", "--data", "grid:cos2x:9", "--out", "bad.json", ...extra]);
    refused(t(["--batch-size", "0"]), /--batch-size must be at least 1, got 0/);
    refused(t(["--batch-size", "10"]), /--batch-size 10 is larger than the data set \(9 samples\); give at most 9, or --batch-size full/);
    refused(t(["--batch-size", "2.5"]), /--batch-size needs a whole number/);
    refused(t(["--optimizer", "flow", "--batch-size", "4"]), /--batch-size does not apply to --optimizer flow/);
    refused(t(["--optimizer", "flow", "--lr", "0.1"]), /--lr does not apply to --optimizer flow/);
    refused(t(["--shuffle-seed", "2"]), /--shuffle-seed only applies to minibatch training/);
    for (const flag of ["--rtol", "--t-end"]) refused(t([flag, "0.5"]), new RegExp(`${flag} only applies with --optimizer flow \\(the optimizer here is adam\\)`), flag);
    refused(t(["--optimizer", "flow", "--method", "euler"]), /--method must be ros2 or dopri5, got "euler"/);
    refused(t(["--optimizer", "flow", "--rtol", "1"]), /--rtol must be below 1/);
    refused(t(["--optimizer", "sgd"]), /--optimizer must be gd, adam or flow, got "sgd"/);
    refused(cli(["train", "--arch", "1-1334-1", "--data", "grid:cos2x:9", "--out", "bad.json", "--optimizer", "flow", "--method", "ros2"]), /--method ros2 needs a dense 4003×4003 Hessian per step; above 4000 parameters use --method dopri5/);
    assert.ok(!existsSync(join(dir, "bad.json")));
  });

  it("flow: an integrator failure (step size underflow) exits 3 with one line, writes nothing, and --json says why", () => {
    const r = cli(["train", "--arch", "1-3-1", "--data", "grid:cos2x:9", "--out", "under.json", "--optimizer", "flow", "--t-end", "10", "--rtol", "1e-300", "--atol", "1e-300", "--json"]);
    assert.equal(r.code, 3, r.err);
    const lines = r.err.trim().split("\n");
    assert.equal(lines.length, 1, r.err);
    assert.match(lines[0], /^embedscape: gradient flow step size underflow at t = 0 \(h = [\d.e+-]+\): the flow is not resolvable at rtol 1e-300, atol 1e-300; nothing written to under\.json$/);
    const j = JSON.parse(r.out);
    assert.equal(j.out, null);
    assert.equal(j.flow.reason, "step-underflow");
    assert.equal(j.flow.accepted, 0);
    assert.ok(j.flow.rejected > 5);
    assert.ok(!existsSync(join(dir, "under.json")));
  });

  it("flow to --t-end with dopri5 (and the default method, dopri5): the text line reports t, accepted/rejected steps, loss and ‖∇R‖", () => {
    const r = cli(["train", "--arch", "1-3-1", "--data", "grid:cos2x:9", "--out", "dp.json", "--optimizer", "flow", "--method", "dopri5", "--t-end", "50"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^gradient flow \(dopri5\) to t = 50\.0000: \d+ accepted, \d+ rejected steps \(stopped: t-end\): loss [\d.]+e-?\d+, ‖∇R‖ [\d.]+e-?\d+ → dp\.json\n$/);
    const auto = cli(["train", "--arch", "1-3-1", "--data", "grid:cos2x:9", "--out", "auto.json", "--optimizer", "flow", "--steps", "30", "--json"]);
    assert.equal(auto.code, 0, auto.err);
    const j = JSON.parse(auto.out);
    assert.deepEqual([j.flow.method, j.flow.accepted, j.steps, j.flow.tEnd, j.flow.reason], ["dopri5", 30, 30, null, "max-accepted"]);
    for (const k of ["out", "steps", "loss", "gradNorm", "optimizer", "diverged", "history"]) assert.ok(k in j, k);
  });
});
