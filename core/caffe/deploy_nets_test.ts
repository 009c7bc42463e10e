import { strict as assert } from "node:assert";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { decodeCaffeModel } from "./mod.ts";
import { parseCaffeNet } from "./net.ts";
import { convertCaffeNet } from "./convert.ts";
import { encodeCaffemodel, seededWeights } from "./_testing.ts";
import { encodeModel } from "../onnx/save.ts";
import { Executor } from "../exec/executor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { inferShapes } from "../passes/infer_shapes.ts";
import { asFloat32, f32 } from "../ir/tensor.ts";
import { seededRandom } from "../util/random.ts";

const DIR = join(import.meta.dirname ?? ".", "../../testdata/caffe/deploy");

/**
 * Public deploy net with seeded weights: the caffemodel written from the blobs the layers
 * ask for converts, infers shapes to the classifier output, runs in onnxruntime and
 * agrees with axb's executor.
 */
async function endToEnd(
  file: string,
  shapes: { data: number[]; prob: number[] } & Record<string, number[]>,
  counts: Record<string, number>,
) {
  const input = shapes.data;
  const path = join(DIR, file);
  const prototxt = Deno.readTextFileSync(path);
  const registry = defaultRegistry();
  const seeded = seededWeights(11);
  convertCaffeNet(parseCaffeNet(prototxt, path), seeded.lookup, {
    registry,
    weightsFile: "seeded",
  });
  const caffemodel = encodeCaffemodel(seeded.layers);
  const model = decodeCaffeModel({ prototxt, caffemodel, prototxtName: path });
  assert.deepEqual(model.graph.inputs.map((i) => [i.name, i.type]), [
    ["data", { dtype: "f32", shape: input }],
  ]);
  assert.deepEqual(model.graph.outputs.map((o) => [o.name, o.type]), [
    ["prob", { dtype: "f32", shape: shapes.prob }],
  ]);
  const types = inferShapes(model, registry).types;
  for (const [blob, shape] of Object.entries(shapes)) {
    assert.deepEqual(types.get(blob)?.shape, shape, `shape of ${blob}`);
  }
  const ops = new Map<string, number>();
  for (const n of model.graph.nodes) ops.set(n.opType, (ops.get(n.opType) ?? 0) + 1);
  for (const [op, n] of Object.entries(counts)) assert.equal(ops.get(op) ?? 0, n, `${op} count`);

  const rand = seededRandom(5);
  const x = f32(
    input,
    Array.from({ length: input.reduce((a, b) => a * b, 1) }, () => rand() - 0.5),
  );
  const ours = asFloat32(new Executor(model, registry).run(new Map([["data", x]])).get("prob")!);
  const session = await ort.InferenceSession.create(encodeModel(model));
  try {
    const out = await session.run({ data: new ort.Tensor("float32", asFloat32(x), input) });
    const theirs = out.prob.data as Float32Array;
    assert.equal(theirs.length, 1000);
    let maxAbs = 0;
    for (let i = 0; i < 1000; i++) maxAbs = Math.max(maxAbs, Math.abs(theirs[i] - ours[i]));
    assert.ok(maxAbs < 1e-5, `max |onnxruntime - executor| = ${maxAbs}`);
  } finally {
    await session.release();
  }
}

Deno.test("decodeCaffeModel() converts the MobileNet v1 deploy net end to end with seeded weights", async () => {
  // 27 conv layers, each with BatchNorm + Scale folded into one BatchNormalization.
  await endToEnd("mobilenet_v1_deploy.prototxt", {
    data: [1, 3, 224, 224],
    "conv5_6/sep": [1, 1024, 7, 7],
    prob: [1, 1000, 1, 1],
  }, {
    Conv: 28,
    BatchNormalization: 27,
    Mul: 0,
    Relu: 27,
    GlobalAveragePool: 1,
    Softmax: 1,
  });
});

Deno.test("decodeCaffeModel() converts the SqueezeNet v1.1 deploy net end to end with seeded weights", async () => {
  // Caffe's ceil rounding: 113 → 56 → 28 → 14 (floor would give 56 → 27 → 13).
  await endToEnd("squeezenet_v1.1_deploy.prototxt", {
    data: [1, 3, 227, 227],
    pool1: [1, 64, 56, 56],
    pool3: [1, 128, 28, 28],
    pool5: [1, 256, 14, 14],
    prob: [1, 1000, 1, 1],
  }, {
    Conv: 26,
    Concat: 8,
    MaxPool: 3,
    GlobalAveragePool: 1,
    Softmax: 1,
  });
});

Deno.test("decodeCaffeModel() converts the ResNet-50 deploy net end to end with seeded weights", async () => {
  // pool1 rounds up: 112 → 56 (floor would give 55).
  await endToEnd("resnet50_deploy.prototxt", {
    data: [1, 3, 224, 224],
    pool1: [1, 64, 56, 56],
    res5c: [1, 2048, 7, 7],
    prob: [1, 1000],
  }, {
    Conv: 53,
    BatchNormalization: 53,
    Add: 16,
    MaxPool: 1,
    AveragePool: 1,
    Gemm: 1,
    Softmax: 1,
  });
});
