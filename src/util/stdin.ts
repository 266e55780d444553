import { readSync } from "node:fs";
import { isatty } from "node:tty";
import { InputError } from "./errors.js";

/**
 * All of standard input (fd 0) as bytes, for `--data -`. Refused at once, without waiting, when standard input is a
 * terminal (nothing was piped or redirected in: reading would wait for typing). Reads synchronously in 64 kB chunks
 * (`process.stdin` is not touched: it would switch a pipe to non-blocking mode); `onSize(total)` is called as the
 * input grows (every 4 MB and at the end) so the caller can refuse input over its memory limit before reading on.
 */
export function readStdinBytes(onSize?: (bytes: number) => void): Uint8Array {
  if (isatty(0)) throw new InputError("standard input is a terminal: pipe or redirect the data into it (e.g. `embedscape critical --net n.json --data - < data.csv`)");
  const chunks: Buffer[] = [];
  const buf = Buffer.allocUnsafe(1 << 16);
  let total = 0, next = 4 << 20;
  for (;;) {
    let got: number;
    try {
      got = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); continue; } // a non-blocking pipe: wait for data
      if (code === "EOF") break;
      throw new InputError(`cannot read standard input: ${code ?? (e as Error).message}`);
    }
    if (got === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, got)));
    total += got;
    if (total >= next) { onSize?.(total); next = total + (4 << 20); }
  }
  onSize?.(total);
  return Buffer.concat(chunks, total);
}
