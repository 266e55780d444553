import assert from "node:assert/strict";
import { test } from "node:test";
import { parseActivationName } from "./activations.js";
import { makeArch } from "./arch.js";

test("activation and loss names are string-literal types: a typo fails to compile and, from JavaScript, to run", () => {
  // Each @ts-expect-error below makes the build fail if the misspelt name ever type-checks again.
  // @ts-expect-error "tahn" is not an ActivationName
  assert.throws(() => makeArch([1, 2, 1], "tahn"), /unknown activation "tahn"/);
  // @ts-expect-error "mse2" is not a LossName
  assert.throws(() => makeArch([1, 2, 1], "tanh", "mse2"), /unknown loss "mse2"/);
  const a = makeArch([1, 2, 1], "leaky-relu:0.2", "ce");
  assert.equal(a.activation, "leaky-relu:0.2");
  assert.equal(a.loss, "cross-entropy");
  assert.equal(makeArch([1, 1], "linear").activation, "identity");
  assert.equal(parseActivationName("hard-tanh"), "hardtanh");
  assert.throws(() => parseActivationName("relu6"), /unknown activation "relu6" \(expected one of tanh, relu/);
});
