/**
 * Public deploy prototxts (`testdata/caffe/public/`, sources in its SOURCES.md) with seeded
 * weights: the caffemodel is written from the blobs each layer asks for, the pair converts,
 * shape inference gives the published blob shapes, and axb's float run of the converted IR
 * agrees with onnxruntime on the converted ONNX (one module, since onnxruntime-node must be
 * loaded by one test module per process).
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { decodeCaffeModel } from "./mod.ts";
import { parseCaffeNet } from "./net.ts";
import { convertCaffeNet } from "./convert.ts";
import { encodeCaffemodel, seededWeights } from "./_testing.ts";
import { inferShapes } from "../passes/infer_shapes.ts";
import { encodeModel } from "../onnx/save.ts";
import { Executor } from "../exec/executor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { asFloat32, f32 } from "../ir/tensor.ts";
import { seededRandom } from "../util/random.ts";
import type { Model } from "../ir/graph.ts";
import { similarity } from "../report/metrics.ts";

const PUBLIC = join(import.meta.dirname ?? ".", "../../testdata/caffe/public");

/** What one public net is checked for. */
interface NetCase {
  readonly file: string;
  /** Replacement input shapes (the prototxt's batch 10 becomes 1). */
  readonly inputShapes?: Record<string, number[]>;
  /**
   * Published blob shapes at the converted input size (of blobs that keep their name: an
   * in-place Dropout's blob is the value it reads, named by its producer).
   */
  readonly shapes: Record<string, number[]>;
  /** The classifier's pre-softmax blob, compared too (a softmax of seeded logits is flat). */
  readonly logits: string;
  /** Operator counts of the converted graph. */
  readonly ops: Record<string, number>;
}

/** The prototxt and a caffemodel of seeded blobs of the shapes its layers ask for. */
function seededPair(c: NetCase): { prototxt: string; caffemodel: Uint8Array; path: string } {
  const path = join(PUBLIC, c.file);
  const prototxt = Deno.readTextFileSync(path);
  const seeded = seededWeights(11);
  convertCaffeNet(parseCaffeNet(prototxt, path), seeded.lookup, {
    registry: defaultRegistry(),
    weightsFile: "seeded",
    inputShapes: c.inputShapes,
  });
  return { prototxt, caffemodel: encodeCaffemodel(seeded.layers), path };
}

/** Convert, check shapes and op counts, then compare axb and onnxruntime on one input. */
async function endToEnd(c: NetCase): Promise<Model> {
  const { prototxt, caffemodel, path } = seededPair(c);
  const registry = defaultRegistry();
  const model = decodeCaffeModel({ prototxt, caffemodel, prototxtName: path }, {
    inputShapes: c.inputShapes,
  });
  const input = c.shapes.data;
  assert.deepEqual(model.graph.inputs.map((i) => [i.name, i.type]), [
    ["data", { dtype: "f32", shape: input }],
  ]);
  assert.deepEqual(model.graph.outputs.map((o) => [o.name, o.type]), [
    ["prob", { dtype: "f32", shape: c.shapes.prob }],
  ]);
  const types = inferShapes(model, registry).types;
  for (const [blob, shape] of Object.entries(c.shapes)) {
    assert.deepEqual(types.get(blob)?.shape, shape, `shape of ${blob}`);
  }
  const ops = new Map<string, number>();
  for (const n of model.graph.nodes) ops.set(n.opType, (ops.get(n.opType) ?? 0) + 1);
  for (const [op, n] of Object.entries(c.ops)) assert.equal(ops.get(op) ?? 0, n, `${op} count`);

  model.graph.outputs.push({ name: c.logits, type: types.get(c.logits) });
  const rand = seededRandom(5);
  const x = f32(
    input,
    Array.from({ length: input.reduce((a, b) => a * b, 1) }, () => rand() - 0.5),
  );
  const ours = new Executor(model, registry).run(new Map([["data", x]]));
  const session = await ort.InferenceSession.create(encodeModel(model));
  try {
    const out = await session.run({ data: new ort.Tensor("float32", asFloat32(x), input) });
    for (const name of ["prob", c.logits]) {
      const theirs = out[name].data;
      assert.ok(theirs instanceof Float32Array);
      const r = similarity(asFloat32(ours.get(name)!), theirs);
      assert.ok(r.cosine >= 0.99999 && r.maxAbs < 1e-4, `${name}: ${JSON.stringify(r)}`);
    }
    assert.equal(out.prob.data.length, 1000);
  } finally {
    await session.release();
  }
  return model;
}

