/**
 * Kill test (issue 12): SIGKILL a training run at seeded random moments — during start-up, between checkpoints,
 * in the middle of a checkpoint write — and re-run the same command with --resume until it finishes. The final
 * net must be bit-identical to an uninterrupted run's, and nothing may be left behind: no checkpoint, no
 * temporary file.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Rng } from "../util/rng.js";

const MAIN = join(dirname(fileURLToPath(import.meta.url)), "main.js");

/**
 * Run the CLI and SIGKILL it once its checkpoint has been rewritten `afterCheckpoints` times, plus `extraMs`
 * (afterCheckpoints = 0: `extraMs` after the start, i.e. during start-up or the first steps); resolves with how it
 * ended. Counting checkpoints instead of milliseconds puts the kills inside training on a fast or a loaded machine.
 */
function runAndKill(args: string[], cwd: string, checkpoint: string, afterCheckpoints: number, extraMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "", seen = 0, last = "", armed = false, timer: NodeJS.Timeout | undefined;
    child.stderr.on("data", (b: Buffer) => { stderr += b.toString(); });
    const arm = (): void => { armed = true; timer = setTimeout(() => child.kill("SIGKILL"), extraMs); };
    if (afterCheckpoints === 0) arm();
    const poll = setInterval(() => {
      if (armed) return;
      let now = "";
      try { now = readFileSync(checkpoint, "utf8"); } catch { return; }
      if (now !== last) { last = now; if (++seen >= afterCheckpoints) arm(); }
    }, 3);
    child.on("close", (code, signal) => { clearInterval(poll); clearTimeout(timer); resolve({ code, signal, stderr }); });
  });
}

test("kill test: SIGKILL at random points, then --resume, gives the uninterrupted run's net bit for bit, and leaves no temporary files", async () => {
  const dir = mkdtempSync(join(tmpdir(), "es-kill-"));
  const args = ["train", "--arch", "1-8-1", "--data", "grid:cos2x:40", "--steps", "60000", "--optimizer", "adam", "--lr", "0.01", "--checkpoint-every", "0.02"];
  const ref = spawnSync(process.execPath, [MAIN, ...args, "--out", "ref.json"], { cwd: dir, encoding: "utf8" });
  assert.equal(ref.status, 0, ref.stderr);
  const rng = new Rng(12);
  let kills = 0, resumedFromCheckpoint = 0, finished = false;
  for (let attempt = 0; attempt < 40 && !finished; attempt++) {
    // the first eight attempts are killed after 0–3 checkpoints plus 0–25 ms (start-up, steps, a checkpoint write); then let it finish
    const r = attempt < 8
      ? await runAndKill([...args, "--out", "cut.json", "--resume"], dir, join(dir, "cut.json.checkpoint.json"), rng.int(4), rng.int(26))
      : await runAndKill([...args, "--out", "cut.json", "--resume"], dir, "", 0, 600_000);
    if (!/no checkpoint at/.test(r.stderr)) resumedFromCheckpoint++;
    if (r.signal === "SIGKILL") { kills++; continue; }
    assert.equal(r.code, 0, r.stderr);
    finished = true;
  }
  assert.ok(finished, "the run finished");
  assert.ok(kills >= 3, `${kills} kills landed`);
  assert.ok(resumedFromCheckpoint >= 2, `${resumedFromCheckpoint} runs resumed from a checkpoint`);
  assert.deepEqual(readFileSync(join(dir, "cut.json")), readFileSync(join(dir, "ref.json")), "bit-identical to the uninterrupted run");
  assert.deepEqual(readdirSync(dir).sort(), ["cut.json", "ref.json"], "no checkpoint or temporary file left");
});
