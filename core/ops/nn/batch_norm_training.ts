/**
 * BatchNormalization's training form (`training_mode=1`, opset 14 on): normalize with the
 * batch's own per-channel mean and (population) variance, and return the updated running
 * statistics `running = input · momentum + batch · (1 − momentum)`. Statistics are
 * accumulated in float64.
 *
 * @module
 */
import { asFloat32, fromFloat32, type Tensor } from "../../ir/tensor.ts";
import { KernelError } from "../../errors/mod.ts";
import type { KernelContext } from "../op.ts";
import { required, where } from "../_util.ts";

/** What the training form reads from the node's attributes. */
export interface BatchNormTrainingAttrs {
  readonly epsilon: number;
  readonly momentum: number;
}

/** Y, running_mean, running_var of a training-mode BatchNormalization. */
export function batchNormTraining(
  inputs: readonly (Tensor | undefined)[],
  a: BatchNormTrainingAttrs,
  ctx: KernelContext,
): Tensor[] {
  const x = required(inputs, 0, ctx);
  const n = x.rank > 0 ? x.shape[0] : 1;
  const c = x.rank > 1 ? x.shape[1] : 1;
  const inner = n * c === 0 ? 0 : x.size / (n * c);
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => {
    const t = required(inputs, i, ctx);
    if (t.size !== c) {
      throw new KernelError(
        `${where(ctx)}: input ${i} has ${t.size} elements, expected ${c} (one per channel)`,
      );
    }
    return asFloat32(t);
  });
  const xv = asFloat32(x);
  const y = new Float32Array(x.size);
  const runMean = new Float32Array(c);
  const runVar = new Float32Array(c);
  const count = n * inner;
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let ni = 0; ni < n; ni++) {
      const base = (ni * c + ch) * inner;
      for (let i = 0; i < inner; i++) s += xv[base + i];
    }
    const m = s / count;
    let v = 0;
    for (let ni = 0; ni < n; ni++) {
      const base = (ni * c + ch) * inner;
      for (let i = 0; i < inner; i++) v += (xv[base + i] - m) ** 2;
    }
    const batchVar = v / count;
    const k = scale[ch] / Math.sqrt(batchVar + a.epsilon);
    const b = bias[ch] - m * k;
    for (let ni = 0; ni < n; ni++) {
      const base = (ni * c + ch) * inner;
      for (let i = 0; i < inner; i++) y[base + i] = xv[base + i] * k + b;
    }
    runMean[ch] = mean[ch] * a.momentum + m * (1 - a.momentum);
    runVar[ch] = variance[ch] * a.momentum + batchVar * (1 - a.momentum);
  }
  const stat = (v: Float32Array, i: number) => {
    const t = required(inputs, i, ctx);
    return fromFloat32(t.dtype, t.shape, v);
  };
  return [fromFloat32(x.dtype, x.shape, y), stat(runMean, 3), stat(runVar, 4)];
}
