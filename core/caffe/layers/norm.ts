/**
 * Normalisation layers: BatchNorm, Scale, Bias, LRN and SSD's Normalize.
 *
 * - BatchNorm: blobs `mean (C)`, `variance (C)` and a one-element moving-average factor
 *   `f`; Caffe uses `mean / f` and `variance / f`, and 0 when `f` is 0. axb writes ONNX
 *   BatchNormalization with those statistics, unit scale, zero bias and `eps`. Only the
 *   stored statistics are supported (`use_global_stats` true, Caffe's default in TEST);
 *   `use_global_stats: false` would normalise by batch statistics and is refused. A Scale
 *   layer right after folds into the BatchNormalization later (`merge_scale.ts`).
 * - Scale / Bias: multiply / add a blob (or the second bottom) covering axes
 *   `[axis, axis + num_axes)` of the input (`num_axes: -1` = to the end, 0 = scalar);
 *   stored as `(d…, 1, …)` so ONNX right-aligned broadcasting lines it up at `axis`.
 *   With two bottoms Scale's bias is blob 0, with one bottom blob 1.
 * - LRN ACROSS_CHANNELS is ONNX LRN (same window `(size-1)/2` before, same `k + α/n Σx²`).
 *   WITHIN_CHANNEL is `x (1 + α avg_{n×n}(x²))^-β` with zero padding counted, as Caffe
 *   builds it from Power and Pooling layers; axb writes the same chain.
 * - Normalize: `x / sqrt(Σx² + eps)`, summed over channels (or channels and space with
 *   `across_spatial`), times a scale blob (one value with `channel_shared`, else per
 *   channel).
 *
 * @module
 */
import { attr } from "../../ir/builder.ts";
import type { Tensor } from "../../ir/tensor.ts";
import type { LayerContext } from "./context.ts";

/** Caffe `BatchNorm`. */
export function batchNorm(ctx: LayerContext): string[] {
  ctx.arity(1);
  const p = ctx.param("batch_norm_param");
  if (p?.has("use_global_stats") && !p.bool("use_global_stats")) {
    ctx.unsupported(`use_global_stats: false (batch statistics); deploy nets use the stored ones`);
  }
  const x = ctx.shape();
  const c = x.length > 1 ? x[1] : 1;
  if (x.length < 2) ctx.fail(`needs an input with a channel axis, found [${x.join(", ")}]`);
  const [mean, variance, factor] = ctx.blobs([
    { role: "mean", shape: [c] },
    { role: "variance", shape: [c] },
    { role: "moving_average_factor", shape: [1] },
  ]);
  const f = factor.data[0] === 0 ? 0 : 1 / factor.data[0];
  const scaled = (t: Tensor<"f32">) => t.data.map((v) => v * f);
  const inputs = [
    ctx.inputs[0],
    ctx.emit.floats(ctx.constName("scale"), [c], new Float32Array(c).fill(1)),
    ctx.emit.floats(ctx.constName("bias"), [c], new Float32Array(c)),
    ctx.emit.floats(ctx.constName("mean"), [c], scaled(mean)),
    ctx.emit.floats(ctx.constName("variance"), [c], scaled(variance)),
  ];
  ctx.node("BatchNormalization", inputs, [ctx.outputs[0]], {
    epsilon: attr.float(p?.num("eps") ?? 1e-5),
  });
  return [ctx.outputs[0]];
}

/** The broadcast shape of a parameter covering `shape` from `axis` of a rank-`rank` input. */
function broadcastShape(shape: readonly number[], axis: number, rank: number): number[] {
  return [...shape, ...Array(rank - axis - shape.length).fill(1)];
}

/** Axes `[axis, axis + numAxes)` of `x` covered by a one-bottom Scale/Bias parameter. */
function coveredShape(ctx: LayerContext, x: number[], axis: number, numAxes: number): number[] {
  if (numAxes < -1) ctx.fail(`num_axes ${numAxes} must be -1 or more`);
  const end = numAxes === -1 ? x.length : axis + numAxes;
  if (end > x.length) {
    ctx.fail(`axis ${axis} + num_axes ${numAxes} exceed the input rank ${x.length}`);
  }
  return x.slice(axis, end);
}

