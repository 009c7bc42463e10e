/**
 * Input checks shared by the sequence and optional operators: a required sequence or
 * tensor input, a position input, and the element type a sequence type declares.
 *
 * @module
 */
import { KernelError } from "../../errors/mod.ts";
import type { DType } from "../../ir/dtype.ts";
import { readNumber, type Tensor } from "../../ir/tensor.ts";
import type { TensorType, ValueType } from "../../ir/types.ts";
import { isTensor, SequenceValue, type Value, valueKind } from "../../ir/value.ts";
import { where } from "../_util.ts";
import type { ParseContext } from "../op.ts";

/** Input `i` as a sequence, or an error naming the node and what it got. */
export function sequenceInput(
  inputs: readonly (Value | undefined)[],
  i: number,
  ctx: ParseContext,
): SequenceValue {
  const v = inputs[i];
  if (v instanceof SequenceValue) return v;
  throw new KernelError(
    `${where(ctx)}: input ${i} must be a sequence, got ${v ? `a ${valueKind(v)}` : "nothing"}`,
  );
}

/** Input `i` as a tensor, or an error naming the node and what it got. */
export function tensorInput(
  inputs: readonly (Value | undefined)[],
  i: number,
  ctx: ParseContext,
): Tensor {
  const v = inputs[i];
  if (isTensor(v)) return v;
  throw new KernelError(
    `${where(ctx)}: input ${i} must be a tensor, got ${v ? `a ${valueKind(v)}` : "nothing"}`,
  );
}

/**
 * Position input `i` (a scalar integer) normalised into `[0, limit]` from the allowed
 * range `[-length, limit]`, or `fallback` when the input is omitted.
 */
export function positionInput(
  inputs: readonly (Value | undefined)[],
  i: number,
  seq: SequenceValue,
  limit: number,
  fallback: number,
  ctx: ParseContext,
): number {
  const v = inputs[i];
  if (v === undefined) return fallback;
  if (!isTensor(v) || v.size !== 1) {
    throw new KernelError(`${where(ctx)}: position must be a scalar integer tensor`);
  }
  const p = readNumber(v, 0);
  if (p < -seq.length || p > limit) {
    throw new KernelError(
      `${where(ctx)}: position ${p} is out of range [${-seq
        .length}, ${limit}] for a sequence of ${seq.length}`,
    );
  }
  return p < 0 ? p + seq.length : p;
}

/** The element tensor type of a sequence type, undefined when unknown. */
export function elemOf(t: ValueType | undefined): TensorType | undefined {
  return t && "kind" in t && t.kind === "sequence" && !("kind" in t.elem) ? t.elem : undefined;
}

/** A sequence type of tensors of `dtype` (shape unknown) or of `elem`. */
export function seqOf(elem: TensorType | DType | undefined): ValueType | undefined {
  if (elem === undefined) return undefined;
  return { kind: "sequence", elem: typeof elem === "string" ? { dtype: elem } : elem };
}
