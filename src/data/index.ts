/** Data sets: the Dataset type, CSV/JSON readers, synthetic generators and CLI data specs. */
export { type Dataset, makeDataset, splitDataset } from "./dataset.js";
export { parseDataCsv, formatDataCsv } from "./csv.js";
export { parseDataJson, formatDataJson } from "./json.js";
export { grid1d, teacherData, TARGETS_1D } from "./synthetic.js";
export { loadDataset, readText } from "./load.js";
export { loadIris, irisPath } from "./iris.js";
export { loadMnist, argmaxRows, mnistDigitsDir, MNIST_SIZE } from "./mnist.js";
