/**
 * MatMul (numpy semantics, batched with broadcasting) and Gemm (transposes, alpha,
 * beta, broadcast C). Float32 and the half types run on the blocked GEMM; float64 and
 * integer types run an exact-as-possible float64 loop.
 *
 * @module
 */
import type { AttrReader } from "../../ir/attribute.ts";
import type { DType } from "../../ir/dtype.ts";
import { asFloat32, fromFloat32, Tensor, writeElement } from "../../ir/tensor.ts";
import type { Dim } from "../../ir/types.ts";
import { KernelError } from "../../errors/mod.ts";
import { defineOp, type KernelContext, type RegisteredOp, type TypedOp } from "../op.ts";
import { applyEpilogue } from "../epilogue.ts";
import { softmaxTensor } from "../reduce/softmax.ts";
import { geluInPlace } from "../elementwise/_erf_wasm.ts";
import { broadcastDims, broadcastShapes, required, where } from "../_util.ts";
import { gemm } from "./gemm_kernel.ts";
import { matmulDims, type MatmulPlan, planMatmul } from "./_matmul_shape.ts";
import { matmulSoftmaxMatmulWasm, matmulWasm } from "./_matmul_wasm.ts";
import { gemmConstantB } from "./_gemm_wasm.ts";

/** True for dtypes computed through float32. */
export function isF32Like(d: DType): boolean {
  return d === "f32" || d === "f16" || d === "bf16";
}

/** All elements as float64 (int64 via Number). */
export function asFloat64(t: Tensor): Float64Array {
  const out = new Float64Array(t.size);
  const d = t.data;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    for (let i = 0; i < out.length; i++) out[i] = Number(d[i]);
  } else if (t.dtype === "f16" || t.dtype === "bf16") {
    out.set(asFloat32(t));
  } else if (Array.isArray(d)) {
    throw new KernelError(`Expected a numeric tensor, got a string tensor`);
  } else {
    out.set(d);
  }
  return out;
}

/** A tensor of `dtype` from float64 values (integers truncate toward zero). */
export function fromFloat64(dtype: DType, shape: readonly number[], v: Float64Array): Tensor {
  if (dtype === "f64") return new Tensor("f64", shape, v);
  if (isF32Like(dtype)) return fromFloat32(dtype, shape, Float32Array.from(v));
  const t = new Tensor(dtype, shape);
  for (let i = 0; i < v.length; i++) writeElement(t, i, v[i]);
  return t;
}

/** c[m,n] += a[m,k]·b[k,n] in float64 (row-major, offsets). */
function gemm64(
  plan: { m: number; n: number; k: number },
  a: Float64Array,
  ao: number,
  b: Float64Array,
  bo: number,
  c: Float64Array,
  co: number,
): void {
  const { m, n, k } = plan;
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = a[ao + i * k + p];
      const br = bo + p * n;
      const cr = co + i * n;
      for (let j = 0; j < n; j++) c[cr + j] += av * b[br + j];
    }
  }
}

/** Run a planned batched matmul in float32. */
export function matmulF32(plan: MatmulPlan, a: Float32Array, b: Float32Array): Float32Array {
  const { m, n, k, aOffsets, bOffsets } = plan;
  const batch = aOffsets.length;
  const out = new Float32Array(batch * m * n);
  let sharedB = true, contiguousA = true;
  for (let i = 0; i < batch; i++) {
    if (bOffsets[i] !== bOffsets[0]) sharedB = false;
    if (aOffsets[i] !== i * m * k) contiguousA = false;
  }
  if (sharedB && contiguousA && batch > 1) {
    gemm({ m: batch * m, n, k, a, lda: k, b, bOffset: bOffsets[0], ldb: n, c: out, ldc: n });
    return out;
  }
  for (let i = 0; i < batch; i++) {
    gemm({
      m,
      n,
      k,
      a,
      aOffset: aOffsets[i],
      lda: k,
      b,
      bOffset: bOffsets[i],
      ldb: n,
      c: out,
      cOffset: i * m * n,
      ldc: n,
    });
  }
  return out;
}

