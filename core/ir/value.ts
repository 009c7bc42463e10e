/**
 * Run-time values of a graph: tensors, sequences of tensors and optional values. Kernels
 * of ordinary operators see tensors only; the sequence, optional and control-flow
 * operators see every kind.
 *
 * @module
 */
import type { DType } from "./dtype.ts";
import { DTYPES } from "./dtype.ts";
import { Tensor } from "./tensor.ts";
import type { ValueType } from "./types.ts";
import { EmptyOptionalError, SequenceElementTypeError } from "../errors/mod.ts";

/**
 * An ONNX sequence: tensors that share one element type (shapes may differ). The element
 * type is kept even when the sequence is empty, as `SequenceEmpty` declares it.
 */
export class SequenceValue {
  /** Element type of every tensor. */
  readonly dtype: DType;
  /** The tensors, in order. */
  readonly items: readonly Tensor[];

  /**
   * A sequence of `items`, all of element type `dtype`.
   *
   * @param where who builds the sequence, for the error (`node "seq" (SequenceInsert)`)
   * @throws {SequenceElementTypeError} when an item has another element type
   */
  constructor(dtype: DType, items: readonly Tensor[], where = "sequence") {
    items.forEach((t, i) => {
      if (t.dtype !== dtype) {
        throw new SequenceElementTypeError(
          `${where}: element ${i} is ${DTYPES[t.dtype].label} but the sequence holds ${
            DTYPES[dtype].label
          }; every element of a sequence has one element type`,
        );
      }
    });
    this.dtype = dtype;
    this.items = items;
  }

  /** Number of elements. */
  get length(): number {
    return this.items.length;
  }
}

/** An ONNX optional: a tensor or sequence, or nothing. */
export class OptionalValue {
  /** The declared type of the contained value (kept when empty). */
  readonly type: ValueType;
  /** The contained value, undefined when empty. */
  readonly value: Tensor | SequenceValue | undefined;

  /** An optional of declared type `type` holding `value` (undefined = empty). */
  constructor(type: ValueType, value: Tensor | SequenceValue | undefined) {
    this.type = type;
    this.value = value;
  }

  /** True when the optional holds a value. */
  get hasValue(): boolean {
    return this.value !== undefined;
  }

  /**
   * The contained value.
   * @param where who reads it, for the error (`node "get" (OptionalGetElement)`)
   * @throws {EmptyOptionalError} when the optional is empty
   */
  get(where: string): Tensor | SequenceValue {
    if (this.value === undefined) {
      throw new EmptyOptionalError(
        `${where}: reads an empty optional; check it with OptionalHasElement first or feed a value`,
      );
    }
    return this.value;
  }
}

/** Any run-time value of a graph. */
export type Value = Tensor | SequenceValue | OptionalValue;

/** True when `v` is a tensor (narrows the type). */
export function isTensor(v: Value | undefined): v is Tensor {
  return v instanceof Tensor;
}

/** The kind of a value, for messages: `tensor`, `sequence` or `optional`. */
export function valueKind(v: Value): "tensor" | "sequence" | "optional" {
  return v instanceof Tensor ? "tensor" : v instanceof SequenceValue ? "sequence" : "optional";
}

/** The type of a run-time value (tensor shapes are concrete). */
export function typeOfValue(v: Value): ValueType {
  if (v instanceof Tensor) return { dtype: v.dtype, shape: v.shape };
  if (v instanceof SequenceValue) return { kind: "sequence", elem: { dtype: v.dtype } };
  return { kind: "optional", elem: v.type };
}
