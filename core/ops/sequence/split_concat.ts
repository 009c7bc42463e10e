/**
 * Between tensors and sequences: SplitToSequence cuts a tensor along an axis into a
 * sequence, ConcatFromSequence joins (or, with `new_axis`, stacks) a sequence's tensors.
 *
 * @module
 */
import { KernelError } from "../../errors/mod.ts";
import type { Tensor } from "../../ir/tensor.ts";
import type { Dim } from "../../ir/types.ts";
import { isTensor, SequenceValue } from "../../ir/value.ts";
import { intsOf, normalizeAxis, where } from "../_util.ts";
import { defineValueOp, type TypedOp } from "../op.ts";
import { concatAlong, sliceAlong, takeAlong } from "../control/_stack.ts";
import { elemOf, seqOf, sequenceInput, tensorInput } from "./_values.ts";

/** Parsed SplitToSequence attributes. */
export interface SplitToSequenceAttrs {
  readonly axis: number;
  readonly keepdims: boolean;
}

/** SplitToSequence: split along `axis` by a scalar chunk size, a size list, or into ones. */
export const splitToSequence: TypedOp<SplitToSequenceAttrs> = defineValueOp<
  SplitToSequenceAttrs
>({
  opType: "SplitToSequence",
  parse: (attrs) => ({ axis: attrs.int("axis", 0), keepdims: attrs.int("keepdims", 1) !== 0 }),
  infer(ctx, a) {
    const x = ctx.inputTypes[0];
    if (!x || "kind" in x) return [undefined];
    if (!x.shape) return [seqOf(x.dtype)];
    const axis = a.axis < 0 ? a.axis + x.shape.length : a.axis;
    const squeeze = ctx.node.inputs[1] === undefined || ctx.node.inputs[1] === "";
    const shape: Dim[] = [...x.shape];
    if (squeeze && !a.keepdims) shape.splice(axis, 1);
    else shape[axis] = squeeze ? 1 : null;
    return [seqOf({ dtype: x.dtype, shape })];
  },
  run(inputs, a, ctx) {
    const x = tensorInput(inputs, 0, ctx);
    const axis = normalizeAxis(a.axis, x.rank, ctx);
    const len = x.shape[axis];
    const split = inputs[1];
    if (split === undefined) {
      const items = Array.from(
        { length: len },
        (_, i) => a.keepdims ? sliceAlong(x, axis, i, 1) : takeAlong(x, axis, i),
      );
      return [new SequenceValue(x.dtype, items, where(ctx))];
    }
    if (!isTensor(split)) throw new KernelError(`${where(ctx)}: split must be a tensor`);
    const sizes = splitSizes(split, len, ctx);
    const items: Tensor[] = [];
    let start = 0;
    for (const n of sizes) {
      items.push(sliceAlong(x, axis, start, n));
      start += n;
    }
    return [new SequenceValue(x.dtype, items, where(ctx))];
  },
});

/** Chunk sizes from a scalar (equal chunks, the last one smaller) or a list summing to `len`. */
function splitSizes(split: Tensor, len: number, ctx: Parameters<typeof where>[0]): number[] {
  const values = intsOf(split);
  if (split.rank === 0) {
    const n = values[0];
    if (!(n > 0)) throw new KernelError(`${where(ctx)}: split ${n} must be positive`);
    const sizes: number[] = [];
    for (let left = len; left > 0; left -= n) sizes.push(Math.min(n, left));
    return sizes;
  }
  const total = values.reduce((p, q) => p + q, 0);
  if (values.some((v) => v < 0) || total !== len) {
    throw new KernelError(
      `${where(ctx)}: split [${values.join(", ")}] must be non-negative and sum to ${len}`,
    );
  }
  return values;
}

/** Parsed ConcatFromSequence attributes. */
export interface ConcatFromSequenceAttrs {
  readonly axis: number;
  readonly newAxis: boolean;
}

/** ConcatFromSequence: concatenate the tensors along `axis`, or stack them when `new_axis`. */
export const concatFromSequence: TypedOp<ConcatFromSequenceAttrs> = defineValueOp<
  ConcatFromSequenceAttrs
>({
  opType: "ConcatFromSequence",
  parse(attrs, ctx) {
    if (!attrs.has("axis")) throw new KernelError(`${where(ctx)}: attribute axis is required`);
    return { axis: attrs.int("axis", 0), newAxis: attrs.int("new_axis", 0) !== 0 };
  },
  infer(ctx, a) {
    const elem = elemOf(ctx.inputTypes[0]);
    if (!elem) return [undefined];
    if (!elem.shape) return [{ dtype: elem.dtype }];
    const rank = elem.shape.length + (a.newAxis ? 1 : 0);
    const axis = a.axis < 0 ? a.axis + rank : a.axis;
    const shape: Dim[] = [...elem.shape];
    if (a.newAxis) shape.splice(axis, 0, null);
    else shape[axis] = null;
    return [{ dtype: elem.dtype, shape }];
  },
  run(inputs, a, ctx) {
    const seq = sequenceInput(inputs, 0, ctx);
    if (seq.length === 0) {
      throw new KernelError(`${where(ctx)}: cannot concatenate an empty sequence`);
    }
    const rank = seq.items[0].rank + (a.newAxis ? 1 : 0);
    const axis = normalizeAxis(a.axis, rank, ctx);
    const parts = a.newAxis
      ? seq.items.map((t) => {
        const shape = [...t.shape];
        shape.splice(axis, 0, 1);
        return t.reshape(shape);
      })
      : seq.items;
    return [concatAlong(parts, axis, ctx)];
  },
});