/** The second operand of Scale/Bias: a blob or bottom 1, shaped for broadcasting. */
function operand(
  ctx: LayerContext,
  param: string,
  role: string,
  blob: Tensor<"f32"> | undefined,
): { value: string; shape: number[] } {
  const x = ctx.shape();
  const p = ctx.param(param);
  const rawAxis = p?.num("axis") ?? 1;
  if (blob) {
    const axis = ctx.axis(rawAxis, x.length, `${param}.axis`);
    const b = broadcastShape(blob.shape, axis, x.length);
    return { value: ctx.emit.constant(ctx.constName(role), blob.reshape(b)), shape: b };
  }
  const y = ctx.shape(1);
  const axis = y.length === 0 ? 0 : ctx.axis(rawAxis, x.length, `${param}.axis`);
  const covered = x.slice(axis, axis + y.length);
  if (covered.length !== y.length || covered.some((d, i) => d !== y[i])) {
    ctx.fail(
      `bottom 1 has shape [${y.join(", ")}], which does not match the input's axes from ${axis} ([${
        x.join(", ")
      }])`,
    );
  }
  const b = broadcastShape(y, axis, x.length);
  if (b.length === y.length) return { value: ctx.inputs[1], shape: b };
  const reshaped = ctx.temp(role);
  ctx.node(
    "Reshape",
    [ctx.inputs[1], ctx.emit.ints(ctx.constName(`${role}_shape`), b)],
    [reshaped],
    {},
    `${role}_reshape`,
  );
  return { value: reshaped, shape: b };
}

/** Caffe `Scale`. */
export function scale(ctx: LayerContext): string[] {
  ctx.arity([1, 2]);
  const p = ctx.param("scale_param");
  const x = ctx.shape();
  const fromBottom = ctx.layer.bottoms.length === 2;
  const axis = ctx.axis(p?.num("axis") ?? 1, x.length, "scale_param.axis");
  const biasTerm = p?.bool("bias_term") ?? false;
  const specs = [];
  let biasShape: number[];
  if (fromBottom) {
    biasShape = ctx.shape(1);
  } else {
    biasShape = coveredShape(ctx, x, axis, p?.num("num_axes") ?? 1);
    specs.push({ role: "scale", shape: biasShape });
  }
  if (biasTerm) specs.push({ role: "bias", shape: biasShape });
  const blobs = ctx.blobs(specs);
  const s = operand(ctx, "scale_param", "scale", fromBottom ? undefined : blobs[0]);
  const bias = biasTerm ? blobs[fromBottom ? 0 : 1] : undefined;
  const product = bias ? ctx.temp("scaled") : ctx.outputs[0];
  ctx.node("Mul", [ctx.inputs[0], s.value], [product], {}, bias ? "mul" : undefined);
  if (bias) {
    const b = ctx.emit.constant(
      ctx.constName("bias"),
      bias.reshape(broadcastShape(bias.shape, axis, x.length)),
    );
    ctx.node("Add", [product, b], [ctx.outputs[0]]);
  }
  return [ctx.outputs[0]];
}

/** Caffe `Bias`. */
export function bias(ctx: LayerContext): string[] {
  ctx.arity([1, 2]);
  const p = ctx.param("bias_param");
  const x = ctx.shape();
  let blob: Tensor<"f32"> | undefined;
  if (ctx.layer.bottoms.length === 1) {
    const axis = ctx.axis(p?.num("axis") ?? 1, x.length, "bias_param.axis");
    [blob] = ctx.blobs([{
      role: "bias",
      shape: coveredShape(ctx, x, axis, p?.num("num_axes") ?? 1),
    }]);
  } else ctx.blobs([]);
  const b = operand(ctx, "bias_param", "bias", blob);
  ctx.node("Add", [ctx.inputs[0], b.value], [ctx.outputs[0]]);
  return [ctx.outputs[0]];
}

