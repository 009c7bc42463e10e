/**
 * Pow with numpy broadcasting. Since opset 12 base and exponent may have different
 * types; the result has the base's type.
 *
 * - float base: `Math.pow` in double, rounded to the base type;
 * - integer base: `pow` in double, then converted to the base type with Cast's rules,
 *   as onnxruntime does (measured with onnxruntime 1.22): results beyond 2^53 are
 *   rounded (3^39 → 4052555153018976256), out-of-range results and 0^-1 give
 *   INT32_MIN / INT64_MIN, negative exponents truncate (2^-1 → 0).
 *
 * @module
 */
import type { BigIntArray, NumberArray } from "../../ir/dtype.ts";
import { allocate, isBigIntDType } from "../../ir/dtype.ts";
import type { Tensor } from "../../ir/tensor.ts";
import { sizeOf } from "../../ir/tensor.ts";
import { broadcastShapes, required } from "../_util.ts";
import { defineOp, type ParseContext, type RegisteredOp } from "../op.ts";
import { type BinaryLoop, broadcastBinary } from "./broadcast.ts";
import { floatToNarrowInt, floatToS64, floatToU32, floatToU64 } from "./cast_convert.ts";
import {
  badType,
  bigView,
  fromNum,
  inferBroadcast,
  isFloat,
  NUMERIC,
  numOut,
  numView,
  tensorOf,
} from "./_data.ts";

const powN: BinaryLoop<NumberArray, NumberArray, NumberArray> = (
  a,
  ia,
  sa,
  b,
  ib,
  sb,
  o,
  io,
  n,
) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) o[io + k] = Math.pow(a[ia], b[ib]);
};

/** int64/uint64 base: pow in double, converted like Cast (out of range → INT64_MIN). */
function powBigLoop(toU64: boolean): BinaryLoop<BigIntArray, NumberArray, BigIntArray> {
  const conv = toU64 ? floatToU64 : floatToS64;
  return (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let k = 0; k < n; k++, ia += sa, ib += sb) {
      o[io + k] = conv(Math.pow(Number(a[ia]), b[ib]));
    }
  };
}
const powS64 = powBigLoop(false);
const powU64 = powBigLoop(true);

/** Exponent values as numbers (bigints converted; halves decoded). */
function exponentNumbers(t: Tensor): NumberArray {
  if (!isBigIntDType(t.dtype)) return numView(t);
  const src = bigView(t);
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
  return out;
}

function runPow(x: Tensor, y: Tensor, ctx: ParseContext): Tensor {
  if (!NUMERIC.includes(x.dtype)) throw badType(ctx, x.dtype, NUMERIC);
  if (!NUMERIC.includes(y.dtype)) throw badType(ctx, y.dtype, NUMERIC);
  const shape = broadcastShapes([x.shape, y.shape], ctx);
  const n = sizeOf(shape);
  if (isBigIntDType(x.dtype)) {
    const out = allocate(x.dtype, n) as BigIntArray;
    const loop = x.dtype === "u64" ? powU64 : powS64;
    broadcastBinary(bigView(x), x.shape, exponentNumbers(y), y.shape, out, shape, loop);
    return tensorOf(x.dtype, shape, out);
  }
  const out = numOut(x.dtype, n);
  const base = numView(x);
  const exp = exponentNumbers(y);
  if (
    x.dtype !== "f64" && isFloat(x.dtype) && exp.length === 1 && exp[0] === 2 && n === base.length
  ) {
    // the square in LayerNorm's variance: a double product of two float32 values is
    // exact, so x·x rounds exactly as Math.pow(x, 2) does, at a fraction of its cost
    for (let i = 0; i < n; i++) out[i] = base[i] * base[i];
  } else if (isFloat(x.dtype)) {
    broadcastBinary(base, x.shape, exp, y.shape, out, shape, powN);
  } else {
    // Compute in double, then convert like Cast (out of range → INT32_MIN bits).
    const tmp = new Float64Array(n);
    broadcastBinary(base, x.shape, exp, y.shape, tmp, shape, powN);
    const conv = x.dtype === "u32" ? floatToU32 : floatToNarrowInt;
    for (let i = 0; i < n; i++) out[i] = conv(tmp[i]);
  }
  return fromNum(x.dtype, shape, out);
}

/** Pow: `X ** Y` with broadcasting; result has X's type. */
export const pow: RegisteredOp = defineOp<null>({
  opType: "Pow",
  parse: () => null,
  infer: (ctx) => [inferBroadcast(ctx, ctx.inputTypes[0]?.dtype, [0, 1])],
  run: (inputs, _a, ctx) => [runPow(required(inputs, 0, ctx), required(inputs, 1, ctx), ctx)],
});
