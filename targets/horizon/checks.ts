/**
 * Predicates for the bernoulli2 (X3/J3) BPU limits of spec `horizon.md` §12 that depend on
 * shapes: kernel sizes read from the weight, channel counts, pooling windows, scale ratios.
 * Numbers are the spec's; where it is unclear which dimension a limit applies to, the
 * choice is marked ⚠.
 *
 * @module
 */
import type { CheckFailure, CheckRule } from "../rules/rule.ts";
import type { LegalityContext } from "../target.ts";
import type { TypedOp } from "../../core/ops/op.ts";
import { conv } from "../../core/ops/nn/conv.ts";
import { convTranspose } from "../../core/ops/nn/conv_transpose.ts";
import { gemmOp } from "../../core/ops/nn/matmul.ts";
import { averagePool, maxPoolOp } from "../../core/ops/nn/pool.ts";
import { clip } from "../../core/ops/elementwise/clip.ts";
import { split } from "../../core/ops/tensor/concat_split.ts";
import { isKnown, scalarValue, showDims, withAttrs } from "../rules/checks.ts";

/** Largest channel count of conv, deconv and elementwise inputs (§12). */
export const MAX_CHANNELS = 2048;

function unknown(what: string, expected: string): CheckFailure {
  return { found: `${what} is unknown`, expected, unknown: true };
}

/** Spatial kernel of a Conv/ConvTranspose: `kernel_shape`, else the weight's trailing dims. */
function kernelOf(
  kernelShape: readonly number[] | undefined,
  ctx: LegalityContext,
): readonly number[] | undefined {
  if (kernelShape) return kernelShape;
  const w = ctx.inputTypes[1]?.shape;
  if (!w || w.length < 3) return undefined;
  const spatial = w.slice(2);
  return spatial.every(isKnown) ? spatial : undefined;
}

function inRange(v: number, lo: number, hi: number): boolean {
  return v >= lo && v <= hi;
}

/**
 * Conv: kernel H×W in [1,7]×[1,7]; channels per group <= 2048; output channels <= 2048
 * (the checker's kernel range `[[1, 2048],[1, 7],[1, 7],[1, 2048]]`, `horizon.md` §2);
 * kernel H×W×C <= 32768; dilation divisible by stride. The residual-stride limit needs the
 * consumer graph and is left to the partitioner.
 */
export const bernoulliConv: CheckRule = {
  kind: "check",
  id: "bernoulli2-conv",
  status: "limit",
  test: withAttrs(conv, (a, _node, ctx) => {
    const k = kernelOf(a.kernelShape, ctx);
    const w = ctx.inputTypes[1]?.shape;
    if (!k || !w || !isKnown(w[0]) || !isKnown(w[1])) {
      return unknown("kernel shape", "needs the weight shape");
    }
    if (k.length !== 2) {
      return { found: `kernel is ${k.length}-D`, expected: "supports 2-D convolution only" };
    }
    if (!k.every((v) => inRange(v, 1, 7))) {
      return {
        found: `kernel_shape is [${k.join(", ")}]`,
        expected: "supports kernel H×W in [1, 7]×[1, 7] only",
      };
    }
    const [outC, cPerGroup] = [w[0], w[1]];
    if (cPerGroup > MAX_CHANNELS) {
      return {
        found: `channels per group are ${cPerGroup}`,
        expected: `supports at most ${MAX_CHANNELS} channels per group`,
      };
    }
    if (outC > MAX_CHANNELS) {
      return {
        found: `output channels are ${outC}`,
        expected: `supports at most ${MAX_CHANNELS} output channels`,
      };
    }
    if (k[0] * k[1] * cPerGroup > 32768) {
      return {
        found: `kernel H×W×C is ${k[0]}×${k[1]}×${cPerGroup} = ${k[0] * k[1] * cPerGroup}`,
        expected: "supports kernel H×W×C <= 32768 only",
      };
    }
    const dil = a.dilations ?? [1, 1];
    const str = a.strides ?? [1, 1];
    for (let i = 0; i < dil.length; i++) {
      const s = str[i] ?? 1;
      if (dil[i] > 1 && dil[i] % s !== 0) {
        return {
          found: `dilation ${dil[i]} is not divisible by stride ${s}`,
          expected: "needs dilation divisible by the stride",
        };
      }
    }
    return undefined;
  }),
};

