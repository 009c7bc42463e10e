/**
 * Parameter-free normalizations: LpNormalization, LRN (across channels) and
 * MeanVarianceNormalization.
 *
 * @module
 */
import { asFloat32, fromFloat32 } from "../../ir/tensor.ts";
import { KernelError, UnsupportedOpError } from "../../errors/mod.ts";
import { defineOp, type RegisteredOp, type TypedOp } from "../op.ts";
import { normalizeAxis, required, where } from "../_util.ts";

/** Parsed LpNormalization attributes. */
export interface LpNormAttrs {
  readonly axis: number;
  readonly p: 1 | 2;
}

/** LpNormalization (opset 1, 22): x / ‖x‖_p along `axis`; zero norms leave x unchanged. */
export const lpNormalization: TypedOp<LpNormAttrs> = defineOp<LpNormAttrs>({
  opType: "LpNormalization",
  parse(r, ctx) {
    const p = r.int("p", 2);
    if (p !== 1 && p !== 2) {
      throw new UnsupportedOpError("LpNormalization", ctx.node.name, `with p=${p} (1 or 2 only)`);
    }
    return { axis: r.int("axis", -1), p };
  },
  infer: (ctx) => [{ dtype: ctx.inputTypes[0]?.dtype ?? "f32", shape: ctx.inputTypes[0]?.shape }],
  run(inputs, a, ctx) {
    const x = required(inputs, 0, ctx);
    const ax = normalizeAxis(a.axis, x.rank, ctx);
    const len = x.shape[ax];
    const inner = x.shape.slice(ax + 1).reduce((p, d) => p * d, 1);
    const outer = x.shape.slice(0, ax).reduce((p, d) => p * d, 1);
    const xv = asFloat32(x);
    const y = new Float32Array(x.size);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        let s = 0;
        for (let k = 0; k < len; k++) {
          const v = xv[base + k * inner];
          s += a.p === 2 ? v * v : Math.abs(v);
        }
        const norm = a.p === 2 ? Math.sqrt(s) : s;
        const inv = norm === 0 ? 1 : 1 / norm;
        for (let k = 0; k < len; k++) y[base + k * inner] = xv[base + k * inner] * inv;
      }
    }
    return [fromFloat32(x.dtype, x.shape, y)];
  },
});

/** Parsed LRN attributes. */
export interface LrnAttrs {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly bias: number;
}

/** LRN (opset 1, 13): y = x / (bias + alpha/size · Σ x²)^beta over neighbouring channels. */
export const lrn: RegisteredOp = defineOp<LrnAttrs>({
  opType: "LRN",
  parse(r, ctx) {
    const size = r.intOpt("size");
    if (size === undefined || size < 1) {
      throw new KernelError(`${where(ctx)}: attribute size is missing or < 1`);
    }
    return {
      size,
      alpha: r.float("alpha", 1e-4),
      beta: r.float("beta", 0.75),
      bias: r.float("bias", 1),
    };
  },
  infer: (ctx) => [{ dtype: ctx.inputTypes[0]?.dtype ?? "f32", shape: ctx.inputTypes[0]?.shape }],
  run(inputs, a, ctx) {
    const x = required(inputs, 0, ctx);
    if (x.rank < 2) {
      throw new KernelError(`${where(ctx)}: input has rank ${x.rank}, expected [N, C, …]`);
    }
    const n = x.shape[0], c = x.shape[1];
    const inner = x.shape.slice(2).reduce((p, d) => p * d, 1);
    const before = Math.floor((a.size - 1) / 2), after = Math.ceil((a.size - 1) / 2);
    const xv = asFloat32(x);
    const y = new Float32Array(x.size);
    const k = a.alpha / a.size;
    for (let ni = 0; ni < n; ni++) {
      for (let ch = 0; ch < c; ch++) {
        const lo = Math.max(0, ch - before), hi = Math.min(c - 1, ch + after);
        const base = (ni * c + ch) * inner;
        for (let i = 0; i < inner; i++) {
          let s = 0;
          for (let q = lo; q <= hi; q++) {
            const v = xv[(ni * c + q) * inner + i];
            s += v * v;
          }
          y[base + i] = xv[base + i] / Math.pow(a.bias + k * s, a.beta);
        }
      }
    }
    return [fromFloat32(x.dtype, x.shape, y)];
  },
});

/** Parsed MeanVarianceNormalization attributes. */
export interface MvnAttrs {
  readonly axes: readonly number[];
}

/**
 * MeanVarianceNormalization (opset 9, 13): (x − mean) / (sqrt(var) + 1e-9) over `axes`
 * (default [0, 2, 3]), as the ONNX function body defines it.
 */
export const meanVarianceNormalization: RegisteredOp = defineOp<MvnAttrs>({
  opType: "MeanVarianceNormalization",
  parse: (r) => ({ axes: r.ints("axes", [0, 2, 3]) }),
  infer: (ctx) => [{ dtype: ctx.inputTypes[0]?.dtype ?? "f32", shape: ctx.inputTypes[0]?.shape }],
  run(inputs, a, ctx) {
    const x = required(inputs, 0, ctx);
    const r = x.rank;
    const reduced = new Array<boolean>(r).fill(false);
    for (const ax of a.axes) reduced[normalizeAxis(ax, r, ctx)] = true;
    // Map every element to its statistics slot (the index over the kept axes).
    const slotStride = new Array<number>(r).fill(0);
    let slots = 1;
    for (let i = r - 1; i >= 0; i--) {
      if (reduced[i]) continue;
      slotStride[i] = slots;
      slots *= x.shape[i];
    }
    const count = slots === 0 ? 0 : x.size / slots;
    const slotOf = new Int32Array(x.size);
    const idx = new Array<number>(r).fill(0);
    for (let e = 0; e < x.size; e++) {
      let s = 0;
      for (let d = 0; d < r; d++) s += idx[d] * slotStride[d];
      slotOf[e] = s;
      for (let d = r - 1; d >= 0; d--) {
        if (++idx[d] < x.shape[d]) break;
        idx[d] = 0;
      }
    }
    const xv = asFloat32(x);
    const sum = new Float64Array(slots), sq = new Float64Array(slots);
    for (let e = 0; e < x.size; e++) {
      sum[slotOf[e]] += xv[e];
      sq[slotOf[e]] += xv[e] * xv[e];
    }
    const mean = new Float64Array(slots), den = new Float64Array(slots);
    for (let s = 0; s < slots; s++) {
      mean[s] = sum[s] / count;
      den[s] = Math.sqrt(Math.max(0, sq[s] / count - mean[s] * mean[s])) + 1e-9;
    }
    const y = new Float32Array(x.size);
    for (let e = 0; e < x.size; e++) y[e] = (xv[e] - mean[slotOf[e]]) / den[slotOf[e]];
    return [fromFloat32(x.dtype, x.shape, y)];
  },
});