/** MatMul (opset 1, 9, 13). */
export const matMul: RegisteredOp = defineOp<Record<string, never>>({
  opType: "MatMul",
  parse: () => ({}),
  infer(ctx) {
    const [a, b] = ctx.inputTypes;
    return [{ dtype: a?.dtype ?? "f32", shape: matmulDims(a?.shape, b?.shape) }];
  },
  run(inputs, _a, ctx) {
    const a = required(inputs, 0, ctx);
    const b = required(inputs, 1, ctx);
    const plan = planMatmul(a.shape, b.shape, ctx);
    if (isF32Like(a.dtype)) {
      return [fromFloat32(a.dtype, plan.outShape, runMatmulF32(plan, a, b, ctx))];
    }
    const af = asFloat64(a), bf = asFloat64(b);
    const batch = plan.aOffsets.length;
    const out = new Float64Array(batch * plan.m * plan.n);
    for (let i = 0; i < batch; i++) {
      gemm64(plan, af, plan.aOffsets[i], bf, plan.bOffsets[i], out, i * plan.m * plan.n);
    }
    return [fromFloat64(a.dtype, plan.outShape, out)];
  },
  absorbs: ["bias", "bias-gelu", "softmax", "softmax-matmul"],
  runEpilogue(inputs, _a, ctx, epilogue) {
    const a = required(inputs, 0, ctx);
    const b = required(inputs, 1, ctx);
    if (!a.is("f32") || !b.is("f32")) return undefined;
    const plan = planMatmul(a.shape, b.shape, ctx);
    const rank = plan.outShape.length;
    const last = plan.outShape[rank - 1];
    if (epilogue.kind === "softmax-matmul") {
      // the second MatMul reads the scores where the Softmax left them (no copy out of
      // the attention scores and back in); both products as their own nodes run them
      const v = inputs[2];
      if (!v?.is("f32") || (epilogue.axis !== -1 && epilogue.axis !== rank - 1)) return undefined;
      const second = last > 0 ? secondPlan(plan.outShape, v.shape, ctx) : undefined;
      const constantB = ctx.isConstantInput?.(1) ?? false;
      const y = second &&
        matmulSoftmaxMatmulWasm(plan, a.data, b.data, constantB, second, v.data);
      return y ? [new Tensor("f32", second.outShape, y)] : undefined;
    }
    if (epilogue.kind === "softmax") {
      if (epilogue.axis !== -1 && epilogue.axis !== rank - 1) return undefined;
      // the Softmax kernel runs on the product before it leaves the kernels' memory,
      // sparing the copy out and back in of a large attention-score tensor
      const constantB = ctx.isConstantInput?.(1) ?? false;
      const y = last > 0
        ? matmulWasm(plan, a.data, b.data, constantB, ({ fn }, p, n) => {
          fn.softmaxRows(p, p, n / last, last);
        })
        : undefined;
      if (y) return [new Tensor("f32", plan.outShape, y)];
      const mm = new Tensor("f32", plan.outShape, runMatmulF32(plan, a, b, ctx));
      return [softmaxTensor(mm, -1, false, "softmax", ctx)];
    }
    // the Add keeps the MatMul's shape only when the bias spans its last axis alone
    if (
      (epilogue.kind !== "bias" && epilogue.kind !== "bias-gelu") || epilogue.rank > rank ||
      last !== epilogue.bias.length
    ) return undefined;
    const bias = epilogue.bias;
    const gelu = epilogue.kind === "bias-gelu";
    const constantB = ctx.isConstantInput?.(1) ?? false;
    // the Add kernel's own float32 add, row by row, then the Gelu kernel, before the
    // product is copied out
    const fused = last > 0
      ? matmulWasm(plan, a.data, b.data, constantB, (kern, p, n) => {
        const { heap, fn } = kern;
        const bp = heap.resident(bias, "matmul bias", bias.byteLength, (q) =>
          heap.f32(q, last).set(bias));
        for (let r = 0; r < n; r += last) {
          fn.binary(0, p + 4 * r, 1, bp, 1, p + 4 * r, last);
        }
        if (gelu) {
          geluInPlace(kern, p, n);
        }
      })
      : undefined;
    if (fused) return [new Tensor("f32", plan.outShape, fused)];
    // without the kernels, the Add and Gelu nodes run on their own
    if (epilogue.kind === "bias-gelu") return undefined;
    const y = runMatmulF32(plan, a, b, ctx);
    applyEpilogue(y, epilogue);
    return [new Tensor("f32", plan.outShape, y)];
  },
});

/**
 * The plan of the fused second MatMul, or undefined when its shapes do not multiply:
 * its own node then runs and reports that under its own name.
 */
function secondPlan(
  a: readonly number[],
  b: readonly number[],
  ctx: KernelContext,
): MatmulPlan | undefined {
  try {
    return planMatmul(a, b, ctx);
  } catch (e) {
    if (e instanceof KernelError) return undefined;
    throw e;
  }
}

/** A float32-computed MatMul's output as a new array. */
function runMatmulF32(plan: MatmulPlan, a: Tensor, b: Tensor, ctx: KernelContext): Float32Array {
  const af = asFloat32(a), bf = asFloat32(b);
  const constantB = b.is("f32") && (ctx.isConstantInput?.(1) ?? false);
  return matmulWasm(plan, af, bf, constantB) ?? matmulF32(plan, af, bf);
}