/** ConvTranspose: kernel in [2,14]²; channels <= 2048; pad <= (k−1)/2; stride in {2, 4}. */
export const bernoulliDeconv: CheckRule = {
  kind: "check",
  id: "bernoulli2-deconv",
  status: "limit",
  test: withAttrs(convTranspose, (a, _node, ctx) => {
    const k = kernelOf(a.kernelShape, ctx);
    const w = ctx.inputTypes[1]?.shape;
    if (!k || !w || !isKnown(w[0]) || !isKnown(w[1])) {
      return unknown("kernel shape", "needs the weight shape");
    }
    if (k.length !== 2 || !k.every((v) => inRange(v, 2, 14))) {
      return {
        found: `kernel_shape is [${k.join(", ")}]`,
        expected: "supports deconvolution kernel H×W in [2, 14]×[2, 14] only",
      };
    }
    const cIn = w[0];
    const cOut = w[1] * a.group;
    if (cIn > MAX_CHANNELS || cOut > MAX_CHANNELS) {
      return {
        found: `channels are ${cIn} in, ${cOut} out`,
        expected: `supports at most ${MAX_CHANNELS} channels`,
      };
    }
    const pads = a.pads ?? [0, 0, 0, 0];
    for (let i = 0; i < pads.length; i++) {
      const lim = Math.floor((k[i % 2] - 1) / 2);
      if (pads[i] < 0 || pads[i] > lim) {
        return {
          found: `pads[${i}] is ${pads[i]}`,
          expected: `supports pads in [0, (k−1)/2] = [0, ${lim}] only`,
        };
      }
    }
    const strides = a.strides ?? [1, 1];
    if (!strides.every((s) => s === 2 || s === 4)) {
      return {
        found: `strides are [${strides.join(", ")}]`,
        expected: "supports deconvolution stride 2 or 4 only",
      };
    }
    return undefined;
  }),
};

/**
 * Gemm as a fully connected conv with H = W = 1: input channels <= 16384, and the int8
 * output rule H×⌈W/8⌉×⌈C/4⌉ <= 1024 (X3/J3) with C the input channels (⚠ our reading).
 */
export const bernoulliFullyConnected: CheckRule = {
  kind: "check",
  id: "bernoulli2-fc",
  status: "limit",
  test: withAttrs(gemmOp, ({ transA }, _node, ctx) => {
    const a = ctx.inputTypes[0]?.shape;
    if (!a || a.length !== 2) return unknown("input shape", "needs a 2-D input");
    const c = a[transA ? 0 : 1];
    if (!isKnown(c)) return unknown("input channel count", "needs known input channels");
    if (c > 16384) {
      return {
        found: `input channels are ${c}`,
        expected: "supports at most 16384 channels for a 1×1 fully connected layer",
      };
    }
    if (Math.ceil(c / 4) > 1024) {
      return {
        found: `⌈C/4⌉ is ${Math.ceil(c / 4)} for C = ${c}`,
        expected: "supports H×⌈W/8⌉×⌈C/4⌉ <= 1024 only",
      };
    }
    return undefined;
  }),
};

/**
 * The channel count of input 0 must be <= `max`: dim 1 (elementwise ops), or the axis
 * that `axisOp`'s parser reads from the node (ArgMax).
 */
export function maxChannels(
  id: string,
  max: number,
  axisOp?: TypedOp<{ readonly axis: number }>,
): CheckRule {
  const test = (axisAttr: number, ctx: LegalityContext): CheckFailure | undefined => {
    const x = ctx.inputTypes[0]?.shape ?? ctx.outputTypes[0]?.shape;
    if (!x) return unknown("input shape", `needs the channel count (limit ${max})`);
    if (x.length < 2) return undefined;
    const axis = axisAttr < 0 ? axisAttr + x.length : axisAttr;
    const c = x[axis];
    if (!isKnown(c)) return unknown(`dim ${axis}`, `needs the channel count (limit ${max})`);
    if (c <= max) return undefined;
    return {
      found: `input ${showDims(x)} has ${c} channels on axis ${axis}`,
      expected: `supports at most ${max} channels`,
    };
  };
  return {
    kind: "check",
    id,
    status: "limit",
    test: axisOp
      ? withAttrs(axisOp, ({ axis }, _node, ctx) => test(axis, ctx))
      : (_node, ctx) => test(1, ctx),
  };
}

/** Pooling windows: kernel within `[1, kmax]`, strides within `[1, smax]` or a set, pads rule. */
export function poolWindow(
  id: string,
  kmax: number,
  strides: readonly number[] | number,
  padHalf: boolean,
): CheckRule {
  return {
    kind: "check",
    id,
    status: "limit",
    test: withAttrs([averagePool, maxPoolOp], (a) => {
      const k = a.kernel;
      if (!k.every((v) => inRange(v, 1, kmax))) {
        return {
          found: `kernel_shape is [${k.join(", ")}]`,
          expected: `supports pooling kernels in [1, ${kmax}] only`,
        };
      }
      const s = a.strides ?? k.map(() => 1);
      const okS = typeof strides === "number"
        ? s.every((v) => inRange(v, 1, strides))
        : s.every((v) => strides.includes(v));
      if (!okS) {
        const want = typeof strides === "number" ? `[1, ${strides}]` : `{${strides.join(", ")}}`;
        return {
          found: `strides are [${s.join(", ")}]`,
          expected: `supports pooling strides in ${want} only`,
        };
      }
      const pads = a.pads ?? [];
      for (let i = 0; i < pads.length; i++) {
        const lim = padHalf ? Math.floor((k[i % k.length] ?? 1) / 2) : Infinity;
        if (pads[i] < 0 || pads[i] > lim) {
          return {
            found: `pads[${i}] is ${pads[i]}`,
            expected: `supports pads in [0, k/2] = [0, ${lim}] only`,
          };
        }
      }
      return undefined;
    }),
  };
}

