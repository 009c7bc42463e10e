/**
 * Operators that produce new tensors from shapes or scalars: Shape, Size,
 * ConstantOfShape, Range and EyeLike.
 *
 * @module
 */
import { type DType, dtypeFromOnnx } from "../../ir/dtype.ts";
import { readNumber, s64, Tensor, writeElement } from "../../ir/tensor.ts";
import type { Dim } from "../../ir/types.ts";
import { defineOp, type RegisteredOp, type TypedOp } from "../op.ts";
import { intsOf, required, where } from "../_util.ts";
import { KernelError, UnsupportedOpError } from "../../errors/mod.ts";
import { filled } from "./_layout.ts";
import { clamp, constInts, list, shapeOf } from "./_shape.ts";

/** Parsed Shape attributes: the [start, end) cut of the dims (opset 15; all dims before). */
export interface ShapeAttrs {
  readonly start: number;
  readonly end?: number;
}

/** The clamped [begin, end) of a rank-`rank` input's dims that Shape returns. */
export function shapeRange(rank: number, a: ShapeAttrs): [number, number] {
  const norm = (v: number) => clamp(v < 0 ? v + rank : v, 0, rank);
  return [norm(a.start), a.end === undefined ? rank : norm(a.end)];
}

/** ONNX Shape: the input's dims as int64, optionally cut to [start, end) (opset 15). */
export const shape: TypedOp<ShapeAttrs> = defineOp<ShapeAttrs>({
  opType: "Shape",
  parse: (a, ctx) =>
    ctx.opset >= 15 ? { start: a.int("start", 0), end: a.intOpt("end") } : { start: 0 },
  infer(ctx, a) {
    const s = shapeOf(ctx, 0);
    if (!s) return [{ dtype: "s64", shape: [null] }];
    const [b, e] = shapeRange(s.length, a);
    return [{ dtype: "s64", shape: [Math.max(0, e - b)] }];
  },
  run(inputs, a, ctx) {
    const x = required(inputs, 0, ctx);
    const [b, e] = shapeRange(x.rank, a);
    const dims = x.shape.slice(b, Math.max(b, e));
    return [s64([dims.length], dims)];
  },
});

/** ONNX Size: element count as an int64 scalar. */
export const size: RegisteredOp = defineOp<Record<never, never>>({
  opType: "Size",
  parse: () => ({}),
  infer: () => [{ dtype: "s64", shape: [] }],
  run: (inputs, _a, ctx) => [s64([], [required(inputs, 0, ctx).size])],
});

interface ConstantOfShapeAttrs {
  /** One-element fill value; float32 0 when absent. */
  readonly value: Tensor;
}

/** ONNX ConstantOfShape: a tensor of the given shape filled with `value`. */
export const constantOfShape: RegisteredOp = defineOp<ConstantOfShapeAttrs>({
  opType: "ConstantOfShape",
  parse(a, ctx) {
    const value = a.tensorOpt("value") ?? new Tensor("f32", [1]);
    if (value.size !== 1) {
      throw new KernelError(`${where(ctx)}: value must hold one element, got ${value.size}`);
    }
    return { value };
  },
  infer(ctx, a) {
    const dims = constInts(ctx, 0);
    if (dims) return [{ dtype: a.value.dtype, shape: dims }];
    const n = shapeOf(ctx, 0)?.[0];
    return [{
      dtype: a.value.dtype,
      shape: typeof n === "number" ? new Array<Dim>(n).fill(null) : undefined,
    }];
  },
  run(inputs, a, ctx) {
    const dims = intsOf(required(inputs, 0, ctx));
    if (dims.some((d) => d < 0)) {
      throw new KernelError(`${where(ctx)}: shape ${list(dims)} has a negative dim`);
    }
    return [filled(a.value.dtype, dims, a.value.data)];
  },
});

