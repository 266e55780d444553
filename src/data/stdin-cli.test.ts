/**
 * `--data -` through the built CLI (bin/embedscape.js): standard input is read as the data file it holds, bad input
 * on it is exit 2 with one line, an empty or absent standard input is an error rather than a wait, and a terminal
 * on standard input is refused at once.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = join(root, "bin", "embedscape.js");
const FIX = join(root, "tools", "fixtures", "data-formats");
const dir = mkdtempSync(join(tmpdir(), "embedscape-stdin-"));

function cli(args: string[], input?: string | Buffer, env?: Record<string, string>): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8", cwd: dir, timeout: 60_000, input, env: { ...process.env, ...env }, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function assertBadInput(r: { code: number | null; err: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit code 2 expected, got ${r.code}: ${r.err}`);
  const lines = r.err.trim().split("\n");
  assert.equal(lines.length, 1, `one line expected: ${r.err}`);
  assert.match(lines[0], /^embedscape: /);
  assert.match(lines[0], pattern);
}

const csv = readFileSync(join(FIX, "savetxt-header.csv"), "utf8");

test("CLI: train --data - and hessian --data - read the numpy savetxt CSV from standard input as from the file", () => {
  const tr = cli(["train", "--arch", "2-3-1", "--data", "-", "--steps", "20", "--out", "t.json", "--json"], csv);
  assert.equal(tr.code, 0, tr.err);
  assert.equal(JSON.parse(tr.out).steps, 20);
  const h1 = cli(["hessian", "--net", "t.json", "--data", "-", "--json", "--eigenvalues"], csv);
  const h2 = cli(["hessian", "--net", "t.json", "--data", join(FIX, "savetxt-header.csv"), "--json", "--eigenvalues"]);
  assert.equal(h1.code, 0, h1.err);
  assert.deepEqual(JSON.parse(h1.out).eigenvalues, JSON.parse(h2.out).eigenvalues);
  assert.equal(JSON.parse(h1.out).eigenvalues.length, 13);
});

test("CLI: class labels on standard input (-@label on a headerless table) train a cross-entropy net; a non-integer label is exit 2", () => {
  const b = cli(["train", "--arch", "2-3-3", "--loss", "cross-entropy", "--data", "-@label", "--steps", "5", "--out", "c.json", "--json"], "1,2,0\n3,4,2\n5,6,1\n");
  assert.equal(b.code, 0, b.err);
  assertBadInput(cli(["critical", "--net", "c.json", "--data", "-@label"], "1,2,0\n3,4,0.5\n"), /stdin: line 2, label "0.5" is not a class number \(an integer ≥ 0\)/);
  assertBadInput(cli(["critical", "--net", "c.json", "--data", "-"], "1,2,0\n3,4,2\n"), /data has 1 target column\(s\) but the net 2-3-3 outputs 3; if the column holds class numbers, add @label@classes=3 to the data spec/);
});

test("CLI: bad input on standard input is exit 2 with one line; empty or absent standard input does not hang", () => {
  assert.ok(existsSync(join(dir, "t.json")), "the first test's net");
  assertBadInput(cli(["critical", "--net", "t.json", "--data", "-"], "x1,x2,y1\n1,2,3\n4,5\n"), /stdin: line 3 has 2 fields, the header has 3/);
  assertBadInput(cli(["critical", "--net", "t.json", "--data", "-"], Buffer.from([0x78, 0x31, 0xff, 0xfe, 0x0a])), /stdin: not valid UTF-8 text/);
  assertBadInput(cli(["critical", "--net", "t.json", "--data", "-"], ""), /stdin: no data rows/);
  assertBadInput(cli(["critical", "--net", "t.json", "--data", "-"]), /stdin: no data rows/); // stdin is /dev/null
  // the memory limit applies to what standard input brings (checked as it is read, before it is parsed)
  const big = `x1,x2,y1\n${"1,2,3\n".repeat(40_000)}`;
  assertBadInput(cli(["critical", "--net", "t.json", "--data", "-"], big, { EMBEDSCAPE_MAX_MEMORY: "200k" }), /evaluating 2-3-1 on standard input \(240009 bytes so far\) needs about 703 kB of memory, more than the limit of 200 kB/);
});

const script = ["/usr/bin/script", "/bin/script"].find((p) => existsSync(p));
test("CLI: a terminal on standard input is refused at once (run under script(1), which gives the command a pty)", { skip: script ? false : "script(1) not installed" }, () => {
  const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} critical --net t.json --data -`;
  const r = spawnSync(script!, ["-qec", cmd, "/dev/null"], { encoding: "utf8", cwd: dir, timeout: 30_000, stdio: ["pipe", "pipe", "pipe"] });
  assert.equal(r.status, 2, `${r.status} ${r.stdout} ${r.stderr}`);
  assert.match(r.stdout + r.stderr, /embedscape: standard input is a terminal: pipe or redirect the data into it/);
});
