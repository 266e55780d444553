// Optional build of the native OpenBLAS/LAPACKE backend (run by `npm install`).
// Never fails the install: without a compiler, node headers or OpenBLAS/LAPACKE the pure
// TypeScript backend is used and this prints one notice line.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
if (process.env.EMBEDSCAPE_SKIP_NATIVE === "1") process.exit(0);
const candidates = [];
if (process.env.npm_execpath) candidates.push(join(dirname(process.env.npm_execpath), "..", "node_modules", "node-gyp", "bin", "node-gyp.js"));
candidates.push("/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js");
const gyp = candidates.find((p) => existsSync(p));
const args = ["rebuild", "--directory", here];
// Debian's nodejs ships its headers in /usr/include/node: use them instead of downloading.
if (!process.env.npm_config_nodedir && existsSync("/usr/include/node/node_api.h")) args.push("--nodedir=/usr");
const r = gyp
  ? spawnSync(process.execPath, [gyp, ...args], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" })
  : spawnSync("node-gyp", args, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", shell: false });
if (r.status === 0) console.log("embedscape: native OpenBLAS/LAPACKE backend built");
else console.log("embedscape: native backend not built (needs a C++ compiler, libopenblas-dev, liblapacke-dev); the pure TypeScript backend will be used");
