/**
 * Regenerates `testdata/hazards/`: a detector-shaped model for the range-hazard lint
 * (`core/quant/hazards.ts`) and its calibration set. Weights are seeded.
 *
 * - `detector.onnx` (opset 13), x [1, 3, 32, 32]: a backbone of two stride-2
 *   `Conv 3×3 → Relu` (16 channels, 8×8), then two 1×1 heads as YOLO-style exports
 *   write them:
 *   - boxes: `Conv 16→4 → Sigmoid → Mul(640) → Reshape [1, 4, 64]` (pixels, 0–640);
 *   - scores: `Conv 16→3 → Sigmoid → Reshape [1, 3, 64]`, the biases −3 to −1 so most
 *     scores are small, as objectness and class scores are;
 *   `Concat(axis 1) → Transpose → y [1, 64, 7]` (per anchor: 4 box values, 3 scores).
 * - `calibration_detector.tar`: 8 `Numpy` samples uniform in [−1, 1).
 *
 * Usage: deno run --allow-read --allow-write tools/build_hazard_fixtures.ts
 *
 * @module
 */
import { join } from "node:path";
import { createTar } from "nanotar";
import { attr, buildModel } from "../core/ir/builder.ts";
import { f32, s64, type Tensor } from "../core/ir/tensor.ts";
import type { Model } from "../core/ir/graph.ts";
import { saveModel } from "../core/onnx/save.ts";
import { seededRandom } from "../core/util/random.ts";
import { encodeNpy } from "../core/io/npy.ts";
import { writeFileAtomic } from "../core/util/atomic_write.ts";

const OUT = join(import.meta.dirname ?? ".", "../testdata/hazards");

/** Seeded values uniform in [lo, hi). */
function uniform(shape: number[], seed: number, lo: number, hi: number): Tensor<"f32"> {
  const rand = seededRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return f32(shape, Float32Array.from({ length: n }, () => lo + (hi - lo) * rand()));
}

/** Conv weights with variance `gain²/fanIn`. */
function weights(shape: number[], seed: number, gain = 1): Tensor<"f32"> {
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  const a = gain * Math.sqrt(3 / fanIn);
  return uniform(shape, seed, -a, a);
}

function detectorModel(): Model {
  const conv = (name: string, x: string, y: string, k: number, stride: number) => ({
    opType: "Conv",
    name,
    inputs: [x, `${name}.weight`, `${name}.bias`],
    outputs: [y],
    attrs: {
      kernel_shape: attr.ints([k, k]),
      strides: attr.ints([stride, stride]),
      pads: attr.ints(Array(4).fill((k - 1) / 2)),
    },
  });
  return buildModel({
    name: "detector",
    opset: 13,
    inputs: [{ name: "x", dtype: "f32", shape: [1, 3, 32, 32] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 64, 7] }],
    nodes: [
      conv("stem", "x", "c1", 3, 2),
      { opType: "Relu", name: "stem_relu", inputs: ["c1"], outputs: ["r1"] },
      conv("block", "r1", "c2", 3, 2),
      { opType: "Relu", name: "block_relu", inputs: ["c2"], outputs: ["feat"] },
      conv("box_head", "feat", "box_logits", 1, 1),
      { opType: "Sigmoid", name: "box_sigmoid", inputs: ["box_logits"], outputs: ["box_unit"] },
      { opType: "Mul", name: "box_scale", inputs: ["box_unit", "image_size"], outputs: ["box"] },
      { opType: "Reshape", name: "box_flat", inputs: ["box", "box_shape"], outputs: ["boxes"] },
      conv("score_head", "feat", "score_logits", 1, 1),
      {
        opType: "Sigmoid",
        name: "score_sigmoid",
        inputs: ["score_logits"],
        outputs: ["score"],
      },
      {
        opType: "Reshape",
        name: "score_flat",
        inputs: ["score", "score_shape"],
        outputs: ["scores"],
      },
      {
        opType: "Concat",
        name: "head_concat",
        inputs: ["boxes", "scores"],
        outputs: ["pred"],
        attrs: { axis: attr.int(1) },
      },
      {
        opType: "Transpose",
        name: "head_transpose",
        inputs: ["pred"],
        outputs: ["y"],
        attrs: { perm: attr.ints([0, 2, 1]) },
      },
    ],
    initializers: {
      "stem.weight": weights([16, 3, 3, 3], 1, 1.5),
      "stem.bias": uniform([16], 2, -0.1, 0.1),
      "block.weight": weights([16, 16, 3, 3], 3, 1.5),
      "block.bias": uniform([16], 4, -0.1, 0.1),
      "box_head.weight": weights([4, 16, 1, 1], 5, 2),
      "box_head.bias": uniform([4], 6, -0.5, 0.5),
      "score_head.weight": weights([3, 16, 1, 1], 7, 2),
      "score_head.bias": uniform([3], 8, -3, -1),
      image_size: f32([], [640]),
      box_shape: s64([3], [1, 4, 64]),
      score_shape: s64([3], [1, 3, 64]),
    },
  });
}

await Deno.mkdir(OUT, { recursive: true });
await saveModel(detectorModel(), join(OUT, "detector.onnx"));
const samples = Array.from({ length: 8 }, (_, i) => ({
  name: `sample_${i}.npy`,
  data: encodeNpy(uniform([1, 3, 32, 32], 300 + i, -1, 1)),
}));
// a fixed modification time, so that regenerating writes the same bytes
await writeFileAtomic(
  join(OUT, "calibration_detector.tar"),
  createTar(samples, { attrs: { mtime: 0 } }),
);
console.log(`wrote ${OUT}`);
