// Bundle the explorer (src/explore/) into dist/explore/: index.html, app.js (page), worker.js (engine),
// plot-worker.js (plots) and atlas-worker.js (the in-page atlas).
// The engine's native-backend loader is replaced by a stub (a page has only the pure-TS backend) and
// process.env reads are fixed at build time; the Iris CSV is inlined as text.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "explore");
mkdirSync(out, { recursive: true });
const stubNative = {
  name: "stub-native",
  setup(b) {
    b.onResolve({ filter: /\/native\.js$/ }, (a) => (a.importer.includes(`${join("src", "linalg")}`) ? { path: join(root, "src", "explore", "native-stub.ts") } : undefined));
  },
};
// Node built-ins reached through modules the page does not call (file loaders): stubs that throw if ever used.
const NODE_NAMES = ["readFileSync", "writeFileSync", "existsSync", "statSync", "openSync", "closeSync", "readSync", "mkdtempSync", "renameSync", "unlinkSync", "dirname", "join", "resolve", "basename", "extname", "fileURLToPath", "pathToFileURL", "createRequire", "tmpdir", "totalmem", "cpus"];
// node:crypto's createHash (the atlas's cell keys) → the page's SHA-256, which gives the same digests
const cryptoShim = {
  name: "crypto-shim",
  setup(b) {
    b.onResolve({ filter: /^node:crypto$/ }, () => ({ path: join(root, "src", "explore", "sha256.ts") }));
  },
};
// Vega's canvas renderer in the plot worker: an OffscreenCanvas instead of document.createElement("canvas")
const vegaCanvas = {
  name: "vega-canvas-worker",
  setup(b) {
    b.onResolve({ filter: /^vega-canvas$/ }, () => ({ path: join(root, "src", "explore", "vega-canvas-worker.ts") }));
  },
};
const stubNode = {
  name: "stub-node",
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) => ({ path: a.path, namespace: "node-stub" }));
    b.onLoad({ filter: /.*/, namespace: "node-stub" }, (a) => ({
      contents: `const no = () => { throw new Error("${"$"}{a.path} is not available in a browser"); };\n` + NODE_NAMES.map((n) => `export const ${n} = no;`).join("\n") + "\nexport default {};",
      loader: "js",
    }));
  },
};
// The preset data sets, computed here in Node and embedded exactly (JSON round-trips float64): targets such as
// cos 2x come from Math.cos, whose last bit differs between JavaScript engines, and the page must see the same
// numbers as the library in Node for its certificates to agree bit for bit.
const { PRESETS, presetData } = await import(join(root, "dist", "explore", "engine.js"));
const { readFileSync } = await import("node:fs");
const iris = readFileSync(join(root, "data", "iris.csv"), "utf8");
const table = Object.fromEntries(Object.keys(PRESETS).map((name) => {
  const d = presetData(name, iris);
  return [name, { n: d.n, d: d.d, k: d.k, x: Array.from(d.x), y: Array.from(d.y), name: d.name ?? name }];
}));
const presetsModule = {
  name: "presets",
  setup(b) {
    b.onResolve({ filter: /^embedscape:presets$/ }, () => ({ path: "presets", namespace: "presets" }));
    b.onLoad({ filter: /.*/, namespace: "presets" }, () => ({ contents: JSON.stringify(table), loader: "json" }));
  },
};
await build({
  absWorkingDir: root,
  entryPoints: { app: "src/explore/app.ts", worker: "src/explore/worker.ts", "plot-worker": "src/explore/plot-worker.ts", "atlas-worker": "src/explore/atlas-worker.ts", ...(process.env.EXPLORER_PROBE ? { probe: process.env.EXPLORER_PROBE } : {}) },
  outdir: out,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  // the engine's float64 results must not depend on the browser's Math library (see src/util/fdmath.ts)
  define: {
    "process.env.EMBEDSCAPE_BACKEND": '"pure"', "process.env.EMBEDSCAPE_THREADS": "undefined",
    "Math.exp": "__pinned_exp", "Math.log": "__pinned_log", "Math.expm1": "__pinned_expm1", "Math.tanh": "__pinned_tanh", "Math.log1p": "__pinned_log1p",
  },
  inject: ["src/explore/pinned-math.ts"],
  plugins: [stubNative, cryptoShim, vegaCanvas, stubNode, presetsModule],
  logLevel: "warning",
});
copyFileSync(join(root, "src", "explore", "index.html"), join(out, "index.html"));
