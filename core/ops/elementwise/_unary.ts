/**
 * The shared shape of unary elementwise operators: a spec gives a loop per storage
 * family (float, number-stored integer, bigint) with parsed parameters `P`; halves are
 * computed in float32 and rounded back.
 *
 * @module
 */
import type { AttrReader } from "../../ir/attribute.ts";
import type { BigIntArray, DType, NumberArray } from "../../ir/dtype.ts";
import { DTYPES, isBigIntDType } from "../../ir/dtype.ts";
import type { Tensor } from "../../ir/tensor.ts";
import { required } from "../_util.ts";
import { defineOp, type ParseContext, type TypedOp } from "../op.ts";
import { badType, bigView, fromNum, numOut, numView, tensorOf } from "./_data.ts";

/** `y[i] = f(x[i])` for `i < x.length` over number storage. */
export type UnaryLoop<P> = (x: NumberArray, y: NumberArray, p: P) => void;
/** `y[i] = f(x[i])` over bigint storage. */
export type BigUnaryLoop<P> = (x: BigIntArray, y: BigIntArray, p: P) => void;

/** Definition of a unary elementwise operator with parameters `P`. */
export interface UnarySpec<P> {
  readonly opType: string;
  parse(attrs: AttrReader, ctx: ParseContext): P;
  /** Loop for float inputs (f32, f64; halves via f32). */
  readonly float?: UnaryLoop<P>;
  /**
   * Faster float32 path giving the same bits as `float` (a wasm kernel); returns
   * undefined where it does not apply, and `float` runs instead.
   */
  readonly f32?: (x: Float32Array, p: P) => Float32Array | undefined;
  /** Loop for 8/16/32-bit integer and bool inputs that the op accepts. */
  readonly int?: UnaryLoop<P>;
  /** Loop for int64/uint64 inputs. */
  readonly big?: BigUnaryLoop<P>;
  /** Integer dtypes accepted (default: every integer dtype when `int`/`big` is given). */
  readonly intTypes?: readonly DType[];
  /** Output dtype is bool (IsNaN, IsInf); only with `float`. */
  readonly bool?: boolean;
}

const ALL_INTS: readonly DType[] = ["s8", "s16", "s32", "s64", "u8", "u16", "u32", "u64"];

/** Compute a unary spec on one tensor. */
export function runUnary<P>(spec: UnarySpec<P>, x: Tensor, p: P, ctx: ParseContext): Tensor {
  const d = x.dtype;
  const info = DTYPES[d];
  if (spec.f32 && x.is("f32")) {
    const y = spec.f32(x.data, p);
    if (y) return tensorOf(d, x.shape, y);
  }
  if (info.isFloat && spec.float) {
    const outType: DType = spec.bool ? "bool" : d;
    const out = numOut(outType, x.size);
    spec.float(numView(x), out, p);
    return fromNum(outType, x.shape, out);
  }
  const ints = spec.intTypes ?? ALL_INTS;
  if (ints.includes(d)) {
    if (isBigIntDType(d) && spec.big) {
      const out = bigView(x).slice();
      spec.big(bigView(x), out, p);
      return tensorOf(d, x.shape, out);
    }
    if (!isBigIntDType(d) && spec.int) {
      const out = numOut(d, x.size);
      spec.int(numView(x), out, p);
      return tensorOf(d, x.shape, out);
    }
  }
  const allowed = [...(spec.float ? ["f32", "f64", "f16", "bf16"] as const : []), ...ints];
  throw badType(ctx, d, allowed.filter((t) => DTYPES[t].isFloat || spec.int || spec.big));
}

/** Register a unary elementwise operator. */
export function defineUnary<P>(spec: UnarySpec<P>): TypedOp<P> {
  return defineOp<P>({
    opType: spec.opType,
    parse: (r, ctx) => spec.parse(r, ctx),
    infer: (ctx) => {
      const t = ctx.inputTypes[0];
      if (!t) return [undefined];
      return [spec.bool ? { dtype: "bool", shape: t.shape } : t];
    },
    run: (inputs, p, ctx) => [runUnary(spec, required(inputs, 0, ctx), p, ctx)],
  });
}

/** No parameters. */
export const noParams = (): null => null;
