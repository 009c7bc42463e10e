import { strict as assert } from "node:assert";
import { attr, buildModel } from "../ir/builder.ts";
import { f32 } from "../ir/tensor.ts";
import { Executor } from "../exec/executor.ts";
import {
  act,
  calibrateAndQuantize,
  cancellingFloatModel,
  quantizeDefault,
  quantModel,
  randomFeeds,
  randomValues,
  REGISTRY,
} from "./_testing.ts";
import { QuantEmulator } from "./emulator.ts";
import {
  analyzePrecision,
  measureSample,
  type PrecisionRow,
  recordEmulation,
} from "./precision_analysis.ts";
import {
  channelCodes,
  classAgreement,
  collapseOf,
  mergeChannelCodes,
  RANGE_RATIO,
} from "./precision_channels.ts";
import { calibrate } from "./calibrate.ts";

/** `x [1, 4]` → Relu → `y`, both U8 with scale 0.5 and zero point 0. */
function reluModel() {
  const model = buildModel({
    name: "relu",
    opset: 13,
    inputs: [{ name: "x", dtype: "f32", shape: [1, 4] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 4] }],
    nodes: [{ opType: "Relu", name: "relu", inputs: ["x"], outputs: ["y"] }],
  });
  return quantModel(model, [act("x", 0.5, 0), act("y", 0.5, 0)]);
}

/**
 * Two samples. The first is off the 0.5 grid: x quantizes to codes [0, 2, 0, 5] (0.4
 * rounds to 0, -1.2 saturates at 0, 4.8 rounds to 5), i.e. [0, 1, 0, 2.5]; Relu keeps
 * them, against the float [0.2, 1, 0, 2.4]. The second is on the grid and non-negative,
 * so every comparison is exact.
 */
const SAMPLES = [
  new Map([["x", f32([1, 4], [0.2, 1.0, -0.6, 2.4])]]),
  new Map([["x", f32([1, 4], [1.5, 0.5, 0, 3])]]),
];

/** Hand-computed on the first sample, averaged with the exact second one. */
const INPUT_ROW = {
  // [0, 1, 0, 2.5] against [0.2, 1, -0.6, 2.4]: dot 7, norms² 7.25 and 7.16
  cosine: (7 / Math.sqrt(7.25 * 7.16) + 1) / 2,
  mse: ((0.04 + 0 + 0.36 + 0.01) / 4) / 2,
};
const RELU_ROW = {
  // [0, 1, 0, 2.5] against [0.2, 1, 0, 2.4]: dot 7, norms² 7.25 and 6.8
  cosine: (7 / Math.sqrt(7.25 * 6.8) + 1) / 2,
  mse: ((0.04 + 0.01) / 4) / 2,
};

function close(row: PrecisionRow, want: { cosine: number; mse: number }): void {
  assert.ok(Math.abs(row.cosine - want.cosine) < 1e-6, `${row.operator} cosine ${row.cosine}`);
  assert.ok(Math.abs(row.mse - want.mse) < 1e-7, `${row.operator} mse ${row.mse}`);
}

for (const method of ["PerLayer", "EndToEnd"] as const) {
  Deno.test(`analyzePrecision() averages hand-computed input, operator and output rows (${method})`, () => {
    const q = reluModel();
    const rows = analyzePrecision(
      new Executor(q.model, REGISTRY),
      new QuantEmulator(q, REGISTRY),
      SAMPLES,
      method,
    );
    assert.deepEqual(
      rows.map((r) => [r.kind, r.operator, r.tensor]),
      [["input", "x", "x"], ["node", "relu", "y"], ["output", "y_DequantizeLinear", "y"]],
    );
    close(rows[0], INPUT_ROW);
    close(rows[1], RELU_ROW);
    // the output handed over as float: PerLayer quantizes the float output, EndToEnd
    // takes the quantized model's; here both are [0, 1, 0, 2.5]
    close(rows[2], RELU_ROW);
  });
}

Deno.test("analyzePrecision() reports progress after each sample", () => {
  const q = reluModel();
  const seen: [number, number][] = [];
  analyzePrecision(
    new Executor(q.model, REGISTRY),
    new QuantEmulator(q, REGISTRY),
    SAMPLES,
    "PerLayer",
    { onProgress: (done, total) => seen.push([done, total]) },
  );
  assert.deepEqual(seen, [[1, 2], [2, 2]]);
});

/**
 * x → amplify (×100, a huge range) → big1; big1 + d (d small) → big2 (huge range, own
 * scale); `cancel` = big2 − big1 = d: a tiny range computed from two coarsely quantized
 * huge tensors, the layer made bad on purpose; then triple (×3) and double (×2). Every
 * tensor is calibrated (MinMax) on the samples.
 */
