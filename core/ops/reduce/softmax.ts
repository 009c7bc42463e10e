/**
 * Softmax, LogSoftmax and Hardmax.
 *
 * Before opset 13 the input is coerced to 2-D at `axis` (default 1) and normalised over
 * the flattened trailing block; from opset 13 normalisation runs along the single `axis`
 * (default -1). Both are an `[outer, r, inner]` view: the trailing block is `inner == 1`.
 * Softmax subtracts the maximum before exponentiating. Float32 Softmax over contiguous
 * rows runs in the wasm kernels (a vector exponential within a float32 ulp or two of
 * Math.exp) when they are loaded; the loops below are the scalar path.
 *
 * @module
 */
import { defineOp, type ParseContext, type TypedOp } from "../op.ts";
import { normalizeAxis, required, where } from "../_util.ts";
import { asFloat32, fromFloat32, Tensor } from "../../ir/tensor.ts";
import type { NumberArray } from "../../ir/dtype.ts";
import { KernelError } from "../../errors/mod.ts";
import { numericSource } from "./_numeric.ts";
import { softmaxRowsWasm } from "./_softmax_wasm.ts";

/** Which normalisation to apply. */
export type SoftmaxMode = "softmax" | "log" | "hard";

/** Parsed attributes of Softmax/LogSoftmax/Hardmax. */
export interface SoftmaxAttrs {
  readonly axis: number;
  /** True for opset < 13 (coerce to 2-D at axis). */
  readonly coerce2d: boolean;
}

/**
 * Normalise an `[outer, r, inner]` view of `src` into `out` (same layout).
 * Exported for the loss kernels.
 */
export function softmaxKernel(
  src: NumberArray,
  out: Float32Array | Float64Array,
  view: { outer: number; r: number; inner: number },
  mode: SoftmaxMode,
): void {
  const { outer, r, inner } = view;
  if (r === 0) return;
  if (inner === 1) {
    for (let o = 0; o < outer; o++) rowKernel(src, out, o * r, r, mode);
    return;
  }
  const mx = new Float64Array(inner);
  const arg = new Int32Array(inner);
  const sum = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * r * inner;
    for (let i = 0; i < inner; i++) {
      mx[i] = src[base + i];
      arg[i] = 0;
    }
    for (let j = 1; j < r; j++) {
      const rb = base + j * inner;
      for (let i = 0; i < inner; i++) {
        const v = src[rb + i];
        if (v > mx[i]) {
          mx[i] = v;
          arg[i] = j;
        }
      }
    }
    if (mode === "hard") {
      for (let j = 0; j < r; j++) {
        const rb = base + j * inner;
        for (let i = 0; i < inner; i++) out[rb + i] = arg[i] === j ? 1 : 0;
      }
      continue;
    }
    sum.fill(0);
    for (let j = 0; j < r; j++) {
      const rb = base + j * inner;
      for (let i = 0; i < inner; i++) {
        const e = Math.exp(src[rb + i] - mx[i]);
        if (mode === "softmax") out[rb + i] = e;
        sum[i] += e;
      }
    }
    if (mode === "softmax") {
      for (let i = 0; i < inner; i++) sum[i] = 1 / sum[i];
      for (let j = 0; j < r; j++) {
        const rb = base + j * inner;
        for (let i = 0; i < inner; i++) out[rb + i] *= sum[i];
      }
    } else {
      for (let i = 0; i < inner; i++) sum[i] = mx[i] + Math.log(sum[i]);
      for (let j = 0; j < r; j++) {
        const rb = base + j * inner;
        for (let i = 0; i < inner; i++) out[rb + i] = src[rb + i] - sum[i];
      }
    }
  }
}

/** One contiguous row of length `r` starting at `b`. */
function rowKernel(
  src: NumberArray,
  out: Float32Array | Float64Array,
  b: number,
  r: number,
  mode: SoftmaxMode,
): void {
  const e = b + r;
  let m = src[b];
  let arg = b;
  for (let j = b + 1; j < e; j++) {
    if (src[j] > m) {
      m = src[j];
      arg = j;
    }
  }
  if (mode === "hard") {
    for (let j = b; j < e; j++) out[j] = j === arg ? 1 : 0;
    return;
  }
  let s = 0;
  if (mode === "softmax") {
    for (let j = b; j < e; j++) {
      const x = Math.exp(src[j] - m);
      out[j] = x;
      s += x;
    }
    const inv = 1 / s;
    for (let j = b; j < e; j++) out[j] *= inv;
    return;
  }
  for (let j = b; j < e; j++) s += Math.exp(src[j] - m);
  const lse = m + Math.log(s);
  for (let j = b; j < e; j++) out[j] = src[j] - lse;
}

/** Normalise a whole tensor along `axis` (single axis) or the coerced trailing block. */
export function softmaxTensor(
  x: Tensor,
  axis: number,
  coerce2d: boolean,
  mode: SoftmaxMode,
  ctx: ParseContext,
): Tensor {
  const rank = x.rank;
  if (rank === 0) {
    throw new KernelError(`${where(ctx)}: input must have rank >= 1, got a scalar`);
  }
  const a = normalizeAxis(axis, rank, ctx);
  let outer = 1;
  for (let d = 0; d < a; d++) outer *= x.shape[d];
  let r = 1;
  let inner = 1;
  if (coerce2d) {
    for (let d = a; d < rank; d++) r *= x.shape[d];
  } else {
    r = x.shape[a];
    for (let d = a + 1; d < rank; d++) inner *= x.shape[d];
  }
  if (mode === "softmax" && inner === 1 && r > 0 && x.is("f32")) {
    const y = softmaxRowsWasm(asFloat32(x), r);
    if (y) return new Tensor("f32", x.shape, y);
  }
  const src = numericSource(x, where(ctx));
  const view = { outer, r, inner };
  if (x.is("f64")) {
    const out = new Float64Array(x.size);
    softmaxKernel(src, out, view, mode);
    return new Tensor("f64", x.shape, out);
  }
  const out = new Float32Array(x.size);
  softmaxKernel(src, out, view, mode);
  if (x.is("f32") || x.is("f16") || x.is("bf16")) return fromFloat32(x.dtype, x.shape, out);
  throw new KernelError(`${where(ctx)}: expected a float input, got ${x.dtype}`);
}

function makeSoftmaxOp(opType: string, mode: SoftmaxMode): TypedOp<SoftmaxAttrs> {
  return defineOp<SoftmaxAttrs>({
    opType,
    parse(a, ctx) {
      const coerce2d = ctx.opset < 13;
      return { axis: a.int("axis", coerce2d ? 1 : -1), coerce2d };
    },
    infer(ctx) {
      const t = ctx.inputTypes[0];
      return [t ? { dtype: t.dtype, shape: t.shape } : undefined];
    },
    run(inputs, attrs, ctx) {
      const x = required(inputs, 0, ctx);
      return [softmaxTensor(x, attrs.axis, attrs.coerce2d, mode, ctx)];
    },
  });
}

/** Softmax: exp(x − max) / Σexp(x − max). */
export const softmax: TypedOp<SoftmaxAttrs> = makeSoftmaxOp("Softmax", "softmax");
/** LogSoftmax: x − max − log Σexp(x − max). */
export const logSoftmax: TypedOp<SoftmaxAttrs> = makeSoftmaxOp("LogSoftmax", "log");
/** Hardmax: 1 at the first maximum along the axis, 0 elsewhere. */
export const hardmax: TypedOp<SoftmaxAttrs> = makeSoftmaxOp("Hardmax", "hard");
