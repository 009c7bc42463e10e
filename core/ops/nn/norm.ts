/**
 * Normalization with learned affine parameters: BatchNormalization (inference; the
 * training form is in batch_norm_training.ts),
 * InstanceNormalization, LayerNormalization and GroupNormalization. Statistics are
 * accumulated in float64 with two passes.
 *
 * @module
 */
import { asFloat32, fromFloat32, Tensor } from "../../ir/tensor.ts";
import { KernelError, UnsupportedOpError } from "../../errors/mod.ts";
import { defineOp, type RegisteredOp, type TypedOp } from "../op.ts";
import { normalizeAxis, required, where } from "../_util.ts";
import { batchNormTraining } from "./batch_norm_training.ts";
import { layerNormWasm } from "./_layer_norm_wasm.ts";

/** Mean and 1/sqrt(var + eps) of x[start, start+n). */
function stats(x: Float32Array, start: number, n: number, eps: number): [number, number] {
  let s = 0;
  for (let i = start; i < start + n; i++) s += x[i];
  const mean = s / n;
  let v = 0;
  for (let i = start; i < start + n; i++) {
    const d = x[i] - mean;
    v += d * d;
  }
  return [mean, 1 / Math.sqrt(v / n + eps)];
}

/** y[i] = x[i]·a + b over a run. */
function affineRun(
  x: Float32Array,
  y: Float32Array,
  start: number,
  n: number,
  a: number,
  b: number,
): void {
  for (let i = start; i < start + n; i++) y[i] = x[i] * a + b;
}

function channelsAndInner(x: Tensor): [number, number, number] {
  const n = x.rank > 0 ? x.shape[0] : 1;
  const c = x.rank > 1 ? x.shape[1] : 1;
  const inner = n * c === 0 ? 0 : x.size / (n * c);
  return [n, c, inner];
}

/** Parsed BatchNormalization attributes. */
export interface BatchNormAttrs {
  readonly epsilon: number;
  /** `training_mode=1`: batch statistics and updated running ones (batch_norm_training.ts). */
  readonly training?: { readonly momentum: number };
}

/** BatchNormalization (opset 1, 6, 7, 9, 14, 15). */
export const batchNormalization: TypedOp<BatchNormAttrs> = defineOp<BatchNormAttrs>({
  opType: "BatchNormalization",
  parse(r, ctx) {
    if (r.int("training_mode", 0) !== 0) {
      return {
        epsilon: r.float("epsilon", 1e-5),
        training: { momentum: r.float("momentum", 0.9) },
      };
    }
    if (ctx.opset < 9 && r.int("spatial", 1) === 0) {
      throw new UnsupportedOpError(
        "BatchNormalization",
        ctx.node.name,
        "with spatial=0 is not supported",
      );
    }
    return { epsilon: r.float("epsilon", 1e-5) };
  },
  infer: (ctx) => [{ dtype: ctx.inputTypes[0]?.dtype ?? "f32", shape: ctx.inputTypes[0]?.shape }],
  run(inputs, a, ctx) {
    if (a.training) return batchNormTraining(inputs, { ...a, ...a.training }, ctx);
    const x = required(inputs, 0, ctx);
    const [n, c, inner] = channelsAndInner(x);
    const p = [1, 2, 3, 4].map((i) => {
      const t = required(inputs, i, ctx);
      if (t.size !== c) {
        throw new KernelError(
          `${where(ctx)}: input ${i} has ${t.size} elements, expected ${c} (one per channel)`,
        );
      }
      return asFloat32(t);
    });
    const [scale, bias, mean, variance] = p;
    const xv = asFloat32(x);
    const y = new Float32Array(x.size);
    for (let ch = 0; ch < c; ch++) {
      const k = scale[ch] / Math.sqrt(variance[ch] + a.epsilon);
      const b = bias[ch] - mean[ch] * k;
      for (let ni = 0; ni < n; ni++) affineRun(xv, y, (ni * c + ch) * inner, inner, k, b);
    }
    return [fromFloat32(x.dtype, x.shape, y)];
  },
});

