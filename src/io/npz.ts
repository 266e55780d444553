/** The .npz reader lives in data/npz.ts (data/ imports nothing from io/); re-exported here for io/ users. */
export { readNpz, npzMembers, MAX_NPZ_BYTES } from "../data/npz.js";
