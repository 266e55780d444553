/** `embedscape/data` — the Dataset type, CSV/JSON readers, synthetic generators, real data (MNIST, FashionMNIST, Iris) and CLI data specs. */
export { type Dataset, makeDataset, splitDataset } from "./dataset.js";
export { parseDataCsv, formatDataCsv } from "./csv.js";
export { parseDataJson, formatDataJson } from "./json.js";
export { grid1d, TARGETS_1D } from "./synthetic.js";
export { loadDataset, FASHION_MNIST_DIR } from "./load.js";
export { readIdx, writeIdxU8, idxPairToDataset, loadIdxPair, type IdxArray } from "./idx.js";
export { loadMnist, classLabels } from "./mnist.js";
export { loadIris, irisPath, parseIrisCsv } from "./iris.js";
