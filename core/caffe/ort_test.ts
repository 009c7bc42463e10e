import { strict as assert } from "node:assert";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { loadCaffeModel } from "./mod.ts";
import { encodeModel } from "../onnx/save.ts";
import { Executor } from "../exec/executor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { asFloat32, f32, type Tensor } from "../ir/tensor.ts";
import { seededRandom } from "../util/random.ts";
import type { Model } from "../ir/graph.ts";
import { similarity } from "../report/metrics.ts";

// The small converted Caffe nets checked against their hand-written ONNX twins in
// onnxruntime (one module, since onnxruntime-node must be loaded by one test module per
// process; the public deploy nets are in public_nets_test.ts).

const DIR = join(import.meta.dirname ?? ".", "../../testdata/caffe");

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
    const a = similarity(c.data, w.data);
    assert.ok(
      a.cosine >= 0.99999 && a.maxAbs <= 1e-4,
      `${name}/${out} onnxruntime: ${JSON.stringify(a)}`,
    );
    const e = ours.get(out)!;
    assert.deepEqual(e.shape, w.dims, `${name}/${out}: executor shape`);
    const b = similarity(asFloat32(e), w.data);
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
