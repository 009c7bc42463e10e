import { strict as assert } from "node:assert";
import { attr, buildModel } from "../ir/builder.ts";
import { f32 } from "../ir/tensor.ts";
import type { Model } from "../ir/graph.ts";
import { fuseBnIntoConv } from "./fuse_bn_into_conv.ts";
import { ctx, opTypes, outputsOf, runAndCompare, seeded } from "./_testing.ts";

function bnInits(c: number, seed: number) {
  return {
    gamma: seeded([c], seed),
    beta: seeded([c], seed + 1),
    mean: seeded([c], seed + 2),
    var: f32([c], Array.from(seeded([c], seed + 3).data, (v) => Math.abs(v) + 0.1)),
  };
}

function convBn(opType: "Conv" | "ConvTranspose", group: number, withBias: boolean): Model {
  const cin = 4, cout = 6;
  const wShape = opType === "Conv" ? [cout, cin / group, 3, 3] : [cin, cout / group, 3, 3];
  return buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, cin, 5, 5] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, cout, null, null] }],
    initializers: {
      w: seeded(wShape, 7),
      ...(withBias ? { b: seeded([cout], 8) } : {}),
      ...bnInits(cout, 20),
    },
    nodes: [
      {
        opType,
        inputs: withBias ? ["x", "w", "b"] : ["x", "w"],
        outputs: ["c"],
        attrs: { group: attr.int(group), pads: attr.ints([1, 1, 1, 1]) },
      },
      {
        opType: "BatchNormalization",
        inputs: ["c", "gamma", "beta", "mean", "var"],
        outputs: ["y"],
        attrs: { epsilon: attr.float(1e-3) },
      },
    ],
  });
}

for (
  const [op, group, bias] of [["Conv", 1, true], ["Conv", 2, false], ["ConvTranspose", 1, true], [
    "ConvTranspose",
    2,
    false,
  ]] as const
) {
  Deno.test(`fuseBnIntoConv() folds BN into ${op} (group ${group}, bias ${bias})`, () => {
    const model = convBn(op, group, bias);
    const r = runAndCompare(fuseBnIntoConv, model, { x: seeded([1, 4, 5, 5], 3) }, 1e-4);
    assert.equal(r.count, 1);
    assert.deepEqual(opTypes(model), [op]);
    assert.equal(model.graph.nodes[0].outputs[0], "y");
    assert.equal(model.graph.nodes[0].inputs.length, 3);
  });
}

Deno.test("fuseBnIntoConv() matches a hand-computed 1x1 conv + BN", () => {
  // y = ((2·x + 1) − 3) · 4/√(3+1) + 5 = 4x + 1 for W=2, B=1, mean 3, var 3, γ 4, β 5, ε 1
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 1, 1, 2] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 1, 1, 2] }],
    initializers: {
      w: f32([1, 1, 1, 1], [2]),
      b: f32([1], [1]),
      g: f32([1], [4]),
      be: f32([1], [5]),
      m: f32([1], [3]),
      v: f32([1], [3]),
    },
    nodes: [
      { opType: "Conv", inputs: ["x", "w", "b"], outputs: ["c"] },
      {
        opType: "BatchNormalization",
        inputs: ["c", "g", "be", "m", "v"],
        outputs: ["y"],
        attrs: { epsilon: attr.float(1) },
      },
    ],
  });
  fuseBnIntoConv.run(model, ctx);
  assert.deepEqual(opTypes(model), ["Conv"]);
  assert.deepEqual([...outputsOf(model, { x: f32([1, 1, 1, 2], [0, 1]) })[0]], [1, 5]);
});

Deno.test("fuseBnIntoConv() keeps BN when the conv output has another consumer", () => {
  const model = convBn("Conv", 1, true);
  model.graph.nodes.push({
    name: "extra",
    opType: "Relu",
    domain: "",
    inputs: ["c"],
    outputs: ["z"],
    attrs: new Map(),
  });
  model.graph.outputs.push({ name: "z", type: { dtype: "f32" } });
  assert.equal(fuseBnIntoConv.run(model, ctx).count, 0);
});

Deno.test("fuseBnIntoConv() keeps BN whose parameters are not constant", () => {
  const model = convBn("Conv", 1, true);
  model.graph.inputs.push({ name: "mean", type: { dtype: "f32", shape: [6] } });
  assert.equal(fuseBnIntoConv.run(model, ctx).count, 0);
});

Deno.test("fuseBnIntoConv() reads an integer epsilon as the BatchNormalization kernel does", () => {
  // y = x · 1/√(3 + 1) = x / 2 for W = 1, γ 1, β 0, mean 0, var 3 and ε = 1 given as an int.
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 1, 1, 2] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 1, 1, 2] }],
    initializers: {
      w: f32([1, 1, 1, 1], [1]),
      g: f32([1], [1]),
      be: f32([1], [0]),
      m: f32([1], [0]),
      v: f32([1], [3]),
    },
    nodes: [
      { opType: "Conv", inputs: ["x", "w"], outputs: ["c"] },
      {
        opType: "BatchNormalization",
        inputs: ["c", "g", "be", "m", "v"],
        outputs: ["y"],
        attrs: { epsilon: attr.int(1) },
      },
    ],
  });
  assert.equal(fuseBnIntoConv.run(model, ctx).count, 1);
  assert.deepEqual([...outputsOf(model, { x: f32([1, 1, 1, 2], [2, 6]) })[0]], [1, 3]);
});

Deno.test("fuseBnIntoConv() keeps nodes whose attributes their parsers refuse", () => {
  const training = convBn("Conv", 1, true);
  training.graph.nodes[1].attrs.set("training_mode", attr.int(1));
  assert.equal(fuseBnIntoConv.run(training, ctx).count, 0);
  const badGroup = convBn("Conv", 1, true);
  badGroup.graph.nodes[0].attrs.set("group", attr.string("1"));
  assert.equal(fuseBnIntoConv.run(badGroup, ctx).count, 0);
  assert.deepEqual(opTypes(badGroup), ["Conv", "BatchNormalization"]);
});
