/**
 * Element-wise activations: ReLU (LeakyRelu when `negative_slope` ≠ 0), ReLU6 (Clip to
 * [0, 6], a layer of several Caffe forks), PReLU, Sigmoid, TanH, ELU, AbsVal and Power.
 *
 * PReLU's slopes are one per channel (axis 1), or one for all with `channel_shared`; ONNX
 * PRelu broadcasts from the right, so they are stored as `(C, 1, …)`.
 * Power is `(shift + scale x) ^ power`, written as Mul/Add/Pow with the identity steps
 * left out (an Identity node when all three are identities).
 *
 * @module
 */
import { attr } from "../../ir/builder.ts";
import type { LayerContext } from "./context.ts";

function unary(op: string, attrs: Parameters<LayerContext["node"]>[3] = {}) {
  return (ctx: LayerContext): string[] => {
    ctx.arity(1);
    ctx.blobs([]);
    ctx.node(op, ctx.inputs, [ctx.outputs[0]], attrs);
    return [ctx.outputs[0]];
  };
}

/** Caffe `ReLU`. */
export function relu(ctx: LayerContext): string[] {
  const slope = ctx.param("relu_param")?.num("negative_slope") ?? 0;
  return slope === 0 ? unary("Relu")(ctx) : unary("LeakyRelu", { alpha: attr.float(slope) })(ctx);
}

/** `ReLU6` (fork layer): min(max(x, 0), 6). */
export function relu6(ctx: LayerContext): string[] {
  ctx.arity(1);
  ctx.blobs([]);
  const lo = ctx.emit.floats(ctx.constName("min"), [], [0]);
  const hi = ctx.emit.floats(ctx.constName("max"), [], [6]);
  ctx.node("Clip", [ctx.inputs[0], lo, hi], [ctx.outputs[0]]);
  return [ctx.outputs[0]];
}

/** Caffe `Sigmoid`. */
export const sigmoid: (ctx: LayerContext) => string[] = unary("Sigmoid");
/** Caffe `TanH`. */
export const tanh: (ctx: LayerContext) => string[] = unary("Tanh");
/** Caffe `AbsVal`. */
export const absVal: (ctx: LayerContext) => string[] = unary("Abs");

/** Caffe `ELU`. */
export function elu(ctx: LayerContext): string[] {
  const alpha = ctx.param("elu_param")?.num("alpha") ?? 1;
  return unary("Elu", { alpha: attr.float(alpha) })(ctx);
}

/** Caffe `PReLU`. */
export function prelu(ctx: LayerContext): string[] {
  ctx.arity(1);
  const x = ctx.shape();
  const shared = ctx.param("prelu_param")?.bool("channel_shared") ?? false;
  if (!shared && x.length < 2) ctx.fail(`needs a channel axis, found [${x.join(", ")}]`);
  const [slope] = ctx.blobs([{ role: "slope", shape: shared ? [1] : [x[1]] }]);
  const bshape = shared ? [1] : [x[1], ...Array(x.length - 2).fill(1)];
  const s = ctx.emit.constant(ctx.constName("slope"), slope.reshape(bshape));
  ctx.node("PRelu", [ctx.inputs[0], s], [ctx.outputs[0]]);
  return [ctx.outputs[0]];
}

/** Caffe `Power`. */
export function power(ctx: LayerContext): string[] {
  ctx.arity(1);
  ctx.blobs([]);
  const p = ctx.param("power_param");
  const pw = p?.num("power") ?? 1;
  const scale = p?.num("scale") ?? 1;
  const shift = p?.num("shift") ?? 0;
  const steps: [string, string, number][] = [];
  if (scale !== 1) steps.push(["Mul", "scale", scale]);
  if (shift !== 0) steps.push(["Add", "shift", shift]);
  if (pw !== 1) steps.push(["Pow", "power", pw]);
  if (steps.length === 0) {
    ctx.node("Identity", ctx.inputs, [ctx.outputs[0]]);
    return [ctx.outputs[0]];
  }
  let v = ctx.inputs[0];
  steps.forEach(([op, role, value], i) => {
    const last = i === steps.length - 1;
    const out = last ? ctx.outputs[0] : ctx.temp(role);
    const c = ctx.emit.floats(ctx.constName(role), [], [value]);
    ctx.node(op, [v, c], [out], {}, last ? undefined : role);
    v = out;
  });
  return [ctx.outputs[0]];
}
