/**
 * Tensor plumbing for the control-flow and sequence kernels: take one slice along an axis
 * (dropping it), slice or concatenate along an axis, stack slices along a new axis, and
 * check body value types.
 *
 * @module
 */
import { KernelError, UnsupportedOpError } from "../../errors/mod.ts";
import type { DType, TensorData } from "../../ir/dtype.ts";
import type { Graph, ValueInfo } from "../../ir/graph.ts";
import { Tensor } from "../../ir/tensor.ts";
import { isTensorType, type TensorType } from "../../ir/types.ts";
import { isTensor, type Value, valueKind } from "../../ir/value.ts";
import type { ParseContext } from "../op.ts";
import { where } from "../_util.ts";

/** Copy `n` elements of `src` from `si` into `dst` at `di` (any storage type). */
function copyRun(dst: TensorData, di: number, src: TensorData, si: number, n: number): void {
  if (Array.isArray(dst) || Array.isArray(src)) {
    const d = dst as string[];
    const s = src as string[];
    for (let i = 0; i < n; i++) d[di + i] = s[si + i];
    return;
  }
  if (dst instanceof BigInt64Array || dst instanceof BigUint64Array) {
    const s = src as BigInt64Array;
    (dst as BigInt64Array).set(s.subarray(si, si + n), di);
    return;
  }
  const s = src as Float32Array;
  (dst as Float32Array).set(s.subarray(si, si + n), di);
}

/** Slice `index` of `axis`, with that axis removed. */
export function takeAlong(t: Tensor, axis: number, index: number): Tensor {
  const outer = t.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const len = t.shape[axis];
  const out = new Tensor(t.dtype, [...t.shape.slice(0, axis), ...t.shape.slice(axis + 1)]);
  for (let o = 0; o < outer; o++) {
    copyRun(out.data, o * inner, t.data, (o * len + index) * inner, inner);
  }
  return out;
}

/**
 * Stack equally shaped `slices` along a new `axis`. With no slices the result has
 * `emptyShape` with a 0 inserted at `axis`.
 */
export function stackAlong(
  slices: readonly Tensor[],
  axis: number,
  empty: { dtype: DType; shape: readonly number[] },
  ctx: ParseContext,
): Tensor {
  if (slices.length === 0) {
    const s = [...empty.shape];
    s.splice(axis, 0, 0);
    return new Tensor(empty.dtype, s);
  }
  const first = slices[0];
  for (const s of slices) {
    if (
      s.dtype !== first.dtype || s.shape.length !== first.shape.length ||
      s.shape.some((d, i) => d !== first.shape[i])
    ) {
      throw new KernelError(
        `${where(ctx)}: scan output slices differ: [${first.shape.join(", ")}] ${first.dtype} ` +
          `vs [${s.shape.join(", ")}] ${s.dtype}; every iteration must produce the same shape`,
      );
    }
  }
  const n = slices.length;
  const outer = first.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = first.shape.slice(axis).reduce((a, b) => a * b, 1);
  const shape = [...first.shape];
  shape.splice(axis, 0, n);
  const out = new Tensor(first.dtype, shape);
  for (let t = 0; t < n; t++) {
    const src = slices[t].data;
    for (let o = 0; o < outer; o++) copyRun(out.data, (o * n + t) * inner, src, o * inner, inner);
  }
  return out;
}

/** The tensor type of a body value, undefined when unknown or not a tensor. */
export function tensorTypeOf(v: ValueInfo | undefined): TensorType | undefined {
  const t = v?.type;
  return isTensorType(t) ? t : undefined;
}

/** Refuse bodies whose inputs/outputs are sequences or optionals (Scan carries tensors). */
export function requireTensorBody(body: Graph, attr: string, ctx: ParseContext): void {
  for (const v of [...body.inputs, ...body.outputs]) {
    if (v.type && !isTensorType(v.type)) {
      throw new UnsupportedOpError(
        ctx.node.opType,
        ctx.node.name,
        `with a non-tensor (sequence or optional) value "${v.name}" in ${attr}; ` +
          `${ctx.node.opType} states and scan values are tensors`,
      );
    }
  }
}

/** Body outputs that must be tensors (scan outputs), or an error naming the output. */
export function bodyTensors(
  outs: readonly Value[],
  body: Graph,
  ctx: ParseContext,
): Tensor[] {
  return outs.map((v, i) => {
    if (isTensor(v)) return v;
    throw new KernelError(
      `${where(ctx)}: body output ${i} "${body.outputs[i]?.name ?? ""}" is a ${
        valueKind(v)
      }, expected a tensor`,
    );
  });
}

/** The slice `[start, start + len)` of `axis` (the axis kept). */
export function sliceAlong(t: Tensor, axis: number, start: number, len: number): Tensor {
  const outer = t.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const full = t.shape[axis];
  const shape = [...t.shape];
  shape[axis] = len;
  const out = new Tensor(t.dtype, shape);
  for (let o = 0; o < outer; o++) {
    copyRun(out.data, o * len * inner, t.data, (o * full + start) * inner, len * inner);
  }
  return out;
}

/**
 * Concatenate `parts` (one dtype, equal dims but `axis`) along `axis`.
 * @throws {KernelError} when the parts differ in dtype, rank or another dim
 */
export function concatAlong(parts: readonly Tensor[], axis: number, ctx: ParseContext): Tensor {
  const first = parts[0];
  for (const p of parts) {
    const fits = p.dtype === first.dtype && p.rank === first.rank &&
      p.shape.every((d, i) => i === axis || d === first.shape[i]);
    if (!fits) {
      throw new KernelError(
        `${where(ctx)}: cannot concatenate [${p.shape.join(", ")}] ${p.dtype} with ` +
          `[${first.shape.join(", ")}] ${first.dtype} along axis ${axis}`,
      );
    }
  }
  const outer = first.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = first.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const total = parts.reduce((a, p) => a + p.shape[axis], 0);
  const shape = [...first.shape];
  shape[axis] = total;
  const out = new Tensor(first.dtype, shape);
  let offset = 0;
  for (const p of parts) {
    const run = p.shape[axis] * inner;
    for (let o = 0; o < outer; o++) {
      copyRun(out.data, (o * total + offset) * inner, p.data, o * run, run);
    }
    offset += p.shape[axis];
  }
  return out;
}

/** A static shape of a body value, or undefined. */
export function staticShapeOf(v: ValueInfo | undefined): number[] | undefined {
  const s = tensorTypeOf(v)?.shape;
  return s && s.every((d) => typeof d === "number") ? s.map(Number) : undefined;
}
