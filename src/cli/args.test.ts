import assert from "node:assert/strict";
import { test } from "node:test";
import { cosineFlag, num, numList, parseRange, realList } from "./args.js";

test("num: the one numeric flag parser — values, whole numbers, bounds, one-line messages", () => {
  assert.equal(num("--lr", "1e-3"), 1e-3);
  assert.equal(num("--steps", " 1e3 ", { int: true }), 1000);
  const bad: Array<[string | undefined, Parameters<typeof num>[2], RegExp]> = [
    [undefined, {}, /--x needs a number, got ""/],
    ["abc", { int: true }, /--x needs a whole number, got "abc"/],
    ["2.5", { int: true }, /needs a whole number, got "2.5"/],
    ["1e400", { int: true }, /needs a whole number/],
    ["99999999999999999999", { int: true }, /is too large/],
    ["-3", { int: true, min: 0 }, /--x must be at least 0, got a negative number -3/],
    ["0", { int: true, min: 1 }, /--x must be at least 1, got 0/],
    ["501", { int: true, max: 500 }, /--x = 501 is too large \(at most 500\)/],
    ["0", { positive: true }, /--x must be positive, got 0/],
  ];
  for (const [v, o, re] of bad) assert.throws(() => num("--x", v, o), re, String(v));
});

test("lists, ranges and cosines", () => {
  assert.deepEqual(numList("--widths", "8,1,2"), [8, 1, 2]);
  assert.deepEqual(realList("--A", "1, 0.5;-2e-1"), [1, 0.5, -0.2]);
  assert.equal(realList("--A", undefined), undefined);
  assert.throws(() => realList("--c", "1,x"), /--c needs a comma-separated list of numbers, got "1,x"/);
  assert.throws(() => numList("--swap", "1,2,3", { count: 2 }), /--swap needs 2 comma-separated whole numbers/);
  assert.deepEqual(parseRange("--r", "1..3,8,2"), [1, 2, 3, 8]);
  assert.throws(() => parseRange("--r", "5..1"), /empty/);
  assert.throws(() => parseRange("--r", "1..2000"), /more than 1000 values/);
  assert.equal(cosineFlag("--threshold", "1"), 1);
  assert.throws(() => cosineFlag("--threshold", "-1"), /in \(−1, 1\]/);
});
