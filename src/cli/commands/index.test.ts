import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { commandModules, commandModulesByName, namedCommand } from "./index.js";

test("every command module registers exactly the top-level command it is listed under", async () => {
  assert.equal(commandModules.length, Object.keys(commandModulesByName).length);
  for (const [name, load] of Object.entries(commandModulesByName)) {
    const program = new Command("embedscape");
    (await load()).register(program);
    assert.deepEqual(program.commands.map((c) => c.name()), [name], `module listed as '${name}'`);
  }
});

test("namedCommand: the first operand after the program's options, only when it is a known command", () => {
  assert.equal(namedCommand(["hessian", "--net", "a.json"]), "hessian");
  assert.equal(namedCommand(["--max-memory", "8G", "atlas", "run"]), "atlas");
  assert.equal(namedCommand(["--max-memory=8G", "truly-bad"]), "truly-bad");
  // help, version, unknown names and unknown options: every module is loaded (commander then answers as before)
  for (const args of [[], ["--help"], ["--version"], ["help", "hessian"], ["hesian"], ["--bogus", "hessian"], ["toString"], ["constructor"]])
    assert.equal(namedCommand(args), undefined, JSON.stringify(args));
});

test("the CLI with one module loaded still answers help and unknown commands from all of them", () => {
  const main = join(dirname(fileURLToPath(import.meta.url)), "..", "main.js");
  const help = spawnSync(process.execPath, [main, "--help"], { encoding: "utf8" });
  for (const name of Object.keys(commandModulesByName)) assert.match(help.stdout, new RegExp(`\\b${name}\\b`), `--help lists ${name}`);
  const sub = spawnSync(process.execPath, [main, "hessian", "--help"], { encoding: "utf8" });
  assert.equal(sub.status, 0);
  assert.match(sub.stdout, /--eigenvalues/);
  const typo = spawnSync(process.execPath, [main, "hesian"], { encoding: "utf8" });
  assert.equal(typo.status, 2);
  assert.match(typo.stderr, /hessian/); // commander's suggestion needs every command registered
});