/** Parsed Gemm attributes. */
export interface GemmAttrs {
  readonly alpha: number;
  readonly beta: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

/** Parse Gemm's attributes (the same in every opset). */
export function parseGemmAttrs(r: AttrReader): GemmAttrs {
  return {
    alpha: r.float("alpha", 1),
    beta: r.float("beta", 1),
    transA: r.int("transA", 0) !== 0,
    transB: r.int("transB", 0) !== 0,
  };
}

/** Gemm (opset 1, 6, 7, 9, 11, 13). */
export const gemmOp: TypedOp<GemmAttrs> = defineOp<GemmAttrs>({
  opType: "Gemm",
  parse: parseGemmAttrs,
  infer(ctx, at) {
    const [a, b] = ctx.inputTypes;
    let shape: Dim[] | undefined;
    if (a?.shape?.length === 2 && b?.shape?.length === 2) {
      const m = at.transA ? a.shape[1] : a.shape[0];
      const n = at.transB ? b.shape[0] : b.shape[1];
      shape = [m, n];
      const c = ctx.inputTypes[2]?.shape;
      if (c) shape = broadcastDims([shape, c]).slice(-2);
    }
    return [{ dtype: a?.dtype ?? "f32", shape }];
  },
  run(inputs, at, ctx) {
    const a = required(inputs, 0, ctx);
    const b = required(inputs, 1, ctx);
    const c = inputs[2];
    if (a.rank !== 2 || b.rank !== 2) {
      throw new KernelError(
        `${where(ctx)}: A is [${a.shape.join(", ")}] and B is [${b.shape.join(", ")}], ` +
          `expected two 2-D matrices`,
      );
    }
    const m = at.transA ? a.shape[1] : a.shape[0];
    const k = at.transA ? a.shape[0] : a.shape[1];
    const kb = at.transB ? b.shape[1] : b.shape[0];
    const n = at.transB ? b.shape[0] : b.shape[1];
    if (k !== kb) {
      throw new KernelError(
        `${where(ctx)}: op(A) is ${m}x${k} but op(B) is ${kb}x${n}, inner dims must match`,
      );
    }
    const useC = c !== undefined && at.beta !== 0;
    if (c) {
      const bs = broadcastShapes([c.shape, [m, n]], ctx);
      if (bs.length !== 2 || bs[0] !== m || bs[1] !== n) {
        throw new KernelError(
          `${where(ctx)}: C of shape [${c.shape.join(", ")}] does not broadcast to [${m}, ${n}]`,
        );
      }
    }
    const f32Path = isF32Like(a.dtype);
    const out = f32Path ? new Float32Array(m * n) : new Float64Array(m * n);
    if (useC) {
      const cv = f32Path ? asFloat32(c) : asFloat64(c);
      const cr = c.rank >= 2 ? c.shape[c.rank - 2] : 1;
      const cc = c.rank >= 1 ? c.shape[c.rank - 1] : 1;
      if (at.beta === 1 && cc === n) {
        // beta 1 leaves C's values as they are: copy its rows (one row broadcast, or all)
        for (let i = 0; i < m; i++) {
          const ci = cr === 1 ? 0 : i * cc;
          out.set(cv.subarray(ci, ci + n), i * n);
        }
      } else {
        for (let i = 0; i < m; i++) {
          const ci = cr === 1 ? 0 : i * cc;
          for (let j = 0; j < n; j++) out[i * n + j] = at.beta * cv[ci + (cc === 1 ? 0 : j)];
        }
      }
    }
    if (out instanceof Float32Array) {
      const af = asFloat32(a), bf = asFloat32(b);
      const constantB = b.is("f32") && (ctx.isConstantInput?.(1) ?? false);
      if (
        constantB && at.alpha === 1 && !at.transA &&
        gemmConstantB({ m, n, k, a: af, b: bf, transB: at.transB, c: out, accumulate: useC })
      ) {
        return [fromFloat32(a.dtype, [m, n], out)];
      }
      gemm({
        m,
        n,
        k,
        a: af,
        lda: a.shape[1],
        transA: at.transA,
        b: bf,
        ldb: b.shape[1],
        transB: at.transB,
        c: out,
        ldc: n,
        alpha: at.alpha,
        accumulate: useC,
        constantB,
      });
      return [fromFloat32(a.dtype, [m, n], out)];
    }
    const av = asFloat64(a), bv = asFloat64(b);
    const lda = a.shape[1], ldb = b.shape[1];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          s += av[at.transA ? p * lda + i : i * lda + p] *
            bv[at.transB ? j * ldb + p : p * ldb + j];
        }
        out[i * n + j] += at.alpha * s;
      }
    }
    return [fromFloat64(a.dtype, [m, n], out)];
  },
});
