/** `embedscape/spectrum` — matrix-free spectra of Hessians: Lanczos eigenpairs, stochastic Lanczos quadrature, KPM inertia estimates. */
export { type MatVec, type Tridiagonal, type RitzPair, type EigenpairsResult, lanczos, ritz, extremeEigenvalues, lanczosEigenpairs, spectralDensity, densityCurve } from "./lanczos.js";
export { jacksonDamping, indicatorCoefficients, dampedIndicator, chebyshevSeries, chebyshevMoments, seriesFromMoments, seriesOnCosineGrid } from "./chebyshev.js";
export {
  type CountEstimate, type BandLevel, type BoundaryBand, type InertiaEstimate, type InertiaEstimateOptions,
  inertiaEstimate, estimateFromMoments, spectralBounds,
} from "./inertia-estimate.js";
export { studentTQuantile, studentTCentral, meanAndStandardError } from "./stats.js";
export { type HessianPoint, hessianOperator, hessianExtremes, hessianDensity, hessianInertiaEstimate } from "./hessian.js";
