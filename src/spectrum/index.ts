/** `embedscape/spectrum` — matrix-free spectra of Hessians: Lanczos extreme eigenvalues and stochastic Lanczos quadrature. */
export { type MatVec, type Tridiagonal, lanczos, ritz, extremeEigenvalues, spectralDensity } from "./lanczos.js";
