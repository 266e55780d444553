import { makeDataset, type Dataset } from "../data/dataset.js";
import { createNet, makeArch, type Net } from "./arch.js";

/**
 * The exact test fixtures of SPEC §8 (50-digit reference numbers live in the tests).
 * Exported because tests, the demo and the reproductions all start from them.
 */
export function fixtureA(): { net: Net; data: Dataset } {
  return {
    net: createNet(makeArch([1, 2, 1], "tanh", "mse"), [1, -0.5, 0, 0.5, 2, -1, 0.1]),
    data: makeDataset([-1, 0, 1], [0, 1, 0], undefined, "fixture A"),
  };
}

/** Fixture B: 9 points of cos(2x) on [−2, 2] and its symmetric local minimum (SPEC §8.2). */
export function fixtureB(): { net: Net; data: Dataset } {
  const xs = Array.from({ length: 9 }, (_, i) => -2 + 0.5 * i);
  const w = 2.4426896463056145981, b = -1.7036895873327721128, a = -0.96110380583984348645, c = -0.82275211100531087392;
  return {
    net: createNet(makeArch([1, 2, 1], "tanh", "mse"), [w, -w, b, b, a, a, c]),
    data: makeDataset(xs, xs.map((x) => Math.cos(2 * x)), undefined, "fixture B"),
  };
}

/** Fixture C: inverse-designed critical point of 1-1-1 tanh with definite F (SPEC §8.3). */
export function fixtureC(): { net: Net; data: Dataset } {
  return {
    net: createNet(makeArch([1, 1, 1], "tanh", "mse"), [1, 0.6, 1, 0]),
    data: makeDataset(
      [-2.1, -1.7, -0.7, -0.5, 0.4, 0.8, 1.2, 2.1],
      [-0.6755553296679277, -1.1561809753174388, 0.80618292117246321, -0.90033220314734266, 1.4363519832242733,
        0.83439265957679586, -0.053193829017066046, 1.58744676845316],
      undefined, "fixture C"),
  };
}

/** Fixture D: 1-2-2-1 tanh critical point with η-coupling (SPEC §8.4). */
export function fixtureD(): { net: Net; data: Dataset } {
  const xs = Array.from({ length: 20 }, (_, i) => -2 + (4 * i) / 19);
  const ys = [-0.78520472594288018, -1.0737457787840048, -0.85767805868594062, -0.80474127477210543, -0.69112005173477627,
    -1.2212510921777747, -0.74180708833927377, -0.64813604214551441, -1.0409050594662651, -0.16791791260719628,
    -0.49202026822724435, 0.28753750681425004, 0.2552479739370769, 0.42817167470412422, 0.99413603275198454,
    0.31882904134337276, 1.4161814563419377, 0.68248145732936141, 1.1946644499874785, 1.1186140156943613];
  return {
    net: createNet(makeArch([1, 2, 2, 1], "tanh", "mse"),
      [1.2, -0.7, 0.3, 0.5, 0.9, -1.1, 0.6, 0.8, 0.1, -0.2, 1.0, -0.8, 0.05]),
    data: makeDataset(xs, ys, undefined, "fixture D"),
  };
}

/** Fixture E: ReLU 1-2-1 critical point for depth lifting (SPEC §8.5). */
export function fixtureE(): { net: Net; data: Dataset } {
  return {
    net: createNet(makeArch([1, 2, 1], "relu", "mse"), [1, -1, 0.5, 0.5, 1, 1, -0.2]),
    data: makeDataset(
      [-2, -1.5, -1, -0.3, 0.2, 0.7, 1.1, 1.8],
      [2.2813164868767996, 1.595151423190915, 1.5235320899322854, 1.0422156030554859, 0.55778439694451414,
        1.208083816792961, 0.9, 2.391916183207039],
      undefined, "fixture E"),
  };
}
