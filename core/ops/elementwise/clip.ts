/**
 * Clip and PRelu: activations with tensor-valued parameters.
 *
 * Clip takes `min`/`max` as float attributes before opset 11 and as optional scalar
 * inputs from opset 11 (integer types from opset 12). It computes
 * `min(max(x, lo), hi)`, so `hi` wins when `lo > hi`, as in onnxruntime; NaN stays NaN.
 *
 * PRelu broadcasts `slope` unidirectionally onto X: `x < 0 ? slope*x : x`.
 *
 * @module
 */
import { type BigIntArray, isBigIntDType } from "../../ir/dtype.ts";
import type { AttrReader } from "../../ir/attribute.ts";
import type { Tensor } from "../../ir/tensor.ts";
import { formatShape, readNumber } from "../../ir/tensor.ts";
import { broadcastShapes, required, where } from "../_util.ts";
import { defineOp, type ParseContext, type RegisteredOp, type TypedOp } from "../op.ts";
import { KernelError } from "../../errors/mod.ts";
import { broadcastBinary } from "./broadcast.ts";
import type { BigLoop, NumLoop } from "./_binary.ts";
import { badType, bigView, fromNum, isFloat, NUMERIC, numOut, numView, tensorOf } from "./_data.ts";
import { mapF32 } from "../../wasm/map.ts";

/** Parsed attributes of Clip. */
export interface ClipAttrs {
  /** Bounds from attributes (opset < 11); undefined when they come from inputs. */
  readonly attrMin?: number;
  readonly attrMax?: number;
  readonly fromInputs: boolean;
}

function bound(
  t: Tensor | undefined,
  name: string,
  ctx: ParseContext,
): number | bigint | undefined {
  if (!t) return undefined;
  if (t.size !== 1) {
    throw new KernelError(
      `${where(ctx)}: ${name} must be a scalar, got shape ${formatShape(t.shape)}`,
    );
  }
  return isBigIntDType(t.dtype) ? bigView(t)[0] : readNumber(t, 0);
}

function runClip(x: Tensor, lo: number | bigint | undefined, hi: number | bigint | undefined) {
  if (isBigIntDType(x.dtype)) {
    const src = bigView(x);
    const out = src.slice();
    const l = lo === undefined ? undefined : BigInt(lo);
    const h = hi === undefined ? undefined : BigInt(hi);
    for (let i = 0; i < src.length; i++) {
      let v = src[i];
      if (l !== undefined && v < l) v = l;
      if (h !== undefined && v > h) v = h;
      out[i] = v;
    }
    return tensorOf(x.dtype, x.shape, out);
  }
  const src = numView(x);
  const l = lo === undefined ? -Infinity : Number(lo);
  const h = hi === undefined ? Infinity : Number(hi);
  // the kernel compares in float32, the same as here when both bounds are float32 values
  if (x.is("f32") && Math.fround(l) === l && Math.fround(h) === h) {
    const y = mapF32(x.data, (fn, p, n) => fn.clip(p, p, n, l, h));
    if (y) return tensorOf(x.dtype, x.shape, y);
  }
  const out = numOut(x.dtype, src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    out[i] = v < l ? (l > h ? h : l) : v > h ? h : v;
  }
  return fromNum(x.dtype, x.shape, out);
}

/** Parse Clip's attributes: bounds from attributes before opset 11, from inputs after. */
export function parseClipAttrs(r: AttrReader, ctx: ParseContext): ClipAttrs {
  if (ctx.opset >= 11) return { fromInputs: true };
  return { fromInputs: false, attrMin: r.floatOpt("min"), attrMax: r.floatOpt("max") };
}

/** Clip: clamp into [min, max]. */
export const clip: TypedOp<ClipAttrs> = defineOp<ClipAttrs>({
  opType: "Clip",
  parse: parseClipAttrs,
  infer: (ctx) => [ctx.inputTypes[0]],
  run: (inputs, attrs, ctx) => {
    const x = required(inputs, 0, ctx);
    if (!NUMERIC.includes(x.dtype)) throw badType(ctx, x.dtype, NUMERIC);
    const lo = attrs.fromInputs ? bound(inputs[1], "min", ctx) : attrs.attrMin;
    const hi = attrs.fromInputs ? bound(inputs[2], "max", ctx) : attrs.attrMax;
    return [runClip(x, lo, hi)];
  },
});

const preluN: NumLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) {
    const v = a[ia];
    o[io + k] = v < 0 ? v * b[ib] : v;
  }
};
const preluB: BigLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) {
    const v = a[ia];
    o[io + k] = v < 0n ? v * b[ib] : v;
  }
};

/** PRelu: `x < 0 ? slope*x : x`, slope broadcast onto X. */
export const prelu: RegisteredOp = defineOp<null>({
  opType: "PRelu",
  parse: () => null,
  infer: (ctx) => [ctx.inputTypes[0]],
  run: (inputs, _a, ctx) => {
    const x = required(inputs, 0, ctx);
    const s = required(inputs, 1, ctx);
    if (!NUMERIC.includes(x.dtype)) throw badType(ctx, x.dtype, NUMERIC);
    if (s.dtype !== x.dtype) throw badType(ctx, s.dtype, [x.dtype]);
    const shape = broadcastShapes([x.shape, s.shape], ctx);
    if (shape.length !== x.rank || shape.some((d, i) => d !== x.shape[i])) {
      throw new KernelError(
        `${where(ctx)}: slope shape ${formatShape(s.shape)} does not broadcast onto X shape ${
          formatShape(x.shape)
        } (unidirectional broadcast)`,
      );
    }
    if (isBigIntDType(x.dtype)) {
      const out = bigView(x).slice() as BigIntArray;
      broadcastBinary(bigView(x), x.shape, bigView(s), s.shape, out, shape, preluB);
      return [tensorOf(x.dtype, shape, out)];
    }
    const out = numOut(x.dtype, x.size);
    broadcastBinary(numView(x), x.shape, numView(s), s.shape, out, shape, preluN);
    return [isFloat(x.dtype) ? fromNum(x.dtype, shape, out) : tensorOf(x.dtype, shape, out)];
  },
});
