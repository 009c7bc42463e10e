/**
 * Regenerates `testdata/quant_chains/`: small models holding the activation and
 * normalisation chains that PyTorch (opset 11–17) and Paddle export, for the
 * quantization agreement tests (`axb run` on the quantized and compiled models vs
 * onnxruntime on the QDQ file). Weights are seeded; the graphs follow the exporters'
 * node sequences:
 *
 * - convolutional chains on x [1, 3, 16, 16]: `Conv 3→8 (3×3) → chain → y`, then
 *   `Conv 8→8 (1×1) → z`;
 *   - `hardswish_op` (opset 14, PyTorch ≥ 14): `HardSwish`;
 *   - `hardswish_paddle` (opset 11, Paddle and PyTorch < 14 through `F.relu6`):
 *     `Add(x, 3) → Clip(0, 6) → Mul(x, ·) → Div(·, 6)`;
 *   - `hardswish_hardsigmoid` (opset 13, PyTorch < 14): `Mul(x, HardSigmoid(x, α=1/6))`;
 *   - `hardsigmoid` (opset 13): `HardSigmoid(α=1/6, β=½)`;
 *   - `silu` (opset 13, `nn.SiLU` and Paddle's swish): `Mul(x, Sigmoid(x))`;
 *   - `convtranspose_relu` (opset 13, the DBNet head's upsampling):
 *     `ConvTranspose 8→8 (2×2, stride 2) → Relu`, y [1, 8, 32, 32];
 * - transformer chains on x [1, 16, 32]: `MatMul(32×32) → Add(bias) → chain → y`, then
 *   `MatMul(32×32) → Add(bias) → z`;
 *   - `gelu_erf` (opset 13): `Div(x, √2) → Erf → Add(1) → Mul(x, ·) → Mul(·, ½)`;
 *   - `gelu_tanh` (opset 13, `approximate="tanh"`): `½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`
 *     with x³ as `Mul(x, Mul(x, x))`;
 *   - `layernorm_decomposed` (opset 13): `ReduceMean → Sub → Pow(2) → ReduceMean →
 *     Add(ε) → Sqrt → Div → Mul(γ) → Add(β)` over the last axis;
 *   - `layernorm_op` (opset 17): `LayerNormalization(axis=-1)`;
 * - `calibration_cnn.tar` / `calibration_seq.tar`: 8 `Numpy` samples each (uniform in
 *   [−3, 3)) for the two input shapes.
 *
 * Usage: deno run --allow-read --allow-write tools/build_quant_chain_fixtures.ts
 *
 * @module
 */
import { join } from "node:path";
import { createTar } from "nanotar";
import { attr, buildModel, type NodeSpec } from "../core/ir/builder.ts";
import { f32, type Tensor } from "../core/ir/tensor.ts";
import type { Model } from "../core/ir/graph.ts";
import { saveModel } from "../core/onnx/save.ts";
import { seededRandom } from "../core/util/random.ts";
import { encodeNpy } from "../core/io/npy.ts";
import { writeFileAtomic } from "../core/util/atomic_write.ts";

const OUT = join(import.meta.dirname ?? ".", "../testdata/quant_chains");

/** Seeded values uniform in [lo, hi). */
function uniform(shape: number[], seed: number, lo: number, hi: number): Tensor<"f32"> {
  const rand = seededRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return f32(shape, Float32Array.from({ length: n }, () => lo + (hi - lo) * rand()));
}

/** Weights with variance 1/fanIn, scaled by `gain`. */
function weights(shape: number[], fanIn: number, seed: number, gain = 1): Tensor<"f32"> {
  const a = gain * Math.sqrt(3 / fanIn);
  return uniform(shape, seed, -a, a);
}

/** A chain: nodes from input `x` to output `y`, with its constants. */
interface Chain {
  nodes: NodeSpec[];
  constants: Record<string, Tensor>;
  /** Spatial size of y when the chain resamples (default: x's). */
  size?: number;
}

const k = (v: number) => f32([], [v]);

