import { makeDataset, type Dataset } from "../data/dataset.js";
import { Rng } from "../util/rng.js";
import type { Net } from "./arch.js";
import { predict } from "./functions.js";

/**
 * Inputs x ~ N(0, I) (seeded) labelled by a teacher network: y = f_teacher(x) (+ optional N(0, noise²) noise),
 * the teacher–student data of SPEC §5 (lives in nn/ because it evaluates a net; data/ imports no nn/).
 */
export function teacherData(teacher: Net, n: number, opts: { seed?: number; noise?: number } = {}): Dataset {
  const rng = new Rng(opts.seed ?? 0);
  const d = teacher.arch.widths[0];
  const x = rng.fillNormal(new Float64Array(n * d));
  const y = predict(teacher.arch, teacher.theta, x, n);
  if (opts.noise) for (let i = 0; i < y.length; i++) y[i] += opts.noise * rng.normal();
  const k = teacher.arch.widths[teacher.arch.widths.length - 1];
  return makeDataset(x, y, { n, d, k }, "teacher");
}
