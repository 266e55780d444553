import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initNet, makeArch } from "../nn/index.js";
import { InputError } from "../util/errors.js";
import { loadThetaNpy, readNpy, saveThetaNpy, writeNpy } from "./npy.js";
import { loadNet, saveNet } from "./files.js";

const PY = "/usr/bin/python3";
const numpyMissing = spawnSync(PY, ["-c", "import numpy"], { stdio: "ignore" }).status === 0 ? false : `${PY} cannot import numpy`;

function npyWith(header: string, data: Uint8Array, major = 1): Uint8Array {
  const hs = major === 1 ? 10 : 12;
  const out = new Uint8Array(hs + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, header.length, true); else dv.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[hs + i] = header.charCodeAt(i);
  out.set(data, hs + header.length);
  return out;
}

test("writeNpy/readNpy round-trip 1-D and 2-D arrays exactly; header aligned to 64", () => {
  const a = readNpy(writeNpy([1.5, -2, 1e-300], [3]));
  assert.deepEqual(a.shape, [3]);
  assert.deepEqual(Array.from(a.data), [1.5, -2, 1e-300]);
  const bytes = writeNpy([1, 2, 3, 4, 5, 6], [2, 3]);
  assert.equal((bytes.length - 48) % 64, 0);
  assert.deepEqual(readNpy(bytes).shape, [2, 3]);
});

test("version 2.0 headers and '<f4' data are read", () => {
  const f = new Float32Array([0.25, -3]);
  const a = readNpy(npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", new Uint8Array(f.buffer), 2));
  assert.deepEqual(Array.from(a.data), [0.25, -3]);
});

test("θ saved as .npy loads back with the architecture given; .npy without arch is refused", () => {
  const net = initNet(makeArch([2, 4, 1], "relu", "mse"), { seed: 5 });
  assert.deepEqual(Array.from(loadThetaNpy(saveThetaNpy(net), net.arch).theta), Array.from(net.theta));
  const dir = mkdtempSync(join(tmpdir(), "es-npy-"));
  saveNet(join(dir, "t.npy"), net);
  assert.throws(() => loadNet(join(dir, "t.npy")), (e: unknown) => e instanceof InputError && /architecture/.test(e.message));
  assert.deepEqual(Array.from(loadNet(join(dir, "t.npy"), { arch: net.arch }).theta), Array.from(net.theta));
  assert.throws(() => loadThetaNpy(saveThetaNpy(net), makeArch([2, 5, 1])), (e: unknown) => e instanceof InputError && /needs 21/.test(e.message));
});

test("bad .npy files give one-line InputErrors", () => {
  const d8 = new Uint8Array(16);
  const cases: [string, Uint8Array, RegExp][] = [
    ["short", new Uint8Array(4), /too short/],
    ["magic", (() => { const b = writeNpy([1]); b[1] = 0; return b; })(), /bad magic/],
    ["version", (() => { const b = writeNpy([1]); b[6] = 9; return b; })(), /version 9/],
    ["fortran", npyWith("{'descr': '<f8', 'fortran_order': 1, 'shape': (2,), }\n", d8), /fortran_order/],
    ["dtype", npyWith("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }\n", d8), /"<i8"/],
    ["big endian complex", npyWith("{'descr': '>c16', 'fortran_order': False, 'shape': (1,), }\n", d8), /">c16"/],
    ["truncated", writeNpy([1, 2, 3]).subarray(0, 140), /data bytes/],
    ["3-D", npyWith("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 2), }\n", d8), /1-D and 2-D/],
    ["no dict", npyWith("hello\n", d8), /dict/],
    ["header past end", (() => { const b = writeNpy([1]); new DataView(b.buffer).setUint16(8, 60000, true); return b; })(), /past the end/],
    ["nan", writeNpy([1, NaN]), /not finite/],
  ];
  for (const [what, bytes, re] of cases) {
    assert.throws(() => readNpy(bytes), (e: unknown) => e instanceof InputError && re.test(e.message) && !e.message.includes("\n"), what);
  }
});

test("NumPy reads embedscape's .npy and embedscape reads NumPy's (f8, f4, 2-D, Fortran order)", { skip: numpyMissing }, () => {
  const dir = mkdtempSync(join(tmpdir(), "es-npy-"));
  writeFileSync(join(dir, "a.npy"), writeNpy([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [2, 3]));
  const py = `
import numpy as np, sys
d = sys.argv[1]
a = np.load(d + '/a.npy')
assert a.dtype == np.float64 and a.shape == (2, 3), (a.dtype, a.shape)
print(repr(a.tolist()))
np.save(d + '/b.npy', np.arange(12, dtype=np.float64).reshape(3, 4) / 7)
np.save(d + '/c.npy', np.linspace(-1, 1, 5).astype(np.float32))
np.save(d + '/f.npy', np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3)))
`;
  const printed = execFileSync(PY, ["-c", py, dir], { encoding: "utf8" }).trim();
  assert.equal(printed, "[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]");
  const b = readNpy(readFileSync(join(dir, "b.npy")));
  assert.deepEqual(b.shape, [3, 4]);
  assert.deepEqual(Array.from(b.data), Array.from({ length: 12 }, (_, i) => i / 7));
  const c = readNpy(readFileSync(join(dir, "c.npy")));
  assert.deepEqual(Array.from(c.data), [-1, -0.5, 0, 0.5, 1]);
  const f = readNpy(readFileSync(join(dir, "f.npy")));
  assert.deepEqual(f.shape, [2, 3]);
  assert.deepEqual(Array.from(f.data), [0, 1, 2, 3, 4, 5], "Fortran-order file returned in C order");
});
