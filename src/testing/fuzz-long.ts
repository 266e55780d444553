/**
 * The long fuzz run (`npm run fuzz`, issue 12): at least 100,000 seeded mutants spread over every reader
 * (src/testing/reader-fuzz.ts), run in a worker thread under a watchdog so that a real hang is detected and
 * counted (the worker is replaced and the run goes on), and every .npy mutant cross-checked with numpy itself
 * (/usr/bin/python3) at the end. Prints the counts — inputs, accepted, refused, crashes, hangs, wrong acceptances —
 * and exits 1 unless crashes, hangs and wrong acceptances are all zero.
 *   node dist/testing/fuzz-long.js [--inputs 100000] [--seed 1] [--batch 500] [--hang-ms 20000]
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { addCounts, compareWithNumpy, emptyCounts, numpyVerdicts, readerTargets, runTarget, type FuzzCounts } from "./reader-fuzz.js";

interface Job { target: string; seed: number; cases: number }
interface Reply { counts: FuzzCounts; npy: Uint8Array[] }

if (!isMainThread) {
  const targets = new Map(readerTargets().map((t) => [t.name, t]));
  parentPort!.on("message", (job: Job) => {
    const npy: Uint8Array[] = [];
    const counts = runTarget(targets.get(job.target)!, job.cases, job.seed, emptyCounts(), Infinity, job.target === "npy" ? (b) => npy.push(b) : undefined);
    parentPort!.postMessage({ counts, npy } satisfies Reply);
  });
} else {
  void main();
}

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

async function main(): Promise<void> {
  const inputs = arg("inputs", 100_000), seed = arg("seed", 1), batch = arg("batch", 500), hangMs = arg("hang-ms", 20_000);
  const names = readerTargets().map((t) => t.name);
  const jobs: Job[] = [];
  for (let i = 0; jobs.length * batch < inputs; i++) jobs.push({ target: names[i % names.length], seed: seed * 1_000_003 + i, cases: batch });
  const perTarget = new Map<string, FuzzCounts>(names.map((n) => [n, emptyCounts()]));
  const hangs: string[] = [];
  const npyFiles: Uint8Array[] = [];
  const t0 = Date.now();
  let worker = new Worker(fileURLToPath(import.meta.url));
  for (const [k, job] of jobs.entries()) {
    const reply = await new Promise<Reply | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), hangMs);
      worker.once("message", (r: Reply) => { clearTimeout(timer); resolve(r); });
      worker.postMessage(job);
    });
    if (reply === null) {
      hangs.push(`${job.target} seed ${job.seed}: no answer within ${hangMs} ms`);
      await worker.terminate();
      worker = new Worker(fileURLToPath(import.meta.url));
    } else {
      perTarget.set(job.target, addCounts(perTarget.get(job.target)!, reply.counts));
      npyFiles.push(...reply.npy);
    }
    if ((k + 1) % 20 === 0) process.stderr.write(`fuzz: ${(k + 1) * batch} inputs, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  }
  await worker.terminate();
  const total = [...perTarget.values()].reduce(addCounts, emptyCounts());

  // numpy's verdict on every .npy mutant: an acceptance numpy refuses, or reads differently, is a wrong acceptance
  const numpy = { checked: 0, numpyAccepts: 0, bothAccept: 0, wrong: 0, version: "unavailable", failures: [] as string[] };
  const v = numpyVerdicts(npyFiles);
  if (v) {
    numpy.version = v.numpy;
    npyFiles.forEach((b, i) => {
      const r = compareWithNumpy(b, v.verdicts[i]);
      numpy.checked++;
      if (v.verdicts[i].ok) numpy.numpyAccepts++;
      if (v.verdicts[i].ok && r.outcome === "accepted") numpy.bothAccept++;
      if (r.wrong) { numpy.wrong++; if (numpy.failures.length < 10) numpy.failures.push(`npy input ${i}: ${r.wrong}`); }
    });
  }
  const summary = {
    inputs: total.inputs, accepted: total.accepted, refused: total.refused, crashes: total.crashes, hangs: hangs.length,
    wrongAcceptances: total.wrong + numpy.wrong, slowestInputMs: Number(total.slowestMs.toFixed(1)), seconds: Math.round((Date.now() - t0) / 1000),
    perReader: Object.fromEntries([...perTarget].map(([n, c]) => [n, { inputs: c.inputs, accepted: c.accepted, refused: c.refused, crashes: c.crashes, wrong: c.wrong }])),
    numpyCrossCheck: { numpy: numpy.version, npyInputs: numpy.checked, numpyAccepts: numpy.numpyAccepts, bothAccept: numpy.bothAccept, wrong: numpy.wrong },
    failures: [...total.failures, ...hangs, ...numpy.failures].slice(0, 30),
  };
  process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
  process.exitCode = summary.crashes + summary.hangs + summary.wrongAcceptances === 0 && (v !== null || process.env.EMBEDSCAPE_FUZZ_NO_NUMPY === "1") ? 0 : 1;
}
