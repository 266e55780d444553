/** `embedscape/data` — the Dataset type, CSV/TSV/JSON/.npz readers, labels → one-hot, synthetic generators, real data (MNIST, FashionMNIST, Iris) and CLI data specs. */
export { type Dataset, makeDataset, splitDataset } from "./dataset.js";
export { parseDataCsv, formatDataCsv, detectDelimiter, type TableOptions, type Delimiter } from "./csv.js";
export { oneHotLabels, MAX_CLASSES, type LabelOptions } from "./labels.js";
export { readNpz, npzMembers, MAX_NPZ_BYTES } from "./npz.js";
export { parseDataJson, formatDataJson } from "./json.js";
export { grid1d, TARGETS_1D } from "./synthetic.js";
export { loadDataset, loadNpz, splitDataSpec, FASHION_MNIST_DIR, type DataSpecOptions } from "./load.js";
export { readIdx, writeIdxU8, idxPairToDataset, loadIdxPair, type IdxArray } from "./idx.js";
export { loadMnist, classLabels } from "./mnist.js";
export { loadIris, irisPath, parseIrisCsv } from "./iris.js";
