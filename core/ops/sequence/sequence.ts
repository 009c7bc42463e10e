/**
 * The list operators over sequences of tensors: SequenceConstruct, SequenceEmpty,
 * SequenceInsert, SequenceErase, SequenceAt and SequenceLength (opset 11 on). Sequences
 * are immutable values: every operator returns a new one.
 *
 * @module
 */
import { KernelError } from "../../errors/mod.ts";
import { dtypeFromOnnx } from "../../ir/dtype.ts";
import { scalar } from "../../ir/tensor.ts";
import { joinTypes, type TensorType } from "../../ir/types.ts";
import { isTensor, SequenceValue } from "../../ir/value.ts";
import { where } from "../_util.ts";
import { defineValueOp, type TypedOp } from "../op.ts";
import { elemOf, positionInput, seqOf, sequenceInput, tensorInput } from "./_values.ts";

/** SequenceConstruct: a sequence of the node's tensor inputs, which share one dtype. */
export const sequenceConstruct: TypedOp<null> = defineValueOp<null>({
  opType: "SequenceConstruct",
  parse: () => null,
  infer(ctx) {
    let elem: TensorType | undefined;
    for (const t of ctx.inputTypes) {
      if (!t || "kind" in t) return [undefined];
      const joined = elem ? joinTypes(elem, t) : t;
      if (!joined || "kind" in joined) return [undefined];
      elem = joined;
    }
    return [seqOf(elem)];
  },
  run(inputs, _a, ctx) {
    const items = inputs.map((_, i) => tensorInput(inputs, i, ctx));
    if (items.length === 0) throw new KernelError(`${where(ctx)}: needs at least one input`);
    return [new SequenceValue(items[0].dtype, items, where(ctx))];
  },
});

/** Parsed SequenceEmpty attributes. */
export interface SequenceEmptyAttrs {
  readonly dtype: TensorType["dtype"];
}

/** SequenceEmpty: an empty sequence of element type `dtype` (default float). */
export const sequenceEmpty: TypedOp<SequenceEmptyAttrs> = defineValueOp<SequenceEmptyAttrs>({
  opType: "SequenceEmpty",
  parse(attrs, ctx) {
    const code = attrs.int("dtype", 1);
    const dtype = dtypeFromOnnx(code);
    if (!dtype) throw new KernelError(`${where(ctx)}: dtype ${code} is not a supported type`);
    return { dtype };
  },
  infer: (_ctx, a) => [seqOf(a.dtype)],
  run: (_inputs, a, ctx) => [new SequenceValue(a.dtype, [], where(ctx))],
});

/** SequenceInsert: insert a tensor at `position` (default: at the end). */
export const sequenceInsert: TypedOp<null> = defineValueOp<null>({
  opType: "SequenceInsert",
  parse: () => null,
  infer(ctx) {
    const elem = elemOf(ctx.inputTypes[0]);
    const t = ctx.inputTypes[1];
    if (!elem || !t || "kind" in t) return [ctx.inputTypes[0]];
    const joined = joinTypes(elem, t);
    return [joined && !("kind" in joined) ? seqOf(joined) : seqOf(elem.dtype)];
  },
  run(inputs, _a, ctx) {
    const seq = sequenceInput(inputs, 0, ctx);
    const t = tensorInput(inputs, 1, ctx);
    const at = positionInput(inputs, 2, seq, seq.length, seq.length, ctx);
    const items = [...seq.items.slice(0, at), t, ...seq.items.slice(at)];
    return [new SequenceValue(seq.dtype, items, where(ctx))];
  },
});

/** SequenceErase: remove the element at `position` (default: the last). */
export const sequenceErase: TypedOp<null> = defineValueOp<null>({
  opType: "SequenceErase",
  parse: () => null,
  infer: (ctx) => [ctx.inputTypes[0]],
  run(inputs, _a, ctx) {
    const seq = sequenceInput(inputs, 0, ctx);
    if (seq.length === 0) {
      throw new KernelError(`${where(ctx)}: cannot erase from an empty sequence`);
    }
    const at = positionInput(inputs, 1, seq, seq.length - 1, seq.length - 1, ctx);
    const items = seq.items.filter((_, i) => i !== at);
    return [new SequenceValue(seq.dtype, items, where(ctx))];
  },
});

/** SequenceAt: the tensor at `position`. */
export const sequenceAt: TypedOp<null> = defineValueOp<null>({
  opType: "SequenceAt",
  parse: () => null,
  infer: (ctx) => [elemOf(ctx.inputTypes[0])],
  run(inputs, _a, ctx) {
    const seq = sequenceInput(inputs, 0, ctx);
    if (!isTensor(inputs[1])) throw new KernelError(`${where(ctx)}: position is required`);
    const at = positionInput(inputs, 1, seq, seq.length - 1, 0, ctx);
    return [seq.items[at]];
  },
});

/** SequenceLength: the number of elements, as an int64 scalar. */
export const sequenceLength: TypedOp<null> = defineValueOp<null>({
  opType: "SequenceLength",
  parse: () => null,
  infer: () => [{ dtype: "s64", shape: [] }],
  run: (inputs, _a, ctx) => [scalar("s64", BigInt(sequenceInput(inputs, 0, ctx).length))],
});
