/**
 * Static types of values: tensors (element type and a shape whose dims may be symbolic),
 * sequences of tensors and optional values, as ONNX's TypeProto describes them.
 *
 * @module
 */
import { type DType, DTYPES } from "./dtype.ts";

/** A dimension: a known size, a symbolic name (`"N"`, `"batch"`) or unknown (`null`). */
export type Dim = number | string | null;

/** Tensor type of a value. `shape` undefined means the rank is unknown. */
export interface TensorType {
  /** Element type. */
  readonly dtype: DType;
  /** Dimensions; undefined when even the rank is unknown. */
  readonly shape?: readonly Dim[];
}

/** An ONNX sequence type: an ordered list of values of one element type. */
export interface SequenceType {
  /** Tag that tells a sequence type from the other value types. */
  readonly kind: "sequence";
  /** Type of every element (ONNX's operators use tensor elements). */
  readonly elem: ValueType;
}

/** An ONNX optional type: a value of `elem` type, or nothing. */
export interface OptionalType {
  /** Tag that tells an optional type from the other value types. */
  readonly kind: "optional";
  /** Type of the value when present (a tensor or a sequence type). */
  readonly elem: ValueType;
}

/** A non-tensor ONNX type axb does not model (map, sparse tensor, …), kept for round trips. */
export interface OpaqueType {
  /** Tag that tells an opaque type from a {@linkcode TensorType}. */
  readonly kind: "opaque";
  /** The encoded TypeProto, kept byte-for-byte. */
  readonly encoded: Uint8Array;
}

/** Every type that is not a plain tensor type (they carry a `kind` tag). */
export type NonTensorType = SequenceType | OptionalType | OpaqueType;

/** The type of any value of a graph. */
export type ValueType = TensorType | NonTensorType;

/** True when `t` is a tensor type (tensor types carry no `kind` tag). */
export function isTensorType(t: ValueType | undefined): t is TensorType {
  return t !== undefined && !("kind" in t);
}

/** True when every dim is a known number. */
export function isStaticShape(shape: readonly Dim[] | undefined): shape is readonly number[] {
  return shape !== undefined && shape.every((d) => typeof d === "number");
}

/** A readable form of a type for messages: `f32[1, "N"]`, `seq(f32[?])`, `optional(s64)`. */
export function formatType(t: ValueType | undefined): string {
  if (t === undefined) return "unknown";
  if (!("kind" in t)) {
    const dims = t.shape?.map((d) => (d === null ? "?" : typeof d === "string" ? `"${d}"` : d));
    return `${DTYPES[t.dtype].label}${dims ? `[${dims.join(", ")}]` : ""}`;
  }
  switch (t.kind) {
    case "sequence":
      return `seq(${formatType(t.elem)})`;
    case "optional":
      return `optional(${formatType(t.elem)})`;
    case "opaque":
      return "opaque";
  }
}

/**
 * The type that describes values of both `a` and `b` (If branches, loop iterations):
 * kinds and element types must agree; dims that differ become unknown. Undefined when
 * either is unknown or they are of different kinds or element types.
 */
export function joinTypes(
  a: ValueType | undefined,
  b: ValueType | undefined,
): ValueType | undefined {
  if (!a || !b) return a ?? b;
  if (!("kind" in a) || !("kind" in b)) {
    if ("kind" in a || "kind" in b || a.dtype !== b.dtype) return undefined;
    if (!a.shape || !b.shape || a.shape.length !== b.shape.length) return { dtype: a.dtype };
    const bs = b.shape;
    return { dtype: a.dtype, shape: a.shape.map((d, i) => (d === bs[i] ? d : null)) };
  }
  if (a.kind === "opaque" || b.kind === "opaque" || a.kind !== b.kind) return undefined;
  const elem = joinTypes(a.elem, b.elem);
  return elem ? { kind: a.kind, elem } : undefined;
}