const CNN_CHAINS: Record<string, { opset: number; chain: Chain }> = {
  hardswish_op: {
    opset: 14,
    chain: { nodes: [{ opType: "HardSwish", inputs: ["x"], outputs: ["y"] }], constants: {} },
  },
  hardswish_paddle: {
    opset: 11,
    chain: {
      nodes: [
        { opType: "Add", inputs: ["x", "three"], outputs: ["a"] },
        { opType: "Clip", inputs: ["a", "zero", "six"], outputs: ["c"] },
        { opType: "Mul", inputs: ["x", "c"], outputs: ["m"] },
        { opType: "Div", inputs: ["m", "six"], outputs: ["y"] },
      ],
      constants: { three: k(3), zero: k(0), six: k(6) },
    },
  },
  hardswish_hardsigmoid: {
    opset: 13,
    chain: {
      nodes: [
        {
          opType: "HardSigmoid",
          inputs: ["x"],
          outputs: ["h"],
          attrs: { alpha: attr.float(1 / 6), beta: attr.float(0.5) },
        },
        { opType: "Mul", inputs: ["x", "h"], outputs: ["y"] },
      ],
      constants: {},
    },
  },
  hardsigmoid: {
    opset: 13,
    chain: {
      nodes: [{
        opType: "HardSigmoid",
        inputs: ["x"],
        outputs: ["y"],
        attrs: { alpha: attr.float(1 / 6), beta: attr.float(0.5) },
      }],
      constants: {},
    },
  },
  silu: {
    opset: 13,
    chain: {
      nodes: [
        { opType: "Sigmoid", inputs: ["x"], outputs: ["s"] },
        { opType: "Mul", inputs: ["x", "s"], outputs: ["y"] },
      ],
      constants: {},
    },
  },
  convtranspose_relu: {
    opset: 13,
    chain: {
      nodes: [
        {
          opType: "ConvTranspose",
          inputs: ["x", "w", "b"],
          outputs: ["t"],
          attrs: { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) },
        },
        { opType: "Relu", inputs: ["t"], outputs: ["y"] },
      ],
      constants: { w: weights([8, 8, 2, 2], 32, 15), b: uniform([8], 16, -0.3, 0.3) },
      size: 32,
    },
  },
};

const SEQ_CHAINS: Record<string, { opset: number; chain: Chain }> = {
  gelu_erf: {
    opset: 13,
    chain: {
      nodes: [
        { opType: "Div", inputs: ["x", "sqrt2"], outputs: ["d"] },
        { opType: "Erf", inputs: ["d"], outputs: ["e"] },
        { opType: "Add", inputs: ["e", "one"], outputs: ["a"] },
        { opType: "Mul", inputs: ["x", "a"], outputs: ["m"] },
        { opType: "Mul", inputs: ["m", "half"], outputs: ["y"] },
      ],
      constants: { sqrt2: k(Math.SQRT2), one: k(1), half: k(0.5) },
    },
  },
  gelu_tanh: {
    opset: 13,
    chain: {
      nodes: [
        { opType: "Mul", inputs: ["x", "x"], outputs: ["x2"] },
        { opType: "Mul", inputs: ["x", "x2"], outputs: ["x3"] },
        { opType: "Mul", inputs: ["kappa", "x3"], outputs: ["kx3"] },
        { opType: "Add", inputs: ["x", "kx3"], outputs: ["s"] },
        { opType: "Mul", inputs: ["beta", "s"], outputs: ["inner"] },
        { opType: "Tanh", inputs: ["inner"], outputs: ["t"] },
        { opType: "Add", inputs: ["one", "t"], outputs: ["a"] },
        { opType: "Mul", inputs: ["x", "a"], outputs: ["m"] },
        { opType: "Mul", inputs: ["half", "m"], outputs: ["y"] },
      ],
      constants: {
        kappa: k(0.044715),
        beta: k(Math.sqrt(2 / Math.PI)),
        one: k(1),
        half: k(0.5),
      },
    },
  },
  layernorm_decomposed: {
    opset: 13,
    chain: {
      nodes: [
        {
          opType: "ReduceMean",
          inputs: ["x"],
          outputs: ["mean"],
          attrs: { axes: attr.ints([-1]) },
        },
        { opType: "Sub", inputs: ["x", "mean"], outputs: ["d"] },
        { opType: "Pow", inputs: ["d", "two"], outputs: ["sq"] },
        {
          opType: "ReduceMean",
          inputs: ["sq"],
          outputs: ["var"],
          attrs: { axes: attr.ints([-1]) },
        },
        { opType: "Add", inputs: ["var", "eps"], outputs: ["ve"] },
        { opType: "Sqrt", inputs: ["ve"], outputs: ["std"] },
        { opType: "Div", inputs: ["d", "std"], outputs: ["n"] },
        { opType: "Mul", inputs: ["n", "gamma"], outputs: ["g"] },
        { opType: "Add", inputs: ["g", "beta"], outputs: ["y"] },
      ],
      constants: {
        two: k(2),
        eps: k(1e-5),
        gamma: uniform([32], 41, 0.5, 1.5),
        beta: uniform([32], 42, -0.5, 0.5),
      },
    },
  },
  layernorm_op: {
    opset: 17,
    chain: {
      nodes: [{
        opType: "LayerNormalization",
        inputs: ["x", "gamma", "beta"],
        outputs: ["y"],
        attrs: { axis: attr.int(-1), epsilon: attr.float(1e-5) },
      }],
      constants: { gamma: uniform([32], 41, 0.5, 1.5), beta: uniform([32], 42, -0.5, 0.5) },
    },
  },
};

