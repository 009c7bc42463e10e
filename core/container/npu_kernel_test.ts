import { strict as assert } from "node:assert";
import { attrReader } from "../ir/attribute.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { KernelError } from "../errors/mod.ts";
import { encodeCompiledModel } from "./encode.ts";
import { npuRunLog, npuSubgraphOp } from "./npu_kernel.ts";
import { decomposeBatch } from "./batch.ts";
import { randomTensor, sampleCompiledModel } from "./_testing.ts";
import { buildModel } from "../ir/builder.ts";
import { f32 } from "../ir/tensor.ts";
import { toQdqModel } from "../quant/qdq_export.ts";
import { calibrateAndQuantize } from "../quant/_testing.ts";

const MODEL = encodeCompiledModel(sampleCompiledModel([1, 2, 4]));
const NODE = MODEL.graph.nodes[0];

function prepare() {
  const op = npuSubgraphOp(defaultRegistry());
  const step = op.prepare(attrReader(NODE.attrs, NODE.name, NODE.opType), { opset: 1, node: NODE });
  return { op, step };
}

Deno.test("npuSubgraphOp() infers the program's output types with the input's batch", () => {
  const { step } = prepare();
  const types = step.infer({
    opset: 1,
    node: NODE,
    inputTypes: [{ dtype: "f32", shape: [9, 3, 4, 4] }],
    constantInput: () => undefined,
  });
  // program output is ["N", 4, null, null]; the batch becomes the input's
  assert.deepEqual(types, [{ dtype: "f32", shape: [9, 4, null, null] }]);
});

Deno.test("npuSubgraphOp() records the decomposition of the last run per node", () => {
  const { op, step } = prepare();
  const ctx = { opset: 1, node: NODE, runSubgraph: () => [] };
  const [out] = step.run([randomTensor([9, 3, 4, 4], 2, 0, 1)], ctx);
  assert.deepEqual(out.shape, [9, 4, 4, 4]);
  const last = op.lastRuns.get("subgraph_npu_0");
  assert.deepEqual(last?.chunks.map((c) => c.batch), [4, 4, 1]);
  step.run([randomTensor([3, 3, 4, 4], 2, 0, 1)], ctx);
  assert.deepEqual(op.lastRuns.get("subgraph_npu_0")?.chunks.map((c) => c.batch), [2, 1]);
});

Deno.test("npuSubgraphOp() refuses a node whose batches attribute is missing", () => {
  const attrs = new Map(NODE.attrs);
  attrs.delete("batches");
  const op = npuSubgraphOp(defaultRegistry());
  assert.throws(
    () => op.prepare(attrReader(attrs, NODE.name, NODE.opType), { opset: 1, node: NODE }),
    (e) => e instanceof KernelError && /subgraph_npu_0.*batches/.test(e.message),
  );
});

Deno.test("npuRunLog() gives each run's compiled batch size and the split of the batch", () => {
  const run = (batch: number, batches: number[]) => ({
    node: "subgraph_npu_0",
    group: 0,
    batch,
    batches,
    chunks: decomposeBatch(batch, batches),
  });
  assert.deepEqual(npuRunLog(run(3, [1, 2, 4])), [
    "subgraph_npu_0: batch 3 = 2 + 1 over the compiled batches [1, 2, 4]",
    "running npu subgraph: subgraph_npu_0, version: 1, target batch: 1 (size 2)",
    "running npu subgraph: subgraph_npu_0, version: 1, target batch: 0 (size 1)",
  ]);
  assert.deepEqual(npuRunLog(run(1, [1])), [
    "running npu subgraph: subgraph_npu_0, version: 1, target batch: 0 (size 1)",
  ]);
  assert.deepEqual(
    npuRunLog(run(3, [2]))[0],
    "subgraph_npu_0: batch 3 = 2 + 1 (padded to 2) over the compiled batches [2]",
  );
});

Deno.test("npuSubgraphOp() runs a program whose inputs differ in shape beyond the batch", () => {
  // y = a + c with a [N, 4] and c [N, 1]: each input's dims are free of the other's
  const float = buildModel({
    inputs: [
      { name: "a", dtype: "f32", shape: [1, 4] },
      { name: "c", dtype: "f32", shape: [1, 1] },
    ],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 4] }],
    nodes: [{ opType: "Add", inputs: ["a", "c"], outputs: ["y"] }],
  });
  const io = (name: string, c: number) => ({
    name,
    type: { dtype: "f32" as const, shape: [2, c] },
  });
  const model = encodeCompiledModel({
    groups: [{
      index: 0,
      inputs: [io("a", 4), io("c", 1)],
      outputs: [io("y", 4)],
      subgraphs: [{
        kind: "npu",
        name: "subgraph_npu_0",
        inputs: [io("a", 4), io("c", 1)],
        outputs: [io("y", 4)],
        target: "AX650",
        npuMode: "NPU1",
        batches: [2],
        program: toQdqModel(calibrateAndQuantize(float, 2, 30)),
        tiling: { ops: [], budget: 65536 },
        cost: undefined,
      }],
    }],
    cpuInitializers: new Map(),
    config: {},
    version: "0.1.0",
    target: "AX650",
  });
  const node = model.graph.nodes[0];
  const step = npuSubgraphOp(defaultRegistry()).prepare(
    attrReader(node.attrs, node.name, node.opType),
    { opset: 1, node },
  );
  const ctx = { opset: 1, node, runSubgraph: () => [] };
  const [y] = step.run([f32([2, 4], [0, 0.5, -0.5, 1, 0, 0, 0, 0]), f32([2, 1], [0, 0.5])], ctx);
  assert.deepEqual(y.shape, [2, 4]);
});