function cancellingModel() {
  const model = cancellingFloatModel();
  const samples = [0, 1, 2, 3].map((s) => randomFeeds(model, 40 + s));
  const stats = calibrate(new Executor(model, REGISTRY), samples, { method: "MinMax" });
  return { quant: quantizeDefault(model, stats), samples };
}

Deno.test("analyzePrecision() ranks the cancelling layer first by isolated error while the accumulated error smears over its consumers", () => {
  const { quant, samples } = cancellingModel();
  const rows = analyzePrecision(
    new Executor(quant.model, REGISTRY),
    new QuantEmulator(quant, REGISTRY),
    samples,
    "EndToEnd",
  );
  const byOp = new Map(rows.filter((r) => r.kind === "node").map((r) => [r.operator, r]));
  const cancel = byOp.get("cancel")!;
  assert.equal(cancel.offender, 1);
  // big1 and big2 each carry up to half a step (≈ 200/255 / 2 ≈ 0.39) of rounding error
  // against a difference of at most 1: the isolated cosine is far from 1
  assert.ok(cancel.isolated!.cosine < 0.95, `cancel isolated ${cancel.isolated!.cosine}`);
  for (const name of ["triple", "double"]) {
    const r = byOp.get(name)!;
    // fed the float `tiny`, these layers are exact up to their own U8 rounding ...
    assert.ok(r.isolated!.cosine > 0.999, `${name} isolated ${r.isolated!.cosine}`);
    // ... but downstream of `cancel` they look as bad as it does
    assert.ok(r.accumulated!.cosine < 0.95, `${name} accumulated ${r.accumulated!.cosine}`);
    assert.ok(r.offender === undefined || r.offender > 1);
  }
  // EndToEnd rows show the accumulated error as their Cosin
  assert.equal(cancel.cosine, cancel.accumulated!.cosine);
});

Deno.test("analyzePrecision() flags a tensor whose narrow channels collapse under a wide channel's scale", () => {
  // Concat of boxes (0..640) and 8 score channels (0.47..0.53) along the last axis, one U8 scale
  const model = buildModel({
    name: "boxes_scores",
    opset: 13,
    inputs: [
      { name: "boxes", dtype: "f32", shape: [1, 128, 4] },
      { name: "scores", dtype: "f32", shape: [1, 128, 8] },
    ],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 128, 12] }],
    nodes: [{
      opType: "Concat",
      name: "concat",
      inputs: ["boxes", "scores"],
      outputs: ["y"],
      attrs: { axis: attr.int(2) },
    }],
  });
  const samples = [0, 1].map((s) =>
    new Map([
      ["boxes", f32([1, 128, 4], randomValues(512, 10 + s, 0, 640))],
      ["scores", f32([1, 128, 8], randomValues(1024, 20 + s, 0.47, 0.53))],
    ])
  );
  const stats = calibrate(new Executor(model, REGISTRY), samples, { method: "MinMax" });
  const quant = quantizeDefault(model, stats);
  const rows = analyzePrecision(
    new Executor(model, REGISTRY),
    new QuantEmulator(quant, REGISTRY),
    samples,
    "EndToEnd",
  );
  const concat = rows.find((r) => r.kind === "node")!;
  // scale 640/255 ≈ 2.5: the scores (0.47..0.53) all round to code 0
  assert.equal(concat.collapse?.flagged, true);
  assert.equal(concat.collapse?.fewCodeChannels, 8);
  assert.equal(concat.collapse?.channels, 12);
  const out = rows.find((r) => r.kind === "output")!;
  // every score channel reads 0 where the float reads ~0.5
  assert.equal(out.agreement?.channelCosineMin, 0);
  assert.ok(out.agreement!.channelCosineMedian < 0.5);
  assert.ok(out.cosine > 0.999, "the whole-tensor cosine hides the collapse");
});

Deno.test("analyzePrecision() reports top-1/top-5 agreement for a classifier-like output", () => {
  // logits [1, 12] through a Relu on a U8 step of 11/255 ≈ 0.0431: rounding is monotonic,
  // so the float winner can only tie, and a tie counts as agreement
  const model = buildModel({
    name: "logits",
    opset: 13,
    inputs: [{ name: "x", dtype: "f32", shape: [1, 12] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 12] }],
    nodes: [{ opType: "Relu", name: "relu", inputs: ["x"], outputs: ["y"] }],
  });
  const logits = (first: number) =>
    f32([1, 12], [first, 10.99, ...Array.from({ length: 10 }, (_, i) => i)]);
  const q = quantModel(model, [act("x", 11 / 255, 0), act("y", 11 / 255, 0)]);
  const rows = analyzePrecision(
    new Executor(model, REGISTRY),
    new QuantEmulator(q, REGISTRY),
    // 11.0 and 10.99 both take code 255; 3 against 10.99 keeps class 1 on top
    [11, 3].map((v) => new Map([["x", logits(v)]])),
    "EndToEnd",
  );
  const out = rows.find((r) => r.kind === "output")!;
  assert.deepEqual([out.agreement?.top1, out.agreement?.top5], [1, 1]);
});

