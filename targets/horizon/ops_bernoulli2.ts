/**
 * bernoulli2 (X3/J3) BPU operator table from spec `horizon.md` §12 (hardware constraints),
 * mapping each constraint row to the ONNX ops it covers. Ops not in this table run on the
 * CPU (the checker marks them `CPU` and splits the BPU graph there, §2, §9.1).
 *
 * ⚠ §12 is a hardware list, not an ONNX op list; the mapping is ours: Gemm = "fully
 * connected conv"; Resize = "Upscale"; DepthToSpace/SpaceToDepth (blocksize 2) = the Reshape
 * "reorder upscale" / "stack neighbour" modes; Sigmoid/Tanh = LookupTable; Clip = ReLU6.
 * MatMul, Sub, Div, Pow, Erf, ReduceMean, Transpose and Softmax (float by default, §5.4)
 * are not listed, so they go to the CPU. BatchNormalization is expected to be folded into
 * the preceding Conv by the front end and is not listed either.
 *
 * @module
 */
import { argMax } from "../../core/ops/tensor/topk.ts";
import type { OpRow, OpTable } from "../rules/rule.ts";
import { FREE } from "../rules/rule.ts";
import {
  bernoulliConv,
  bernoulliDeconv,
  bernoulliFullyConnected,
  channelSplit,
  clipAsRelu6,
  globalPool,
  MAX_CHANNELS,
  maxChannels,
  poolWindow,
  reshapeKeepsNC,
  softmaxFloat,
  upscaleRatio,
} from "./checks.ts";

const ELEMENTWISE: OpRow = {
  rules: [maxChannels("bernoulli2-eltwise-channels", MAX_CHANNELS)],
  note: "uses MACs; Mul/Max/Min are inefficient",
};
const LUT: OpRow = { rules: [], note: "int8 → int8 lookup table; uses MACs, inefficient" };
const BLOCK2: OpRow = {
  rules: [{ kind: "oneOf", attr: "blocksize", values: [2], status: "only" }],
  note: "H×W×C ↔ 2H×2W×C/4 reorder; W not a multiple of 8 is very slow",
};

/** bernoulli2 BPU operators. */
export const BERNOULLI2_OPS: OpTable = {
  Conv: {
    rules: [bernoulliConv],
    note: "kernel 2, 4, 6 wastes compute; stride > 2 wastes compute",
  },
  ConvTranspose: { rules: [bernoulliDeconv], note: "not natively supported by the BPU" },
  Gemm: { rules: [bernoulliFullyConnected] },
  AveragePool: { rules: [poolWindow("bernoulli2-avgpool", 7, [1, 2], true)] },
  GlobalAveragePool: { rules: [globalPool("bernoulli2-global-avgpool", { maxArea: 8192 })] },
  MaxPool: {
    rules: [poolWindow("bernoulli2-maxpool", 64, 256, false)],
    note: "pad > 1 or stride > 2 costs extra",
  },
  GlobalMaxPool: { rules: [globalPool("bernoulli2-global-maxpool", { maxSide: 1024 })] },
  Resize: { rules: [upscaleRatio] },
  Upsample: {
    rules: [{
      kind: "oneOf",
      attr: "mode",
      values: ["nearest"],
      default: "nearest",
      status: "only",
    }, upscaleRatio],
  },
  RoiAlign: {
    rules: [],
    note: "scale ratio in (1/256, 256] is data-dependent and not checked statically",
  },
  Concat: { rules: [], note: "input channels not a multiple of 4 are slow" },
  Split: { rules: [channelSplit], note: "output channels not a multiple of 4 are slow" },
  Slice: { rules: [], note: "start W not a multiple of 8 is slow; channel slices use MACs" },
  Reshape: { rules: [reshapeKeepsNC] },
  Flatten: { rules: [reshapeKeepsNC] },
  DepthToSpace: BLOCK2,
  SpaceToDepth: BLOCK2,
  Add: ELEMENTWISE,
  Mul: ELEMENTWISE,
  Max: ELEMENTWISE,
  Min: ELEMENTWISE,
  Sigmoid: LUT,
  Tanh: LUT,
  Pad: {
    rules: [{
      kind: "oneOf",
      attr: "mode",
      values: ["constant", "edge"],
      default: "constant",
      status: "only",
    }],
  },
  Relu: FREE,
  LeakyRelu: FREE,
  PRelu: FREE,
  Clip: { rules: [clipAsRelu6] },
  ArgMax: { rules: [maxChannels("bernoulli2-argmax-channels", 64, argMax)] },
  Softmax: { rules: [softmaxFloat] },
  Identity: FREE,
  Constant: FREE,
};
