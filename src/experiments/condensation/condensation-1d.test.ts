import assert from "node:assert/strict";
import { test } from "node:test";
import { condensationExperiment, condensationSummary, spectrumBin, spectrumPeaks } from "./condensation-1d.js";

test("spectrumBin: equal log10 bins on [lo, hi], edges inclusive, everything else outside", () => {
  assert.equal(spectrumBin(1e-5, -5, 0, 200), 0);
  assert.equal(spectrumBin(1, -5, 0, 200), 199); // hi belongs to the last bin
  assert.equal(spectrumBin(10 ** -2.5, -5, 0, 200), 100);
  assert.equal(spectrumBin(10 ** -2.49, -5, 0, 200), 100);
  assert.equal(spectrumBin(10 ** -2.51, -5, 0, 200), 99);
  for (const bad of [1e-6, 2, 0, -1, NaN, Infinity]) assert.equal(spectrumBin(bad, -5, 0, 200), -1, String(bad));
});

test("E2 loss spectrum: every GD step of every run counted once, peaks at the plateaus the curves show", () => {
  const r = condensationExperiment({ widths: [1, 3], runs: 2, steps: 3000, lr: 0.05, points: 21 });
  const sp = r.lossSpectrum;
  assert.deepEqual(sp.widths, [1, 3]);
  for (let wi = 0; wi < 2; wi++) {
    const counted = sp.counts[wi].reduce((a, b) => a + b, 0) + sp.outside[wi];
    assert.equal(counted, 2 * 3000, `width ${sp.widths[wi]}: steps × runs`);
  }
  // width 1 ends on a plateau: the spectrum's peak lies within a factor 10^(5/200·3) of its final loss
  const peaks = spectrumPeaks(r);
  const w1 = r.runs.filter((x) => x.width === 1).map((x) => x.finalLoss);
  assert.ok(peaks[0].losses.some((p) => w1.some((f) => Math.abs(Math.log10(p / f)) < 0.1)), `peaks ${peaks[0].losses} vs final ${w1}`);
  const s = condensationSummary(r) as { lossSpectrum: { peaksPerWidth: unknown[] } };
  assert.equal(s.lossSpectrum.peaksPerWidth.length, 2);
});
