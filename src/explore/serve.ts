import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../util/errors.js";

/** The files of the built explorer (dist/explore/, made by tools/build-explorer.mjs) and their types. */
const FILES: Record<string, string> = { "index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8", "worker.js": "text/javascript; charset=utf-8", "plot-worker.js": "text/javascript; charset=utf-8", "atlas-worker.js": "text/javascript; charset=utf-8" };

/** Where the built explorer lives (beside this module in dist/). */
export function explorerDir(): string {
  const dir = dirname(fileURLToPath(import.meta.url));
  for (const f of Object.keys(FILES)) if (!existsSync(join(dir, f))) throw new InputError(`the explorer is not built (${join(dir, f)} missing): run \`npm run build\``);
  return dir;
}

/**
 * Serve the explorer on 127.0.0.1 (only its files: any other path is 404, so nothing else on disk is
 * reachable); `port` 0 picks a free one. Resolves once listening, with the URL and a close function.
 */
export function serveExplorer(port = 0, dir = explorerDir()): Promise<{ url: string; close: () => Promise<void>; server: Server }> {
  const bodies = new Map(Object.keys(FILES).map((f) => [f, readFileSync(join(dir, f))]));
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split(/[?#]/)[0].replace(/^\/+/, "") || "index.html";
    const body = bodies.get(path);
    if (req.method !== "GET" && req.method !== "HEAD") { res.writeHead(405).end(); return; }
    if (!body) { res.writeHead(404, { "content-type": "text/plain" }).end("not found"); return; }
    res.writeHead(200, { "content-type": FILES[path], "cache-control": "no-cache", "x-content-type-options": "nosniff" });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  return new Promise((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => reject(e.code === "EADDRINUSE" ? new InputError(`port ${port} is in use; choose another with --port`) : e));
    server.listen(port, "127.0.0.1", () => {
      const a = server.address();
      const p = typeof a === "object" && a ? a.port : port;
      resolve({ url: `http://127.0.0.1:${p}/`, server, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

/** Write the explorer (index.html and its scripts) as static files into `out` (for any web host). */
export function writeExplorer(out: string, dir = explorerDir()): string[] {
  mkdirSync(out, { recursive: true });
  return Object.keys(FILES).map((f) => { copyFileSync(join(dir, f), join(out, f)); return join(out, f); });
}
