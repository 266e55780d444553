import type { Command } from "commander";
import { serveExplorer, writeExplorer } from "../../explore/serve.js";
import { num } from "../args.js";

/** `embedscape explore`: the browser explorer, served on 127.0.0.1 or written as static files. */
export function register(program: Command): void {
  program
    .command("explore")
    .description("the Embedding Principle in a browser: serve the explorer on 127.0.0.1 (prints the URL), or write it as static files with --out")
    .option("--port <n>", "port on 127.0.0.1 (0 = any free port)", "8470")
    .option("--out <dir>", "write index.html, app.js and worker.js into this folder instead of serving")
    .action(async (f: { port: string; out?: string }) => {
      if (f.out) {
        for (const p of writeExplorer(f.out)) process.stdout.write(`${p}\n`);
        return;
      }
      const { url, close } = await serveExplorer(num("--port", f.port, { int: true, min: 0 }));
      process.stdout.write(`embedscape explorer at ${url}  (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => { void close().then(resolve); };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
