import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { initNet, makeArch } from "../nn/arch.js";
import { InputError } from "../util/errors.js";
import { loadNet, saveNet } from "./files.js";
import { loadThetaNpy, readNpy, saveThetaNpy, writeNpy } from "./npy.js";

const numpyReason = (() => {
  const r = spawnSync("/usr/bin/python3", ["-c", "import numpy"], { encoding: "utf8" });
  return r.status === 0 ? undefined : `NumPy unavailable (/usr/bin/python3 -c "import numpy" failed: ${(r.stderr || String(r.error)).trim().split("\n").pop()})`;
})();

function npyWith(header: string, data: Uint8Array, major = 1): Uint8Array {
  const pre = major === 1 ? 10 : 12;
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(pre + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  if (major === 1) new DataView(out.buffer).setUint16(8, h.length, true); else new DataView(out.buffer).setUint32(8, h.length, true);
  out.set(h, pre);
  out.set(data, pre + h.length);
  return out;
}

describe(".npy", () => {
  it("round-trips 0-D, 1-D and 2-D float64 arrays bit-exactly with a 64-byte aligned header", () => {
    for (const [shape, data] of [[[5], [1, -2.5, 1e-300, Math.PI, -0]], [[2, 3], [1, 2, 3, 4, 5, 6]], [[], [42]], [[0], []], [[3, 0], []]] as const) {
      const bytes = writeNpy(data, shape);
      const hlen = new DataView(bytes.buffer).getUint16(8, true);
      assert.equal((10 + hlen) % 64, 0);
      const back = readNpy(bytes);
      assert.deepEqual(back.shape, shape);
      assert.deepEqual(Array.from(back.data), [...data]);
    }
  });

  it("θ round-trips through saveThetaNpy/loadThetaNpy and saveNet/loadNet with the architecture given", () => {
    const net = initNet(makeArch([2, 4, 3], "relu", "cross-entropy"), { seed: 2 });
    const back = loadThetaNpy(saveThetaNpy(net), { arch: "2-4-3", activation: "relu", loss: "cross-entropy" });
    assert.deepEqual(back.arch, net.arch);
    assert.deepEqual(Array.from(back.theta), Array.from(net.theta));
    assert.throws(() => loadThetaNpy(saveThetaNpy(net), { arch: "2-5-3", activation: "relu", loss: "mse" }), /θ has 27 entries but architecture 2-5-3 needs 33/);
    assert.throws(() => loadThetaNpy(saveThetaNpy(net), {}), /architecture must be given/);
    assert.throws(() => loadThetaNpy(saveThetaNpy(net), { arch: [2, 4, 3] }), /activation and loss as well/);
    assert.throws(() => loadThetaNpy(writeNpy(net.theta, [3, 9]), { arch: [2, 4, 3], activation: "relu", loss: "mse" }), /must be a 1-D array/);
    const dir = mkdtempSync(join(tmpdir(), "es-npy-"));
    try {
      saveNet(join(dir, "t.npy"), net);
      assert.deepEqual(Array.from(loadNet(join(dir, "t.npy"), { arch: [2, 4, 3], activation: "relu", loss: "cross-entropy" }).theta), Array.from(net.theta));
    } finally { rmSync(dir, { recursive: true }); }
  });

  it("reads float32 and version 2.0 headers; rejects what it cannot read with one-line InputErrors", () => {
    const f4 = new Uint8Array(8);
    new DataView(f4.buffer).setFloat32(0, 0.1, true);
    new DataView(f4.buffer).setFloat32(4, -2, true);
    assert.deepEqual(Array.from(readNpy(npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }\n", f4)).data), [Math.fround(0.1), -2]);
    assert.deepEqual(Array.from(readNpy(npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }   \n", f4, 2)).data), [Math.fround(0.1), -2]);
    const d8 = new Uint8Array(16);
    const cases: [string, Uint8Array, RegExp][] = [
      ["short", new Uint8Array(4), /too short/],
      ["magic", new TextEncoder().encode("\x94NUMPY\x01\x00\x10\x00{}              "), /bad magic/],
      ["version", npyWith("{}", d8, 1).map((c, i) => (i === 6 ? 9 : c)), /version 9\.0/],
      ["fortran", npyWith("{'descr': '<f8', 'fortran_order': True, 'shape': (2,), }\n", d8), /fortran_order is True/],
      ["big-endian", npyWith("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }\n", d8), /dtype '>f8' is not supported/],
      ["int", npyWith("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }\n", d8), /dtype '<i8'/],
      ["3-D", npyWith("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 2), }\n", d8), /3 dimensions/],
      ["truncated", npyWith("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }\n", d8), /needs 24 data bytes but the file has 16 \(truncated\?\)/],
      ["header past end", npyWith("{}", new Uint8Array(0)).map((c, i) => (i === 8 ? 200 : c)), /runs past the end/],
      ["not a dict", npyWith("['descr']\n", d8), /not a Python dict/],
      ["missing key", npyWith("{'descr': '<f8', 'shape': (2,), }\n", d8), /fortran_order/],
      ["extra key", npyWith("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': True}\n", d8), /unexpected header key 'x'/],
      ["bad shape", npyWith("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }\n", d8), /not a tuple of non-negative integers/],
      ["NaN", npyWith("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", Uint8Array.from([0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0])), /value 0 is not finite/],
    ];
    for (const [what, bytes, re] of cases) {
      assert.throws(() => readNpy(bytes, "a.npy"), (e: unknown) => {
        assert.ok(e instanceof InputError, `${what}: ${String(e)}`);
        assert.match(e.message, re, what);
        assert.ok(e.message.startsWith("a.npy: ") && !e.message.includes("\n"), what);
        return true;
      }, what);
    }
  });

  it("agrees with NumPy both ways (np.save → readNpy, writeNpy → np.load)", { skip: numpyReason }, () => {
    const dir = mkdtempSync(join(tmpdir(), "es-npy-"));
    try {
      const ours = writeNpy([0.1, -1e-310, 3e300, 7, 8, 9], [2, 3]);
      writeFileSync(join(dir, "ours.npy"), ours);
      const py = `
import numpy as np, json, sys
d = sys.argv[1]
a = np.load(d + "/ours.npy")
np.save(d + "/f8.npy", np.arange(12, dtype="<f8").reshape(3, 4) / 7)
np.save(d + "/f4.npy", (np.arange(5, dtype="<f4") - 2.5) / 3)
np.lib.format.write_array(open(d + "/v2.npy", "wb"), np.linspace(-1, 1, 9), version=(2, 0))
np.save(d + "/fortran.npy", np.asfortranarray(np.ones((2, 3))))
np.save(d + "/i8.npy", np.arange(3))
print(json.dumps({"ours": a.tolist(), "dtype": str(a.dtype), "shape": list(a.shape),
  "f8": (np.arange(12, dtype="<f8") / 7).tolist(), "f4": ((np.arange(5, dtype="<f4") - 2.5) / 3).astype("<f8").tolist(),
  "v2": np.linspace(-1, 1, 9).tolist()}))`;
      const r = spawnSync("/usr/bin/python3", ["-c", py, dir], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.dtype, "float64");
      assert.deepEqual(out.shape, [2, 3]);
      assert.deepEqual(out.ours.flat(), [0.1, -1e-310, 3e300, 7, 8, 9]);
      const f8 = readNpy(readFileSync(join(dir, "f8.npy")));
      assert.deepEqual(f8.shape, [3, 4]);
      assert.deepEqual(Array.from(f8.data), out.f8);
      const f4 = readNpy(readFileSync(join(dir, "f4.npy")));
      assert.deepEqual(f4.shape, [5]);
      assert.deepEqual(Array.from(f4.data), out.f4);
      const v2 = readFileSync(join(dir, "v2.npy"));
      assert.equal(v2[6], 2);
      assert.deepEqual(Array.from(readNpy(v2).data), out.v2);
      assert.throws(() => readNpy(readFileSync(join(dir, "fortran.npy")), "fortran.npy"), /fortran_order is True/);
      assert.throws(() => readNpy(readFileSync(join(dir, "i8.npy")), "i8.npy"), /dtype '<i8' is not supported/);
    } finally { rmSync(dir, { recursive: true }); }
  });
});