/** Caffe `LRN`. */
export function lrn(ctx: LayerContext): string[] {
  ctx.arity(1);
  ctx.blobs([]);
  const p = ctx.param("lrn_param");
  const size = p?.num("local_size") ?? 5;
  const alpha = p?.num("alpha") ?? 1;
  const beta = p?.num("beta") ?? 0.75;
  if (size % 2 !== 1) ctx.fail(`local_size ${size} must be odd`);
  if ((p?.enumName("norm_region") ?? "ACROSS_CHANNELS") === "ACROSS_CHANNELS") {
    ctx.node("LRN", ctx.inputs, [ctx.outputs[0]], {
      size: attr.int(size),
      alpha: attr.float(alpha),
      beta: attr.float(beta),
      bias: attr.float(p?.num("k") ?? 1),
    });
    return [ctx.outputs[0]];
  }
  const x = ctx.inputs[0];
  const pad = (size - 1) / 2;
  const sq = ctx.temp("square");
  ctx.node("Mul", [x, x], [sq], {}, "square");
  const avg = ctx.temp("window_mean");
  ctx.node("AveragePool", [sq], [avg], {
    kernel_shape: attr.ints([size, size]),
    pads: attr.ints([pad, pad, pad, pad]),
    count_include_pad: attr.int(1),
  }, "pool");
  const scaled = ctx.temp("scaled");
  ctx.node(
    "Mul",
    [avg, ctx.emit.floats(ctx.constName("alpha"), [], [alpha])],
    [scaled],
    {},
    "alpha",
  );
  const shifted = ctx.temp("shifted");
  ctx.node("Add", [scaled, ctx.emit.floats(ctx.constName("one"), [], [1])], [shifted], {}, "shift");
  const powered = ctx.temp("factor");
  ctx.node(
    "Pow",
    [shifted, ctx.emit.floats(ctx.constName("neg_beta"), [], [-beta])],
    [powered],
    {},
    "pow",
  );
  ctx.node("Mul", [x, powered], [ctx.outputs[0]]);
  return [ctx.outputs[0]];
}

/** SSD `Normalize`. */
export function normalize(ctx: LayerContext): string[] {
  ctx.arity(1);
  const p = ctx.param("norm_param");
  const x = ctx.shape();
  if (x.length < 2) ctx.fail(`needs a channel axis, found [${x.join(", ")}]`);
  const shared = p?.bool("channel_shared") ?? true;
  const [s] = ctx.blobs([{ role: "scale", shape: shared ? [1] : [x[1]] }]);
  const axes = (p?.bool("across_spatial") ?? true) ? x.map((_, i) => i).slice(1) : [1];
  const sq = ctx.temp("square");
  ctx.node("Mul", [ctx.inputs[0], ctx.inputs[0]], [sq], {}, "square");
  const sum = ctx.temp("sum");
  ctx.node("ReduceSum", [sq, ctx.emit.ints(ctx.constName("axes"), axes)], [sum], {
    keepdims: attr.int(1),
  }, "sum");
  const eps = ctx.temp("sum_eps");
  ctx.node(
    "Add",
    [sum, ctx.emit.floats(ctx.constName("eps"), [], [p?.num("eps") ?? 1e-10])],
    [eps],
    {},
    "eps",
  );
  const norm = ctx.temp("norm");
  ctx.node("Sqrt", [eps], [norm], {}, "sqrt");
  const unit = ctx.temp("unit");
  ctx.node("Div", [ctx.inputs[0], norm], [unit], {}, "div");
  const sShape = shared ? [1] : [x[1], ...Array(x.length - 2).fill(1)];
  ctx.node("Mul", [unit, ctx.emit.constant(ctx.constName("scale"), s.reshape(sShape))], [
    ctx.outputs[0],
  ]);
  return [ctx.outputs[0]];
}
