import assert from "node:assert/strict";
import { test } from "node:test";
import { compareModulePaths, decodeFloats, halfToDouble, linearLayers } from "./state-dict.js";

test("binary16 and bfloat16 decode exactly, including subnormals, infinities, NaN and −0", () => {
  const cases: Array<[number, number]> = [[0x3c00, 1], [0xc000, -2], [0x7bff, 65504], [0x0001, 2 ** -24], [0x03ff, 1023 * 2 ** -24], [0x0400, 2 ** -14], [0x3555, 0.333251953125], [0x7c00, Infinity], [0xfc00, -Infinity]];
  for (const [bits, v] of cases) assert.equal(halfToDouble(bits), v, bits.toString(16));
  assert.ok(Number.isNaN(halfToDouble(0x7e00)));
  assert.ok(Object.is(halfToDouble(0x8000), -0));
  const bytes = new Uint8Array([0x80, 0x3f, 0x49, 0x40, 0x80, 0xbf, 0x00, 0x00]); // bf16 1, 3.140625, −1, 0 (little-endian)
  assert.deepEqual(Array.from(decodeFloats("BF16", bytes, 0, 4)), [1, 3.140625, -1, 0]);
  const f16 = new Uint8Array([0x00, 0x3c, 0x00, 0xc0]);
  assert.deepEqual(Array.from(decodeFloats("F16", f16, 0, 2)), [1, -2]);
  const f32 = new Uint8Array(new Float32Array([0.1, -3]).buffer);
  assert.deepEqual(Array.from(decodeFloats("F32", f32, 0, 2)), [Math.fround(0.1), -3]);
});

test("Linear layers are found by name in natural order, with any prefix, a leading Flatten and bias=False", () => {
  const sh = (name: string, ...shape: number[]) => ({ name, shape });
  const fc = linearLayers([sh("fc10.weight", 1, 5), sh("fc2.weight", 5, 4), sh("fc2.bias", 5), sh("fc1.weight", 4, 3), sh("fc1.bias", 4), sh("fc10.bias", 1)]);
  assert.deepEqual(fc.map((l) => l.module), ["fc1", "fc2", "fc10"]);
  const seq = linearLayers([sh("net.2.weight", 1, 8), sh("net.2.bias", 1), sh("net.0.weight", 8, 2), sh("net.0.bias", 8)]);
  assert.deepEqual(seq.map((l) => [l.weight, l.rows, l.cols]), [["net.0.weight", 8, 2], ["net.2.weight", 1, 8]]);
  const flat = linearLayers([sh("1.weight", 10, 784), sh("1.bias", 10), sh("3.weight", 10, 10), sh("3.bias", 10)]);
  assert.equal(flat[0].cols, 784);
  const nobias = linearLayers([sh("layers.0.weight", 3, 2), sh("layers.1.weight", 1, 3), sh("layers.1.bias", 1)]);
  assert.equal(nobias[0].bias, null);
  assert.equal(nobias[1].bias, "layers.1.bias");
  assert.ok(compareModulePaths("layers.2", "layers.10") < 0 && compareModulePaths("a", "b") < 0 && compareModulePaths("x.1", "x.1") === 0);
});

test("what is not an MLP is refused, naming the first tensor that does not fit", () => {
  const sh = (name: string, ...shape: number[]) => ({ name, shape });
  const cases: Array<[Array<{ name: string; shape: number[] }>, RegExp]> = [
    [[], /holds no tensors/],
    [[sh("0.weight", 3, 2), sh("0.running_mean", 3)], /"0.running_mean" is neither a .weight nor a .bias/],
    [[sh("0.bias", 3)], /"0.bias" has no matching "0.weight"/],
    [[sh("bn.weight", 3), sh("bn.bias", 3)], /"bn.weight" has shape \[3\]: a Linear weight is 2-D/],
    [[sh("0.weight", 3, 2), sh("0.bias", 4)], /"0.bias" has shape \[4\], its weight has 3 rows/],
    [[sh("0.weight", 3, 2), sh("2.weight", 1, 4)], /"2.weight" \[1, 4\] does not chain after "0.weight" \[3, 2\]/],
    [[sh("conv.weight", 3, 1, 3, 3)], /"conv.weight" has shape \[3, 1, 3, 3\]/],
    [[sh("0.weight", 0, 2)], /empty shape/],
  ];
  for (const [t, re] of cases) assert.throws(() => linearLayers(t), re);
});
