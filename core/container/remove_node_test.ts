import { strict as assert } from "node:assert";
import type { Model } from "../ir/graph.ts";
import { f32, type Tensor, toNumbers } from "../ir/tensor.ts";
import { UsageError } from "../errors/mod.ts";
import { decodeModel } from "../onnx/load.ts";
import { encodeModel } from "../onnx/save.ts";
import { removableNodes, removeBoundaryNode } from "./remove_node.ts";
import { readHorizonMeta } from "./horizon_meta.ts";
import { decodeCompiledModel } from "./decode.ts";
import { runCompiled } from "./runtime.ts";
import { horizonSampleModel, SAMPLE_HW } from "./_horizon_testing.ts";
import { randomTensor } from "./_testing.ts";

const HW = SAMPLE_HW;

/** A 4-D tensor with its axes permuted by `perm` (index arithmetic written out). */
function transposeTensor(t: Tensor, perm: readonly number[]): Tensor {
  const src = toNumbers(t);
  const shape = perm.map((p) => t.shape[p]);
  const strides = [t.shape[1] * t.shape[2] * t.shape[3], t.shape[2] * t.shape[3], t.shape[3], 1];
  const out: number[] = [];
  for (let a = 0; a < shape[0]; a++) {
    for (let b = 0; b < shape[1]; b++) {
      for (let c = 0; c < shape[2]; c++) {
        for (let d = 0; d < shape[3]; d++) {
          const idx = [a, b, c, d];
          let off = 0;
          perm.forEach((p, k) => off += idx[k] * strides[p]);
          out.push(src[off]);
        }
      }
    }
  }
  return f32(shape, out);
}

function run(model: Model, input: Tensor): Tensor {
  const out = runCompiled(model, new Map([["data", input]])).outputs.get("prob");
  assert.ok(out, "no output prob");
  return out;
}

function typeOf(model: Model, name: string, where: "inputs" | "outputs") {
  const v = model.graph[where].find((x) => x.name === name);
  return v?.type && !("kind" in v.type) ? { dtype: v.type.dtype, shape: v.type.shape } : undefined;
}

Deno.test("removeBoundaryNode() removes the head Transpose: the input keeps its name and takes the NCHW type", () => {
  const before = horizonSampleModel();
  const { model, removed } = removeBoundaryNode(before, "data_transpose", "m.bin");
  assert.deepEqual(typeOf(model, "data", "inputs"), { dtype: "f32", shape: [1, 3, HW, HW] });
  const cm = decodeCompiledModel(decodeModel(encodeModel(model)), "m.bin");
  assert.deepEqual(cm.groups[0].subgraphs.map((s) => s.name), [
    "subgraph_npu_0",
    "subgraph_cpu_1",
    "subgraph_npu_1",
    "subgraph_cpu_2",
  ]);
  assert.deepEqual(cm.groups[0].subgraphs[0].inputs.map((v) => v.name), ["data"]);
  // same numbers: feeding the NCHW tensor now equals feeding NHWC before
  const nhwc = randomTensor([1, HW, HW, 3], 7, 0, 1);
  const want = run(before, nhwc);
  const got = run(model, transposeTensor(nhwc, [0, 3, 1, 2]));
  assert.deepEqual(toNumbers(got), toNumbers(want));
  assert.deepEqual(removed, {
    name: "data_transpose",
    op_type: "Transpose",
    parameters: { boundary: "input", tensor: "data", perm: [0, 3, 1, 2] },
  });
  assert.deepEqual(readHorizonMeta(model)?.removed_nodes, [removed]);
});

Deno.test("removeBoundaryNode() removes the tail Transpose: the producer writes the output under its name", () => {
  const before = horizonSampleModel();
  const { model } = removeBoundaryNode(before, "prob_transpose", "m.bin");
  assert.deepEqual(typeOf(model, "prob", "outputs"), { dtype: "f32", shape: [1, 2, HW, HW] });
  const x = randomTensor([1, HW, HW, 3], 8, 0, 1);
  const want = transposeTensor(run(before, x), [0, 3, 1, 2]);
  assert.deepEqual(toNumbers(run(model, x)), toNumbers(want));
  const cm = decodeCompiledModel(model);
  assert.equal(cm.groups[0].subgraphs.at(-1)?.name, "subgraph_npu_1");
  assert.deepEqual(cm.groups[0].subgraphs.at(-1)?.outputs.map((v) => v.name), ["prob"]);
});

Deno.test("removeBoundaryNode() records each removal, and a Cast must go before the Transpose behind it", () => {
  const before = horizonSampleModel({ typeRt: "rgb", inputDtype: "u8" });
  assert.deepEqual(removableNodes(before), ["data_cast", "prob_transpose"]);
  assert.throws(
    () => removeBoundaryNode(before, "data_transpose", "m.bin"),
    (e: unknown) =>
      e instanceof UsageError && /is not at the model's head or tail/.test(e.message) &&
      /removable nodes: data_cast, prob_transpose/.test(e.message),
  );
  const once = removeBoundaryNode(before, "data_cast", "m.bin").model;
  assert.deepEqual(typeOf(once, "data", "inputs"), { dtype: "f32", shape: [1, HW, HW, 3] });
  const twice = removeBoundaryNode(once, "data_transpose", "m.bin").model;
  const meta = readHorizonMeta(twice);
  assert.deepEqual(meta?.removed_nodes.map((r) => [r.name, r.parameters.to ?? null]), [
    ["data_cast", 1],
    ["data_transpose", null],
  ]);
  assert.equal(meta?.inputs[0].type_rt, "rgb", "the conversion's input record stays");
});

Deno.test("removeBoundaryNode() refuses a BPU subgraph, a middle node, a non-removable type and an unknown name", () => {
  const m = horizonSampleModel();
  const refuse = (name: string, re: RegExp) =>
    assert.throws(() => removeBoundaryNode(m, name, "m.bin"), (e: unknown) => {
      assert.ok(e instanceof UsageError, String(e));
      assert.match(e.message, re);
      return true;
    });
  refuse("subgraph_npu_0", /"subgraph_npu_0" is a BPU subgraph/);
  refuse("cpu_mid_mul", /is not at the model's head or tail: it reads "npu0_out"/);
  refuse("cpu_out_sigmoid", /it is a Sigmoid; hb_model_modifier removes only/);
  refuse("data_transpos", /No node "data_transpos" in "m.bin" \(did you mean "data_transpose"\?\)/);
});

Deno.test("removeBoundaryNode() refuses a container without the Horizon entry", () => {
  const m = horizonSampleModel();
  const plain = {
    ...m,
    metadataProps: new Map([...m.metadataProps].filter(([k]) => k !== "axb.horizon")),
  };
  assert.throws(
    () => removeBoundaryNode(plain, "data_transpose", "c.axmodel"),
    /not a Horizon model/,
  );
});
