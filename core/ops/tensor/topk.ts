/**
 * Order statistics along one axis: TopK, ArgMax and ArgMin. Equal values keep the
 * lower index first (TopK, ArgMax/ArgMin default) or the last one with
 * `select_last_index`.
 *
 * @module
 */
import { Tensor } from "../../ir/tensor.ts";
import type { Dim } from "../../ir/types.ts";
import { defineOp, type RegisteredOp, type TypedOp } from "../op.ts";
import { intsOf, normalizeAxis, required, where } from "../_util.ts";
import { KernelError } from "../../errors/mod.ts";
import { rawView } from "./_layout.ts";
import { compareAt, keysOf } from "./_keys.ts";
import { constInts, like, shapeOf } from "./_shape.ts";

interface TopKAttrs {
  readonly axis: number;
  readonly largest: boolean;
  readonly sorted: boolean;
  /** opset 1: `k` is an attribute. */
  readonly k?: number;
}

/** ONNX TopK: the k largest (or smallest) values and their int64 indices along `axis`. */
export const topK: RegisteredOp = defineOp<TopKAttrs>({
  opType: "TopK",
  parse: (a, ctx) => ({
    axis: a.int("axis", -1),
    largest: ctx.opset < 11 || a.int("largest", 1) !== 0,
    sorted: ctx.opset < 11 || a.int("sorted", 1) !== 0,
    k: ctx.opset < 10 ? a.int("k", 0) : undefined,
  }),
  infer(ctx, a) {
    const s = shapeOf(ctx, 0);
    const k = a.k ?? constInts(ctx, 1)?.[0];
    const shape = s
      ? s.map((d, i): Dim => (i === normalizeAxis(a.axis, s.length, ctx) ? k ?? null : d))
      : undefined;
    return [like(ctx, 0, shape), { dtype: "s64", shape }];
  },
  run(inputs, a, ctx) {
    const x = required(inputs, 0, ctx);
    const k = a.k ?? intsOf(required(inputs, 1, ctx))[0];
    const axis = normalizeAxis(a.axis, x.rank, ctx);
    const dim = x.shape[axis];
    if (k < 0 || k > dim) {
      throw new KernelError(
        `${where(ctx)}: k ${k} is out of range for axis ${axis} of size ${dim}`,
      );
    }
    const shape = x.shape.map((d, i) => (i === axis ? k : d));
    const values = new Tensor(x.dtype, shape);
    const indices = new Tensor("s64", shape);
    const keys = keysOf(x);
    const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const sv = rawView(x.data);
    const dv = rawView(values.data);
    const w = sv.perElem;
    const order = new Array<number>(dim);
    const sign = a.largest ? -1 : 1;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * dim * inner + i;
        for (let j = 0; j < dim; j++) order[j] = j;
        // Array.prototype.sort is stable: ties keep the lower index first.
        order.sort((p, q) => sign * compareAt(keys, base + p * inner, base + q * inner));
        for (let j = 0; j < k; j++) {
          const src = base + order[j] * inner;
          const dst = (o * k + j) * inner + i;
          for (let e = 0; e < w; e++) dv.words[dst * w + e] = sv.words[src * w + e];
          indices.data[dst] = BigInt(order[j]);
        }
      }
    }
    return [values, indices];
  },
});

/** Parsed ArgMax/ArgMin attributes. */
export interface ArgAttrs {
  readonly axis: number;
  readonly keepDims: boolean;
  readonly selectLast: boolean;
}

function argOp(opType: "ArgMax" | "ArgMin"): TypedOp<ArgAttrs> {
  const want = opType === "ArgMax" ? 1 : -1;
  return defineOp<ArgAttrs>({
    opType,
    parse: (a, ctx) => ({
      axis: a.int("axis", 0),
      keepDims: a.int("keepdims", 1) !== 0,
      selectLast: ctx.opset >= 12 && a.int("select_last_index", 0) !== 0,
    }),
    infer(ctx, a) {
      const s = shapeOf(ctx, 0);
      if (!s) return [{ dtype: "s64" }];
      const axis = normalizeAxis(a.axis, s.length, ctx);
      const shape = a.keepDims
        ? s.map((d, i) => (i === axis ? 1 : d))
        : s.filter((_, i) => i !== axis);
      return [{ dtype: "s64", shape }];
    },
    run(inputs, a, ctx) {
      const x = required(inputs, 0, ctx);
      const axis = normalizeAxis(a.axis, x.rank, ctx);
      const dim = x.shape[axis];
      if (dim === 0) throw new KernelError(`${where(ctx)}: axis ${axis} is empty`);
      const shape = a.keepDims
        ? x.shape.map((d, i) => (i === axis ? 1 : d))
        : x.shape.filter((_, i) => i !== axis);
      const out = new Tensor("s64", shape);
      const keys = keysOf(x);
      const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
      const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const base = o * dim * inner + i;
          let best = 0;
          for (let j = 1; j < dim; j++) {
            const c = want * compareAt(keys, base + j * inner, base + best * inner);
            if (c > 0 || (c === 0 && a.selectLast)) best = j;
          }
          out.data[o * inner + i] = BigInt(best);
        }
      }
      return [out];
    },
  });
}

/** ONNX ArgMax (int64 output; ties pick the first index unless select_last_index). */
export const argMax: TypedOp<ArgAttrs> = argOp("ArgMax");
/** ONNX ArgMin (int64 output; ties pick the first index unless select_last_index). */
export const argMin: TypedOp<ArgAttrs> = argOp("ArgMin");
