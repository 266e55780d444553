/** Injected into the browser bundle in place of Math.exp/log/expm1/tanh: Node 20's exact results (util/fdmath). */
export { exp as __pinned_exp, log as __pinned_log, expm1 as __pinned_expm1, tanh as __pinned_tanh, log1p as __pinned_log1p } from "../util/fdmath.js";