/** ONNX Range: `start, start+delta, …` while before `limit`, accumulated in the input type. */
export const range: RegisteredOp = defineOp<Record<never, never>>({
  opType: "Range",
  parse: () => ({}),
  infer(ctx) {
    const dtype = ctx.inputTypes[0]?.dtype;
    if (!dtype) return [undefined];
    const [s, l, d] = [0, 1, 2].map((i) => constInts(ctx, i)?.[0]);
    if (s === undefined || l === undefined || d === undefined || d === 0) {
      return [{ dtype, shape: [null] }];
    }
    return [{ dtype, shape: [rangeCount(dtype, s, l, d)] }];
  },
  run(inputs, _a, ctx) {
    const [start, limit, delta] = [0, 1, 2].map((i) => required(inputs, i, ctx));
    const dtype = start.dtype;
    if (delta.size !== 1 || start.size !== 1 || limit.size !== 1) {
      throw new KernelError(`${where(ctx)}: start, limit and delta must be scalars`);
    }
    if (limit.dtype !== dtype || delta.dtype !== dtype) {
      throw new KernelError(
        `${
          where(ctx)
        }: start, limit and delta must share one type, got ${dtype}, ${limit.dtype}, ${delta.dtype}`,
      );
    }
    if (start.is("s64")) {
      const s0 = start.data[0];
      const d = (delta.data as BigInt64Array)[0];
      if (d === 0n) throw new KernelError(`${where(ctx)}: delta must not be 0`);
      const diff = (limit.data as BigInt64Array)[0] - s0;
      const q = diff / d;
      const n = Math.max(0, Number(diff % d !== 0n && (diff > 0n) === (d > 0n) ? q + 1n : q));
      const data = new BigInt64Array(n);
      for (let i = 0; i < n; i++) data[i] = s0 + BigInt(i) * d;
      return [new Tensor("s64", [n], data)];
    }
    const [s, l, d] = [start, limit, delta].map((t) => readNumber(t, 0));
    if (d === 0) throw new KernelError(`${where(ctx)}: delta must not be 0`);
    const n = rangeCount(dtype, s, l, d);
    const out = new Tensor(dtype, [n]);
    if (dtype === "string" || dtype === "bool") {
      throw new UnsupportedOpError("Range", ctx.node.name, `does not support ${dtype} inputs`);
    }
    let v = s;
    for (let i = 0; i < n; i++) {
      writeElement(out, i, v);
      v = readNumber(out, i) + d;
    }
    return [out];
  },
});

/** Output length of Range: `max(ceil((limit - start) / delta), 0)`, difference taken in the type. */
export function rangeCount(dtype: DType, start: number, limit: number, delta: number): number {
  let diff = limit - start;
  if (dtype === "f32") diff = Math.fround(diff);
  return Math.max(0, Math.ceil(diff / delta));
}

interface EyeLikeAttrs {
  readonly dtype?: DType;
  readonly k: number;
}

/** ONNX EyeLike: a 2-D identity-like tensor with ones on diagonal `k`. */
export const eyeLike: RegisteredOp = defineOp<EyeLikeAttrs>({
  opType: "EyeLike",
  parse(a, ctx) {
    const code = a.intOpt("dtype");
    const dtype = code === undefined ? undefined : dtypeFromOnnx(code);
    if (code !== undefined && (!dtype || dtype === "string")) {
      throw new UnsupportedOpError("EyeLike", ctx.node.name, `does not support dtype code ${code}`);
    }
    return { dtype, k: a.int("k", 0) };
  },
  infer(ctx, a) {
    const t = ctx.inputTypes[0];
    const dtype = a.dtype ?? t?.dtype;
    return [dtype ? { dtype, shape: t?.shape } : undefined];
  },
  run(inputs, a, ctx) {
    const x = required(inputs, 0, ctx);
    if (x.rank !== 2) {
      throw new KernelError(`${where(ctx)}: input must be 2-D, got shape ${list(x.shape)}`);
    }
    const [rows, cols] = x.shape;
    const out = new Tensor(a.dtype ?? x.dtype, [rows, cols]);
    for (let i = Math.max(0, -a.k); i < rows && i + a.k < cols; i++) {
      writeElement(out, i * cols + i + a.k, 1);
    }
    return [out];
  },
});