/** Global pooling: H×W <= `maxArea` (average) or H, W each <= `maxSide` (max). */
export function globalPool(id: string, limit: { maxArea?: number; maxSide?: number }): CheckRule {
  return {
    kind: "check",
    id,
    status: "limit",
    test(_node, ctx) {
      const x = ctx.inputTypes[0]?.shape;
      if (!x || x.length !== 4 || !isKnown(x[2]) || !isKnown(x[3])) {
        return unknown("input H×W", "needs a static 4-D input");
      }
      const [h, w] = [x[2], x[3]];
      if (limit.maxArea !== undefined && h * w > limit.maxArea) {
        return {
          found: `kernel H×W is ${h}×${w} = ${h * w}`,
          expected: `supports global average pooling H×W <= ${limit.maxArea} only`,
        };
      }
      if (limit.maxSide !== undefined && (h > limit.maxSide || w > limit.maxSide)) {
        return {
          found: `kernel H×W is ${h}×${w}`,
          expected: `supports global max pooling kernels in [1, ${limit.maxSide}]² only`,
        };
      }
      return undefined;
    },
  };
}

/** Clip is placed on the BPU only as ReLU (min 0, no max) or ReLU6 (min 0, max 6). */
export const clipAsRelu6: CheckRule = {
  kind: "check",
  id: "bernoulli2-clip-relu6",
  status: "limit",
  test: withAttrs(clip, (a, node, ctx) => {
    const lo = a.fromInputs ? scalarValue(ctx.constantInputs[1]) : a.attrMin;
    const hi = a.fromInputs ? scalarValue(ctx.constantInputs[2]) : a.attrMax;
    const hasMax = a.fromInputs ? Boolean(node.inputs[2]) : a.attrMax !== undefined;
    if (lo === 0 && (!hasMax || hi === 6)) return undefined;
    return {
      found: `Clip bounds are [${lo ?? "?"}, ${hasMax ? hi ?? "?" : "none"}]`,
      expected: "supports Clip as ReLU (0, none) or ReLU6 (0, 6) only",
    };
  }),
};

/** Reshape/Flatten: H/W direction only — batch (dim 0) and channels (dim 1) unchanged. */
export const reshapeKeepsNC: CheckRule = {
  kind: "check",
  id: "bernoulli2-reshape-hw",
  status: "limit",
  test(_node, ctx) {
    const x = ctx.inputTypes[0]?.shape;
    const y = ctx.outputTypes[0]?.shape;
    if (!x || !y) return unknown("input or output shape", "needs shapes to check a reshape");
    if (x.length >= 2 && y.length >= 2 && x[0] === y[0] && x[1] === y[1] && isKnown(x[1])) {
      return undefined;
    }
    return {
      found: `reshape ${showDims(x)} → ${showDims(y)} changes N or C`,
      expected: "supports reshapes in the H/W direction only (N and C unchanged)",
    };
  },
};

/** Resize/Upsample ("Upscale"): each H, W ratio output/input in (1/256, 256]. */
export const upscaleRatio: CheckRule = {
  kind: "check",
  id: "bernoulli2-upscale-ratio",
  status: "limit",
  test(_node, ctx) {
    const x = ctx.inputTypes[0]?.shape;
    const y = ctx.outputTypes[0]?.shape;
    if (!x || !y || x.length !== 4 || y.length !== 4) {
      return unknown("input or output shape", "needs static 4-D shapes");
    }
    for (const i of [2, 3]) {
      const a = x[i];
      const b = y[i];
      if (!isKnown(a) || !isKnown(b)) return unknown(`dim ${i}`, "needs static H and W");
      const r = b / a;
      if (!(r > 1 / 256 && r <= 256)) {
        return {
          found: `scale ratio on dim ${i} is ${r}`,
          expected: "supports scale ratios in (1/256, 256] only",
        };
      }
    }
    return undefined;
  },
};

/** Split along channels: the channel count must be a multiple of the number of outputs. */
export const channelSplit: CheckRule = {
  kind: "check",
  id: "bernoulli2-channel-split",
  status: "limit",
  test: withAttrs(split, (a, node, ctx) => {
    const x = ctx.inputTypes[0]?.shape;
    if (!x) return unknown("input shape", "needs the channel count");
    const axis = a.axis < 0 ? a.axis + x.length : a.axis;
    if (axis !== 1) return undefined;
    const c = x[1];
    const n = node.outputs.length;
    if (!isKnown(c)) return unknown("channel count", "needs a static channel count");
    if (c % n === 0) return undefined;
    return {
      found: `${c} channels split into ${n} outputs`,
      expected: "needs input channels to be a multiple of the split count",
    };
  }),
};

/** Softmax stays float on the CPU by default (set_Softmax_input_int8 / _output_int8 change it). */
export const softmaxFloat: CheckRule = {
  kind: "check",
  id: "bernoulli2-softmax",
  status: "only",
  test() {
    return {
      found: "Softmax is float by default",
      expected:
        "runs it on the BPU only with set_Softmax_input_int8 / set_Softmax_output_int8 (horizon.md §5.4)",
    };
  },
};
