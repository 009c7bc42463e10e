import { strict as assert } from "node:assert";
import { alignedShape, alignedSubgraph } from "./alignment.ts";
import { convModel, wholeGraph } from "../axera/cost/_testing.ts";
import { bernoulli2 } from "../bernoulli2.ts";

Deno.test("alignedShape() pads W to 8 and channels to 8 (1×32×8×9 computes as 1×32×8×16 at 16)", () => {
  assert.deepEqual(alignedShape([1, 3, 224, 9], { wAlign: 8, groups: 1 }), [1, 8, 224, 16]);
  assert.deepEqual(alignedShape([1, 32, 8, 9], { wAlign: 16, groups: 1 }), [1, 32, 8, 16]);
  // 48 channels in 4 groups of 12 → 4 groups of 16
  assert.deepEqual(alignedShape([1, 48, 7, 8], { wAlign: 8, groups: 4 }), [1, 64, 7, 8]);
  assert.deepEqual(alignedShape([1, 10], { wAlign: 8, groups: 1 }), [1, 10]);
});

Deno.test("alignedSubgraph() pads the input of a stride-2 Conv to a multiple of 16", () => {
  const m = convModel(16, 16, 8, 24, 3);
  m.graph.nodes[0].attrs.set("strides", { kind: "ints", value: [2, 2] });
  m.graph.outputs[0].type = { dtype: "f32", shape: [1, 16, 4, 12] };
  const sub = alignedSubgraph(wholeGraph(m));
  assert.deepEqual(sub.types.get("x")?.shape, [1, 16, 8, 32]);
  assert.deepEqual(sub.types.get("y")?.shape, [1, 16, 4, 16]);
});

Deno.test("bernoulli2.cost() charges a W=9 feature map like a W=16 one and more than W=8", () => {
  const cost = (w: number) =>
    bernoulli2.cost!(wholeGraph(convModel(32, 32, 16, w, 3)), { batch: 1, cores: 1 }).cycles;
  assert.equal(cost(9), cost(16));
  assert.ok(cost(8) < cost(9), `${cost(8)} < ${cost(9)}`);
});
