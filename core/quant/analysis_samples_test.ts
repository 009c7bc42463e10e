import { strict as assert } from "node:assert";
import { analysisSampleIndices } from "./analysis_samples.ts";

Deno.test("analysisSampleIndices() spreads the wanted count evenly over the set", () => {
  assert.deepEqual(analysisSampleIndices(32, 8), [0, 4, 8, 12, 16, 20, 24, 28]);
  assert.deepEqual(analysisSampleIndices(10, 4), [0, 2, 5, 7]);
  assert.deepEqual(analysisSampleIndices(3, 1), [0]);
});

Deno.test("analysisSampleIndices() takes every sample when asked for -1 or more than there are", () => {
  assert.deepEqual(analysisSampleIndices(5, -1), [0, 1, 2, 3, 4]);
  assert.deepEqual(analysisSampleIndices(5, 8), [0, 1, 2, 3, 4]);
  assert.deepEqual(analysisSampleIndices(0, 8), []);
});
