import { strict as assert } from "node:assert";
import { normalizeDomain, opsetOf, UNIMPORTED_OPSET_VERSION } from "./opset.ts";

const model = (entries: [string, number][]) => ({ opsetImports: new Map(entries) });

Deno.test("normalizeDomain() spells the default domain as the empty string", () => {
  assert.equal(normalizeDomain("ai.onnx"), "");
  assert.equal(normalizeDomain(""), "");
  assert.equal(normalizeDomain("com.microsoft"), "com.microsoft");
});

Deno.test("opsetOf() finds the default domain under either spelling", () => {
  assert.equal(opsetOf(model([["", 13]]), "ai.onnx"), 13);
  assert.equal(opsetOf(model([["ai.onnx", 11]]), ""), 11);
});

Deno.test("opsetOf() takes the higher version when both spellings are imported", () => {
  assert.equal(opsetOf(model([["", 11], ["ai.onnx", 13]]), ""), 13);
});

Deno.test("opsetOf() reads other domains as imported", () => {
  const m = model([["", 17], ["com.microsoft", 1], ["ax", 3]]);
  assert.equal(opsetOf(m, "ax"), 3);
  assert.equal(opsetOf(m, "com.microsoft"), 1);
});

Deno.test("opsetOf() gives version 1 to a domain the model does not import", () => {
  assert.equal(UNIMPORTED_OPSET_VERSION, 1);
  assert.equal(opsetOf(model([["", 17]]), "com.example"), 1);
  assert.equal(opsetOf(model([]), ""), 1);
});
