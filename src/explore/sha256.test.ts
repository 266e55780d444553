import assert from "node:assert/strict";
import { createHash as nodeHash } from "node:crypto";
import { test } from "node:test";
import { createHash } from "./sha256.js";

test("the page's SHA-256 equals node:crypto's on the FIPS vectors, every length across block boundaries and UTF-8 text", () => {
  assert.equal(createHash("sha256").update("abc").digest("hex"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(createHash("sha256").update("").digest("hex"), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  for (let n = 0; n < 200; n++) {
    const s = Array.from({ length: n }, (_, i) => String.fromCharCode(32 + ((i * 37 + n) % 90))).join("");
    assert.equal(createHash("sha256").update(s).digest("hex"), nodeHash("sha256").update(s).digest("hex"), `length ${n}`);
  }
  const u = '{"params":{"α":-0.5,"name":"∇R ≈ 0 — ünïcødé"},"width":3}';
  assert.equal(createHash("sha256").update(u).digest("hex"), nodeHash("sha256").update(u).digest("hex"));
  assert.throws(() => createHash("md5"), /only sha256/);
});
