/**
 * The onnxruntime-rounded float kernels against onnxruntime itself: bit for bit on
 * seeded inputs (the golden values are onnxruntime's outputs, with graph optimisations
 * disabled so each operator runs on its own CPU kernel).
 */
import { strict as assert } from "node:assert";
import * as ort from "onnxruntime-node";
import { attr, buildModel, type NodeSpec } from "../ir/builder.ts";
import { asFloat32, f32, type Tensor } from "../ir/tensor.ts";
import { encodeModel } from "../onnx/save.ts";
import type { Node } from "../ir/graph.ts";
import { onnxruntimeFloat } from "./ort_float.ts";
import { randomValues } from "./_testing.ts";

/** Run one node in onnxruntime on float32 inputs. */
async function ortRun(node: NodeSpec, inputs: Record<string, Tensor>, outShape: number[]) {
  const model = buildModel({
    opset: 17,
    inputs: Object.entries(inputs).map(([name, t]) => ({
      name,
      dtype: "f32" as const,
      shape: [...t.shape],
    })),
    outputs: [{ name: "y", dtype: "f32", shape: outShape }],
    nodes: [node],
  });
  const s = await ort.InferenceSession.create(encodeModel(model), {
    graphOptimizationLevel: "disabled",
  });
  const feeds = Object.fromEntries(
    Object.entries(inputs).map(([k, t]) => [k, new ort.Tensor("float32", asFloat32(t), t.shape)]),
  );
  return (await s.run(feeds)).y.data as Float32Array;
}

/** Our kernel for `node` on the same inputs. */
function oursRun(node: NodeSpec, inputs: Record<string, Tensor>): Float32Array {
  const n: Node = {
    name: node.name ?? node.opType,
    opType: node.opType,
    domain: "",
    inputs: node.inputs,
    outputs: node.outputs,
    attrs: new Map(Object.entries(node.attrs ?? {})),
  };
  const run = onnxruntimeFloat(n, 17, () => {
    throw new Error("fallback used");
  });
  assert.ok(run, `${node.opType} has an onnxruntime realisation`);
  const ctx = { opset: 17, node: n, runSubgraph: () => [] };
  return asFloat32(run(node.inputs.map((i) => inputs[i]), ctx)[0]);
}

function differing(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

Deno.test("onnxruntimeFloat(MatMul) equals onnxruntime bit for bit for one row, one column and K slices", async () => {
  const cases = [[2, 49, 64, 37], [2, 20, 300, 9], [1, 6, 200, 300], [1, 1, 67, 21], [
    1,
    13,
    38,
    1,
  ]];
  for (const [batch, m, k, n] of cases) {
    const inputs = {
      a: f32([batch, m, k], randomValues(batch * m * k, 1 + k, -3, 3)),
      b: f32([k, n], randomValues(k * n, 2 + k, -1, 1)),
    };
    const node = { opType: "MatMul", inputs: ["a", "b"], outputs: ["y"] };
    const theirs = await ortRun(node, inputs, [batch, m, n]);
    assert.equal(differing(oursRun(node, inputs), theirs), 0, `[${batch}, ${m}, ${k}, ${n}]`);
  }
});

Deno.test("onnxruntimeFloat(MatMul) equals onnxruntime bit for bit on batched operands", async () => {
  const inputs = {
    a: f32([3, 17, 24], randomValues(3 * 17 * 24, 11, -3, 3)),
    b: f32([3, 24, 19], randomValues(3 * 24 * 19, 12, -1, 1)),
  };
  const node = { opType: "MatMul", inputs: ["a", "b"], outputs: ["y"] };
  const theirs = await ortRun(node, inputs, [3, 17, 19]);
  assert.equal(differing(oursRun(node, inputs), theirs), 0);
});

Deno.test("onnxruntimeFloat(Gemm) equals onnxruntime bit for bit with transB, alpha, beta and one row", async () => {
  const cases = [
    { m: 30, k: 40, n: 24, alpha: 0.7, beta: 1.3 },
    { m: 1, k: 75, n: 23, alpha: 1, beta: 1 },
    { m: 3, k: 150, n: 10, alpha: 1, beta: 1 },
  ];
  for (const { m, k, n, alpha, beta } of cases) {
    const inputs = {
      a: f32([m, k], randomValues(m * k, 3 + k, -2, 2)),
      b: f32([n, k], randomValues(n * k, 4 + k, -1, 1)),
      c: f32([n], randomValues(n, 5, -1, 1)),
    };
    const node = {
      opType: "Gemm",
      inputs: ["a", "b", "c"],
      outputs: ["y"],
      attrs: { transB: attr.int(1), alpha: attr.float(alpha), beta: attr.float(beta) },
    };
    const theirs = await ortRun(node, inputs, [m, n]);
    assert.equal(differing(oursRun(node, inputs), theirs), 0, `[${m}, ${k}, ${n}]`);
  }
});

Deno.test("onnxruntimeFloat(Softmax) equals onnxruntime bit for bit on rows of 7, 8, 196 and 1000", async () => {
  for (const d of [7, 8, 196, 1000]) {
    const inputs = { x: f32([3, d], randomValues(3 * d, d, -12, 12)) };
    const node = {
      opType: "Softmax",
      inputs: ["x"],
      outputs: ["y"],
      attrs: { axis: attr.int(-1) },
    };
    const theirs = await ortRun(node, inputs, [3, d]);
    assert.equal(differing(oursRun(node, inputs), theirs), 0, `rows of ${d}`);
  }
});

Deno.test("onnxruntimeFloat(LayerNormalization) equals onnxruntime bit for bit", async () => {
  const inputs = {
    x: f32([5, 16, 192], randomValues(5 * 16 * 192, 6, -4, 6)),
    g: f32([192], randomValues(192, 7, 0.5, 1.5)),
    b: f32([192], randomValues(192, 8, -0.5, 0.5)),
  };
  const node = {
    opType: "LayerNormalization",
    inputs: ["x", "g", "b"],
    outputs: ["y"],
    attrs: { axis: attr.int(-1), epsilon: attr.float(1e-5) },
  };
  const theirs = await ortRun(node, inputs, [5, 16, 192]);
  assert.equal(differing(oursRun(node, inputs), theirs), 0);
});

Deno.test("onnxruntimeFloat(Sigmoid, Tanh) equals onnxruntime bit for bit over [−20, 20]", async () => {
  const v = randomValues(4096, 21, -20, 20);
  v.set([0, -0, 5, -5, 9, 18, -18, 1e-8, 2.5]);
  const inputs = { x: f32([4096], v) };
  for (const opType of ["Sigmoid", "Tanh"]) {
    const node = { opType, inputs: ["x"], outputs: ["y"] };
    const theirs = await ortRun(node, inputs, [4096]);
    assert.equal(differing(oursRun(node, inputs), theirs), 0, opType);
  }
});
