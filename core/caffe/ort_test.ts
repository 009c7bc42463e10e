import { strict as assert } from "node:assert";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { decodeCaffeModel, loadCaffeModel } from "./mod.ts";
import { parseCaffeNet } from "./net.ts";
import { convertCaffeNet } from "./convert.ts";
import { encodeCaffemodel, seededWeights } from "./_testing.ts";
import { inferShapes } from "../passes/infer_shapes.ts";
import { encodeModel } from "../onnx/save.ts";
import { Executor } from "../exec/executor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { asFloat32, f32, type Tensor } from "../ir/tensor.ts";
import { seededRandom } from "../util/random.ts";
import type { Model } from "../ir/graph.ts";

// Converted Caffe nets checked in onnxruntime (one module, since onnxruntime-node must be
// loaded by one test module per process): the small nets against their hand-written ONNX
// twins, the public deploy nets end to end.

const DIR = join(import.meta.dirname ?? ".", "../../testdata/caffe");
const DEPLOY = join(DIR, "deploy");

/** Cosine similarity and max |a - b|. */
function compare(a: Float32Array, b: Float32Array): { cosine: number; maxAbs: number } {
  assert.equal(a.length, b.length);
  let dot = 0, na = 0, nb = 0, maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
    maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
  }
  const cosine = na === 0 && nb === 0 ? 1 : dot / Math.sqrt(na * nb);
  return { cosine, maxAbs };
}

function inputsOf(model: Model, seed: number): Map<string, Tensor> {
  const rand = seededRandom(seed);
  const feeds = new Map<string, Tensor>();
  for (const v of model.graph.runtimeInputs) {
    const shape = (v.type && "shape" in v.type ? v.type.shape : []) as number[];
    const n = shape.reduce((a, d) => a * d, 1);
    feeds.set(v.name, f32(shape, Array.from({ length: n }, () => rand() * 4 - 2)));
  }
  return feeds;
}

async function runOrt(bytes: Uint8Array, feeds: Map<string, Tensor>) {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, t] of feeds) ortFeeds[k] = new ort.Tensor("float32", asFloat32(t), [...t.shape]);
    const out = await session.run(ortFeeds);
    const res = new Map<string, { data: Float32Array; dims: readonly number[] }>();
    for (const name of session.outputNames) {
      const t = out[name];
      assert.ok(t.data instanceof Float32Array);
      res.set(name, { data: t.data, dims: t.dims });
    }
    return res;
  } finally {
    await session.release();
  }
}

async function check(name: string, expectOps?: (m: Model) => void) {
  const model = await loadCaffeModel(
    join(DIR, `${name}.prototxt`),
    join(DIR, `${name}.caffemodel`),
  );
  expectOps?.(model);
  const golden = Deno.readFileSync(join(DIR, `${name}.onnx`));
  const feeds = inputsOf(model, 7);
  const want = await runOrt(golden, feeds);
  const converted = await runOrt(encodeModel(model), feeds);
  const ours = new Executor(model, defaultRegistry()).run(feeds);
  assert.deepEqual([...converted.keys()].sort(), [...want.keys()].sort());
  for (const [out, w] of want) {
    const c = converted.get(out)!;
    assert.deepEqual(c.dims, w.dims, `${name}/${out}: shape`);
    const a = compare(c.data, w.data);
    assert.ok(
      a.cosine >= 0.99999 && a.maxAbs <= 1e-4,
      `${name}/${out} onnxruntime: ${JSON.stringify(a)}`,
    );
    const e = ours.get(out)!;
    assert.deepEqual(e.shape, w.dims, `${name}/${out}: executor shape`);
    const b = compare(asFloat32(e), w.data);
    assert.ok(
      b.cosine >= 0.99999 && b.maxAbs <= 1e-4,
      `${name}/${out} executor: ${JSON.stringify(b)}`,
    );
  }
}

Deno.test("loadCaffeModel() matches the hand-written ONNX twin when pooling uses Caffe's ceil rounding", async () => {
  await check("pool_ceil", (m) => {
    const ops = m.graph.nodes.map((n) => n.opType);
    // The padded average pool with a partial last window needs the explicit form.
    assert.ok(ops.includes("Pad") && ops.includes("Mul"), ops.join(","));
  });
});

Deno.test("loadCaffeModel() matches the ONNX twin for BatchNorm + Scale and Eltwise", async () => {
  await check("bn_scale", (m) => {
    const ops = m.graph.nodes.map((n) => n.opType);
    assert.equal(ops.filter((o) => o === "BatchNormalization").length, 2);
    // Both Scale layers fold into their BatchNorm.
    assert.equal(m.graph.nodes.filter((n) => n.name.startsWith("scale")).length, 0);
  });
});

Deno.test("loadCaffeModel() matches the ONNX twin for a V1 `layers` net with legacy blobs", async () => {
  await check("legacy_v1");
});

Deno.test("loadCaffeModel() matches the ONNX twin for deconvolution, crop, resize, normalize and the rest", async () => {
  await check("misc");
});

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
  const path = join(DEPLOY, file);
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
