/**
 * Window pooling operators: MaxPool (with optional Indices), AveragePool, LpPool.
 *
 * @module
 */
import type { AttrReader } from "../../ir/attribute.ts";
import { asFloat32, fromFloat32, Tensor } from "../../ir/tensor.ts";
import type { TensorType } from "../../ir/types.ts";
import { KernelError, UnsupportedOpError } from "../../errors/mod.ts";
import { defineOp, type ParseContext, type RegisteredOp, type TypedOp } from "../op.ts";
import { required, where } from "../_util.ts";
import { readWindowAttrs, resolveWindow, type WindowAttrs, windowOutDims } from "./_spatial.ts";
import { avgPool, lpPool, maxPool, type PoolGeometry, poolGeometry } from "./pool_kernel.ts";

/** Parsed attributes shared by the window pools. */
export interface PoolAttrs extends WindowAttrs {
  readonly kernel: readonly number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly columnMajor: boolean;
  readonly p: number;
}

/** Parse the attributes MaxPool, AveragePool and LpPool share. */
export function parsePoolAttrs(r: AttrReader, ctx: ParseContext): PoolAttrs {
  const w = readWindowAttrs(r, ctx);
  if (!w.kernelShape) {
    throw new KernelError(`${where(ctx)}: attribute kernel_shape is required`);
  }
  const rank = w.kernelShape.length;
  if (rank < 1 || rank > 3) {
    throw new UnsupportedOpError(
      ctx.node.opType,
      ctx.node.name,
      `with ${rank} spatial axes is not supported (1 to 3)`,
    );
  }
  return {
    ...w,
    kernel: w.kernelShape,
    ceilMode: r.int("ceil_mode", 0) !== 0,
    countIncludePad: r.int("count_include_pad", 0) !== 0,
    columnMajor: r.int("storage_order", 0) !== 0,
    p: r.float("p", 2),
  };
}

function inferPool(
  t: TensorType | undefined,
  a: PoolAttrs,
  ctx: ParseContext,
): TensorType {
  const shape = t?.shape
    ? [t.shape[0], t.shape[1], ...windowOutDims(a, t.shape.slice(2), a.kernel, ctx, a)]
    : undefined;
  return { dtype: t?.dtype ?? "f32", shape };
}

interface Prepared {
  x: Tensor;
  geo: PoolGeometry;
  outShape: number[];
}

function prepare(inputs: readonly (Tensor | undefined)[], a: PoolAttrs, ctx: ParseContext) {
  const x = required(inputs, 0, ctx);
  if (x.rank !== a.kernel.length + 2) {
    throw new KernelError(
      `${where(ctx)}: input has shape [${x.shape.join(", ")}], expected rank ` +
        `${a.kernel.length + 2} to match kernel_shape [${a.kernel.join(", ")}]`,
    );
  }
  const win = resolveWindow(a, x.shape.slice(2), a.kernel, ctx, a);
  const geo = poolGeometry(x.shape[0] * x.shape[1], x.shape.slice(2), win);
  const p: Prepared = { x, geo, outShape: [x.shape[0], x.shape[1], ...win.outShape] };
  return p;
}

/** MaxPool (opset 1, 8, 10, 11, 12, 22). */
export const maxPoolOp: TypedOp<PoolAttrs> = defineOp<PoolAttrs>({
  opType: "MaxPool",
  parse: parsePoolAttrs,
  infer(ctx, a) {
    const y = inferPool(ctx.inputTypes[0], a, ctx);
    return [y, { dtype: "s64", shape: y.shape }];
  },
  run(inputs, a, ctx) {
    const { x, geo, outShape } = prepare(inputs, a, ctx);
    const wantIdx = ctx.node.outputs.length > 1 && ctx.node.outputs[1] !== "";
    const { y, idx } = maxPool(asFloat32(x), geo, wantIdx, a.columnMajor);
    const out: Tensor[] = [fromFloat32(x.dtype, outShape, y)];
    if (idx) {
      const t = new Tensor("s64", outShape);
      for (let i = 0; i < idx.length; i++) t.data[i] = BigInt(idx[i]);
      out.push(t);
    }
    return out;
  },
});

/** AveragePool (opset 1, 7, 10, 11, 19, 22). */
export const averagePool: TypedOp<PoolAttrs> = defineOp<PoolAttrs>({
  opType: "AveragePool",
  parse: parsePoolAttrs,
  infer: (ctx, a) => [inferPool(ctx.inputTypes[0], a, ctx)],
  run(inputs, a, ctx) {
    const { x, geo, outShape } = prepare(inputs, a, ctx);
    return [fromFloat32(x.dtype, outShape, avgPool(asFloat32(x), geo, a.countIncludePad))];
  },
});

/** LpPool (opset 1, 2, 11, 18, 22). */
export const lpPoolOp: RegisteredOp = defineOp<PoolAttrs>({
  opType: "LpPool",
  parse: parsePoolAttrs,
  infer: (ctx, a) => [inferPool(ctx.inputTypes[0], a, ctx)],
  run(inputs, a, ctx) {
    const { x, geo, outShape } = prepare(inputs, a, ctx);
    return [fromFloat32(x.dtype, outShape, lpPool(asFloat32(x), geo, a.p))];
  },
});
