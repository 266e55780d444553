import assert from "node:assert/strict";
import { test } from "node:test";
import { exp, expm1, log, log1p, powi, tanh } from "./fdmath.js";
import { Rng } from "./rng.js";

// Node 20's V8 computes these functions with fdlibm: the ports must reproduce them bit for bit.
const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-310, 3.725290298461914e-9, 1e-20, 0.34657359027997264, 1.0397207708399179, 22, -22, 19.5, 38.81624211135693, 709.782712893384, 709.79, -745.1332191019411, -745.2, 1, -1, 2, 0.5, 1e300];

test("exp, log, expm1, tanh equal Node's Math functions on special values and 200,000 seeded arguments", () => {
  const rng = new Rng(11);
  const xs = [...SPECIAL];
  for (let i = 0; i < 200000; i++) xs.push((rng.uniform() - 0.5) * [1500, 80, 8, 2e-3, 2e-9][i % 5]);
  const pairs = [["exp", exp, Math.exp], ["expm1", expm1, Math.expm1], ["tanh", tanh, Math.tanh]] as const;
  for (const [name, f, g] of pairs) for (const x of xs) if (!Object.is(f(x), g(x))) assert.fail(`${name}(${x}) = ${f(x)}, Math.${name} = ${g(x)}`);
  for (const x of xs) {
    const y = Math.abs(x) * [1, 1e-300, 1e300][Math.abs(Math.round(x * 7)) % 3];
    if (!Object.is(log(y), Math.log(y))) assert.fail(`log(${y}) = ${log(y)}, Math.log = ${Math.log(y)}`);
  }
  assert.ok(Number.isNaN(log(-1)));
  assert.equal(log(0), -Infinity);
});

test("log1p is accurate to a few ulps also for tiny arguments; powi is exponentiation by squaring", () => {
  const rng = new Rng(3);
  for (let i = 0; i < 50000; i++) {
    const u = rng.uniform() * [1e-300, 1e-12, 1e-3, 10, 1e6][i % 5];
    const ref = Math.log1p(u);
    assert.ok(Math.abs(log1p(u) - ref) <= 4 * Number.EPSILON * ref, `log1p(${u})`);
  }
  assert.equal(log1p(0), 0);
  assert.equal(log1p(-1), -Infinity);
  assert.equal(powi(2, 10), 1024);
  assert.equal(powi(0.5, 1074), 5e-324);
  assert.equal(powi(3, 0), 1);
  assert.equal(powi(0.9, 3), 0.9 * (0.9 * 0.9)); // r = b·(b²): the squaring order, not left-to-right
  for (const b of [0.9, 0.999]) for (const t of [1, 7, 100, 3000]) assert.ok(Math.abs(powi(b, t) / b ** t - 1) < 1e-13, `${b}^${t}`);
});