/** InstanceNormalization (opset 1, 6, 22). */
export const instanceNormalization: RegisteredOp = defineOp<BatchNormAttrs>({
  opType: "InstanceNormalization",
  parse: (r) => ({ epsilon: r.float("epsilon", 1e-5) }),
  infer: (ctx) => [{ dtype: ctx.inputTypes[0]?.dtype ?? "f32", shape: ctx.inputTypes[0]?.shape }],
  run(inputs, a, ctx) {
    const x = required(inputs, 0, ctx);
    const [n, c, inner] = channelsAndInner(x);
    const scale = asFloat32(required(inputs, 1, ctx));
    const bias = asFloat32(required(inputs, 2, ctx));
    if (scale.length !== c || bias.length !== c) {
      throw new KernelError(
        `${where(ctx)}: scale/B have ${scale.length}/${bias.length} elements, expected ${c}`,
      );
    }
    const xv = asFloat32(x);
    const y = new Float32Array(x.size);
    for (let i = 0; i < n * c; i++) {
      const ch = i % c;
      const [mean, inv] = stats(xv, i * inner, inner, a.epsilon);
      const k = scale[ch] * inv;
      affineRun(xv, y, i * inner, inner, k, bias[ch] - mean * k);
    }
    return [fromFloat32(x.dtype, x.shape, y)];
  },
});

/** Parsed LayerNormalization attributes. */
export interface LayerNormAttrs {
  readonly axis: number;
  readonly epsilon: number;
}

/** Values of `t` broadcast (numpy, right-aligned) to `shape`, flattened. */
function broadcastTo(t: Tensor, shape: readonly number[], what: string, w: string): Float32Array {
  const v = asFloat32(t);
  const size = shape.reduce((p, d) => p * d, 1);
  if (v.length === size) return v;
  const r = shape.length;
  if (t.rank > r || t.shape.some((d, i) => d !== 1 && d !== shape[r - t.rank + i])) {
    throw new KernelError(
      `${w}: ${what} of shape [${t.shape.join(", ")}] does not broadcast to [${shape.join(", ")}]`,
    );
  }
  const out = new Float32Array(size);
  const strides = new Array<number>(r).fill(0);
  let acc = 1;
  for (let i = t.rank - 1; i >= 0; i--) {
    strides[r - t.rank + i] = t.shape[i] === 1 ? 0 : acc;
    acc *= t.shape[i];
  }
  const idx = new Array<number>(r).fill(0);
  for (let i = 0; i < size; i++) {
    let s = 0;
    for (let a = 0; a < r; a++) s += idx[a] * strides[a];
    out[i] = v[s];
    for (let a = r - 1; a >= 0; a--) {
      if (++idx[a] < shape[a]) break;
      idx[a] = 0;
    }
  }
  return out;
}