/** The chain's nodes with `x`/`y` and every internal name prefixed, so names stay unique. */
function placed(chain: Chain, x: string, y: string): Chain {
  const rename = (n: string) => (n === "x" ? x : n === "y" ? y : `chain.${n}`);
  const nodes = chain.nodes.map((n, i) => ({
    ...n,
    name: `chain_${n.opType}_${i}`,
    inputs: n.inputs.map(rename),
    outputs: n.outputs.map(rename),
  }));
  const constants = Object.fromEntries(
    Object.entries(chain.constants).map(([name, t]) => [rename(name), t]),
  );
  return { nodes, constants, size: chain.size };
}

function cnnModel(name: string, opset: number, chain: Chain): Model {
  const c = placed(chain, "conv1_out", "y");
  const size = chain.size ?? 16;
  return buildModel({
    name,
    opset,
    inputs: [{ name: "input", dtype: "f32", shape: [1, 3, 16, 16] }],
    outputs: [
      { name: "y", dtype: "f32", shape: [1, 8, size, size] },
      { name: "z", dtype: "f32", shape: [1, 8, size, size] },
    ],
    initializers: {
      "conv1.weight": weights([8, 3, 3, 3], 27, 11, 2),
      "conv1.bias": uniform([8], 12, -0.5, 0.5),
      "conv2.weight": weights([8, 8, 1, 1], 8, 13),
      "conv2.bias": uniform([8], 14, -0.2, 0.2),
      ...c.constants,
    },
    nodes: [
      {
        opType: "Conv",
        name: "conv1",
        inputs: ["input", "conv1.weight", "conv1.bias"],
        outputs: ["conv1_out"],
        attrs: { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) },
      },
      ...c.nodes,
      {
        opType: "Conv",
        name: "conv2",
        inputs: ["y", "conv2.weight", "conv2.bias"],
        outputs: ["z"],
        attrs: { kernel_shape: attr.ints([1, 1]) },
      },
    ],
  });
}

function seqModel(name: string, opset: number, chain: Chain): Model {
  const c = placed(chain, "fc1_out", "y");
  return buildModel({
    name,
    opset,
    inputs: [{ name: "input", dtype: "f32", shape: [1, 16, 32] }],
    outputs: [
      { name: "y", dtype: "f32", shape: [1, 16, 32] },
      { name: "z", dtype: "f32", shape: [1, 16, 32] },
    ],
    initializers: {
      "fc1.weight": weights([32, 32], 32, 21, 2),
      "fc1.bias": uniform([32], 22, -0.5, 0.5),
      "fc2.weight": weights([32, 32], 32, 23),
      "fc2.bias": uniform([32], 24, -0.2, 0.2),
      ...c.constants,
    },
    nodes: [
      { opType: "MatMul", name: "fc1", inputs: ["input", "fc1.weight"], outputs: ["fc1_mm"] },
      { opType: "Add", name: "fc1_bias", inputs: ["fc1_mm", "fc1.bias"], outputs: ["fc1_out"] },
      ...c.nodes,
      { opType: "MatMul", name: "fc2", inputs: ["y", "fc2.weight"], outputs: ["fc2_mm"] },
      { opType: "Add", name: "fc2_bias", inputs: ["fc2_mm", "fc2.bias"], outputs: ["z"] },
    ],
  });
}

async function writeCalibration(file: string, shape: number[], seed: number): Promise<void> {
  const files = Array.from({ length: 8 }, (_, i) => ({
    name: `sample_${i}.npy`,
    data: encodeNpy(uniform(shape, seed + i, -3, 3)),
  }));
  await writeFileAtomic(join(OUT, file), createTar(files));
}

await Deno.mkdir(OUT, { recursive: true });
for (const [name, { opset, chain }] of Object.entries(CNN_CHAINS)) {
  await saveModel(cnnModel(name, opset, chain), join(OUT, `${name}.onnx`));
}
for (const [name, { opset, chain }] of Object.entries(SEQ_CHAINS)) {
  await saveModel(seqModel(name, opset, chain), join(OUT, `${name}.onnx`));
}
await writeCalibration("calibration_cnn.tar", [1, 3, 16, 16], 100);
await writeCalibration("calibration_seq.tar", [1, 16, 32], 200);
console.log(`wrote ${OUT}`);
