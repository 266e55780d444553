import { existsSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../util/errors.js";
import type { Dataset } from "./dataset.js";
import { loadIdxPair } from "./idx.js";

/** Where Debian's dataset-fashion-mnist package installs the four gzipped IDX files. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/** FashionMNIST class names, label 0..9. */
export const FASHION_MNIST_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"] as const;

/**
 * FashionMNIST (or any MNIST-layout folder) from IDX files: the first `nTrain` training images
 * (train-images-idx3-ubyte[.gz] + train-labels-idx1-ubyte[.gz]) as the training set and the t10k test set
 * as `heldOut`. x = pixels/255 (784 inputs), y = one-hot over 10 classes. Also finds the "train-images.idx3-ubyte"
 * spelling. `nTest` caps the held-out set (default: all of it).
 */
export function loadFashionMnist(dir = FASHION_MNIST_DIR, nTrain = 1000, nTest?: number): Dataset {
  if (!Number.isInteger(nTrain) || nTrain < 1) throw new InputError(`fashion-mnist: cannot take ${nTrain} training images`);
  const find = (split: "train" | "t10k", what: "images" | "labels"): string => {
    const dims = what === "images" ? "idx3" : "idx1";
    const names = [`${split}-${what}-${dims}-ubyte`, `${split}-${what}.${dims}-ubyte`].flatMap((b) => [`${b}.gz`, b]);
    for (const n of names) if (existsSync(join(dir, n))) return join(dir, n);
    throw new InputError(`fashion-mnist: no ${names[0]} (or ${names[1]}) in "${dir}"${dir === FASHION_MNIST_DIR ? " (install the Debian package dataset-fashion-mnist)" : ""}`);
  };
  const train = loadIdxPair(find("train", "images"), find("train", "labels"), { limit: nTrain, classes: 10, name: "fashion-mnist" });
  if (train.n < nTrain) throw new InputError(`fashion-mnist: asked for ${nTrain} training images but "${dir}" has ${train.n}`);
  const test = loadIdxPair(find("t10k", "images"), find("t10k", "labels"), { limit: nTest, classes: 10, name: "fashion-mnist-test" });
  if (test.d !== train.d) throw new InputError(`fashion-mnist: training images have ${train.d} pixels but test images ${test.d}`);
  return { ...train, heldOut: test };
}
