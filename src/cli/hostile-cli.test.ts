/**
 * Regressions of issue 12 (hostile input, big requests, faults) through the command line. Each test failed on the
 * CLI as it was before the issue was fixed: requests that allocated gigabytes or crashed, output paths checked
 * only after training, --resume ignoring its settings and trusting the checkpoint, signals that were handled only
 * after 100 steps (SIGINT) or not at all (SIGTERM), rounded integers, infinite margins printed as null.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { netToJson } from "../io/net-json.js";
import { initNet, makeArch } from "../nn/arch.js";
import { fixtureB } from "../nn/fixtures.js";
import { assertBadInput as refused, runCli, type CliResult } from "../testing/cli.js";

const MAIN = join(dirname(fileURLToPath(import.meta.url)), "main.js");
const dir = mkdtempSync(join(tmpdir(), "es-hostile-"));

const cli = (args: string[], env: Record<string, string> = {}, timeout = 60_000): CliResult => runCli(args, { cwd: dir, env, timeout });



/**
 * Start `train` with a fast checkpoint interval, wait until its first checkpoint exists, read it, then send
 * `signal`; resolves with the exit status, stderr and the first checkpoint seen.
 */
function trainUntilCheckpoint(args: string[], out: string, signal: NodeJS.Signals): Promise<{ status: number | null; signal: NodeJS.Signals | null; stderr: string; first: { meta: { train: { step: number } } } }> {
  const ck = join(dir, `${out}.checkpoint.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args, "--out", out, "--checkpoint-every", "0.05"], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "", first: { meta: { train: { step: number } } } | undefined;
    child.stderr.on("data", (b: Buffer) => { stderr += b.toString(); });
    const t0 = Date.now();
    const poll = setInterval(() => {
      if (first === undefined && existsSync(ck)) {
        try { first = JSON.parse(readFileSync(ck, "utf8")); } catch { return; }
        child.kill(signal);
      } else if (first === undefined && Date.now() - t0 > 90_000) { child.kill("SIGKILL"); }
    }, 10);
    child.on("close", (status, sig) => {
      clearInterval(poll);
      if (!first) reject(new Error(`no checkpoint appeared (exit ${status} ${sig}): ${stderr}`));
      else resolve({ status, signal: sig, stderr, first });
    });
  });
}

describe("issue 12 CLI regressions", () => {
  const b = fixtureB().net;
  writeFileSync(join(dir, "b.json"), netToJson(b));

  it("defect 4: requests too big for memory are refused at once with the estimate and the limit (exit 2)", () => {
    const lim = { EMBEDSCAPE_MAX_MEMORY: "4G" };
    // no limit set: 1-1e9-1 needs hundreds of GB, more than any default limit
    refused(cli(["train", "--arch", "1-1000000000-1", "--data", "grid:cos2x:9", "--out", "big.json"]), /train 1-1000000000-1 .*needs about \d+(\.\d)? [GTP]B of memory, more than the limit of .* of physical memory/, "1-1e9-1");
    refused(cli(["train", "--arch", "1-100000000-1", "--data", "grid:cos2x:9", "--out", "big.json"], lim), /needs about \d+ GB of memory, more than the limit of 4\.0 GB \(EMBEDSCAPE_MAX_MEMORY/, "1-1e8-1");
    refused(cli(["train", "--arch", "1-100000000-1", "--data", "grid:cos2x:9", "--out", "big.json", "--max-memory", "2G"]), /limit of 2\.0 GB \(--max-memory/, "--max-memory");
    refused(cli(["hessian", "--net", "b.json", "--data", "grid:cos2x:100000000"], lim), /grid:cos2x:100000000" \(100000000 rows\) needs about/, "grid of 1e8");
    writeFileSync(join(dir, "relu.json"), netToJson(initNet(makeArch([1, 2, 1], "relu", "mse"), { seed: 3 })));
    refused(cli(["lift", "--net", "relu.json", "--data", "grid:cos2x:9", "--after", "1", "--width", "100000000"], lim), /lift --width 100000000 .* needs about/, "lift --width");
    // P = 21,001 (a 1-7000-1 net): the dense Hessian and its eigenvectors need ~17 GB
    writeFileSync(join(dir, "p21001.json"), netToJson(initNet(makeArch([1, 7000, 1], "tanh", "mse"), { seed: 1 })));
    for (const c of ["hessian", "critical"]) refused(cli([c, "--net", "p21001.json", "--data", "grid:cos2x:9"], lim), /dense Hessian of P = 21001 parameters needs about 16 GB/, c);
    assert.ok(!existsSync(join(dir, "big.json")));
  });

  it("defect 5: every output path is checked before any work (a 10⁹-step run is refused at once)", () => {
    mkdirSync(join(dir, "adir.json"));
    writeFileSync(join(dir, "afile"), "x");
    const train = (out: string) => cli(["train", "--arch", "1-2-1", "--data", "grid:cos2x:9", "--steps", "1000000000", "--out", out]);
    refused(train("o.txt"), /--out "o\.txt": unknown format \(must end in \.json, \.safetensors or \.npy\)/, "extension");
    refused(train("adir.json"), /--out "adir\.json": is an existing directory/, "directory");
    refused(train("afile/x.json"), /--out "afile\/x\.json": a parent folder is a file|parent .* is a file/, "parent file");
    refused(train("/proc/x.json"), /\/proc is a pseudo file system/, "/proc");
    assert.deepEqual(readdirSync(join(dir, "adir.json")), [], "nothing written into the directory");
    assert.ok(!readdirSync(dir).some((f) => f.includes(".tmp-")), "no temporary files");
    refused(cli(["critical", "--net", "b.json", "--data", "grid:cos2x:9", "--out", "c.txt"]), /--out "c\.txt": unknown format/, "critical");
    refused(cli(["condense", "--net", "b.json", "--report", "r.json"]), /--report "r\.json": unknown format \(must end in \.html or \.htm\)/, "condense --report");
    refused(cli(["reproduce", "symmetry-counts", "--out", "/proc/r.html"]), /\/proc is a pseudo file system/, "reproduce");
  });

  it("defect 5: a read-only folder is refused before work", { skip: process.getuid?.() === 0 ? "running as root (a chmod 555 folder is writable for root)" : false }, () => {
    const ro = join(dir, "ro");
    mkdirSync(ro, { mode: 0o555 });
    refused(cli(["train", "--arch", "1-2-1", "--data", "grid:cos2x:9", "--steps", "1000000000", "--out", join(ro, "x.json")]), /is not writable/);
  });

  it("defects 8 and 9: checkpoints and signals come within a time slice, not after 100 steps; SIGTERM exits 143 with a checkpoint", async () => {
    // the old loop ran a first chunk of 100 steps before any checkpoint or signal, whatever a step cost
    const args = ["train", "--arch", "1-100-100-1", "--data", "grid:cos2x:300", "--steps", "1000000"];
    const term = await trainUntilCheckpoint(args, "slow.json", "SIGTERM");
    assert.ok(term.first.meta.train.step < 100, `first checkpoint at step ${term.first.meta.train.step}`);
    assert.equal(term.status, 143, `SIGTERM → 143 (got ${term.status} ${term.signal}): ${term.stderr}`);
    assert.match(term.stderr, /terminated at step \d+; checkpoint saved/);
    const saved = JSON.parse(readFileSync(join(dir, "slow.json.checkpoint.json"), "utf8"));
    assert.ok(saved.meta.train.step >= term.first.meta.train.step);
    const int = await trainUntilCheckpoint(args, "slow2.json", "SIGINT");
    assert.ok(int.first.meta.train.step < 100);
    assert.equal(int.status, 130, int.stderr);
  });

  it("defect 6: --resume keeps the checkpoint's settings, refuses changed ones unless --override, and validates the checkpoint", async () => {
    const base = ["train", "--arch", "1-4-1", "--data", "grid:cos2x:20", "--lr", "0.01"];
    const r = await trainUntilCheckpoint([...base, "--steps", "100000000"], "res.json", "SIGINT");
    assert.equal(r.status, 130, r.stderr);
    const ckPath = join(dir, "res.json.checkpoint.json");
    const ck = readFileSync(ckPath, "utf8");
    const S: number = JSON.parse(ck).meta.train.step;
    const to = String(S + 50);
    // settings that affect the result: changing one is refused
    const resume = (extra: string[]) => cli(["train", "--out", "res.json", "--resume", "--steps", to, ...extra]);
    refused(resume(["--lr", "0.1"]), /--lr 0\.01 → 0\.1.*pass --override/, "lr");
    refused(resume(["--data", "grid:cos2x:21"]), /--data grid:cos2x:20 .* different values/, "data");
    refused(resume(["--optimizer", "gd"]), /--optimizer adam → gd/, "optimizer");
    refused(resume(["--arch", "1-5-1"]), /holds a 1-4-1 net, not 1-5-1/, "arch");
    refused(resume(["--activation", "relu"]), /--activation tanh → relu/, "activation");
    refused(resume(["--seed", "7"]), /--seed 0 → 7/, "seed");
    // not repeating --lr resumes with the stored 0.01 (it used to fall back to the default 1e-3): same net as one run
    const ok = resume([]);
    assert.equal(ok.code, 0, ok.err);
    const ref = cli([...base, "--steps", to, "--out", "ref.json"]);
    assert.equal(ref.code, 0, ref.err);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, "res.json"), "utf8")).theta, JSON.parse(readFileSync(join(dir, "ref.json"), "utf8")).theta);
    // --override accepts a change
    writeFileSync(ckPath, ck);
    // (the run itself may end in exit 3 by the 1e3×-start-loss divergence rule when the checkpoint is far along)
    const over = resume(["--lr", "0.011", "--override"]);
    assert.ok(over.code === 0 || over.code === 3, over.err);
    assert.doesNotMatch(over.err, /other settings/);
    // the checkpoint is validated by schema: bad training state is refused in one line
    const tamper = (f: (meta: { train: Record<string, unknown> }) => void): string => { const j = JSON.parse(ck); f(j.meta); return JSON.stringify(j); };
    const bad: [string, string, RegExp][] = [
      ["m shorter than P", tamper((m) => { (m.train.m as number[]).pop(); }), /Adam moment m has 12 entries, the net has P = 13/],
      ["m longer than P", tamper((m) => { (m.train.m as number[]).push(0); }), /Adam moment m has 14 entries/],
      ["step as a string", tamper((m) => { m.train.step = "100"; }), /meta\.train\.step/],
      ["step 1e300", tamper((m) => { m.train.step = 1e300; }), /meta\.train\.step: must be an integer below 2\^53/],
      ["train: []", tamper((m) => { (m as Record<string, unknown>).train = []; }), /meta\.train/],
      ["negative v", tamper((m) => { (m.train.v as number[])[0] = -1; }), /second moment v has a negative entry/],
    ];
    for (const [what, text, re] of bad) {
      writeFileSync(ckPath, text);
      refused(resume([]), re, what);
    }
  });

  it("integers above 2⁵³ are refused, not rounded; layers --json writes infinite margins as \"inf\"; a BOM'd JSON net loads", () => {
    refused(cli(["train", "--arch", "1-2-1", "--data", "grid:cos2x:9", "--steps", "9007199254740993", "--out", "s.json"]), /--steps = 9007199254740993 is too large/);
    refused(cli(["train", "--arch", "1-2-1", "--data", "grid:cos2x:9", "--steps", "0x10", "--out", "s.json"]), /--steps needs a whole number, got "0x10"/);
    writeFileSync(join(dir, "id.json"), "\ufeff" + netToJson(initNet(makeArch([1, 2, 1], "identity", "mse"), { seed: 2 })));
    const r = cli(["layers", "--net", "id.json", "--data", "grid:cos2x:9", "--json", "--neurons"]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.layers[0].minLinearMargin, "inf");
    assert.equal(j.layers[0].neurons[0].margin, "inf");
  });
});