Deno.test("classAgreement() counts rows whose float top-1 class is first, and within the top 5, of the quantized output", () => {
  const ref = f32([2, 10], [
    ...[0, 0, 0, 9, 0, 0, 0, 0, 0, 0], // float top-1: class 3
    ...[0, 0, 0, 0, 0, 0, 0, 0, 0, 9], // float top-1: class 9
  ]);
  const got = f32([2, 10], [
    ...[0, 0, 0, 8, 9, 0, 0, 0, 0, 0], // class 4 beats class 3: top-5 only
    ...[9, 8, 7, 6, 5, 4, 0, 0, 0, 1], // six classes beat class 9: neither
  ]);
  assert.deepEqual(classAgreement(got, ref), { rows: 2, top1: 0, top5: 1 });
  assert.equal(
    classAgreement(f32([1, 9], new Array(9).fill(0)), f32([1, 9], new Array(9).fill(0))),
    undefined,
  );
});

Deno.test("collapseOf() leaves a tensor unflagged when its channels hold too few elements to judge", () => {
  // one wide channel (8 codes: 0, 80, …, 560 at a step of 640/255) and three narrow ones
  // on one code, 8 elements per channel
  const shape = [1, 4, 2, 4];
  const data = Array.from({ length: 32 }, (_, i) => (i < 8 ? i * 80 : 0.5 + (i % 2) * 0.001));
  const p = act("t", 640 / 255, 0)[1];
  if (p.kind !== "quant") throw new Error("act() gives quantized parameters");
  const codes = channelCodes(f32(shape, data), p)!;
  const c = collapseOf(codes);
  assert.equal(c.fewCodeChannels, 4);
  assert.ok(c.rangeRatio > RANGE_RATIO);
  assert.equal(c.flagged, false);
  // the same channels seen on 32 samples are flagged
  let merged = codes;
  for (let i = 1; i < 32; i++) merged = mergeChannelCodes(merged, codes);
  assert.equal(collapseOf(merged).flagged, true);
});

Deno.test("collapseOf() leaves a tensor unflagged when its few-code channels keep their values", () => {
  // the layout of the test above, but the narrow channels sit exactly on codes 0 and 1 of
  // the wide channel's scale: range ratio 224, every channel on few codes, yet the round
  // trip loses nothing, so there is no damage to point at
  const step = 640 / 255;
  const shape = [1, 4, 2, 4];
  const data = Array.from({ length: 32 }, (_, i) => (i < 8 ? i * 80 : (i % 2) * step));
  const p = act("t", step, 0)[1];
  if (p.kind !== "quant") throw new Error("act() gives quantized parameters");
  let merged = channelCodes(f32(shape, data), p)!;
  for (let i = 1; i < 32; i++) {
    merged = mergeChannelCodes(merged, channelCodes(f32(shape, data), p)!);
  }
  const c = collapseOf(merged);
  assert.equal(c.fewCodeChannels, 4);
  assert.ok(c.rangeRatio > RANGE_RATIO);
  assert.ok(c.fewCodeCosine > 0.9999, `few-code cosine ${c.fewCodeCosine}`);
  assert.equal(c.flagged, false);
  // the same narrow channels off the grid (0.5 rounds to code 0) are flagged
  const off = data.map((x, i) => (i < 8 ? x : 0.5 + (i % 2) * 0.001));
  let lossy = channelCodes(f32(shape, off), p)!;
  for (let i = 1; i < 32; i++) lossy = mergeChannelCodes(lossy, channelCodes(f32(shape, off), p)!);
  assert.equal(collapseOf(lossy).fewCodeCosine, 0);
  assert.equal(collapseOf(lossy).flagged, true);
});

Deno.test("measureSample() measures the accumulated error on the recorded emulation it is given", () => {
  const model = cancellingFloatModel();
  const quant = calibrateAndQuantize(model, 4, 70);
  const exec = new Executor(model, REGISTRY);
  const emu = new QuantEmulator(quant, REGISTRY);
  const [a, b] = [randomFeeds(model, 71), randomFeeds(model, 72)];
  const own = measureSample(exec, emu, a, "EndToEnd");
  assert.deepEqual(
    measureSample(exec, emu, a, "EndToEnd", { emulated: recordEmulation(emu, a) }),
    own,
  );
  // another sample's run: the accumulated errors (and outputs) are that run's, not a's
  const other = measureSample(exec, emu, a, "EndToEnd", { emulated: recordEmulation(emu, b) });
  const accumulated = (ms: typeof own) => ms.map((m) => m.accumulated);
  assert.notDeepEqual(accumulated(other), accumulated(own));
  assert.deepEqual(other.map((m) => m.isolated), own.map((m) => m.isolated));
});
