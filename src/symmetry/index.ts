/** `embedscape/symmetry` — permutation-symmetry structure of two-layer and deep nets (SPEC §5): exact counts, expansion manifolds, connecting paths. */
export {
  stirling2, stirling2Column, factorial, binomial, binomialRow, bellNumbers,
} from "./stirling.js";
export { MAX_COUNT_WIDTH, countT, countTSum, countTBell, countG, countGBelow, crossover, type Crossover } from "./counts.js";
export { MAX_ENUMERATION, indexMaps, bruteT, bruteG, bruteTBell, countSetPartitionsBrute } from "./enumerate.js";
export {
  type TwoLayerNeurons, type Irreducibility, type ExpansionSubspace,
  neuronsOf, netFromNeurons, irreducibility, subspaceDimension, expansionSubspace, sampleSubspacePoint, sampleIndexMap,
} from "./expansion.js";
export {
  type SymmetryPath, type PathTrace,
  neuronRow, neuronColumn, addBufferNeuron, addBufferNeurons, swapPath, pathPoint, layerPermutation, tracePath,
} from "./path.js";
