import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InputError } from "../util/errors.js";
import { initNet, makeArch, paramCount, type Net } from "../nn/arch.js";
import { allFinite, flipBits, fuzz, insertDelete, overwriteBytes, textEdit, truncate, type Mutator } from "../testing/fuzz.js";
import { netFromJson, netToJson } from "./net-json.js";
import { loadThetaNpy, readNpy, saveThetaNpy, writeNpy } from "./npy.js";
import { netFromSafetensors, netToSafetensors, writeSafetensors } from "./safetensors.js";

/** A net read from a mutated file must be internally consistent: θ finite and of the architecture's length. */
function checkNet(net: Net): void {
  assert.ok(net.arch.widths.length >= 2 && net.arch.widths.every((w) => Number.isInteger(w) && w >= 1), "widths");
  assert.equal(net.theta.length, paramCount(net.arch.widths), "θ length");
  allFinite(net.theta, "θ");
}

/** Edit the JSON header of a safetensors file and rewrite its length prefix to match (so the edit reaches the parser). */
const safetensorsHeaderEdit: Mutator = (b, rng) => {
  if (b.length < 8) return b;
  const n = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
  if (8 + n > b.length) return b;
  const head = textEdit(b.subarray(8, 8 + n), rng);
  const out = new Uint8Array(8 + head.length + b.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(b.subarray(8 + n), 8 + head.length);
  return out;
};

/** Overwrite the u64 header length with a random or hostile value. */
const safetensorsLength: Mutator = (b, rng) => {
  const out = b.slice();
  if (out.length < 8) return out;
  const v = [0n, 1n, 2n ** 63n, 2n ** 64n - 1n, BigInt(rng.int(b.length + 16))][rng.int(5)];
  new DataView(out.buffer).setBigUint64(0, v, true);
  return out;
};

/** Edit the dict header of a .npy file and fix its u16 length. */
const npyHeaderEdit: Mutator = (b, rng) => {
  if (b.length < 10 || b[6] !== 1) return b;
  const n = new DataView(b.buffer, b.byteOffset).getUint16(8, true);
  if (10 + n > b.length) return b;
  const head = textEdit(b.subarray(10, 10 + n), rng);
  if (head.length > 0xffff) return b;
  const out = new Uint8Array(10 + head.length + b.length - 10 - n);
  out.set(b.subarray(0, 8));
  new DataView(out.buffer).setUint16(8, head.length, true);
  out.set(head, 10);
  out.set(b.subarray(10 + n), 10 + head.length);
  return out;
};

const binary = { truncate, flipBits, overwrite: overwriteBytes(96), insertDelete };

const SCALE = Number(process.env.EMBEDSCAPE_FUZZ_SCALE ?? 1), SEED = Number(process.env.EMBEDSCAPE_FUZZ_SEED ?? 0);

describe("fuzz: net file readers never throw anything but InputError, and never load garbage", () => {
  const nets = [
    initNet(makeArch([1, 3, 1], "tanh", "mse"), { seed: 1 }),
    initNet(makeArch([2, 4, 3, 2], "relu", "cross-entropy"), { seed: 2 }),
  ];

  it("safetensors (binary mutations, header edits, hostile lengths; with and without metadata)", () => {
    const plain = writeSafetensors([
      { name: "0.weight", shape: [2, 1], data: [1, 2] }, { name: "0.bias", shape: [2], data: [3, 4] },
      { name: "2.weight", shape: [1, 2], data: [5, 6] }, { name: "2.bias", shape: [1], data: [7] },
    ]);
    const valid = [...nets.map(netToSafetensors), plain];
    const r = fuzz("safetensors", valid, (b) => {
      try {
        return netFromSafetensors(b, "fuzz.safetensors");
      } catch (e) {
        // the metadata-free file (or a mutant that lost its metadata) needs the activation and loss from the caller
        if (e instanceof InputError && /no embedscape metadata/.test(e.message)) return netFromSafetensors(b, "fuzz.safetensors", { activation: "tanh", loss: "mse" });
        throw e;
      }
    }, checkNet,
      { ...binary, header: safetensorsHeaderEdit, header2: safetensorsHeaderEdit, length: safetensorsLength }, 600 * SCALE, 11 + SEED);
    assert.ok(r.rejected > 300 && r.accepted > 10, `reached both outcomes: ${JSON.stringify(r)}`);
  });

  it(".npy θ (binary mutations and header edits)", () => {
    const valid = [...nets.map(saveThetaNpy), writeNpy([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [10])];
    const archs = [nets[0].arch, nets[1].arch, makeArch([1, 3, 1], "tanh", "mse")];
    let i = 0;
    const r = fuzz("npy", valid, (b) => {
      const a = archs[i++ % archs.length];
      const arr = readNpy(b, "fuzz.npy");
      assert.equal(arr.data.length, arr.shape.reduce((x, y) => x * y, 1), "npy size");
      return loadThetaNpy(b, { arch: a.widths, activation: a.activation, loss: a.loss }, "fuzz.npy");
    }, checkNet, { ...binary, header: npyHeaderEdit, header2: npyHeaderEdit }, 500 * SCALE, 12 + SEED);
    assert.ok(r.rejected > 200 && r.accepted > 5, `reached both outcomes: ${JSON.stringify(r)}`);
  });

  it("JSON net files (text edits, truncation, byte flips)", () => {
    const valid = nets.map((n) => new TextEncoder().encode(netToJson(n)));
    const r = fuzz("json net", valid, (b) => netFromJson(new TextDecoder().decode(b), "fuzz.json"), checkNet,
      { truncate, flipBits, text: textEdit, text2: textEdit, insertDelete }, 500 * SCALE, 13 + SEED);
    assert.ok(r.rejected > 200 && r.accepted > 10, `reached both outcomes: ${JSON.stringify(r)}`);
  });
});
