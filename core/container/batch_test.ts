import { strict as assert } from "node:assert";
import { f32, Tensor } from "../ir/tensor.ts";
import { concatBatch, decomposeBatch, sliceBatch } from "./batch.ts";

const sizes = (n: number, b: number[]) => decomposeBatch(n, b).map((c) => c.batch);

Deno.test("decomposeBatch() covers N greedily with the largest compiled batch first", () => {
  // the manual's examples for [1, 2, 4]
  assert.deepEqual(sizes(3, [1, 2, 4]), [2, 1]);
  assert.deepEqual(sizes(9, [1, 2, 4]), [4, 4, 1]);
  assert.deepEqual(sizes(4, [1, 2, 4]), [4]);
  assert.deepEqual(sizes(7, [1, 2, 4]), [4, 2, 1]);
  // not compiled multi-batch: N runs of one
  assert.deepEqual(sizes(3, [1]), [1, 1, 1]);
  // target batch = index into the compiled list
  assert.deepEqual(decomposeBatch(3, [1, 2, 4]).map((c) => c.index), [1, 0]);
});

Deno.test("decomposeBatch() pads the last run when no compiled batch fits the rest", () => {
  assert.deepEqual(decomposeBatch(3, [2, 4]), [
    { batch: 2, index: 0, take: 2 },
    { batch: 2, index: 0, take: 1 },
  ]);
  assert.deepEqual(decomposeBatch(1, [4]), [{ batch: 4, index: 0, take: 1 }]);
});

Deno.test("sliceBatch() and concatBatch() cut and join along dim 0 with padding", () => {
  const t = f32([3, 2], [1, 2, 3, 4, 5, 6]);
  const padded = sliceBatch(t, 2, 1, 2);
  assert.deepEqual(padded.shape, [2, 2]);
  assert.deepEqual([...padded.data as Float32Array], [5, 6, 0, 0]);
  const joined = concatBatch([sliceBatch(t, 0, 2, 2), padded], [2, 1], "x");
  assert.deepEqual(joined.shape, [3, 2]);
  assert.deepEqual([...joined.data as Float32Array], [1, 2, 3, 4, 5, 6]);
  const ints = new Tensor("s64", [2, 1], BigInt64Array.of(7n, 8n));
  assert.deepEqual([...sliceBatch(ints, 1, 1, 1).data as BigInt64Array], [8n]);
  const strs = new Tensor("string", [2], ["a", "b"]);
  assert.deepEqual(concatBatch([strs, strs], [1, 2], "s").data, ["a", "a", "b"]);
});

Deno.test("concatBatch() joins along a batch axis moved to dim 1, keeping each part's first samples", () => {
  // two runs of a (2, batch) output: run 0 at batch 2, run 1 padded to batch 2, one kept
  const a = f32([2, 2], [1, 2, 3, 4]); // [c][n]: c0 = (1, 2), c1 = (3, 4)
  const b = f32([2, 2], [5, 0, 6, 0]); // sample 0 is (5, 6); sample 1 is padding
  const joined = concatBatch([a, b], [2, 1], "y", 1);
  assert.deepEqual(joined.shape, [2, 3]);
  assert.deepEqual([...joined.data as Float32Array], [1, 2, 5, 3, 4, 6]);
  assert.throws(() => concatBatch([a], [1], "y", 2), /batch axis 2 is outside rank 2/);
});
