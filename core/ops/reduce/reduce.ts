/**
 * ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2,
 * ReduceLogSum, ReduceLogSumExp and ReduceSumSquare.
 *
 * `axes` is an attribute before opset 13 (ReduceSum) or 18 (the others) and an optional
 * int64 input from then on. Empty or omitted axes reduce everything unless
 * `noop_with_empty_axes` is set, in which case only the element map applies
 * (e.g. ReduceSumSquare squares). Reducing an empty set gives the identity value
 * (0, 1, -inf / +inf, or the integer type's extreme for Max/Min).
 *
 * @module
 */
import { defineOp, type InferContext, type RegisteredOp, type TypedOp } from "../op.ts";
import { intsOf, normalizeAxis, required, where } from "../_util.ts";
import type { Tensor } from "../../ir/tensor.ts";
import type { Dim, TensorType } from "../../ir/types.ts";
import type { ParseContext } from "../op.ts";
import { KernelError } from "../../errors/mod.ts";
import {
  type Combine,
  type Finish,
  finishReduce,
  planReduce,
  runReduce,
} from "./_reduce_kernel.ts";
import { intRange, isIntegral, numericSource, tensorFromF64 } from "./_numeric.ts";

/** Parsed attributes of a Reduce* node. */
export interface ReduceAttrs {
  /** Axes from the attribute (old opsets); undefined when absent or taken from input 1. */
  readonly axesAttr?: readonly number[];
  /** True when axes come from optional input 1. */
  readonly axesFromInput: boolean;
  readonly keepdims: boolean;
  readonly noopWithEmptyAxes: boolean;
}

/** Static description of one reduction operator. */
interface ReduceSpec {
  readonly opType: string;
  readonly combine: Combine;
  readonly finish: Finish;
  /** First opset where `axes` is an input. */
  readonly axesInputSince: number;
}

/** Normalised, unique axes; `undefined` means "all axes". */
function resolveAxes(
  axes: readonly number[] | undefined,
  rank: number,
  ctx: ParseContext,
): Set<number> | undefined {
  if (axes === undefined || axes.length === 0) return undefined;
  const set = new Set<number>();
  for (const a of axes) {
    const n = normalizeAxis(a, rank, ctx);
    if (set.has(n)) throw new KernelError(`${where(ctx)}: axis ${a} is listed twice in axes`);
    set.add(n);
  }
  return set;
}

/** The axes list of a node: attribute or input; undefined when omitted or unknown. */
function axesList(
  attrs: ReduceAttrs,
  axesInput: Tensor | undefined,
): readonly number[] | undefined {
  if (!attrs.axesFromInput) return attrs.axesAttr;
  return axesInput ? intsOf(axesInput) : undefined;
}

/** Run a reduction on `data` (exported for other kernels that reduce). */
export function reduceTensor(
  data: Tensor,
  spec: { combine: Combine; finish: Finish },
  axes: readonly number[] | undefined,
  opts: { keepdims: boolean; noopWithEmptyAxes: boolean },
  ctx: ParseContext,
): Tensor {
  const rank = data.rank;
  let set = resolveAxes(axes, rank, ctx);
  if (set === undefined) {
    set = new Set<number>();
    if (!opts.noopWithEmptyAxes) { for (let d = 0; d < rank; d++) set.add(d); }
  }
  const outShape: number[] = [];
  for (let d = 0; d < rank; d++) {
    if (!set.has(d)) outShape.push(data.shape[d]);
    else if (opts.keepdims) outShape.push(1);
  }
  const plan = planReduce(data.shape, set);
  const src = numericSource(data, where(ctx));
  const values = plan.outSize === 0 ? new Float64Array(0) : runReduce(src, plan, spec.combine);
  finishReduce(values, spec.finish, plan.count);
  if (plan.count === 0 && isIntegral(data.dtype)) {
    const [lo, hi] = intRange(data.dtype);
    if (spec.combine === "max") values.fill(lo);
    if (spec.combine === "min") values.fill(hi);
  }
  return tensorFromF64(data.dtype, outShape, values);
}