/** LayerNormalization (opset 17): outputs Y and optionally Mean and InvStdDev. */
export const layerNormalization: TypedOp<LayerNormAttrs> = defineOp<LayerNormAttrs>({
  opType: "LayerNormalization",
  parse: (r) => ({ axis: r.int("axis", -1), epsilon: r.float("epsilon", 1e-5) }),
  infer(ctx, a) {
    const t = ctx.inputTypes[0];
    const shape = t?.shape;
    let statShape: (string | number | null)[] | undefined;
    if (shape) {
      const ax = a.axis < 0 ? a.axis + shape.length : a.axis;
      statShape = shape.map((d, i) => (i < ax ? d : 1));
    }
    const dtype = t?.dtype ?? "f32";
    return [{ dtype, shape }, { dtype: "f32", shape: statShape }, {
      dtype: "f32",
      shape: statShape,
    }];
  },
  run(inputs, a, ctx) {
    const x = required(inputs, 0, ctx);
    const ax = normalizeAxis(a.axis, x.rank, ctx);
    const normShape = x.shape.slice(ax);
    const inner = normShape.reduce((p, d) => p * d, 1);
    const outer = inner === 0 ? 0 : x.size / inner;
    const w = where(ctx);
    const scale = broadcastTo(required(inputs, 1, ctx), normShape, "Scale", w);
    const bias = inputs[2] ? broadcastTo(inputs[2], normShape, "B", w) : undefined;
    const xv = asFloat32(x);
    const statShape = x.shape.map((d, i) => (i < ax ? d : 1));
    const fast = x.size > 0 ? layerNormWasm(xv, outer, inner, scale, bias, a.epsilon) : undefined;
    if (fast) {
      return [
        fromFloat32(x.dtype, x.shape, fast.y),
        new Tensor("f32", statShape, fast.means),
        new Tensor("f32", statShape, fast.invs),
      ];
    }
    const y = new Float32Array(x.size);
    const means = new Float32Array(outer), invs = new Float32Array(outer);
    for (let o = 0; o < outer; o++) {
      const base = o * inner;
      const [mean, inv] = stats(xv, base, inner, a.epsilon);
      means[o] = mean;
      invs[o] = inv;
      if (bias) {
        for (let i = 0; i < inner; i++) {
          y[base + i] = (xv[base + i] - mean) * inv * scale[i] + bias[i];
        }
      } else {
        for (let i = 0; i < inner; i++) y[base + i] = (xv[base + i] - mean) * inv * scale[i];
      }
    }
    return [
      fromFloat32(x.dtype, x.shape, y),
      new Tensor("f32", statShape, means),
      new Tensor("f32", statShape, invs),
    ];
  },
});

/** Parsed GroupNormalization attributes. */
export interface GroupNormAttrs {
  readonly epsilon: number;
  readonly groups: number;
}

/**
 * GroupNormalization: opset 18 takes scale/bias per group, opset 21 per channel; the
 * kernel accepts either length (per-channel when it equals C).
 */
export const groupNormalization: RegisteredOp = defineOp<GroupNormAttrs>({
  opType: "GroupNormalization",
  parse(r, ctx) {
    const groups = r.intOpt("num_groups");
    if (groups === undefined || groups < 1) {
      throw new KernelError(`${where(ctx)}: attribute num_groups is missing or < 1`);
    }
    return { epsilon: r.float("epsilon", 1e-5), groups };
  },
  infer: (ctx) => [{ dtype: ctx.inputTypes[0]?.dtype ?? "f32", shape: ctx.inputTypes[0]?.shape }],
  run(inputs, a, ctx) {
    const x = required(inputs, 0, ctx);
    const [n, c, inner] = channelsAndInner(x);
    const g = a.groups;
    if (c % g !== 0) {
      throw new KernelError(`${where(ctx)}: ${c} channels are not divisible by num_groups ${g}`);
    }
    const scale = asFloat32(required(inputs, 1, ctx));
    const bias = asFloat32(required(inputs, 2, ctx));
    const perChannel = scale.length === c;
    if ((!perChannel && scale.length !== g) || bias.length !== scale.length) {
      throw new KernelError(
        `${where(ctx)}: scale/bias have ${scale.length}/${bias.length} elements, expected ` +
          `${c} (per channel, opset 21) or ${g} (per group, opset 18)`,
      );
    }
    const cg = c / g;
    const xv = asFloat32(x);
    const y = new Float32Array(x.size);
    for (let ni = 0; ni < n; ni++) {
      for (let gi = 0; gi < g; gi++) {
        const base = (ni * c + gi * cg) * inner;
        const [mean, inv] = stats(xv, base, cg * inner, a.epsilon);
        for (let j = 0; j < cg; j++) {
          const p = perChannel ? gi * cg + j : gi;
          const k = scale[p] * inv;
          affineRun(xv, y, base + j * inner, inner, k, bias[p] - mean * k);
        }
      }
    }
    return [fromFloat32(x.dtype, x.shape, y)];
  },
});
