import { test } from "node:test";
import assert from "node:assert/strict";
import { createNet, initNet, makeArch, type Net } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { teacherData } from "../nn/teacher.js";
import { Rng } from "../util/rng.js";
import { InputError } from "../util/errors.js";
import { addBufferNeuron, addBufferNeurons, layerPermutation, neuronColumn, neuronRow, pathPoint, swapPath, tracePath } from "./path.js";

test("two-layer zero-loss net: the 7-segment path swaps two neurons at constant function and restores the buffer", () => {
  const teacher = initNet(makeArch([2, 4, 1], "tanh"), { seed: 1, scale: 2 });
  const data = teacherData(teacher, 60, { seed: 2 });
  const rng = new Rng(3);
  const net = addBufferNeuron(teacher, 1, rng.fillNormal(new Float64Array(3)));
  assert.deepEqual(net.arch.widths, [2, 5, 1]);
  const path = swapPath(net, 1, 0, 2);
  assert.equal(path.labels.length, 7);
  const trace = tracePath(path, data, 40);
  assert.equal(trace.points.length, 7 * 40 + 1);
  assert.ok(trace.maxOutputDeviation <= 1e-12, `max |Δf| = ${trace.maxOutputDeviation}`);
  assert.ok(trace.maxLoss < 1e-28, `max loss = ${trace.maxLoss}`);
  const end = createNet(net.arch, path.vertices[path.vertices.length - 1]);
  assert.deepEqual(layerPermutation(net, end, 1), [2, 1, 0, 3, 4]);
  // the end point is a different parameter vector (a genuinely different minimum)
  assert.ok(end.theta.some((v, p) => v !== net.theta[p]));
});

test("the straight line between the two permuted minima is NOT at constant function (why the buffer is needed)", () => {
  const teacher = initNet(makeArch([2, 4, 1], "tanh"), { seed: 1, scale: 2 });
  const data = teacherData(teacher, 60, { seed: 2 });
  const net = addBufferNeuron(teacher, 1);
  const path = swapPath(net, 1, 0, 2);
  const direct = { ...path, vertices: [path.vertices[0], path.vertices[path.vertices.length - 1]], labels: ["direct"] };
  const trace = tracePath(direct, data, 40);
  assert.ok(trace.maxOutputDeviation > 1e-3, `direct line |Δf| = ${trace.maxOutputDeviation}`);
  assert.ok(trace.maxLoss > 1e-6);
});

test("six segments without restoring the buffer; path points interpolate vertices", () => {
  const net = addBufferNeuron(initNet(makeArch([1, 3, 2], "softplus"), { seed: 4 }), 1);
  const path = swapPath(net, 1, 1, 2, { restoreBuffer: false });
  assert.equal(path.labels.length, 6);
  assert.deepEqual(pathPoint(path, 3), path.vertices[3]);
  const mid = pathPoint(path, 2.5);
  mid.forEach((v, p) => assert.ok(Math.abs(v - 0.5 * (path.vertices[2][p] + path.vertices[3][p])) < 1e-15));
  const data = teacherData(net, 30, { seed: 1 });
  assert.ok(tracePath(path, data, 25).maxOutputDeviation <= 1e-12);
  const end = createNet(net.arch, path.vertices[6]);
  // neurons 1 and 2 swapped; the buffer now carries r_1^old with zero output, so it matches no start neuron
  assert.deepEqual(layerPermutation(net, end, 1).slice(0, 3), [0, 2, 1]);
  assert.deepEqual(neuronRow(end, 1, 3), neuronRow(net, 1, 1));
  assert.ok(neuronColumn(end, 1, 3).every((v) => v === 0));
});

test("deep net: one buffer per layer; swaps in every hidden layer at constant function", () => {
  for (const act of ["tanh", "relu"] as const) {
    const teacher = initNet(makeArch([2, 3, 4, 2, 1], act), { seed: 9, scale: 1.5 });
    const data = teacherData(teacher, 40, { seed: 5 });
    let net: Net = addBufferNeurons(teacher);
    assert.deepEqual(net.arch.widths, [2, 4, 5, 3, 1]);
    const start = net;
    for (const [l, i, j] of [[1, 0, 2], [2, 1, 3], [3, 0, 1]]) {
      const path = swapPath(net, l, i, j);
      const trace = tracePath(path, data, 30);
      assert.ok(trace.maxOutputDeviation <= 1e-12, `${act} layer ${l}: |Δf| = ${trace.maxOutputDeviation}`);
      assert.ok(trace.maxLoss < 1e-28);
      const end = createNet(net.arch, path.vertices[path.vertices.length - 1]);
      const expected: number[] = Array.from({ length: net.arch.widths[l] }, (_, q) => (q === i ? j : q === j ? i : q));
      assert.deepEqual(layerPermutation(net, end, l), expected, `${act} layer ${l}`);
      net = end;
    }
    assert.ok(start.theta.some((v, p) => v !== net.theta[p]));
    assert.ok(Math.abs(new Evaluator(net.arch, data).loss(net.theta)) < 1e-28);
  }
});

test("all r*! = 6 permutations of a width-3 minimum are reached by transposition paths through one buffer", () => {
  const teacher = initNet(makeArch([1, 3, 1], "tanh"), { seed: 12, scale: 2 });
  const data = teacherData(teacher, 30, { seed: 6 });
  const start = addBufferNeuron(teacher, 1);
  const seen = new Map<string, Net>([["0,1,2,3", start]]);
  const queue: Net[] = [start];
  let worst = 0;
  while (queue.length) {
    const net = queue.shift() as Net;
    for (const [i, j] of [[0, 1], [1, 2], [0, 2]]) {
      const path = swapPath(net, 1, i, j);
      worst = Math.max(worst, tracePath(path, data, 10).maxOutputDeviation);
      const end = createNet(net.arch, path.vertices[path.vertices.length - 1]);
      const key = layerPermutation(start, end, 1).join(",");
      if (!seen.has(key)) { seen.set(key, end); queue.push(end); }
    }
  }
  assert.equal(seen.size, 6);
  for (const key of seen.keys()) assert.ok(key.endsWith(",3"), "buffer stays last");
  assert.ok(worst <= 1e-12, `worst |Δf| = ${worst}`);
});

test("bad path requests are InputErrors", () => {
  const net = addBufferNeuron(initNet(makeArch([1, 3, 1]), { seed: 1 }), 1);
  assert.throws(() => swapPath(net, 2, 0, 1), InputError); // output layer
  assert.throws(() => swapPath(net, 1, 0, 0), InputError);
  assert.throws(() => swapPath(net, 1, 0, 3), InputError); // the buffer itself
  assert.throws(() => swapPath(initNet(makeArch([1, 3, 1]), { seed: 1 }), 1, 0, 1), InputError); // no buffer
  assert.throws(() => addBufferNeuron(net, 1, [1, 2, 3]), InputError);
  const data = teacherData(net, 5);
  assert.throws(() => tracePath(swapPath(net, 1, 0, 1), data, 0), InputError);
});