Deno.test("decodeCaffeModel() converts the public MobileNet v1 deploy net end to end with seeded weights", async () => {
  const model = await endToEnd({
    file: "mobilenet_v1_deploy.prototxt",
    shapes: {
      data: [1, 3, 224, 224],
      conv1: [1, 32, 112, 112],
      "conv2_2/sep": [1, 128, 56, 56],
      "conv6/sep": [1, 1024, 7, 7],
      pool6: [1, 1024, 1, 1],
      fc7: [1, 1000, 1, 1],
      prob: [1, 1000, 1, 1],
    },
    logits: "fc7",
    // 27 conv layers, each with BatchNorm + Scale folded into one BatchNormalization.
    ops: { Conv: 28, BatchNormalization: 27, Mul: 0, Relu: 27, GlobalAveragePool: 1, Softmax: 1 },
  });
  const depthwise = model.graph.nodes.filter((n) => n.opType === "Conv" && n.name.endsWith("/dw"));
  assert.equal(depthwise.length, 13);
});

Deno.test("decodeCaffeModel() converts the public SqueezeNet v1.1 deploy net end to end with seeded weights", async () => {
  // Caffe's ceil rounding: 113 → 56 → 28 → 14 (floor would give 56 → 27 → 13).
  await endToEnd({
    file: "squeezenet_v1.1_deploy.prototxt",
    inputShapes: { data: [1, 3, 227, 227] },
    shapes: {
      data: [1, 3, 227, 227],
      conv1: [1, 64, 113, 113],
      pool1: [1, 64, 56, 56],
      "fire2/concat": [1, 128, 56, 56],
      pool3: [1, 128, 28, 28],
      pool5: [1, 256, 14, 14],
      "fire8/concat": [1, 512, 14, 14],
      pool10: [1, 1000, 1, 1],
      prob: [1, 1000, 1, 1],
    },
    logits: "pool10",
    ops: { Conv: 26, Concat: 8, MaxPool: 3, GlobalAveragePool: 1, Relu: 26, Softmax: 1 },
  });
});

Deno.test("decodeCaffeModel() keeps the public prototxts' batch of 10 when no input shape is given", () => {
  const asWritten: [string, number[]][] = [
    ["squeezenet_v1.1_deploy.prototxt", [10, 3, 227, 227]],
    ["bvlc_googlenet_deploy.prototxt", [10, 3, 224, 224]],
  ];
  for (const [file, shape] of asWritten) {
    const path = join(PUBLIC, file);
    const seeded = seededWeights(3);
    const model = convertCaffeNet(parseCaffeNet(Deno.readTextFileSync(path), path), seeded.lookup, {
      registry: defaultRegistry(),
      weightsFile: "seeded",
    });
    assert.deepEqual(model.graph.inputs[0].type, { dtype: "f32", shape });
    const prob = inferShapes(model, defaultRegistry()).types.get("prob")?.shape ?? [];
    assert.deepEqual(prob.slice(0, 2), [10, 1000], `${file}: batch and classes of prob`);
  }
});

Deno.test("decodeCaffeModel() converts the public ResNet-50 deploy net end to end with seeded weights", async () => {
  // pool1 rounds up: 112 → 56 (floor would give 55).
  await endToEnd({
    file: "resnet50_deploy.prototxt",
    shapes: {
      data: [1, 3, 224, 224],
      conv1: [1, 64, 112, 112],
      pool1: [1, 64, 56, 56],
      res2c: [1, 256, 56, 56],
      res3d: [1, 512, 28, 28],
      res4f: [1, 1024, 14, 14],
      res5c: [1, 2048, 7, 7],
      pool5: [1, 2048, 1, 1],
      fc1000: [1, 1000],
      prob: [1, 1000],
    },
    logits: "fc1000",
    ops: {
      Conv: 53,
      BatchNormalization: 53,
      Add: 16,
      Relu: 49,
      MaxPool: 1,
      AveragePool: 1,
      Gemm: 1,
      Softmax: 1,
    },
  });
});

Deno.test("decodeCaffeModel() converts the public GoogLeNet deploy net end to end with seeded weights", async () => {
  // Blob sizes of the GoogLeNet paper's table 1; Caffe's ceil rounding takes 112 → 56.
  await endToEnd({
    file: "bvlc_googlenet_deploy.prototxt",
    inputShapes: { data: [1, 3, 224, 224] },
    shapes: {
      data: [1, 3, 224, 224],
      "conv1/7x7_s2": [1, 64, 112, 112],
      "pool1/3x3_s2": [1, 64, 56, 56],
      "conv2/3x3": [1, 192, 56, 56],
      "pool2/3x3_s2": [1, 192, 28, 28],
      "inception_3a/output": [1, 256, 28, 28],
      "inception_3b/output": [1, 480, 28, 28],
      "pool3/3x3_s2": [1, 480, 14, 14],
      "inception_4a/output": [1, 512, 14, 14],
      "inception_4e/output": [1, 832, 14, 14],
      "pool4/3x3_s2": [1, 832, 7, 7],
      "inception_5b/output": [1, 1024, 7, 7],
      "loss3/classifier": [1, 1000],
      prob: [1, 1000],
    },
    logits: "loss3/classifier",
    ops: { Conv: 57, Relu: 57, LRN: 2, Concat: 9, MaxPool: 13, Gemm: 1, Softmax: 1 },
  });
});