function inferReduce(ctx: InferContext, attrs: ReduceAttrs): (TensorType | undefined)[] {
  const t = ctx.inputTypes[0];
  if (!t) return [undefined];
  const shape = t.shape;
  if (!shape) return [{ dtype: t.dtype }];
  let axes: readonly number[] | undefined = attrs.axesAttr;
  if (attrs.axesFromInput && ctx.inputTypes[1] !== undefined) {
    const c = ctx.constantInput(1);
    if (!c) {
      if (!attrs.keepdims) return [{ dtype: t.dtype }];
      return [{ dtype: t.dtype, shape: shape.map((d): Dim => d === 1 ? 1 : null) }];
    }
    axes = intsOf(c);
  }
  const set = resolveAxes(axes, shape.length, ctx);
  const all = set === undefined && !attrs.noopWithEmptyAxes;
  const out: Dim[] = [];
  for (let d = 0; d < shape.length; d++) {
    const r = all || (set !== undefined && set.has(d));
    if (!r) out.push(shape[d]);
    else if (attrs.keepdims) out.push(1);
  }
  return [{ dtype: t.dtype, shape: out }];
}

function makeReduceOp(spec: ReduceSpec): TypedOp<ReduceAttrs> {
  return defineOp<ReduceAttrs>({
    opType: spec.opType,
    parse(a, ctx) {
      const axesFromInput = ctx.opset >= spec.axesInputSince;
      return {
        axesAttr: axesFromInput ? undefined : a.intsOpt("axes"),
        axesFromInput,
        keepdims: a.int("keepdims", 1) !== 0,
        noopWithEmptyAxes: axesFromInput && a.int("noop_with_empty_axes", 0) !== 0,
      };
    },
    infer: inferReduce,
    run(inputs, attrs, ctx) {
      const data = required(inputs, 0, ctx);
      return [reduceTensor(data, spec, axesList(attrs, inputs[1]), attrs, ctx)];
    },
  });
}

/** ReduceSum: Σx. */
export const reduceSum: RegisteredOp = makeReduceOp({
  opType: "ReduceSum",
  combine: "sum",
  finish: "none",
  axesInputSince: 13,
});
/** ReduceMean: Σx / n (NaN over an empty set). */
export const reduceMean: TypedOp<ReduceAttrs> = makeReduceOp({
  opType: "ReduceMean",
  combine: "sum",
  finish: "mean",
  axesInputSince: 18,
});
/** ReduceMax: maximum; NaN propagates. */
export const reduceMax: RegisteredOp = makeReduceOp({
  opType: "ReduceMax",
  combine: "max",
  finish: "none",
  axesInputSince: 18,
});
/** ReduceMin: minimum; NaN propagates. */
export const reduceMin: RegisteredOp = makeReduceOp({
  opType: "ReduceMin",
  combine: "min",
  finish: "none",
  axesInputSince: 18,
});
/** ReduceProd: Πx. */
export const reduceProd: RegisteredOp = makeReduceOp({
  opType: "ReduceProd",
  combine: "prod",
  finish: "none",
  axesInputSince: 18,
});
/** ReduceL1: Σ|x|. */
export const reduceL1: RegisteredOp = makeReduceOp({
  opType: "ReduceL1",
  combine: "sumAbs",
  finish: "none",
  axesInputSince: 18,
});
/** ReduceL2: √Σx². */
export const reduceL2: RegisteredOp = makeReduceOp({
  opType: "ReduceL2",
  combine: "sumSq",
  finish: "sqrt",
  axesInputSince: 18,
});
/** ReduceLogSum: log Σx. */
export const reduceLogSum: RegisteredOp = makeReduceOp({
  opType: "ReduceLogSum",
  combine: "sum",
  finish: "log",
  axesInputSince: 18,
});
/** ReduceLogSumExp: log Σexp(x), computed with the maximum subtracted. */
export const reduceLogSumExp: RegisteredOp = makeReduceOp({
  opType: "ReduceLogSumExp",
  combine: "lse",
  finish: "none",
  axesInputSince: 18,
});
/** ReduceSumSquare: Σx². */
export const reduceSumSquare: RegisteredOp = makeReduceOp({
  opType: "ReduceSumSquare",
  combine: "sumSq",
  finish: "none",
  axesInputSince: 18,
});
